"""Report and app layout in headless Chromium: no chart overlaps another at 1000-1600 px, no chart's legend
covers its axis title, and the app is usable at 800 px (no horizontal scroll, every control visible)."""
from __future__ import annotations

import pytest

from redline.report import view_of_result, write_report

from ._browser import Recorder

# Boxes of every chart, and inside each chart of its legend and x-axis title, in page coordinates.
_BOXES = """() => Array.from(document.querySelectorAll('.rl-chart')).map(c => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  return {id: c.id, box: box(c), svg: box(c.querySelector('.main-svg')),
          legend: box(c.querySelector('.legend')), xtitle: box(c.querySelector('.xtitle'))};
})"""


def _overlap(a, b, tol=1.0):
    return a and b and a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


@pytest.mark.parametrize("width", [1000, 1200, 1400, 1600])
def test_report_charts_never_overlap(browser, april_result, tmp_path, width):
    out = write_report(view_of_result(april_result, run_id="t"), tmp_path / "r.html")[0]
    rec = Recorder(browser, viewport=(width, 900))
    try:
        page = rec.page
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        # charts follow their containers through a ResizeObserver, asynchronously: wait (generously, a loaded
        # machine is slow) until every drawing fits its box, then measure
        page.wait_for_function("""() => Array.from(document.querySelectorAll('.rl-chart')).every(c => {
            const s = c.querySelector('.main-svg');
            return s && s.getBoundingClientRect().width <= c.getBoundingClientRect().width + 1; })""", timeout=60_000)
        charts = page.evaluate(_BOXES)
        assert len(charts) >= 5
        for c in charts:
            assert c["box"] is not None, c["id"]
            # the drawing stays inside its own box, and inside the page
            assert c["svg"][0] >= c["box"][0] - 1 and c["svg"][2] <= c["box"][2] + 1, (width, c)
            assert c["box"][2] <= width + 1, (width, c)
            assert not _overlap(c["legend"], c["xtitle"]), (width, c["id"], "legend covers the x-axis title")
        for i, a in enumerate(charts):
            for b in charts[i + 1:]:
                assert not _overlap(a["svg"], b["svg"]), (width, a["id"], b["id"])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert rec.errors == []
    finally:
        rec.close()
