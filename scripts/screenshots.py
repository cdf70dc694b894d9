"""Regenerate the README screenshots of the HTML report and the web app (docs/screenshots/*.png).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--trials 2000] [--seed 1]

Needs Debian's Chromium (/usr/bin/chromium; `apt-get install -y chromium`) and the Python
package playwright; never `playwright install`. Nothing leaves the machine: the report is a
local file and the app is served on 127.0.0.1. PNGs are quantised to 256 colours to stay small.
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _shrink(path: Path) -> None:
    from PIL import Image

    im = Image.open(path).convert("RGB")
    im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(path, optimize=True)


def _serve(app):
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def _offline(context) -> list[str]:
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "http://127.0.0.1")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    return blocked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "screenshots")
    ap.add_argument("--trials", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} not found; install it with: apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    import redline
    from redline.report import view_of_result, write_report
    from redline.web import create_app

    a.out.mkdir(parents=True, exist_ok=True)
    res = redline.run("april-2024", trials=a.trials, seed=a.seed)
    c = res.compiled
    ballistic = c.th_class == 2
    t_ballistic = float(np.median(c.th_t0[ballistic] + 0.9 * c.th_T[ballistic])) if ballistic.any() else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="redline-shots-"))
    report = write_report(view_of_result(res), tmp / "april-2024.html")[0]
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
        blocked = _offline(ctx)
        page = ctx.new_page()
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        page.evaluate(f"window.redlineMap.setTime({t_ballistic:.0f})")
        page.screenshot(path=a.out / "report-overview.png")
        written.append(a.out / "report-overview.png")
        page.click("[data-testid=map-zoom-defended]")
        page.locator("#map").screenshot(path=a.out / "report-map-defended.png")
        written.append(a.out / "report-map-defended.png")
        page.locator("#outcomes").screenshot(path=a.out / "report-outcomes.png")
        written.append(a.out / "report-outcomes.png")
        page.locator("#timeline").screenshot(path=a.out / "report-timeline.png")
        written.append(a.out / "report-timeline.png")

        server, thread, url = _serve(create_app(no_store=True))
        try:
            page = ctx.new_page()
            page.set_viewport_size({"width": 1440, "height": 900})
            page.goto(url + "/")
            page.wait_for_selector("body[data-ready='1']")
            page.fill("[data-testid=trials]", str(a.trials))
            page.fill("[data-testid=seed]", str(a.seed))
            page.uncheck("[data-testid=partner-jordan]")
            page.click("[data-testid=run]")
            page.wait_for_selector("#results[data-state='done']", timeout=120_000)
            page.evaluate(f"window.redlineMap.setTime({t_ballistic:.0f})")
            page.evaluate("document.querySelector('.controls').scrollTop = 0")
            page.screenshot(path=a.out / "app-run.png")
            written.append(a.out / "app-run.png")
            page.goto(url + "/compare")
            page.wait_for_selector("body[data-ready='1']")
            if not page.is_disabled("[data-testid=compare]"):      # the escalation model is installed
                page.fill("[data-testid=n-paths]", "2000")
                page.fill("[data-testid=seed]", str(a.seed))
                page.click("[data-testid=compare]")
                page.wait_for_selector("#results[data-state='done']", timeout=300_000)
                page.screenshot(path=a.out / "app-compare.png")
                written.append(a.out / "app-compare.png")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
        browser.close()
    if blocked:
        print(f"error: the pages tried to reach the network: {blocked}", file=sys.stderr)
        return 1
    for p in written:
        _shrink(p)
        print(f"{p} ({p.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
