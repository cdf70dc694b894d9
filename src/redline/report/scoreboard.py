"""The rolling-origin scoreboard as one self-contained HTML page (``redline report scoreboard``).

The page has the report's Content-Security-Policy, stylesheet and footer (see
:mod:`redline.report.html`) and draws its tables in HTML: no script, no network.
The board itself is embedded as JSON (``<script type="application/json"
id="redline-data">``), so the page carries the same object as ``redline scoreboard --json``.
"""
from __future__ import annotations

import datetime as _dt
import html as _html
import os
from pathlib import Path
from typing import Any, Mapping

from .._version import __version__
from .html import _json_script, page_head, static_asset

__all__ = ["render_scoreboard_html", "write_scoreboard_report"]

_NAMES = (("model", "model (origin fit)"), ("constant_rate", "constant-rate"), ("prior", "catalog prior"))


def _e(x: Any) -> str:
    return _html.escape(str(x))


def _f(x, nd: int = 2) -> str:
    return "" if x is None else f"{x:,.{nd}f}"


def _pct(x) -> str:
    return "" if x is None else f"{x:.0%}"


def _summary(board: Mapping) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in ("origin", "n scored", "n fitted")) + "".join(
        f'<th class="num">{_e(n)} {_e(w)}</th>' for w in ("mean CRPS", "coverage", "log score") for _, n in _NAMES)
    body = []
    for o in board["origins"]:
        tot = {"model": o["model"], **o["reference"]}
        best = min((tot[k]["mean_crps"] for k, _ in _NAMES if tot[k]["mean_crps"] is not None), default=None)
        cells = [f"<td>{_e(o['origin'])}</td>", f'<td class="num">{o["n_observations"]}</td>',
                 f'<td class="num">{o.get("n_fitted", "")}</td>']
        for k, _ in _NAMES:
            v = tot[k]["mean_crps"]
            cells.append(f'<td class="num">{"<b>" + _f(v) + "</b>" if v is not None and v == best else _f(v)}</td>')
        cells += [f'<td class="num">{_pct(tot[k]["coverage"])}</td>' for k, _ in _NAMES]
        cells += [f'<td class="num">{_f(tot[k]["mean_log_score"])}</td>' for k, _ in _NAMES]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="rl-table" data-testid="scoreboard-summary"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _interval(s: Mapping) -> str:
    mark = "✓" if s["inside"] else "✗"
    return f'{_f(s["p05"], 0)}–{_f(s["p95"], 0)} <span class="ci">{mark}</span>'


def _rows(o: Mapping) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in ("event", "metric", "date", "observed")) + "".join(
        f'<th class="num">{_e(n)} {w}</th>' for _, n in _NAMES for w in ("5–95%", "CRPS"))
    body = []
    for r in o["observations"]:
        obs = _f(r["observed"], 0) + (f' [{_f(r["range"][0], 0)}–{_f(r["range"][1], 0)}]' if r.get("range") else "")
        cells = [f"<td>{_e(r['event'])}</td>", f'<td class="path">{_e(r["metric"])}</td>', f"<td>{_e(r['date'])}</td>",
                 f'<td class="num">{_e(obs)}</td>']
        for k, _ in _NAMES:
            cells += [f'<td class="num">{_interval(r[k])}</td>', f'<td class="num">{_f(r[k]["crps"])}</td>']
        body.append("<tr>" + "".join(cells) + "</tr>")
    fitted = ", ".join(o["fit"]["events"]) or "none"
    return (f'<section class="rl-section"><h2>Origin {_e(o["origin"])}</h2>'
            f'<p class="note">Fitted on the observations dated before {_e(o["origin"])} of: {_e(fitted)} '
            f'(fit {_e(o["fit"]["file"])}, {_e(o["fit"]["fitter"])}).</p>'
            f'<table class="rl-table" data-testid="scoreboard-rows"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></section>')


def render_scoreboard_html(board: Mapping, title: str | None = None) -> str:
    """The page for a board returned by :func:`redline.calibration.scoreboard.scoreboard`."""
    title = title or "Redline: rolling-origin scoreboard"
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    s = board["settings"]
    parts = [
        *page_head(title, static_asset("redline.css")),
        '</head><body data-ready="1"><main class="rl-report" id="report">',
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{s["trials"]:,} predictive trials per event and forecaster, seed {s["seed"]}; '
        f'fits by {_e(s["fitter"])} (seed {s["fit_seed"]}).</p>',
        '<p class="note">For each origin the model is refitted on the observations dated before it and scored on '
        "those on or after it (scenario inputs and money left out), beside a constant-rate forecaster "
        "(one rate per metric from the same fitted observations, beta-binomial in the new launch count) and the "
        "catalog prior (<code>--params prior-draws</code>). CRPS in counts, lower is better (bold: best). "
        "Coverage: share of observations whose value or range meets the 5–95 % interval (target 80–100 %). "
        "Log score: mean −ln p(observed) of the discretised predictive, floor 10<sup>−4</sup>. "
        "See docs/calibration.md §8.</p>",
        f'<section class="rl-section"><h2>Summary</h2>{_summary(board)}</section>',
        *[_rows(o) for o in board["origins"]],
        "</main>",
        f'<footer class="rl-report">Generated by Redline {__version__} on {now}.</footer>',
        _json_script(board),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_scoreboard_report(board: Mapping, output: str | os.PathLike, title: str | None = None) -> Path:
    """Write the page (to a temporary name, then renamed); return its path."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(render_scoreboard_html(board, title), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out
