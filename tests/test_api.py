"""The curated public surface and the shape of results."""
import pytest

import redline


def test_all_is_the_curated_surface():
    assert sorted(redline.__all__) == sorted([
        "__version__", "load_scenario", "read_scenario", "parse_scenario", "builtin_scenarios", "run", "Result",
        "Scenario", "Catalog", "load_catalog", "ParamSet", "catalog_params", "default_params", "InputError", "RedlineError",
        "validate", "calibrate", "run_crisis", "compare_policies", "run_campaign", "run_sweep",
    ])
    for name in redline.__all__:
        assert hasattr(redline, name)


def test_summary_has_the_documented_keys():
    s = redline.run("april-2024", trials=500, seed=1).summary()
    for klass in ("drone", "cruise", "ballistic"):
        for what in ("launched", "failed", "intercepted", "leaked", "impacted"):
            assert set(s["by_class"][klass][what]) == {"mean", "p05", "p50", "p95"}
    for block in ("intercepts_by_nation", "interceptors_used", "hits_by_site"):
        assert s[block] and all({"mean", "p05", "p95"} <= set(v) for v in s[block].values())
    assert {"united-states", "israel", "jordan", "united-kingdom", "france"} <= set(s["intercepts_by_nation"])
    assert {"arrow-3", "sm-3", "fighter-aam"} <= set(s["interceptors_used"])
    assert {"mean", "p05", "p95"} <= set(s["cost_usd"]["defender"]) and s["cost_usd"]["exchange_ratio"] > 0
    m = s["manifest"]
    assert set(m) == {"kind", "version", "created", "subject", "seed", "samples", "inputs", "params", "elapsed_s", "details"}
    assert m["kind"] == "run" and m["samples"] == {"count": 500, "unit": "trials"} and set(m["inputs"]) == {"scenario"}
    assert set(m["details"]) == {"engine", "param_draws"}


def test_to_frame_has_one_row_per_trial():
    res = redline.run("april-2024", trials=300, seed=2)
    df = res.to_frame()
    assert len(df) == 300
    assert (df["ballistic.launched"] == df["ballistic.failed"] + df["ballistic.intercepted"] + df["ballistic.leaked"]).all()
    assert df["cost_usd.defender"].mean() == pytest.approx(res.summary()["cost_usd"]["defender"]["mean"], rel=1e-9)
