"""The app at 800 px, a rejected upload, knob settings recorded with the run, and /compare's custom
packages with progress (headless Chromium against the live server)."""
from __future__ import annotations

import json

import pytest

from ..report._browser import Recorder

WIDTH = 800


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_app_at_800_px_rejected_upload_and_knobs_recorded(browser, live_server, tmp_path):
    rec = Recorder(browser, viewport=(WIDTH, 900))
    try:
        page = rec.page
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        _no_horizontal_scroll(page)
        controls = page.locator(".controls input:not([type=file]), .controls select, .controls button").all()
        assert len(controls) > 15
        for c in controls:
            c.scroll_into_view_if_needed()
            assert c.is_visible(), c.evaluate("e => e.outerHTML")
            box = c.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, c.evaluate("e => e.outerHTML")
        page.locator("[data-testid=partner-jordan]").click()           # clickable, not covered
        assert not page.is_checked("[data-testid=partner-jordan]")
        assert page.get_attribute("[data-testid=loaded]", "data-name") == "april-2024"

        # a rejected upload: the error names the file and says what is still loaded; nothing changed
        bad = tmp_path / "broken.yaml"
        bad.write_text("name: broken\nraid: [1, 2\n")
        page.set_input_files("[data-testid=upload]", str(bad))
        page.wait_for_selector("[data-testid=error]:not([hidden])", timeout=60_000)
        msg = page.inner_text("[data-testid=error]")
        assert "broken.yaml rejected" in msg and "Still loaded: april-2024 (built-in)" in msg
        assert page.input_value("[data-testid=upload]") == ""
        assert page.get_attribute("[data-testid=upload]", "data-state") == "rejected"
        assert page.get_attribute("[data-testid=loaded]", "data-name") == "april-2024"
        # a campaign file: the server's one-line refusal points at `redline campaign`, and nothing changed
        camp = tmp_path / "campaign.yaml"
        camp.write_text("extends: houthi-fire-2024\nname: mine\n")
        page.set_input_files("[data-testid=upload]", str(camp))
        page.wait_for_function("() => document.querySelector('[data-testid=error]').textContent.includes('campaign.yaml')",
                               timeout=60_000)
        msg = page.inner_text("[data-testid=error]")
        assert "campaign.yaml rejected: upload: campaign = " in msg and "`redline campaign FILE.yaml`" in msg
        assert page.get_attribute("[data-testid=loaded]", "data-name") == "april-2024"

        # the knob (Jordan out) is recorded in the run's name, title and manifest
        page.fill("[data-testid=trials]", "200")
        page.fill("[data-testid=seed]", "5")
        page.click("[data-testid=run]")
        page.wait_for_selector("#results[data-state='done']", timeout=120_000)
        assert "april-2024+knobs" in page.inner_text("#results h1")
        assert "without jordan" in page.inner_text("#results .subtitle")
        details = json.loads(page.inner_text("[data-key='manifest.details']"))
        assert details["knobs"]["exclude_owners"] == ["jordan"] and details["knobs"]["base"] == "april-2024"
        _no_horizontal_scroll(page)
        assert rec.errors == [] or all("400" in e for e in rec.errors), rec.errors
        assert rec.external == []
    finally:
        rec.close()


def test_compare_custom_package_with_progress(browser, live_server, monkeypatch):
    import redline.escalation as esc

    got = {"progress": []}
    real = esc.compare_policies

    def small(policies=None, progress=None, **kw):
        def spy(done, total):
            got["progress"].append(done)
            progress(done, total)
        got["record"] = real(policies, progress=spy, **{**kw, "paths": 150})
        return got["record"]

    monkeypatch.setattr(esc, "compare_policies", small)
    rec = Recorder(browser, viewport=(WIDTH, 900))
    try:
        page = rec.page
        page.goto(live_server + "/compare")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        for box in page.locator("[data-policy]").all():
            box.uncheck()
        page.fill("[data-testid=custom-name]", "talks-only")
        page.locator("[data-testid=lever-us-iran-channel]").fill("0.8")
        page.click("[data-testid=custom-add]")
        assert "us-iran-channel 0.8" in page.inner_text("[data-testid=custom-list]")
        page.click("[data-testid=compare]")
        page.wait_for_selector("#results[data-state='done']", timeout=120_000)
        record = got["record"]
        assert [p.name for p in record.policies] == ["status-quo", "talks-only"]
        assert record.policies[1].levers == {"us-iran-channel": 0.8}
        assert got["progress"] == [1, 2]
        assert page.get_attribute("[data-testid=progress]", "value") == "2"
        href = page.get_attribute("[data-testid=dl-xlsx]", "href")            # the comparison's tables download
        assert page.is_visible("[data-testid=dl-xlsx]") and href.endswith("/tables.xlsx")
        assert page.request.get(live_server + href).status == 200
        shown = page.inner_text("[data-key='p_war.talks-only.mean']")
        assert shown.endswith("%")                                       # probabilities in percent
        _no_horizontal_scroll(page)
        assert rec.errors == [] and rec.external == []
    finally:
        rec.close()


PERCENT_CASES = [(0.0, "0 %"), (0.0004, "<0.1 %"), (0.0065, "0.65 %"), (0.38, "38.0 %"), (0.9995, ">99.9 %"),
                 (0.05, "5.0 %"), (0.012, "1.2 %")]


def test_percent_format(browser, live_server):
    rec = Recorder(browser)
    try:
        rec.page.goto(live_server + "/compare")
        rec.page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        got = rec.page.evaluate(f"{[x for x, _ in PERCENT_CASES]}.map(x => RedlineView.pct(x))")
        assert got == [w for _, w in PERCENT_CASES]
        assert rec.page.evaluate("[0.0123, -0.0004, 0].map(x => RedlineView.pp(x))") == ["+1.2 pp", "−<0.1 pp", "0 pp"]
    finally:
        rec.close()


def test_diff_page_shows_paired_deltas_with_progress(browser, live_server):
    """/diff runs two built-in scenarios on common random numbers and shows B - A (issue 15 item 1)."""
    from redline.diff import diff

    rec = Recorder(browser, viewport=(1280, 900))
    try:
        page = rec.page
        page.goto(live_server + "/diff")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        page.select_option("[data-testid=diff-a]", "april-2024")
        page.select_option("[data-testid=diff-b]", "april-2024-jordan-closed")
        page.fill("[data-testid=trials]", "150")
        page.fill("[data-testid=seed]", "4")
        page.click("[data-testid=diff-run]")
        page.wait_for_selector("#results[data-state='done']", timeout=180_000)
        assert page.get_attribute("[data-testid=progress]", "value") == "300"      # both runs' trials
        want = diff("april-2024", "april-2024-jordan-closed", trials=150, seed=4).record()
        keys = page.eval_on_selector_all("#results [data-key][data-value]",
                                         "els => els.map(e => [e.dataset.key, Number(e.dataset.value)])")
        assert len(keys) > 20
        got = dict(keys)
        drone = want.model_dump(mode="json")["by_class"]["drone"]["leaked"]["mean"]
        assert any(k.startswith("by_class.drone.leaked") and v == pytest.approx(drone) for k, v in got.items()), \
            [k for k in got if k.startswith("by_class.drone")]
        assert rec.errors == [] and rec.external == []
    finally:
        rec.close()
