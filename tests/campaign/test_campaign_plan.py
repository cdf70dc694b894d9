"""The stock plan (``campaign.adapt.plan``): a ration per wave fixed before the campaign.

Closed forms on a tiny campaign, the runtime cap, that the plan never depends on what was fired,
hash stability for campaigns without a plan, bad input, and the cross-night coupling it removes
from ``twelve-day-war-2025`` (issue 10 item 5; docs/campaigns.md, docs/engagement-realism.md §6.6).
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
    - {day: 3, classes: {drone: 30}}
  depot: {israel: {fighter-aam: 0}, united-states: {fighter-aam: 0}}
  adapt: {plan: {fighter-aam: {by: BY}}}
"""


def _tiny(by: str = "threats"):
    return parse_campaign(TINY.replace("BY", by))


def _rations(sc, camp) -> dict[str, list[int]]:
    g = stock_groups(sc, camp)
    assert g.ration is not None
    return {lab: [int(x) for x in g.ration[:, k]] for k, lab in enumerate(g.labels) if g.ration[0, k] >= 0}


def test_rations_closed_form():
    """Israel's fighters hold 2 x 8 x 4 = 64 rounds, the US CAP 8 x 6 = 48, no depot: shared 10 : 0 : 30 by the
    drones each night flies (fighter-aam engages drones and cruise missiles, not ballistic ones), or 1 : 0 : 1
    by the nights that fly any of them."""
    sc, camp = _tiny("threats")
    assert _rations(sc, camp) == {"israel/fighter-aam": [16, 0, 48], "united-states/fighter-aam": [12, 0, 36]}
    sc, camp = _tiny("waves")
    assert _rations(sc, camp) == {"israel/fighter-aam": [32, 0, 32], "united-states/fighter-aam": [24, 0, 24]}


def test_rations_add_up_to_the_planned_stock_with_deliveries_and_reserve():
    """T = start + deliveries - reserve, shared as floor(T W_i / W) - floor(T W_(i-1) / W): the rations sum to T."""
    sc, camp = load_campaign("twelve-day-war-2025")
    r = _rations(sc, camp)
    assert r["united-states/fighter-aam"] == [38, 34, 35, 35, 34, 35, 34, 35, 34, 35, 35]   # 384 by 100, 90 x 10
    assert sum(r["israel/fighter-aam"]) == 320
    camp2 = camp.model_copy(update={"adapt": camp.adapt.model_copy(update={"reserve": {"fighter-aam": 0.25}}),
                                    "production_per_day": {"israel": {"fighter-aam": 10.0}}})
    r2 = _rations(sc, camp2)
    assert sum(r2["israel/fighter-aam"]) == 320 + 10 * 10 - 80     # made on days 1-10, usable days 2-11
    assert sum(r2["united-states/fighter-aam"]) == 384 - 96
    g = stock_groups(sc, camp)
    assert all((g.ration[:, k] == -1).all() for k, lab in enumerate(g.labels) if not lab.endswith("fighter-aam"))


def test_fired_never_exceeds_the_ration_and_unused_rounds_are_not_carried():
    sc, camp = _tiny("threats")
    res = run_campaign(sc, camp, trials=200, seed=3, keep_daily=True)
    used = res.trial_daily["used_type"][:, :, res.types.index("fighter-aam")]
    assert (used <= np.array([16 + 12, 0, 48 + 36])[None, :]).all()
    assert used[:, 0].mean() < 27                  # night 1 leaves part of its ration unfired ...
    assert used[:, 2].max() <= 84                  # ... and night 3 may still fire only its own
    g = res.groups
    for k, lab in enumerate(g.labels):
        if lab.endswith("fighter-aam"):
            assert (res.final_remaining[:, k] >= g.initial[k] - g.ration[:, k].sum()).all()


def test_the_plan_depends_on_the_waves_and_stocks_only():
    """A closure changes what is fired, never the rations (they are fixed before the campaign)."""
    sc = load_scenario("twelve-day-war-2025")
    cat = scenario_catalog(sc)
    every = sorted({c for allowed in sc.doctrine.airspace.values() for c in allowed})
    base = stock_groups(sc, sc.campaign, cat).ration
    for cty in ("iraq", "jordan"):
        v = close_airspace(sc, [cty], everywhere=every)
        assert (stock_groups(v, v.campaign, cat).ration == base).all()


def test_no_plan_leaves_dumps_and_hashes_as_they_were():
    assert "plan" not in Adapt().model_dump(mode="json")
    sc, camp = load_campaign("twelve-day-campaign")
    assert "plan" not in camp.model_dump(mode="json")["adapt"]
    assert stock_groups(sc, camp).ration is None
    planned = camp.model_copy(update={"adapt": camp.adapt.model_copy(update={"plan": {"iron-dome": Plan(by="threats")}})})
    assert campaign_sha256(sc, planned) != campaign_sha256(sc, camp)


@pytest.mark.parametrize("block,field", [("{plan: {patriot: {by: threats}}}", r"campaign\.adapt\.plan\.patriot"),
                                         ("{plan: {fighter-aam: {by: nightly}}}", r"campaign\.adapt\.plan")])
def test_bad_plan_names_the_field(block, field):
    text = TINY.replace("{plan: {fighter-aam: {by: BY}}}", block)
    with pytest.raises(InputError, match=field):
        parse_campaign(text)


_spec = importlib.util.spec_from_file_location(
    "monotonicity_script", Path(__file__).resolve().parents[2] / "scripts" / "monotonicity.py")
mono = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mono)


def test_twelve_day_war_fighters_no_longer_carry_stock_across_nights():
    """Before the plan, close jordan had the fighters fire 3.3-4.9 fewer missiles a night on nights 1-5 and ~8
    more on night 9 (their stock lasted longer). Under the plan each night's fighter fire is that night's own:
    the paired difference stays within a round on every night."""
    sc = load_scenario("twelve-day-war-2025")
    cat = scenario_catalog(sc)
    v = close_airspace(sc, ["jordan"], everywhere=mono.countries_of(sc, cat))
    a = run_campaign(sc, sc.campaign, trials=100, seed=1, keep_daily=True)
    b = run_campaign(v, v.campaign, trials=100, seed=1, keep_daily=True)
    t = a.types.index("fighter-aam")
    diff = (b.trial_daily["used_type"][:, :, t] - a.trial_daily["used_type"][:, :, t]).mean(axis=0)
    assert np.abs(diff).max() < 1.0, diff
