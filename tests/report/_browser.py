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


@contextmanager
def launched_browser():
    """A Chromium browser, or pytest.skip with the reason it cannot run here."""
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) for browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; never `playwright install`)")
    with sync_playwright() as pw:
        # Playwright gives every launch a new, empty profile (--user-data-dir) of its own.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


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
