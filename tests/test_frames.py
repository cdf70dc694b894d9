"""Data out (redline.frames): tidy frames, xarray, CSV and Excel files, short displays (issue 15 item 3).

Every check ties a table back to the arrays or the typed record it came from; xarray and openpyxl
tests skip only when the package is absent.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import redline
from redline.catalog import THREAT_CLASSES
from redline.cli.main import app
from redline.frames import ExportError, quantities, tables, write_csv, write_xlsx
from redline.records import CompareSummary, CrisisSummary


@pytest.fixture(scope="module")
def res():
    return redline.run("april-2024", trials=120, seed=5)


@pytest.fixture(scope="module")
def crisis():
    return redline.run_crisis(paths=200, draws=2, horizon_days=30, seed=1)


@pytest.fixture(scope="module")
def compare():
    return redline.compare_policies(["status-quo", "diplomacy-first"], paths=200, draws=2, horizon_days=30, seed=1)


@pytest.fixture(scope="module")
def campaign():
    from redline.campaign import load_campaign, run_campaign

    sc, camp = load_campaign("twelve-day-campaign")
    camp = type(camp).model_validate({**camp.model_dump(), "days": 2, "day_scale": None,
                                      "resupply": tuple(r for r in camp.resupply if r.day <= 2),
                                      "schedule": None if camp.schedule is None else tuple(e for e in camp.schedule if e.day <= 2)})
    return run_campaign(sc, camp, trials=20, seed=1)


def test_tidy_frame_holds_every_per_trial_value(res):
    tidy = res.to_frame(tidy=True)
    assert list(tidy.columns) == ["trial", "dim", "label", "metric", "value"]
    qs = quantities(res)
    assert len(tidy) == sum(q.values.size for q in qs)
    wide = tidy.pivot_table(index="trial", columns=["dim", "label", "metric"], values="value", observed=True)
    old = res.to_frame()
    for k in ("drone", "ballistic"):
        for w in ("launched", "intercepted", "leaked", "impacted"):
            np.testing.assert_array_equal(wide[("class", k, w)].to_numpy(), old[f"{k}.{w}"].to_numpy())
    for s in res.compiled.site_names:
        np.testing.assert_array_equal(wide[("site", s, "hits")].to_numpy(), old[f"hits.{s}"].to_numpy())
    for t in res.compiled.interceptor_types:
        np.testing.assert_array_equal(wide[("interceptor", t, "rounds")].to_numpy(), old[f"used.{t}"].to_numpy())
    np.testing.assert_allclose(wide[("side", "defender", "cost_usd")].to_numpy(), old["cost_usd.defender"].to_numpy())


def test_quantities_add_up(res):
    """Bookkeeping identities: kills by nation, by airspace, by layer and by unit each sum to the
    intercepted count; launched = failed + intercepted + leaked; by type sums to by class;
    cost by interceptor sums to the defender's cost."""
    q = {(x.dim, x.metric): x.values for x in quantities(res)}
    intercepted = q[("class", "intercepted")].sum(axis=1)
    for dim in ("nation", "airspace", "layer", "unit"):
        np.testing.assert_array_equal(q[(dim, "intercepts")].sum(axis=1), intercepted)
    np.testing.assert_array_equal(q[("class", "launched")],
                                  q[("class", "failed")] + q[("class", "intercepted")] + q[("class", "leaked")])
    for w in ("launched", "leaked", "impacted", "fell_outside"):
        np.testing.assert_array_equal(q[("threat_type", w)].sum(axis=1), q[("class", w)].sum(axis=1))
    np.testing.assert_allclose(q[("interceptor", "cost_usd")].sum(axis=1), res.defender_cost_usd())
    np.testing.assert_array_equal(q[("site", "hits")].sum(axis=1), q[("class", "impacted")].sum(axis=1))


def test_site_table_gives_expected_hits_and_p_at_least_one(res):
    t = res.tables()["by_site"]
    rec = res.record()
    for s in res.compiled.site_names:
        hits = t[(t.site == s) & (t.metric == "hits")].iloc[0]
        assert hits["mean"] == pytest.approx(rec.hits_by_site[s]["mean"], abs=1e-6)
        assert hits["p_nonzero"] == pytest.approx(rec.p_hit_by_site[s], abs=1e-6)
        anyhit = t[(t.site == s) & (t.metric == "hit_any")].iloc[0]
        assert anyhit["mean"] == pytest.approx(rec.p_hit_by_site[s], abs=1e-6)


def test_to_xarray(res):
    pytest.importorskip("xarray")
    ds = res.to_xarray()
    assert ds.sizes["trial"] == res.trials
    np.testing.assert_array_equal(ds["leaked_by_class"].sel({"class": "ballistic"}).values, res.counts("ballistic", "leaked"))
    np.testing.assert_array_equal(ds["hits_by_site"].values, res.raw.site_hits)
    assert json.loads(ds.attrs["manifest"])["seed"] == 5
    assert set(ds["class"].values) <= set(THREAT_CLASSES)


