"""Campaigns: stock conservation, reserves, deterministic wave plans, per-day outputs."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.campaign import load_campaign, parse_campaign, plan_waves, run_campaign, stock_groups
from redline.campaign import runner as campaign_runner
from redline.campaign.histogram import IntHistogram
from redline.errors import InputError


@pytest.fixture(scope="module")
def twelve():
    return load_campaign("twelve-day-campaign")


@pytest.fixture(scope="module")
def short_run(twelve):
    sc, camp = twelve
    camp = camp.model_copy(update={"days": 3, "resupply": (), "day_scale": None})
    return run_campaign(sc, camp, trials=300, seed=5, params="prior")


def test_builtin_is_marked_hypothetical(twelve):
    sc, camp = twelve
    assert sc.hypothetical and "HYPOTHETICAL" in sc.title
    assert camp.days == 12 and camp.waves_per_day == 2


def test_stock_conservation_per_trial(short_run):
    """used + remaining = initial + delivered, for every trial and (nation, type) stock."""
    g = short_run.groups
    lhs = short_run.used_total.astype(np.int64) + short_run.final_remaining
    rhs = g.initial + g.deliveries.sum(axis=0)
    assert (lhs == rhs[None, :]).all()
    assert (short_run.final_remaining >= 0).all()


def test_daily_means_add_up(short_run):
    """Mean rounds used per day, summed, plus mean stock left = start + deliveries (exact means)."""
    s = short_run.summary()
    for lab, info in s["stocks"].items():
        used = sum(d["interceptors_used"][lab]["mean"] for d in s["daily"])
        left = s["daily"][-1]["remaining"][lab]["mean"]
        assert used + left == pytest.approx(info["initial"] + info["delivered"], abs=1e-4)


def test_reserve_is_never_fired(short_run):
    g = short_run.groups
    assert (short_run.final_remaining >= g.reserve_level[None, :]).all()


def test_per_day_outputs_shape(short_run):
    s = short_run.summary()
    assert [d["day"] for d in s["daily"]] == [1, 2, 3]
    labels = short_run.groups.labels
    for d in s["daily"]:
        assert set(d["remaining"]) == set(labels) == set(d["interceptors_used"])
        assert set(d["by_class"]) == {"drone", "cruise", "ballistic"}
        for v in d["remaining"].values():
            assert v["p05"] <= v["p50"] <= v["p95"]
        launched = sum(d["launched"].values())
        assert sum(d["by_class"][c]["launched"]["mean"] for c in d["by_class"]) == pytest.approx(launched)
    assert set(s["reserve_reached"]) == set(labels)
    curve = short_run.stock_curve("type")
    assert all(len(v) == 3 for v in curve.values())
    assert short_run.final_remaining.shape == (300, len(labels))
    json.dumps(s)  # JSON-ready


def test_same_seed_same_result(twelve):
    sc, camp = twelve
    camp = camp.model_copy(update={"days": 2, "resupply": (), "day_scale": None})
    a = run_campaign(sc, camp, trials=100, seed=9, params="prior").summary()
    b = run_campaign(sc, camp, trials=100, seed=9, params="prior").summary()
    a.pop("manifest"), b.pop("manifest")
    assert a == b


def test_blocks_keep_conservation(twelve, monkeypatch):
    """Several trial blocks (a small block size) still conserve stock and cover every trial."""
    monkeypatch.setattr(campaign_runner, "BLOCK_TRIALS", 64)
    sc, camp = twelve
    camp = camp.model_copy(update={"days": 2, "resupply": (), "day_scale": None})
    res = run_campaign(sc, camp, trials=150, seed=3, params="prior")
    g = res.groups
    assert (res.used_total + res.final_remaining == g.initial + g.deliveries.sum(axis=0)).all()
    assert res.reached[g.labels[0]].n == 150


def test_wave_plan_respects_stocks_and_attrition(twelve):
    sc, camp = twelve
    plans, curve = plan_waves(sc, camp)
    assert len(plans) == camp.days * camp.waves_per_day
    for t, ms in camp.missile_stocks.items():
        idx = [i for i, s in enumerate(sc.raid) if s.threat == t]
        stock = ms.initial
        for d in range(1, camp.days + 1):
            fired = sum(p.counts[i] for p in plans if p.day == d for i in idx)
            assert fired <= stock
            stock -= fired
            assert curve[d - 1][t] == stock
            stock += int(np.floor(ms.production_per_day * d + 1e-9)) - int(np.floor(ms.production_per_day * (d - 1) + 1e-9))
    first = sum(plans[0].counts)
    last = sum(plans[-1].counts)
    assert last < first  # launchers are destroyed day by day


def test_missile_stock_limits_salvos():
    text = """
