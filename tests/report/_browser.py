"""Headless Chromium for tests: Debian's /usr/bin/chromium driven by Playwright, with every
request leaving the machine blocked and recorded.

Never `playwright install`: the browser comes from the system (apt-get install chromium).
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("REDLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file", "data", "blob", "about", "chrome-error")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_local(url: str) -> bool:
    u = urlparse(url)
    return u.scheme in LOCAL_SCHEMES or (u.scheme in ("http", "https", "ws") and u.hostname in LOCAL_HOSTS)


_SHARED: dict = {"users": 0}


@contextmanager
def launched_browser():
    """The process's one Chromium browser (shared by every test folder), or pytest.skip with the reason.

    Playwright's sync API runs one driver per thread, so the browser is started once and
    closed when its last user is done.
    """
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) for browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; never `playwright install`)")
    if "browser" not in _SHARED:
        pw = sync_playwright().start()
        try:
            # Playwright gives every launch a new, empty profile (--user-data-dir) of its own.
            _SHARED["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception:
            pw.stop()
            raise
        _SHARED["pw"] = pw
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED.pop("browser").close()
            _SHARED.pop("pw").stop()


class Recorder:
    """A page whose requests are all recorded; those leaving the machine are aborted."""

    def __init__(self, browser, viewport=(1280, 900)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _route(self, route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self):
        self.context.close()
