"""End to end in headless Chromium: the app runs April 2024 with a knob changed, and the page's numbers
equal `redline run --json` of the same scenario variant and seed."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..report._browser import Recorder

TRIALS, SEED = 200, 11


def _cli_summary(tmp_path) -> dict:
    variant = tmp_path / "april-no-jordan.yaml"
    variant.write_text("extends: april-2024\nexclude_owners: [jordan]\n")
    env = {**os.environ, "REDLINE_NO_STORE": "1"}
    out = subprocess.run([sys.executable, "-m", "redline.cli.main", "run", str(variant), "--json",
                          "--trials", str(TRIALS), "--seed", str(SEED)], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def _flat(d, prefix=""):
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from _flat(v, key)
        else:
            yield key, v


def test_app_run_with_a_knob_matches_the_cli(browser, live_server, tmp_path):
    rec = Recorder(browser, viewport=(1400, 1000))
    page = rec.page
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        assert page.input_value("[data-testid=scenario]") == "april-2024"
        assert page.locator("#preview [data-testid=map] [data-layer=fire-units] .rl-f").count() == 17
        page.fill("[data-testid=trials]", str(TRIALS))
        page.fill("[data-testid=seed]", str(SEED))
        page.uncheck("[data-testid=partner-jordan]")             # the knob: Jordan stays out
        page.click("[data-testid=run]")
        page.wait_for_selector("#results[data-state='done']", timeout=120_000)
        assert page.get_attribute("[data-testid=progress]", "value") == str(TRIALS)
        want = _cli_summary(tmp_path)
        shown = {el["key"]: float(el["value"]) for el in page.eval_on_selector_all(
            "#results [data-key][data-value]", "els => els.map(e => ({key: e.dataset.key, value: e.dataset.value}))")}
        compared = 0
        for key, value in _flat({k: v for k, v in want.items() if k != "manifest"}):
            if key in shown:
                assert shown[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
                compared += 1
        assert compared > 60
        assert "intercepts_by_nation.jordan.mean" not in shown
        assert shown["by_class.ballistic.leaked.mean"] == want["by_class"]["ballistic"]["leaked"]["mean"]
        assert page.get_attribute("[data-key='manifest.seed']", "data-key") and \
            page.inner_text("[data-key='manifest.seed']") == str(SEED)
        # the map: layers, and the raid animation runs
        svg = "#results [data-testid=map]"
        assert page.locator(f"{svg} [data-layer=fire-units] .rl-f").count() == 16
        assert page.locator(f"{svg} [data-layer=kills] .rl-f").count() > 50
        page.fill("[data-testid=map-time]", "0")
        page.dispatch_event("[data-testid=map-time]", "input")
        page.click("[data-testid=map-play]")
        page.wait_for_function("() => document.querySelector('[data-testid=map-clock]').textContent !== 'T+0:00'",
                               timeout=120_000)
        page.click("[data-testid=map-play]")
        page.click("[data-testid=map-zoom-defended]")
        assert page.evaluate("window.redlineMap.scale()") > 2
        assert page.locator(f"{svg} [data-layer=fire-units] .rl-f").count() == 16      # redrawn, not lost
        page.click("[data-testid=map-zoom-region]")
        assert page.evaluate("window.redlineMap.scale()") == 1
        for chart in ("chart-leakers", "chart-interceptors", "chart-costs", "chart-timeline"):
            assert page.locator(f"#{chart} .main-svg").count() >= 1, chart
        # a bad knob comes back as a message on the page, and the app keeps working
        page.fill("[data-testid=trials]", "999999")
        page.click("[data-testid=run]")
        page.wait_for_selector("[data-testid=error]:not([hidden])", timeout=120_000)
        assert "200000" in page.inner_text("[data-testid=error]")
        assert rec.errors == [] or all("422" in e for e in rec.errors), rec.errors
        assert rec.external == [], f"requests left the machine: {rec.external}"
    finally:
        rec.close()


def test_compare_page_shows_policy_packages(browser, live_server, monkeypatch):
    import redline.escalation as esc

    got = {}
    real = esc.compare_policies

    def small(policies=None, **kw):
        got["record"] = real(policies, **{**kw, "paths": 200})
        return got["record"]

    monkeypatch.setattr(esc, "compare_policies", small)
    rec = Recorder(browser)
    try:
        page = rec.page
        page.goto(live_server + "/compare")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        for box in page.locator("[data-policy]").all():
            if box.get_attribute("data-policy") not in ("status-quo", "diplomacy-first"):
                box.uncheck()
        page.click("[data-testid=compare]")
        page.wait_for_selector("#results[data-state='done']", timeout=120_000)
        record = got["record"]
        assert [p.name for p in record.policies] == ["status-quo", "diplomacy-first"]
        assert page.locator("[data-testid=p-war] tbody tr").count() == 2
        want = record.policies[1].p_regional_war.mean
        assert float(page.get_attribute("[data-key='p_war.diplomacy-first.mean']", "data-value")) == pytest.approx(want)
        assert page.locator("#chart-pwar .main-svg").count() >= 1
        assert rec.errors == [] and rec.external == []
    finally:
        rec.close()
