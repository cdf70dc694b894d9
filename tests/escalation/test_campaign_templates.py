"""Campaign raid templates (issue 12 item 2): a template on a campaign scenario is flown whole,
or its first ``days``, and reduced from each trial's campaign total with the aim's thresholds.

The closed form: with no defence and every munition aimed at a site far larger than its CEP,
each munition reaches the site with its reliability r (catalog best value, ``params="prior"``),
so a campaign of N munitions lands Binomial(N, r) and the template's severity is that
distribution's mass below, between and above the two thresholds.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from redline.campaign import load_campaign, run_campaign
from redline.catalog import load_catalog
from redline.errors import InputError
from redline.escalation.effects import build_scenario, evaluate, evaluate_campaign, first_days, table_scenarios
from redline.escalation.io import load_game
from redline.escalation.schema import Raid

TINY = """
name: tiny-campaign
title: "HYPOTHETICAL: a tiny undefended campaign"
hypothetical: true
sites:
  launch: {lat: 33.30, lon: 43.30, kind: launch_area, radius_km: 5}
  target: {lat: 33.31, lon: 42.50, kind: city, radius_km: 40, value: 1}
sensors: []
fire_units: []
raid:
  - {name: drones, threat: shahed-136, count: 1, launch: launch, window_min: [0, 10], aim: {target: 1}}
campaign:
  days: 3
  schedule:
    - {day: 1, classes: {drone: 6}}
    - {day: 2, classes: {drone: 4}}
    - {day: 3, classes: {drone: 10}}