def test_csv_folder_rules(res, tmp_path):
    d = tmp_path / "new" / "out"
    paths = res.to_csv(d)
    assert {p.name for p in paths} == {f"{k}.csv" for k in res.tables()} and all(p.parent == d for p in paths)
    back = pd.read_csv(d / "by_class.csv")
    assert back.equals(back) and list(back.columns) == ["class", "metric", "mean", "p05", "p50", "p95", "p_nonzero"]
    with pytest.raises(ExportError, match="already holds .csv files.*--force"):
        res.to_csv(d)
    (d / "notes.txt").write_text("keep")
    assert res.to_csv(d, force=True) and (d / "notes.txt").read_text() == "keep"
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        write_csv({"a": back}, f)


def test_xlsx_one_sheet_per_table(res, tmp_path):
    pytest.importorskip("openpyxl")
    p = res.to_xlsx(tmp_path / "run.xlsx")
    sheets = pd.read_excel(p, sheet_name=None)
    assert list(sheets) == list(res.tables())
    pd.testing.assert_frame_equal(sheets["by_site"], res.tables()["by_site"], check_dtype=False)
    with pytest.raises(ExportError, match=r"ending in \.xlsx"):
        write_xlsx({"a": sheets["by_site"]}, tmp_path / "run.xls")


def test_reprs_are_short_and_html_is_small(res, crisis, compare, campaign):
    for obj in (res, crisis, compare, campaign):
        r = repr(obj)
        assert len(r) < 5000 and obj.manifest.subject in r
        h = obj._repr_html_()
        assert h.startswith("<div") and len(h) < 60_000 and "<table" in h
    assert "ballistic" in repr(res) and "P(regional war)" in repr(crisis)


def test_escalation_results_are_the_records_with_data_out(crisis, compare, tmp_path):
    assert isinstance(crisis, CrisisSummary) and isinstance(compare, CompareSummary)
    plain = CrisisSummary.model_validate(crisis.to_json())
    assert plain == crisis and crisis == plain
    assert crisis["p_regional_war"] == crisis.to_json()["p_regional_war"]     # the old dict access
    f = crisis.to_frame()
    row = f[(f.group == "outcome") & (f.name == "p_direct_strike")].iloc[0]
    assert row["mean"] == crisis.p_direct_strike.mean and row["p95"] == crisis.p_direct_strike.p95
    top = f[f.group == "top_path"]
    assert top["mean"].tolist() == [p.probability for p in crisis.top_paths]
    c = compare.to_frame()
    dip = compare.policies[1]
    r = c[(c.policy == dip.name) & (c.outcome == "p_major_strike")].iloc[0]
    assert r["delta_mean"] == dip.delta_major_strike_vs_status_quo.mean and r["mean"] == dip.p_major_strike.mean
    assert set(tables(plain)) == set(crisis.tables())                  # stored records get the same tables
    assert {p.name for p in compare.to_csv(tmp_path)} == {f"{k}.csv" for k in compare.tables()}


def test_campaign_tidy_frame_matches_histograms(campaign):
    t = campaign.to_frame(tidy=True)
    assert list(t.columns) == ["day", "dim", "label", "metric", "mean", "p05", "p50", "p95"]
    assert len(t) == sum(len(h) for h in campaign.histograms)
    row = t[(t.day == 2) & (t.dim == "all") & (t.metric == "leaked")].iloc[0]
    assert row["mean"] == pytest.approx(campaign.stat(2, "all.leaked")["mean"])
    for (dim, metric), prefix in ((("interceptor", "remaining"), "remaining_type."), (("class", "leaked"), None)):
        sub = t[(t.day == 1) & (t.dim == dim) & (t.metric == metric)]
        assert len(sub) > 0
        if prefix:
            for _, r in sub.iterrows():
                assert r["p50"] == campaign.stat(1, prefix + r["label"])["p50"]
    wide = campaign.to_frame()
    assert wide.shape[0] == 2 and "all.leaked" in wide.columns
    assert set(campaign.tables()) == {"daily", "daily_means", "totals", "stocks", "reserve_reached", "manifest"}
    tot = campaign.tables()["totals"]
    # the campaign's per-trial totals are the sums of its days (in the mean)
    leaked = tot[(tot.dim == "all") & (tot.metric == "leaked")].value.to_numpy()
    np.testing.assert_array_equal(leaked, campaign.samples("all.leaked"))
    assert leaked.mean() == pytest.approx(sum(campaign.stat(d, "all.leaked")["mean"] for d in (1, 2)))


def test_cli_csv_and_xlsx(tmp_path):
    r = CliRunner().invoke(app, ["crisis", "--paths", "150", "--draws", "2", "--horizon", "20", "--no-store",
                                 "--csv", str(tmp_path / "c"), "--json"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c" / "outcomes.csv").is_file() and json.loads(r.stdout)["manifest"]["kind"] == "crisis"
    again = CliRunner().invoke(app, ["crisis", "--paths", "150", "--draws", "2", "--no-store", "--csv", str(tmp_path / "c")])
    assert again.exit_code == 2 and "--force" in again.output
    r = CliRunner().invoke(app, ["run", "april-2024", "--trials", "30", "--no-store", "--xlsx", str(tmp_path / "r.txt")])
    assert r.exit_code == 2 and ".xlsx" in r.output
