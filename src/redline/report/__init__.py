"""HTML reports (one self-contained file, no network) and static PNG figures of runs.

::

    from redline.report import view_of_result, write_report
    res = redline.run("april-2024", trials=2000, seed=1)
    write_report(view_of_result(res), "april.html", png=True)

A stored run (see :mod:`redline.store`) is reported with
:func:`view_of_stored`; any other typed record (crisis, compare, campaign,
validate...) with :func:`view_of_record`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from ..records import CampaignSummary, CompareSummary, CrisisSummary, DiffSummary, Record, RunSummary
from .campaign import campaign_view
from .diff import diff_view
from .escalation import escalation_view
from .html import render_html
from .sources import SOURCE_KEY, source_urls
from .view import compiled_from_context, engagement_view, raw_arrays

__all__ = [
    "view_of_result",
    "view_of_stored",
    "view_of_record",
    "engagement_view",
    "escalation_view",
    "diff_view",
    "render_html",
    "write_report",
]


def _with_urls(view: dict[str, Any]) -> dict[str, Any]:
    urls = source_urls()
    keys: set[str] = set()
    for row in view.get("sources", []):
        keys.update(row.get("keys", []))
    for s in view.get("scenario", {}).get("sources", []):
        keys.update(SOURCE_KEY.findall(s))
    view["source_urls"] = {k: urls[k] for k in sorted(keys) if k in urls}
    return view


def view_of_result(result, run_id: str | None = None) -> dict[str, Any]:
    """The report view of a live engagement :class:`~redline.results.Result`."""
    v = engagement_view(result.compiled, raw_arrays(result), result.record())
    v["run_id"] = run_id
    return _with_urls(v)


def view_of_record(record: Record, run_id: str | None = None) -> dict[str, Any]:
    """The view of a typed record without per-trial arrays: crisis and compare results get their
    own view (:func:`escalation_view`), a diff :func:`diff_view`; any other kind shows its summary and manifest as tables."""
    if isinstance(record, (CrisisSummary, CompareSummary)):
        v = escalation_view(record)
    elif isinstance(record, DiffSummary):
        v = diff_view(record)
    elif isinstance(record, CampaignSummary):
        v = campaign_view(record)
    else:
        v = {"kind": record.kind, "summary": record.model_dump(mode="json", exclude={"manifest"}),
             "manifest": record.manifest.model_dump(mode="json")}
    v["run_id"] = run_id
    return v


def view_of_stored(run, store) -> dict[str, Any]:
    """The report view of a stored run (:class:`~redline.store.StoredRun`) read from ``store``.

    An engagement run saved with its scenario is redrawn in full (map, distributions) from its
    arrays; any other record gets :func:`view_of_record`.
    """
    record = run.record
    if isinstance(record, RunSummary) and run.context.get("scenario"):
        compiled = compiled_from_context(run.context)
        arrays = store.load_arrays(run.run_id, [n for n in ("cls", "unit_shots", "unit_kills", "site_hits", "fate",
                                                            "t_end", "killer", "impact_dx", "impact_dy")
                                                if n in run.arrays])
        v = engagement_view(compiled, arrays, record)
        v["run_id"] = run.run_id
        return _with_urls(v)
    return view_of_record(record, run_id=run.run_id)


def write_report(view: Mapping[str, Any], output: str | os.PathLike, png: bool = False,
                 title: str | None = None) -> list[Path]:
    """Write the HTML report (and, with ``png``, matplotlib figures beside it); return the paths written.

    The HTML is written to a temporary name and renamed, so a reader never sees half a file.
    """
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(render_html(view, title=title), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    written = [out]
    if png:
        from .figures import write_figures

        written += write_figures(view, out.with_suffix(""))
    return written
