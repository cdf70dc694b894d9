"""The stock plan (``campaign.adapt.plan``): a ration per wave fixed before the campaign.

Closed forms on a tiny campaign, the runtime cap, that the plan never depends on what was fired,
hash stability for campaigns without a plan, bad input, and the cross-night coupling it removes
from ``twelve-day-war-2025`` (issue 10 item 5; docs/campaigns.md, docs/engagement-realism.md §6.7).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from redline.campaign import load_campaign, parse_campaign, run_campaign, stock_groups
from redline.errors import InputError
from redline.hashing import campaign_sha256
from redline.scenario.campaign import Adapt, Plan
from redline.scenario.io import load_scenario, scenario_catalog
from redline.scenario.transforms import close_airspace

TINY = """
extends: twelve-day-war-2025
name: tiny-plan
campaign:
  days: 3
  schedule:
    - {day: 1, classes: {drone: 10}}
    - {day: 2, classes: {ballistic: 5}}
    - {day: 3, classes: {drone: 80}}
  depot: {israel: {fighter-aam: 0}, united-states: {fighter-aam: 0}}
  adapt: {plan: {fighter-aam: {horizon_days: H}}}
"""


def _tiny(h: int = 3, extra: str = ""):
    return parse_campaign(TINY.replace("H}}}", f"{h}}}}}}}") + extra)


def _rations(sc, camp, suffix: str = "/fighter-aam") -> dict[str, list[int]]:
    """The planned groups' rations, of one type (TINY inherits twelve-day-war-2025's Iron Dome plan too)."""
    g = stock_groups(sc, camp)
    assert g.ration is not None
    return {lab: [int(x) for x in g.ration[:, k]] for k, lab in enumerate(g.labels)
            if g.ration[0, k] >= 0 and lab.endswith(suffix)}


def test_rations_closed_form():
    """Israel's fighters hold 2 x 8 x 4 = 64 rounds, the US CAP 8 x 6 = 48, no depot; planned over 3 nights:
    floor(64 i / 3) = 21, 42, 64 and 16, 32, 48, whatever each night flies (night 2 flies no drone)."""
    sc, camp = _tiny(3)
    assert _rations(sc, camp) == {"israel/fighter-aam": [21, 21, 22], "united-states/fighter-aam": [16, 16, 16]}
    # the inherited Iron Dome plan: 3 x 60 ready + 480 depot over 11 nights, 60 a night
    assert _rations(sc, camp, "/iron-dome") == {"israel/iron-dome": [60, 60, 60]}
    # a horizon shorter than the campaign: no plan after it
    sc, camp = _tiny(2)
    assert _rations(sc, camp) == {"israel/fighter-aam": [32, 32, -1], "united-states/fighter-aam": [24, 24, -1]}


def test_deliveries_are_spread_from_their_day_to_the_horizon():
    """10 rounds arriving on day 2 add 10 / 2 to nights 2 and 3: A = 21.33, 47.67, 74 -> 21, 26, 27; a reserve of
    25 % (floor(0.25 x 64) = 16) comes off the start: (64 - 16) / 3 = 16 a night."""
    extra = "  resupply: [{day: 2, owner: israel, type: fighter-aam, rounds: 10}]\n"
    sc, camp = _tiny(3, extra)
    assert _rations(sc, camp)["israel/fighter-aam"] == [21, 26, 27]
    camp = camp.model_copy(update={"resupply": (), "adapt": camp.adapt.model_copy(update={"reserve": {"fighter-aam": 0.25}})})
    assert _rations(sc, camp) == {"israel/fighter-aam": [16, 16, 16], "united-states/fighter-aam": [12, 12, 12]}


def test_the_full_war_plan():
    sc, camp = load_campaign("twelve-day-war-2025")
    r = _rations(sc, camp)
    assert r["united-states/fighter-aam"] == [34, 35, 35, 35, 35, 35, 35, 35, 35, 35, 35]   # floor(384 i / 11)
    assert sum(r["israel/fighter-aam"]) == 320
    # Iron Dome: 3 x 60 ready + 480 depot, no reserve, no deliveries: 60 a night (docs/engagement-realism.md §6.8)
    assert _rations(sc, camp, "/iron-dome")["israel/iron-dome"] == [60] * 11
    g = stock_groups(sc, camp)
    assert all((g.ration[:, k] == -1).all() for k, lab in enumerate(g.labels)
               if not lab.endswith(("fighter-aam", "iron-dome")))


def test_fired_never_exceeds_the_ration_and_unused_rounds_are_not_carried():
    sc, camp = _tiny(3)
    res = run_campaign(sc, camp, trials=200, seed=3, keep_daily=True)
    used = res.trial_daily["used_type"][:, :, res.types.index("fighter-aam")]
    assert (used <= np.array([21 + 16, 21 + 16, 22 + 16])[None, :]).all()
    assert used[:, 0].mean() < 12 and (used[:, 1] == 0).all()   # night 1 (10 drones) and 2 (none) leave rounds ...
    assert used[:, 2].max() <= 38                                 # ... that night 3 (80 drones) may not fire
    free = run_campaign(sc, camp.model_copy(update={"adapt": camp.adapt.model_copy(update={"plan": {}})}),
                        trials=200, seed=3, keep_daily=True).trial_daily["used_type"][:, :, res.types.index("fighter-aam")]
    assert free[:, 2].mean() > used[:, 2].mean() + 5
    g = res.groups
    for k, lab in enumerate(g.labels):
        if lab.endswith("fighter-aam"):
            assert (res.final_remaining[:, k] >= g.initial[k] - g.ration[:, k].sum()).all()


def test_a_campaign_cut_to_its_first_nights_rations_them_alike():
    """The calibration flies a campaign only to its last fitted night (truncated_campaign): the plan must not
    look ahead (tests/calibration/test_hierarchical.py checks the nights trial for trial)."""
    from redline.calibration.hierarchical import truncated_campaign

    sc, camp = load_campaign("twelve-day-war-2025")
    full = stock_groups(sc, camp).ration
    for n in (1, 5, 10):
        assert (stock_groups(sc, truncated_campaign(camp, n)).ration == full[:n]).all()


def test_the_plan_depends_on_the_stocks_only():
    """A closure changes what is fired, never the rations (they are fixed before the campaign)."""
    sc = load_scenario("twelve-day-war-2025")
    cat = scenario_catalog(sc)
    every = sorted({c for allowed in sc.doctrine.airspace.values() for c in allowed})
    base = stock_groups(sc, sc.campaign).ration
    for cty in ("iraq", "jordan"):
        v = close_airspace(sc, [cty], everywhere=every)
        assert (stock_groups(v, v.campaign).ration == base).all()


def test_no_plan_leaves_dumps_and_hashes_as_they_were():
    assert "plan" not in Adapt().model_dump(mode="json")
    sc, camp = load_campaign("twelve-day-campaign")
    assert "plan" not in camp.model_dump(mode="json")["adapt"]
    assert stock_groups(sc, camp).ration is None
    planned = camp.model_copy(update={"adapt": camp.adapt.model_copy(update={"plan": {"iron-dome": Plan(horizon_days=12)}})})
    assert campaign_sha256(sc, planned) != campaign_sha256(sc, camp)


@pytest.mark.parametrize("block,field", [("{plan: {patriot: {horizon_days: 3}}}", r"campaign\.adapt\.plan\.patriot"),
                                         ("{plan: {fighter-aam: {horizon_days: 0}}}", r"campaign\.adapt\.plan"),
                                         ("{plan: {fighter-aam: {by: threats}}}", r"campaign\.adapt\.plan")])
def test_bad_plan_names_the_field(block, field):
    text = TINY.replace("{plan: {fighter-aam: {horizon_days: H}}}", block)
    with pytest.raises(InputError, match=field):
        parse_campaign(text)


_spec = importlib.util.spec_from_file_location(
    "monotonicity_script", Path(__file__).resolve().parents[2] / "scripts" / "monotonicity.py")
mono = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mono)


def test_twelve_day_war_fighters_no_longer_carry_stock_across_nights():
    """Before the plan, close jordan had the fighters fire 3.3-4.9 fewer missiles a night on nights 1-5 and ~8
    more on night 9 (their stock lasted longer). Under the plan each night's fighter fire is that night's own:
    on no night does the closure make them fire more (the stock saved for later nights, the carry), and on
    nights 1-5 they fire less than a round fewer. (The closure takes opportunities away every night, so they
    fire a little less on each, -0.1 to -1.2 with the session-5 posterior: fewer chances, not a carry.)"""
    sc = load_scenario("twelve-day-war-2025")
    cat = scenario_catalog(sc)
    v = close_airspace(sc, ["jordan"], everywhere=mono.countries_of(sc, cat))
    a = run_campaign(sc, sc.campaign, trials=100, seed=1, keep_daily=True)
    b = run_campaign(v, v.campaign, trials=100, seed=1, keep_daily=True)
    t = a.types.index("fighter-aam")
    diff = (b.trial_daily["used_type"][:, :, t] - a.trial_daily["used_type"][:, :, t]).mean(axis=0)
    assert diff.max() < 0.5, diff
    assert np.abs(diff[:5]).max() < 1.0, diff
