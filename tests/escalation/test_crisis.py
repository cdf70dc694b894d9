"""run_crisis and compare_policies: shapes, determinism, common random numbers, errors."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from redline.errors import InputError
from redline.escalation import (
    compare_policies,
    policy_packages,
    run_crisis,
    start_states,
)
from redline.escalation.crisis import _paired_delta, batches_needed, interval_from_draws

INTERVAL = {"mean", "p05", "p95"}


def _reproducible(record) -> str:
    """A record's JSON without the manifest's creation and wall times."""
    return json.dumps({**record.to_json(), "manifest": record.manifest.reproducible()}, sort_keys=True)


def test_run_crisis_shape():
    s = run_crisis(paths=1000, seed=2, horizon_days=180).to_json()
    for k in ("p_regional_war", "p_deescalation", "p_neither", "p_major_strike", "p_direct_strike"):
        assert INTERVAL <= set(s[k]), k
        assert 0.0 <= s[k]["p05"] <= s[k]["mean"] <= s[k]["p95"] <= 1.0, (k, s[k])
    assert abs(s["p_regional_war"]["mean"] + s["p_deescalation"]["mean"] + s["p_neither"]["mean"] - 1) < 1e-6
    assert s["top_paths"] and all({"moves", "probability", "end"} <= set(p) for p in s["top_paths"])
    assert all(isinstance(m, str) and ":" in m for p in s["top_paths"] for m in p["moves"])
    assert set(s["losses"]) >= {"iran", "israel", "united-states"}
    assert {"mean", "p05", "p95"} <= set(s["interceptors_used"]["arrow-3"])
    st = s["stocks"]
    assert st["day"][0] == 0.0 and st["day"][-1] == 180
    assert len(st["series"]["israel-upper"]["mean"]) == len(st["day"])
    m = s["manifest"]
    mc = s["monte_carlo"]                          # adaptive paths: batches of 1000, at most 4x
    assert mc["paths_requested"] == 1000 and mc["paths_run"] in (1000, 2000, 3000, 4000) and s["paths"] == mc["paths_run"]
    assert m["kind"] == "crisis" and m["seed"] == 2 and m["samples"] == {"count": mc["paths_run"], "unit": "paths"}
    assert len(m["inputs"]["model"]) == 64 and m["details"]["posterior"]["calibration_window"]["end"] == "2025-06-24"
    json.dumps(s)                                   # JSON-ready


def test_same_seed_same_output_and_different_seed_differs():
    a = run_crisis(paths=600, seed=7, horizon_days=120)
    b = run_crisis(paths=600, seed=7, horizon_days=120)
    c = run_crisis(paths=600, seed=8, horizon_days=120)
    assert _reproducible(a) == _reproducible(b)
    assert _reproducible(a) != _reproducible(c)


def test_policy_as_levers_and_status_quo_keeps_history_levers():
    s = run_crisis(policy={"us-iran-channel": 1.0}, paths=200, seed=1, horizon_days=60)
    assert s.levers["us-iran-channel"] == 1.0
    sq = run_crisis(paths=200, seed=1, horizon_days=60)
    assert sq.levers["us-deterrent-threat"] == 0.5      # as set by the history (October 2023)


def test_compare_shape_and_common_random_numbers():
    s = compare_policies(["status-quo", "diplomacy-first"], paths=1000, seed=3, horizon_days=180).to_json()
    rows = {r["name"]: r for r in s["policies"]}
    assert set(rows) == {"status-quo", "diplomacy-first"}
    for r in rows.values():
        assert INTERVAL <= set(r["p_regional_war"]) and INTERVAL <= set(r["delta_vs_status_quo"])
    sq = rows["status-quo"]["delta_vs_status_quo"]
    assert sq["mean"] == 0.0 and sq["p05"] == 0.0 and sq["p95"] == 0.0 and sq["p_lower"] == 0.5   # paired with itself
    assert s["manifest"]["details"]["common_random_numbers"] is True
    assert sorted(s["ranking"]) == sorted(rows)


def test_packages_and_states_listed():
    assert "diplomacy-first" in policy_packages()
    assert {"april-2024", "june-2025"} <= set(start_states())


@pytest.mark.parametrize("kw, field", [
    ({"policy": "appeasement"}, "policy"),
    ({"start": "yesterday"}, "start"),
    ({"horizon_days": 0}, "horizon"),
    ({"policy": {"no-such-lever": 1.0}}, "levers"),
])
def test_bad_arguments(kw, field):
    with pytest.raises(InputError) as ei:
        run_crisis(paths=10, **kw)
    assert ei.value.field == field


def test_interval_removes_monte_carlo_noise():
    rng = np.random.default_rng(0)
    n = np.full(200, 100)
    same = rng.binomial(100, 0.2, size=200)              # no parameter uncertainty at all
    iv = interval_from_draws(same, n)
    raw = np.percentile(same / 100, [5, 95])               # the naive interval is mostly noise
    assert iv["p95"] - iv["p05"] < 0.5 * (raw[1] - raw[0])
    spread = rng.binomial(100, rng.beta(2, 8, size=200))  # real spread: Beta(2, 8)
    iv2 = interval_from_draws(spread, n)
    assert iv2["p05"] < 0.1 and iv2["p95"] > 0.33      # Beta(2, 8): 5% 0.037, 95% 0.44


def test_batches_needed_closed_forms():
    # 100 hits give a relative MC error of 10%: 25 hits in a batch need 4 batches, 0 hits the cap
    assert batches_needed({"a": 25, "b": 500}, 1000, 8000) == 4
    assert batches_needed({"a": 0}, 1000, 8000) == 8
    assert batches_needed({"a": 200}, 1000, 8000) == 1
    assert batches_needed({"a": 1}, 1000, 3000) == 3                 # capped at max_paths


def test_adaptive_paths_state_their_error_at_500_paths():
    s = run_crisis(paths=500, seed=5, horizon_days=365).to_json()
    mc = s["monte_carlo"]
    assert mc["paths_requested"] == 500 and mc["paths_run"] % 500 == 0 and 500 <= mc["paths_run"] <= 2000
    assert mc["batches"] == mc["paths_run"] // 500 and mc["paths_per_draw"] == mc["paths_run"] // s["draws"]
    h = round(s["p_major_strike"]["mean"] * mc["paths_run"])
    assert mc["rel_se"]["p_major_strike"] == pytest.approx(math.sqrt((1 - h / mc["paths_run"]) / h), abs=2e-3)
    assert s["p_major_strike"]["mc_se"] > 0
    off = run_crisis(paths=500, seed=5, horizon_days=365, max_paths=0).to_json()
    assert off["monte_carlo"]["paths_run"] == 500 and off["monte_carlo"]["batches"] == 1


def test_p_lower_never_one_from_monte_carlo_noise():
    draw = np.arange(2000) % 10
    x0 = np.zeros(2000, bool)
    x0[:30] = True                                                   # 30 paths lose the event, none gain it
    d = _paired_delta(np.zeros(2000, bool), x0, draw, 10)
    assert d["p_lower"] <= round(31 / 32, 4) < 1.0
    x0[:] = True
    assert _paired_delta(np.zeros(2000, bool), x0, draw, 10)["p_lower"] <= 0.9999
    s = compare_policies(["status-quo", "diplomacy-first"], paths=500, seed=3, horizon_days=365, max_paths=1000).to_json()
    for r in s["policies"]:
        for k in ("delta_vs_status_quo", "delta_major_strike_vs_status_quo", "delta_deescalation_vs_status_quo"):
            assert 0.0 < r[k]["p_lower"] < 1.0, (r["name"], k, r[k])


def test_compare_from_june_2025_cli():
    from typer.testing import CliRunner

    from redline.cli.main import app

    r = CliRunner().invoke(app, ["compare", "--start", "june-2025", "--paths", "500", "--horizon", "180", "--max-paths", "1000",
                                 "--policies", "status-quo,deter-and-pause,diplomacy-first", "--json"],
                           env={"REDLINE_NO_STORE": "1"})
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["start"] == "june-2025" and {p["name"] for p in s["policies"]} >= {"status-quo", "deter-and-pause", "diplomacy-first"}
    for p in s["policies"]:
        assert {"mean", "p05", "p95", "mc_se"} <= set(p["p_major_strike"]) and "p_lower" in p["delta_vs_status_quo"]
    sq = {p["name"]: p for p in s["policies"]}["status-quo"]
    assert sq["p_regional_war"]["mean"] < 0.5        # the finished war's strikes do not count towards a new one
