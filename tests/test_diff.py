"""redline diff (issue 15 item 1): paired differences of two engagement runs on the keyed draws."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.cli.main import app
from redline.diff import diff, paired_delta
from redline.records import DiffSummary, parse_summary

N = 80


def _without_unit(sc, name):
    units = tuple(u for u in sc.fire_units if u.name != name)
    assert len(units) == len(sc.fire_units) - 1
    return sc.model_copy(update={"fire_units": units})


@pytest.fixture(scope="module")
def jordan():
    return diff("april-2024", "april-2024-jordan-closed", trials=N, seed=1)


def test_paired_delta_closed_form():
    a = np.array([1.0, 2, 3, 4])
    b = np.array([2.0, 2, 5, 4])
    d = paired_delta(a, b)
    assert d["mean"] == 0.75 and d["a"] == 2.5 and d["b"] == 3.25
    assert d["se"] == pytest.approx(np.std(b - a, ddof=1) / 2, abs=1e-6)
    assert d["p05"] == pytest.approx(np.quantile(b - a, 0.05)) and d["p95"] == pytest.approx(np.quantile(b - a, 0.95))


def test_diff_of_a_scenario_with_itself_is_exactly_zero():
    d = diff("april-2024", "april-2024", trials=40, seed=7)
    rec = d.record()
    for fld in ("by_class", "by_threat_type", "by_site", "by_nation", "by_airspace", "by_layer", "by_unit",
                "by_interceptor", "cost_usd"):
        grp = getattr(rec, fld)
        assert grp, fld
        for ms in grp.values():
            for x in ms.values():
                assert (x.mean, x.p05, x.p95, x.se) == (0, 0, 0, 0) and x.a == x.b
    assert rec.only_in_a == {} and rec.only_in_b == {}
    assert all((q.values == 0).all() for q in d.differences())


def test_removing_an_unrelated_unit_leaves_impact_draws_unchanged():
    """Jordan's jets are far from the ballistic tracks: removing them moves drone outcomes but no
    threat's aim error (the keyed draws, wt/rng), and the diff reports the unit as only in A."""
    sc = redline.load_scenario("april-2024")
    d = diff(sc, _without_unit(sc, "jordan-jets"), trials=48, seed=3)
    np.testing.assert_array_equal(d.a.raw.impact_dx, d.b.raw.impact_dx)
    np.testing.assert_array_equal(d.a.raw.impact_dy, d.b.raw.impact_dy)
    rec = d.record()
    assert rec.only_in_a == {"unit": ["jordan-jets"], "nation": ["jordan"]}     # its only unit
    gone = rec.by_unit["jordan-jets"]["intercepts"]
    assert gone.b == 0 and gone.mean == pytest.approx(-gone.a, abs=1e-6)
    assert rec.by_class["ballistic"]["launched"].mean == 0


def test_jordan_closed_is_paired_and_consistent(jordan):
    rec = jordan.record()
    # every delta's mean is B's mean minus A's (up to rounding)
    for fld in ("by_class", "by_site", "by_nation", "by_interceptor", "cost_usd"):
        for ms in getattr(rec, fld).values():
            for x in ms.values():
                assert x.mean == pytest.approx(x.b - x.a, abs=1e-5 * max(1.0, abs(x.a)))
                assert x.p05 <= x.p95 and x.se >= 0
    # Jordan's own intercepts vanish, launches do not move
    assert rec.by_nation["jordan"]["intercepts"].b == 0
    assert rec.by_class["drone"]["launched"].mean == 0
    assert "jordan" in rec.only_in_a.get("nation", [])
    # pairing: the paired standard error of the ballistic impact difference is well below the
    # one two independent samples of the same size would give
    x = jordan.a.counts("ballistic", "impacted").astype(float)
    y = jordan.b.counts("ballistic", "impacted").astype(float)
    se_indep = np.sqrt(x.var(ddof=1) / N + y.var(ddof=1) / N)
    assert rec.by_class["ballistic"]["impacted"].se < 0.7 * se_indep


