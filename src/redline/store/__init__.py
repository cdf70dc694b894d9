"""The run store: every run's typed record (summary and manifest) in DuckDB, its per-trial arrays in Parquet.

::

    from redline.store import RunStore, save_run, save_result
    run_id = save_result(redline.run("april-2024", trials=1000, seed=1))
    RunStore().get(run_id).record          # the RunSummary, as saved
    save_run(redline.run_crisis(paths=2000))   # any typed record (redline.records)

Commands save by default (``--no-store`` or ``REDLINE_NO_STORE=1`` skip it);
the location is ``--store PATH``, else ``REDLINE_STORE``, else
``~/.local/share/redline/runs.duckdb`` (see :mod:`redline.store.paths`).
Runs saved before typed records are read through :mod:`redline.store.legacy`.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from ..records import Record
from .arrays import result_arrays, result_context
from .paths import default_store_path, resolve_store_path, store_disabled
from .runstore import RunStore, StoredRun, StoreError, to_jsonable

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
    "to_jsonable",
]


def _as_store(store: RunStore | str | os.PathLike | None) -> RunStore:
    return store if isinstance(store, RunStore) else RunStore(store)


def save_run(record: Record, arrays: Mapping[str, Any] | None = None, store: RunStore | str | os.PathLike | None = None,
             context: Mapping[str, Any] | None = None) -> str:
    """Save a typed record (and optional per-trial arrays); return the run id.

    Parameters
    ----------
    record : Record
        Any summary model of :mod:`redline.records`; its manifest's ``kind`` is the run's kind.
    arrays : mapping, optional
        Name -> ndarray, ``(ndarray, axis labels)``, DataFrame or Arrow table.
    store : RunStore or path, optional
        Default: ``REDLINE_STORE`` or ``~/.local/share/redline/runs.duckdb``.
    context : mapping, optional
        JSON a report needs to redraw the run (scenario, catalog entries).
    """
    return _as_store(store).save(record, arrays=arrays, context=context)


def save_result(result, store: RunStore | str | os.PathLike | None = None) -> str:
    """Save an engagement :class:`~redline.results.Result` with its arrays and scenario; return the id."""
    return save_run(result.record(), arrays=result_arrays(result), store=store, context=result_context(result))


def maybe_store(result_or_record: Any, store: str | os.PathLike | None = None, no_store: bool = False) -> str | None:
    """Save unless ``no_store`` or ``REDLINE_NO_STORE`` says not to; return the run id or None.

    ``result_or_record`` is an engagement ``Result`` (saved with its arrays and scenario) or
    any typed record of :mod:`redline.records`.
    """
    if no_store or store_disabled():
        return None
    from ..results import Result

    if isinstance(result_or_record, Result):
        return save_result(result_or_record, store=store)
    return save_run(result_or_record, store=store)
