"""HTML reports: self-contained, offline, with the expected map layers and the run's own numbers."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import redline
from typer.testing import CliRunner

from redline.cli.main import app
from redline.report import view_of_record, view_of_result, view_of_stored, write_report
from redline.report.html import render_html
from redline.report.mapdata import region_bbox
from redline.store import RunStore, save_result

from ._browser import Recorder

def _embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="redline-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_report_is_one_file_without_external_references(april_result, tmp_path):
    html = render_html(view_of_result(april_result))
    assert "default-src 'none'" in html                      # the page may not fetch anything
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and "url(http" not in html
    assert _embedded(html)["summary"]["by_class"] == json.loads(json.dumps(april_result.summary()["by_class"]))


def test_view_map_layers_follow_the_scenario(april_result):
    v = view_of_result(april_result)
    m = v["map"]
    sc = april_result.compiled.scenario
    assert len(m["units"]) == len(sc.fire_units) and len(m["tracks"]) == len(april_result.compiled.tracks)
    assert {s["name"] for s in m["sites"] if s["role"] == "launch"} == {s.launch for s in sc.raid}
    fate = april_result.raw.fate[:16]
    assert len(m["kills"]) == int((fate == 1).sum())
    assert len(m["impacts"]) == int(((fate == 2) | (fate == 3)).sum())
    # a kill point lies on the threat's route: within the map's extent and east of the Mediterranean coast
    x0, y0, x1, y1 = m["bbox"]
    assert all(y0 <= k[0] <= y1 and x0 <= k[1] <= x1 for k in m["kills"])
    # distributions add up to the number of trials
    assert sum(v["charts"]["leakers"]["ballistic"]["n"]) == april_result.trials
    assert v["sources"] and all(r["confidence"] for r in v["sources"])


def test_bbox_is_landscape_and_padded():
    b = region_bbox([(31.0, 35.0), (14.8, 42.95)])
    assert b[0] < 35.0 - 1 and b[2] > 42.95 + 1 and b[1] < 14.8 and b[3] > 31.0
    assert (b[2] - b[0]) * np.cos(np.radians((b[1] + b[3]) / 2)) >= 1.19 * (b[3] - b[1])


def test_stored_report_equals_live_report(april_result, tmp_path):
    st = RunStore(tmp_path / "r.duckdb")
    rid = save_result(april_result, store=st)
    live = view_of_result(april_result, run_id=rid)
    stored = view_of_stored(st.get(rid), st)
    assert json.loads(json.dumps(stored)) == json.loads(json.dumps(live))


def test_report_opens_offline_in_chromium_with_map_layers(browser, april_result, tmp_path):
    out = write_report(view_of_result(april_result, run_id="test"), tmp_path / "april.html")[0]
    rec = Recorder(browser)
    try:
        page = rec.page
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        layers = page.eval_on_selector_all(
            "[data-testid=map] [data-layer]",
            "els => Object.fromEntries(els.map(e => [e.dataset.layer, e.querySelectorAll('.rl-f').length]))")
        sc = april_result.compiled.scenario
        assert layers["countries"] > 20
        assert layers["routes"] == len(april_result.compiled.tracks)
        assert layers["fire-units"] == len(sc.fire_units)
        assert layers["envelopes"] >= len(sc.fire_units)
        assert layers["sensors"] == sum(1 for s in sc.sensors if s.type != "sbirs")
        assert layers["launch-areas"] >= len({s.launch for s in sc.raid})
        assert layers["targets"] >= 2 and layers["kills"] > 100 and layers["raid"] == april_result.compiled.n_threats
        assert page.locator("[data-testid=map] [data-layer=countries] path[data-key=israel]").count() == 1
        # the leak map bins every leaker of the sample trials, and the legend explains it
        assert layers["leak-map"] >= 1
        assert "Leakers per trial" in page.text_content("[data-testid=map-legend]")
        # the page shows the run's numbers
        s = april_result.summary()
        for key, want in (("by_class.ballistic.leaked.mean", s["by_class"]["ballistic"]["leaked"]["mean"]),
                          ("by_class.drone.intercepted.p95", s["by_class"]["drone"]["intercepted"]["p95"]),
                          ("cost_usd.exchange_ratio", s["cost_usd"]["exchange_ratio"]),
                          ("intercepts_by_nation.jordan.mean", s["intercepts_by_nation"]["jordan"]["mean"])):
            assert float(page.get_attribute(f"[data-key='{key}']", "data-value")) == pytest.approx(want, abs=1e-9)
        for chart in ("chart-leakers", "chart-hits", "chart-interceptors", "chart-costs", "chart-timeline"):
            assert page.locator(f"#{chart} .main-svg").count() >= 1, chart
        assert page.locator("[data-testid=sources] tbody tr").count() == len(view_of_result(april_result)["sources"])
        # per site P(at least one hit) and leakers by weapon type
        for site, p in s["p_hit_by_site"].items():
            assert float(page.get_attribute(f"[data-key='p_hit_by_site.{site}']", "data-value")) == pytest.approx(p)
        assert page.locator("[data-testid=by-type] tbody tr").count() == len(s["by_type"])
        # the raid animation moves with the time slider
        page.fill("[data-testid=map-time]", "0")
        page.dispatch_event("[data-testid=map-time]", "input")
        assert page.inner_text("[data-testid=map-clock]") == "T+0:00"
        page.evaluate("window.redlineMap.setTime(7 * 3600)")
        assert "intercepted" in page.inner_text("[data-testid=map-counts]")
        page.locator("[data-testid=map]").scroll_into_view_if_needed()
        box = page.locator("[data-testid=map]").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + min(box["height"] * 0.4, 300))
        page.mouse.wheel(0, -300)
        page.wait_for_function("() => window.redlineMap.scale() > 1")
        assert page.locator("[data-layer=fire-units] .rl-f").count() == len(sc.fire_units)
        if page.get_attribute("[data-testid=map-legend]", "open") is None:
            page.click("[data-testid=map-legend] summary")
        page.click("[data-layer-toggle=kills]")
        assert page.locator("[data-layer=kills]").is_hidden()
        # a fire unit's popup names it
        page.click("[data-testid=map-zoom-region]")
        page.locator("[data-layer=fire-units] .rl-f").first.click(force=True)
        assert page.locator(".leaflet-popup-content").count() == 1
        assert rec.errors == []
        assert rec.external == [], f"requests left the machine: {rec.external}"
        assert all(u.startswith(("file:", "data:")) for u in rec.requests), rec.requests
    finally:
        rec.close()


@pytest.mark.parametrize("kind", ["crisis", "compare"])
def test_escalation_reports_render(browser, tmp_path, kind, request):
    record = request.getfixturevalue(f"{kind}_record")
    v = view_of_record(record, run_id="x1")
    assert v["kind"] == kind and v["manifest"] == record.manifest.model_dump(mode="json")
    assert [r["name"] for r in v["p_war"]] == (["status-quo"] if kind == "crisis" else ["status-quo", "diplomacy-first"])
    out = write_report(v, tmp_path / f"{kind}.html", png=True)
    assert [p.name for p in out[1:]] == ([f"{kind}-p-war.png", f"{kind}-stocks.png"] if kind == "crisis" else [f"{kind}-p-war.png"])
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in out[1:])
    rec = Recorder(browser)
    try:
        rec.page.goto(out[0].as_uri())
        rec.page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        rows = rec.page.locator("[data-testid=p-war] tbody tr")
        assert rows.count() == len(v["p_war"])
        first = v["p_war"][0]
        got = float(rec.page.get_attribute(f"[data-key='p_war.{first['name']}.p95']", "data-value"))
        assert got == first["p95"]
        assert rec.page.locator("#chart-pwar .main-svg").count() >= 1
        if kind == "crisis":
            assert rec.page.locator("[data-testid=paths] tbody tr").count() == len(record.top_paths)
            assert " → ".join(record.top_paths[0].moves) in rec.page.inner_text("[data-testid=paths]")
            assert rec.page.locator("#chart-stocks .main-svg").count() >= 1
            got = float(rec.page.get_attribute("[data-key='summary statistics.moves.mean']", "data-value"))
            assert got == record.moves.mean
        else:
            got = float(rec.page.get_attribute("[data-key='p_war.diplomacy-first.delta']", "data-value"))
            assert got == record.policies[1].delta_vs_status_quo.mean
        assert rec.errors == [] and rec.external == []
    finally:
        rec.close()


def test_escalation_view_reads_the_typed_fields(crisis_record):
    v = view_of_record(crisis_record)
    assert v["p_war"][0]["mean"] == crisis_record.p_regional_war.mean and v["p_war"][0]["delta"] is None
    assert v["paths"][0] == {"policy": None, "path": " → ".join(crisis_record.top_paths[0].moves),
                             "end": crisis_record.top_paths[0].end, "p": crisis_record.top_paths[0].probability}
    series = crisis_record.stocks.series
    name = next(iter(series))
    assert v["stocks"][0] == {"name": name, "t": crisis_record.stocks.day, "y": series[name].mean,
                              "lo": series[name].p05, "hi": series[name].p95}
    with pytest.raises(TypeError, match="CrisisSummary or a CompareSummary"):
        from redline.report import escalation_view

        escalation_view({"p_regional_war": 0.3})


def test_cli_report_from_scenario_then_from_store(tmp_path, monkeypatch):
    runner = CliRunner()
    out = tmp_path / "rep.html"
    r = runner.invoke(app, ["report", "april-2024", "-n", "200", "--seed", "4", "-o", str(out), "--png"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines()[-1] == str(out.resolve())
    assert {p.name for p in tmp_path.iterdir()} >= {"rep.html", "rep-map.png", "rep-leakers.png", "rep-timeline.png"}
    live = _embedded(out.read_text())
    rid = live["run_id"]
    assert rid and live["manifest"]["seed"] == 4
    out2 = tmp_path / "again.html"
    r = runner.invoke(app, ["report", rid[:17], "-o", str(out2)])
    assert r.exit_code == 0, r.output
    assert _embedded(out2.read_text()) == live
    r = runner.invoke(app, ["report", "no-such-thing", "-o", str(out2)])
    assert r.exit_code == 2 and "neither a built-in scenario" in r.output
    r = runner.invoke(app, ["report", "april-2024", "-n", "50", "--no-store", "-o", str(out2)])
    assert r.exit_code == 0 and _embedded(out2.read_text())["run_id"] is None


def test_cli_report_of_a_stored_crisis_run(tmp_path, crisis_record):
    from redline.store import save_run

    rid = save_run(crisis_record)          # the private store of this test (REDLINE_STORE)
    out = tmp_path / "crisis.html"
    r = CliRunner().invoke(app, ["report", rid, "-o", str(out)])
    assert r.exit_code == 0, r.output
    v = _embedded(out.read_text())
    assert v["kind"] == "crisis" and v["run_id"] == rid and v["p_war"][0]["p95"] == crisis_record.p_regional_war.p95


def test_report_of_the_real_escalation_model(tmp_path, crisis_record, compare_record):
    v = view_of_record(crisis_record)
    assert v["p_war"][0]["name"] == crisis_record.policy and v["p_war"][0]["mean"] == crisis_record.p_regional_war.mean
    assert v["paths"] and v["paths"][0]["p"] == crisis_record.top_paths[0].probability
    assert {t["key"] for t in v["tables"]} >= {"stocks_end", "interceptors_used"}
    v = view_of_record(compare_record)
    assert [r["name"] for r in v["p_war"]] == ["status-quo", "diplomacy-first"]
    assert v["p_war"][1]["delta"] == compare_record.policies[1].delta_vs_status_quo.mean
    html = write_report(v, tmp_path / "cmp.html")[0].read_text()
    assert _embedded(html)["p_war"] == json.loads(json.dumps(v["p_war"]))


def test_sources_table_shows_the_value_the_run_used(april_result):
    """The catalog prior (Arrow 3 Pk 0.80) sits beside the fitted value the run drew from."""
    import numpy as np

    from redline.api import default_params

    ps = default_params(april_result.compiled.catalog)
    rows = {(r["entry"], r["field"]): r for r in view_of_result(april_result)["sources"]}
    row = rows[("arrow-3", "pk.ballistic")]
    assert row["used"]["mean"] == pytest.approx(float(np.mean(ps.pk[("arrow-3", "ballistic")])))
    assert row["used"]["p05"] < row["used"]["mean"] < row["used"]["p95"]
    assert rows[("arrow-3", "cost_usd")]["used"] is None          # costs are not uncertain parameters
    prior = redline.run("april-2024", trials=50, seed=1, params="prior")
    prow = {(r["entry"], r["field"]): r for r in view_of_result(prior)["sources"]}[("arrow-3", "pk.ballistic")]
    assert prow["used"] == {"mean": prow["value"], "p05": prow["value"], "p95": prow["value"]}


def test_campaign_report_has_daily_and_stock_charts(browser, tmp_path):
    """A campaign's report: a table per day and charts of daily impacts and interceptor stocks (issue 15 item 7),
    not the raw key/value table it was."""
    from redline.campaign import load_campaign, run_campaign
    from redline.report import view_of_record

    sc, camp = load_campaign("twelve-day-campaign")
    rec = run_campaign(sc, camp, trials=60, seed=2).record()
    v = view_of_record(rec)
    assert v["kind"] == "campaign" and len(v["daily"]) == rec.days
    out = write_report(v, tmp_path / "camp.html")[0]
    r = Recorder(browser)
    try:
        page = r.page
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        assert page.locator("[data-testid=campaign-daily] tbody tr").count() == rec.days
        for chart in ("chart-campaign-daily", "chart-campaign-stocks"):
            assert page.locator(f"#{chart} .main-svg").count() >= 1, chart
        last = rec.daily[-1]
        key = f"daily.{last.day}.impacted_cumulative.mean"
        assert float(page.get_attribute(f"[data-key='{key}']", "data-value")) == pytest.approx(last.impacted_cumulative["mean"])
        assert page.evaluate("document.documentElement.scrollHeight") < 8000
        assert r.errors == []
    finally:
        r.close()
