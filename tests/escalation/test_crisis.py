"""run_crisis and compare_policies: shapes, determinism, common random numbers, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

from redline.errors import InputError
from redline.escalation import (
    compare_policies,
    policy_packages,
    run_crisis,
    start_states,
)
from redline.escalation.crisis import interval_from_draws

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
    assert "april-2024" in start_states()


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