extends: april-2024
name: tiny
raid:
  - {threat: emad, count: 30, launch: shiraz, window_min: [0, 5], aim: {nevatim: 1}}
campaign:
  days: 3
  missile_stocks: {emad: {initial: 50, production_per_day: 5}}
"""
    sc, camp = parse_campaign(text)
    plans, curve = plan_waves(sc, camp)
    assert [p.counts[0] for p in plans] == [30, 25, 5]  # 50 - 30 + 5, then 0 + 5
    assert [c["emad"] for c in curve] == [20, 0, 0]


def test_unknown_owner_names_the_field():
    text = """
extends: april-2024
name: bad
campaign:
  depot: {atlantis: {arrow-3: 5}}
"""
    with pytest.raises(InputError, match=r"campaign\.depot\.atlantis"):
        parse_campaign(text)


def test_deliveries_arrive_next_day(twelve):
    sc, camp = twelve
    g = stock_groups(sc, camp)
    k = g.labels.index("israel/iron-dome")
    assert g.deliveries[0, k] == 0 and g.deliveries[1, k] == 10
    k = g.labels.index("united-states/sm-3")
    assert g.deliveries[5, k] == 16


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=200))
def test_histogram_quantiles_match_numpy(values):
    h = IntHistogram()
    h.add(np.array(values[: len(values) // 2], dtype=np.int64))
    h.add(np.array(values[len(values) // 2:], dtype=np.int64))
    for q in (0.0, 0.05, 0.5, 0.95, 1.0):
        assert h.quantile(q) == pytest.approx(float(np.quantile(values, q)), abs=1e-12)
    assert h.mean() == pytest.approx(float(np.mean(values)))


def test_cli_campaign_json(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.delenv("REDLINE_NO_STORE", raising=False)

    from redline.cli.main import app

    png = tmp_path / "curve.png"
    out = CliRunner().invoke(app, ["campaign", "twelve-day-campaign", "--trials", "40", "--days", "2",
                                   "--params", "prior", "--json", "--png", str(png),
                                   "--store", str(tmp_path / "runs.duckdb")])
    assert out.exit_code == 0, out.output
    s = json.loads(out.stdout)
    assert len(s["daily"]) == 2 and s["hypothetical"] is True
    assert png.stat().st_size > 10_000
    try:
        from redline.store import RunStore
    except ImportError:
        return
    runs = RunStore(tmp_path / "runs.duckdb").list()
    assert [r["kind"] for r in runs] == ["campaign"]


def test_histogram_memory_follows_distinct_values_not_their_size():
    # a depot of ten million rounds made a dense histogram of ten million bins per day and type
    # (the fuzz suite's memory class); sparse, it holds one entry per distinct value
    h = IntHistogram()
    h.add(np.array([10_000_000, 10_000_000, 3], dtype=np.int64))
    h.add(np.array([3, 25_000_000], dtype=np.int64))
    assert h.values.size == 3 and h.n == 5
    assert h.quantile(0.5) == 10_000_000 and h.share_at_most(3) == pytest.approx(0.4)
    assert h.mean() == pytest.approx(np.mean([10_000_000, 10_000_000, 3, 3, 25_000_000]))