"""

TRIALS = 3000


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    p = tmp_path_factory.mktemp("camp") / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return str(p)


def _closed_form(n: int, r: float, t1: int, t2: int) -> np.ndarray:
    c, d = binom.cdf(t1, n, r), binom.cdf(t2, n, r) - binom.cdf(t1, n, r)
    return np.array([c, d, 1 - c - d])


def _check(sev, want):
    se = np.sqrt(np.maximum(want * (1 - want), 1e-4) / TRIALS)
    assert np.all(np.abs(np.array(sev) - want) < 4.5 * se), (sev, want)


def test_a_whole_campaign_reduces_to_the_binomial_closed_form(tiny):
    r = load_catalog().threats["shahed-136"].reliability.value
    sc = build_scenario(Raid(base=tiny, aim="military"), [], name="tiny--default")
    assert sc.campaign is not None and sc.campaign.days == 3
    eff = evaluate(sc, "military", (15, 17), trials=TRIALS, seed=3, params="prior")
    assert eff.launched == {"drone": 20.0} and eff.provenance.startswith("engine campaign, 3 days")
    _check(eff.severity, _closed_form(20, r, 15, 17))
    assert eff.impacted["mean"] == pytest.approx(20 * r, abs=4.5 * np.sqrt(20 * r * (1 - r) / TRIALS))
    assert eff.cost_usd["attacker"] == pytest.approx(20 * load_catalog().threats["shahed-136"].cost_usd.value)
    assert eff.cost_usd["defender"] == 0 and eff.interceptors_used == {}


def test_the_first_days_of_a_scaled_campaign(tiny):
    """days: 2 keeps days 1-2 (6 + 4 drones), scale 0.5 halves each scheduled count: 3 + 2 = 5."""
    r = load_catalog().threats["shahed-136"].reliability.value
    sc = build_scenario(Raid(base=tiny, aim="military", days=2, scale={"drone": 0.5}), [], name="tiny--half")
    camp = sc.campaign
    assert camp.days == 2 and [e.classes["drone"] for e in camp.schedule] == [3, 2]
    assert sum(s.count for s in sc.raid) == 1          # the raid's counts are the schedule's weights: untouched
    eff = evaluate(sc, "military", (3, 4), trials=TRIALS, seed=4, params="prior")
    assert eff.launched == {"drone": 5.0}
    _check(eff.severity, _closed_form(5, r, 3, 4))


def test_first_days_drops_later_entries_and_keeps_the_whole_when_asked():
    _, camp = load_campaign("twelve-day-war-2025")
    assert first_days(camp, None) is camp and first_days(camp, 11) is camp and first_days(camp, 40) is camp
    three = first_days(camp, 3)
    assert three.days == 3 and [e.day for e in three.schedule] == [1, 2, 3]
    assert sum(e.classes["ballistic"] for e in three.schedule) == 150 + 120 + 100


def test_the_reduction_with_a_stand_in_campaign(tiny):
    """Severity is the share of trials at or below each threshold; costs are rounds x unit cost."""
    sc = build_scenario(Raid(base=tiny, aim="military"), [], name="tiny--stub")

    class Res:
        types = ["coyote"]
        unit_cost_usd = {"coyote": 1e5}

        class manifest:  # noqa: N801
            params = "stand-in"

        def launched(self, day):
            return {"shahed-136": {1: 6, 2: 4, 3: 10}[day]}

        def samples(self, metric):
            return np.array([0, 5, 10, 11, 40, 41]) if metric == "all.impacted" else np.array([1, 1, 2, 2, 3, 3])

    eff = evaluate_campaign(sc, (10, 40), trials=6, seed=0, run_campaign=lambda *a, **k: Res())
    assert eff.severity == pytest.approx((0.5, 2 / 6, 1 / 6))
    assert eff.interceptors_used == {"coyote": 2.0} and eff.cost_usd["defender"] == pytest.approx(2e5)
    assert eff.impacted["mean"] == pytest.approx(107 / 6)


def test_days_needs_a_campaign_base_and_a_base():
    with pytest.raises(ValueError):
        Raid(aim="military", days=2, assumed={"outcome": [1, 0, 0]})
    with pytest.raises(InputError, match="not a campaign"):
        build_scenario(Raid(base="isfahan-2024", days=2), [], name="x--default")


NEW = {"israel-campaign": ("israel-campaign-iran", 12, {"ballistic": 624}),
       "us-campaign": ("us-campaign-iran", 5, {"cruise": 160}),
       "militias-lethal": ("militia-drones-us-bases", 30, {"drone": 60}),
       "iran-campaign": ("twelve-day-war-2025", 11, {"drone": 1000, "ballistic": 550})}


@pytest.mark.parametrize("name", ["israel-campaign-iran", "us-campaign-iran", "militia-drones-us-bases"])
def test_each_new_scenario_validates_and_runs(name):
    sc, camp = load_campaign(name)
    assert sc.hypothetical and "HYPOTHETICAL" in sc.title and sc.sources and sc.description.strip()
    res = run_campaign(sc, camp, trials=20, seed=1)
    imp = res.samples("all.impacted")
    assert imp.shape == (20,) and np.all(imp >= 0)
    launched = sum(sum(res.launched(d).values()) for d in range(1, camp.days + 1))
    assert np.all(imp <= launched)


def test_the_campaign_templates_are_engine_backed_and_build_their_campaigns():
    game = load_game()
    built = {(rid, vn): sc for rid, vn, _, sc in table_scenarios() if rid in NEW}
    for rid, (base, days, launched) in NEW.items():
        raid = game.raids[rid]
        assert raid.base == base and raid.assumed is None, rid
        sc = built[rid, "default"]
        assert sc.campaign is not None and sc.campaign.days == days, rid
        from redline.campaign.stocks import plan_waves

        plans = plan_waves(sc.model_copy(update={"campaign": None}), sc.campaign)[0]
        cat = load_catalog()
        got: dict[str, int] = {}
        for p in plans:
            for salvo, c in zip(sc.raid, p.counts):
                k = cat.threats[salvo.threat].klass
                got[k] = got.get(k, 0) + c
        assert got == launched, rid
    # the perch lever reaches Israel's campaign; Iran's campaign gets the partner and lever variants
    assert ("israel-campaign", "perch") in built
    assert {vn for r, vn in built if r == "iran-campaign"} >= {"default", "no-jordan", "arms-race"}
    # the arms race deepens the defenders' depots with their magazines
    war, arms = built["iran-campaign", "default"].campaign, built["iran-campaign", "arms-race"].campaign
    assert arms.depot["israel"]["arrow-3"] == round(1.5 * war.depot["israel"]["arrow-3"])
    assert arms.depot["israel"]["fighter-aam"] == war.depot["israel"]["fighter-aam"]     # fighters: scale_fighters'
    assert sum(e.classes["ballistic"] for e in arms.schedule) > 1.4 * sum(e.classes["ballistic"] for e in war.schedule)


def test_the_templates_left_assumed_say_why():
    game = load_game()
    for rid in ("israel-leadership", "israel-lebanon"):
        raid = game.raids[rid]
        assert raid.base is None and raid.assumed is not None and "ASSUMPTION" in raid.note, rid
