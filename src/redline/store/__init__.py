"""The run store: every run's summary and manifest in DuckDB, its per-trial arrays in Parquet.

::

    from redline.store import RunStore, save_run, save_result
    run_id = save_result(redline.run("april-2024", trials=1000, seed=1))
    RunStore().get(run_id).summary

Commands save by default (``--no-store`` or ``REDLINE_NO_STORE=1`` skip it);
the location is ``--store PATH``, else ``REDLINE_STORE``, else
``~/.local/share/redline/runs.duckdb`` (see :mod:`redline.store.paths`).
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from .arrays import result_arrays, result_context
from .paths import default_store_path, resolve_store_path, store_disabled
from .runstore import RunStore, StoredRun, StoreError, headline, to_jsonable

__all__ = [
    "RunStore",
    "StoredRun",
    "StoreError",
    "save_run",
    "save_result",
    "maybe_store",
    "default_store_path",
    "resolve_store_path",
    "store_disabled",
    "result_arrays",
    "result_context",
    "headline",
    "to_jsonable",
]


def _as_store(store: RunStore | str | os.PathLike | None) -> RunStore:
    return store if isinstance(store, RunStore) else RunStore(store)


def save_run(kind: str, summary: Mapping[str, Any], manifest: Mapping[str, Any] | None = None,
             arrays: Mapping[str, Any] | None = None, store: RunStore | str | os.PathLike | None = None,
             context: Mapping[str, Any] | None = None) -> str:
    """Save any command's JSON summary and manifest (and optional per-trial arrays); return the run id.

    Parameters
    ----------
    kind : str
        ``run``, ``crisis``, ``compare``, ``validate``, or another command name.
    summary : mapping
        The JSON summary the command prints with ``--json``.
    manifest : mapping, optional
        Defaults to ``summary["manifest"]`` when present.
    arrays : mapping, optional
        Name -> ndarray, ``(ndarray, axis labels)``, DataFrame or Arrow table.
    store : RunStore or path, optional
        Default: ``REDLINE_STORE`` or ``~/.local/share/redline/runs.duckdb``.
    context : mapping, optional
        JSON a report needs to redraw the run (scenario, catalog entries).
    """
    return _as_store(store).save(kind, summary, manifest, arrays=arrays, context=context)


def save_result(result, store: RunStore | str | os.PathLike | None = None, kind: str = "run") -> str:
    """Save an engagement :class:`~redline.results.Result` with its arrays and scenario; return the id."""
    summary = result.summary()
    return save_run(kind, summary, result.manifest, arrays=result_arrays(result), store=store,
                    context=result_context(result))


def maybe_store(kind: str, result_or_summary: Any, store: str | os.PathLike | None = None,
                no_store: bool = False) -> str | None:
    """Save unless ``no_store`` or ``REDLINE_NO_STORE`` says not to; return the run id or None.

    ``result_or_summary`` is an engagement ``Result`` (saved with its arrays)
    or any command's summary dict (its ``manifest`` key is the manifest;
    per-trial arrays may be given under a non-JSON key ``_arrays``).
    """
    if no_store or store_disabled():
        return None
    if hasattr(result_or_summary, "summary") and hasattr(result_or_summary, "raw"):
        return save_result(result_or_summary, store=store, kind=kind)
    if not isinstance(result_or_summary, Mapping):
        raise StoreError(f"cannot store a {type(result_or_summary).__name__}; pass a Result or a summary dict")
    summary = dict(result_or_summary)
    arrays = summary.pop("_arrays", None)
    return save_run(kind, summary, summary.get("manifest"), arrays=arrays, store=store)
