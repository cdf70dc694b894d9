"""Where the run store lives.

Precedence, first match wins:

1. an explicit path (``--store PATH`` on the command line, ``store=`` in Python);
2. the ``REDLINE_STORE`` environment variable;
3. ``$XDG_DATA_HOME/redline/runs.duckdb``, i.e. ``~/.local/share/redline/runs.duckdb``
   when ``XDG_DATA_HOME`` is unset.

``REDLINE_NO_STORE=1`` (or ``--no-store``) turns saving off for commands that
save by default. Per-trial arrays live beside the database file, in a folder
named after it: ``runs.duckdb`` keeps them in ``runs-arrays/<run id>/``.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_store_path", "resolve_store_path", "arrays_root", "store_disabled", "ENV_STORE", "ENV_NO_STORE"]

ENV_STORE = "REDLINE_STORE"
ENV_NO_STORE = "REDLINE_NO_STORE"


def default_store_path() -> Path:
    """The embedded default: ``$XDG_DATA_HOME/redline/runs.duckdb`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "redline" / "runs.duckdb"


def resolve_store_path(store: str | os.PathLike | None = None) -> Path:
    """The store file to use: ``store`` if given, else ``$REDLINE_STORE``, else the default.

    A path naming an existing folder means ``<folder>/runs.duckdb``.
    """
    raw = store if store not in (None, "") else os.environ.get(ENV_STORE) or None
    p = Path(raw).expanduser() if raw is not None else default_store_path()
    if p.is_dir():
        p = p / "runs.duckdb"
    return p


def arrays_root(db_path: Path) -> Path:
    """Folder holding the Parquet arrays of the store at ``db_path``."""
    return db_path.with_name(db_path.stem + "-arrays")


def store_disabled() -> bool:
    """True when ``REDLINE_NO_STORE`` is set to a true value (1, true, yes)."""
    return os.environ.get(ENV_NO_STORE, "").strip().lower() in ("1", "true", "yes", "on")
