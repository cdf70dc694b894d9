"""Campaigns: many waves over days, with interceptor and missile stocks carried
from wave to wave, production, resupply, launcher attrition and doctrine that
adapts to stocks.

    from redline.campaign import load_campaign, run_campaign
    sc, camp = load_campaign("twelve-day-campaign")
    res = run_campaign(sc, camp, trials=2000, seed=1)
    res.summary()["reserve_reached"]

See docs/campaigns.md for the file format and the model.
"""
from .io import load_campaign, parse_campaign, read_campaign
from .result import CampaignResult
from .runner import BLOCK_TRIALS, run_campaign
from .schema import Adapt, Campaign, Conserve, MissileStock, Resupply
from .stocks import plan_waves, stock_groups

__all__ = [
    "Campaign",
    "MissileStock",
    "Resupply",
    "Conserve",
    "Adapt",
    "CampaignResult",
    "load_campaign",
    "read_campaign",
    "parse_campaign",
    "run_campaign",
    "plan_waves",
    "stock_groups",
    "BLOCK_TRIALS",
]
