"""Raid effects: scenario transforms, severity from impacted counts, the cache; a stand-in engine."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redline.escalation.effects import (
    Effect,
    EffectsCache,
    compute_table,
    load_table,
    raid_variants,
    severity_from_totals,
)
from redline.escalation.io import load_game, load_levers


def test_severity_from_totals():
    assert severity_from_totals(np.array([0, 5, 10, 11, 40, 41]), (10, 40)) == pytest.approx((0.5, 2 / 6, 1 / 6))


class _FakeResult:
    def __init__(self, scenario, trials):
        from redline.catalog import load_catalog

        cat = load_catalog()
        n = sum(s.count for s in scenario.raid if cat.threats[s.threat].klass == "ballistic")
        rng = np.random.default_rng(0)
        self.frame = pd.DataFrame({
            "ballistic.launched": np.full(trials, float(n)),
            "ballistic.impacted": rng.poisson(0.05 * n, size=trials).astype(float),
            "used.arrow-3": np.full(trials, 0.5 * n),
            "cost_usd.defender": np.full(trials, 1e8),
            "cost_usd.attacker": np.full(trials, 2e7),
        })
        from redline.manifest import make_manifest

        self.manifest = make_manifest("run", scenario.name, seed=0, samples=trials, unit="trials", params="stand-in")

    def to_frame(self):
        return self.frame


def _fake_run(scenario, trials, seed):
    _fake_run.calls += 1
    return _FakeResult(scenario, trials)


_fake_run.calls = 0


class _FakeCampaign:
    """A stand-in campaign result: 3 impacts a trial per day flown, the launches of the real plan."""

    def __init__(self, scenario, campaign, trials):
        from redline.campaign.stocks import plan_waves
        from redline.manifest import make_manifest

        self.scenario, self.days, self.n = scenario, campaign.days, trials
        self.plans = plan_waves(scenario, campaign)[0]
        self.types = ["iron-dome"]
        self.unit_cost_usd = {"iron-dome": 5e4}
        self.manifest = make_manifest("campaign", scenario.name, seed=0, samples=trials, unit="trials", params="stand-in")

    def launched(self, day):
        out = {}
        for p in self.plans:
            if p.day == day:
                for salvo, c in zip(self.scenario.raid, p.counts):
                    out[salvo.threat] = out.get(salvo.threat, 0) + c
        return out

    def samples(self, metric):
        return np.full(self.n, 3 * self.days if metric == "all.impacted" else 2)


def _fake_campaign(scenario, campaign, trials, seed, params=None):
    _fake_campaign.calls += 1
    return _FakeCampaign(scenario, campaign, trials)


_fake_campaign.calls = 0


def test_compute_table_with_a_stand_in_engine(tmp_path):
    pytest.importorskip("redline.scenario")        # the scenario schema; the engine itself is not run
    cache = EffectsCache(tmp_path / "cache.json")
    before = _fake_run.calls
    table = compute_table(trials=50, seed=1, cache=cache, run=_fake_run, run_campaign=_fake_campaign)
    g, b = load_game(), load_levers()
    engine_raids = [r for r, t in g.raids.items() if t.base is not None]
    assert set(table["entries"]) == set(engine_raids)
    assert set(table["entries"]["iran-april-2024"]) == set(raid_variants(g, b))
    eff = Effect.from_json(table["entries"]["iran-cities"]["default"])
    assert abs(sum(eff.severity) - 1) < 1e-9 and eff.provenance.startswith("engine")
    # scaled raids launch more: the cities template doubles the ballistic missiles
    base = Effect.from_json(table["entries"]["iran-april-2024"]["default"]).launched["ballistic"]
    assert eff.launched["ballistic"] == pytest.approx(2 * base, rel=0.02)
    limited = Effect.from_json(table["entries"]["iran-limited"]["default"]).launched["ballistic"]
    assert limited == pytest.approx(0.25 * base, rel=0.05)
    calls = _fake_run.calls - before
    # a second pass is served from the cache file, keyed by scenario hash
    campaign_calls = _fake_campaign.calls
    # campaign templates are flown as campaigns, whole: the twelve-day war's 11 nights
    war = Effect.from_json(table["entries"]["iran-campaign"]["default"])
    assert war.provenance.startswith("engine campaign, 11 days") and war.impacted["mean"] == 33
    assert war.launched == {"drone": 1000, "ballistic": 550}
    again = compute_table(trials=50, seed=1, cache=EffectsCache(tmp_path / "cache.json"), run=_fake_run,
                          run_campaign=_fake_campaign)
    assert _fake_run.calls - before == calls and again["entries"] == table["entries"]
    assert _fake_campaign.calls == campaign_calls


def test_variant_transforms():
    pytest.importorskip("redline.scenario")
    from redline.escalation.effects import build_scenario

    g = load_game()
    raid = g.raids["iran-april-2024"]
    base = build_scenario(raid, [], "t")
    nojo = build_scenario(raid, [g.variants["no-jordan"]], "t2")
    assert any(u.owner == "jordan" for u in base.fire_units)
    assert not any(u.owner == "jordan" for u in nojo.fire_units)
    assert "jordan" not in (nojo.doctrine.airspace or {})
    fwd = build_scenario(raid, [g.variants["forward"]], "t3")
    assert "south-lebanon" in fwd.sites and any(s.launch == "south-lebanon" for s in fwd.raid)
    assert sum(s.count for s in fwd.raid) == sum(s.count for s in base.raid)
    integ = build_scenario(raid, [g.variants["integrated"]], "t4")
    jets = {u.name: u for u in base.fire_units}
    assert next(u for u in integ.fire_units if u.name == "jordan-jets").aircraft == 2 * jets["jordan-jets"].aircraft


def test_shipped_table_covers_the_game():
    table = load_table()
    g = load_game()
    for rid, raid in g.raids.items():
        if raid.base is not None:
            assert "default" in table["entries"][rid], rid
    assert table["provenance"]["status"] in ("computed", "provisional")