def test_diff_record_round_trips_and_tables(jordan, tmp_path):
    rec = jordan.record()
    back = parse_summary(rec.to_json())
    assert isinstance(back, DiffSummary) and back == rec and rec.kind == "diff"
    assert "leaked" in rec.headline()
    tabs = jordan.tables()
    t = tabs["by_site"]
    assert list(t.columns) == ["site", "metric", "a", "b", "mean", "p05", "p95", "se"]
    ramon = t[(t.site == "ramon") & (t.metric == "hit_any")].iloc[0]
    assert ramon["mean"] == rec.by_site["ramon"]["hit_any"].mean
    tidy = jordan.to_frame(tidy=True)
    sub = tidy[(tidy.dim == "class") & (tidy.label == "drone") & (tidy.metric == "leaked")]
    np.testing.assert_array_equal(sub.value.to_numpy(), jordan.b.counts("drone", "leaked") - jordan.a.counts("drone", "leaked"))
    assert len(repr(jordan)) < 5000 and "<table" in jordan._repr_html_()
    assert {p.name for p in jordan.to_csv(tmp_path / "csv")} == {f"{k}.csv" for k in tabs}


def test_cli_diff_json_of_the_issue():
    r = CliRunner().invoke(app, ["diff", "april-2024", "april-2024-jordan-closed", "--trials", "60", "--seed", "1",
                                 "--json", "--no-store"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["manifest"]["kind"] == "diff" and out["manifest"]["samples"] == {"count": 60, "unit": "trials"}
    d = out["by_class"]["drone"]["leaked"]
    assert set(d) == {"a", "b", "mean", "p05", "p95", "se"} and d["mean"] > 0
    assert out["a"]["name"] == "april-2024" and out["b"]["name"] == "april-2024-jordan-closed"


def test_cli_diff_of_a_stored_run_uses_its_seed_and_trials(tmp_path):
    db = str(tmp_path / "runs.duckdb")
    r = CliRunner().invoke(app, ["run", "april-2024", "--trials", "30", "--seed", "4", "--json", "--store", db])
    assert r.exit_code == 0, r.output
    rid = re.search(r"saved as run (\S+)", r.output).group(1)
    r = CliRunner().invoke(app, ["diff", rid, "april-2024", "--json", "--store", db, "--no-store"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["manifest"]["seed"] == 4 and out["manifest"]["samples"]["count"] == 30
    assert out["a"]["source"] == "run" and out["a"]["ref"] == rid
    assert out["by_class"]["ballistic"]["leaked"]["mean"] == 0          # the same scenario, re-run, pairs exactly


def test_cli_diff_bad_side_is_one_line(tmp_path):
    r = CliRunner().invoke(app, ["diff", "april-2024", "no-such-scenario", "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 2
    assert "no-such-scenario" in r.output and "april-2024-jordan-closed" in r.output


def test_report_diff_writes_a_diff_view(tmp_path):
    out = tmp_path / "diff.html"
    r = CliRunner().invoke(app, ["report", "--diff", "april-2024", "april-2024-jordan-closed", "--trials", "40",
                                 "--seed", "2", "-o", str(out), "--no-store"])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    data = json.loads(re.search(r'<script type="application/json" id="redline-data">(.*?)</script>', html, re.S).group(1))
    assert data["kind"] == "diff" and {g["key"] for g in data["groups"]} >= {"by_class", "by_site", "by_nation",
                                                                            "by_interceptor", "cost_usd"}
    from tests.report._browser import launched_browser

    with launched_browser() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-ready]", timeout=30_000)
        assert page.get_attribute("#report", "data-kind") == "diff"
        row = next(r for g in data["groups"] if g["key"] == "by_site" for r in g["rows"]
                   if r["label"] == "ramon" and r["metric"] == "hits")
        assert float(page.get_attribute('[data-key="by_site.ramon.hits.mean"]', "data-value")) == row["mean"]
        page.close()
