"""The app's three pages (run, diff, compare), built from one shell.

``static/pages/shell.html`` holds what every page shares: the head, the brand and
navigation, the progress, status and error boxes, and the results pane. Each page
gives its title, tagline, stylesheets and scripts here, and its own controls in
``static/pages/NAME.html`` (three parts, after the markers ``<!-- controls -->``,
``<!-- after -->`` and ``<!-- main -->``: the controls above the progress box, those
below the error box, and the results pane's first content).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template

__all__ = ["PAGES", "render_page"]

_LEAFLET_CSS = "/static/vendor/leaflet.css"
_CSS = ("/static/redline.css", "/static/app.css")
_PLOTLY = "/static/vendor/plotly-basic.min.js"
_MAP = ("/static/vendor/leaflet.js", "/static/map.js")


@dataclass(frozen=True)
class Page:
    title: str
    tagline: str
    aria: str
    """The controls' accessible name."""
    styles: tuple[str, ...]
    scripts: tuple[str, ...]
    status: str = ""
    """The status line before anything runs."""


PAGES: dict[str, Page] = {
    "index": Page("Redline", "strikes vs layered air defence", "Run settings", (_LEAFLET_CSS, *_CSS),
                  (_PLOTLY, *_MAP, "/static/view.js", "/static/client.js", "/static/app.js"), status="ready"),
    "diff": Page("Redline: compare two scenarios", "paired comparison", "Diff settings", _CSS,
                 (_PLOTLY, "/static/view.js", "/static/diff.js", "/static/client.js", "/static/diff-page.js")),
    "compare": Page("Redline: compare policy packages", "policy packages", "Comparison settings", (_LEAFLET_CSS, *_CSS),
                    (_PLOTLY, *_MAP, "/static/view.js", "/static/client.js", "/static/compare.js")),
}
"""The pages, by the name of their controls file (``/`` is ``index``)."""

_MARKERS = ("<!-- controls -->\n", "<!-- after -->\n", "<!-- main -->\n")


def _read(name: str) -> str:
    return (resources.files("redline.web") / "static" / "pages" / f"{name}.html").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def render_page(name: str) -> str:
    """The HTML of page ``name`` (a key of :data:`PAGES`): the shell with the page's own parts."""
    page = PAGES[name]
    text = _read(name)
    parts = []
    for start, end in zip(_MARKERS, (*_MARKERS[1:], None)):
        body = text.split(start, 1)[1]
        parts.append((body.split(end, 1)[0] if end else body).rstrip("\n"))
    controls, after, main = parts
    return Template(_read("shell")).substitute(
        title=page.title, tagline=page.tagline, aria=page.aria, status=page.status, controls=controls, after=after,
        main=main, styles="\n".join(f'<link rel="stylesheet" href="{s}">' for s in page.styles),
        scripts="\n".join(f'<script src="{s}"></script>' for s in page.scripts))
