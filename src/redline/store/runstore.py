"""The run store: a DuckDB file of summaries and manifests, Parquet arrays beside it.

Layout for a store at ``runs.duckdb``::

    runs.duckdb              table ``runs``: one row per saved run
    runs-arrays/<run id>/    one Parquet file per per-trial array

Writes are atomic. A run's arrays are written into a hidden temporary
folder (``.tmp-<run id>-<pid>``), flushed to disk and renamed into place;
only then is the row inserted, in one transaction. A process killed at any
point therefore leaves either no row (and at worst a leftover folder, swept
away when the store is next opened, or listed by ``redline runs --check``) or a complete run. Readers only ever see runs whose
row exists.

A row holds a typed record (:mod:`redline.records`): its summary JSON and its
:class:`~redline.manifest.Manifest`, with ``record_version`` set. Rows saved
before typed records (``record_version`` NULL) are read through the one
adapter in :mod:`redline.store.legacy`.

DuckDB lets one process at a time open a file for writing; every operation
here opens the file, does its work and closes it again, and waits (up to
``lock_timeout_s``) when another process holds it.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from ..errors import RedlineError
from ..manifest import Manifest
from ..records import Record, RecordError, parse_summary
from .arrays import table_to_value, value_to_table
from .legacy import legacy_manifest, legacy_summary
from .paths import arrays_root, resolve_store_path

__all__ = ["RunStore", "StoredRun", "StoreError", "to_jsonable", "SCHEMA_VERSION", "RECORD_VERSION"]

SCHEMA_VERSION = 2
RECORD_VERSION = 1
"""Version of the saved record shape (summary with a typed manifest); NULL marks a legacy row."""
_TMP_PREFIX = ".tmp-"
_ORPHAN_AGE_S = 600.0
_LOCK = threading.RLock()
_SWEPT: set[Path] = set()
"""Stores this process has already swept for leftovers on opening."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    created_utc     TIMESTAMP NOT NULL,
    scenario        VARCHAR,
    scenario_sha256 VARCHAR,
    seed            VARCHAR,
    trials          BIGINT,
    version         VARCHAR,
    headline        VARCHAR,
    summary         VARCHAR NOT NULL,
    manifest        VARCHAR NOT NULL,
    context         VARCHAR,
    arrays          VARCHAR[]
);
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS record_version INTEGER;
"""
_COLUMNS = ("run_id, kind, created_utc, scenario, scenario_sha256, seed, trials, version, headline, summary, "
            "manifest, context, arrays, record_version")


class StoreError(RedlineError):
    """The run store cannot be used as asked (missing run, ambiguous id, locked file...)."""


@dataclass
class StoredRun:
    """One saved run as read back from the store.

    ``summary`` is the record's JSON (its ``manifest`` included) and ``manifest`` the typed
    manifest, also for runs saved in the legacy shape (``legacy`` is then True).
    """

    run_id: str
    kind: str
    created_utc: _dt.datetime
    summary: dict[str, Any]
    manifest: Manifest
    context: dict[str, Any] = field(default_factory=dict)
    arrays: list[str] = field(default_factory=list)
    headline: str = ""
    store_path: Path | None = None
    legacy: bool = False

    @property
    def scenario(self) -> str:
        """What was run (the manifest's ``subject``)."""
        return self.manifest.subject

    @property
    def record(self) -> Record:
        """The typed summary; :class:`StoreError` if the saved JSON is not of its kind's shape."""
        try:
            return parse_summary(self.summary, f"run {self.run_id}")
        except RecordError as exc:
            raise StoreError(f"{exc}; the run was saved by another version of Redline "
                             f"({self.manifest.version})") from None


def to_jsonable(obj: Any) -> Any:
    """Plain-Python copy of ``obj`` for JSON: NumPy scalars and arrays, tuples, paths, datetimes."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    return obj


def _new_run_id(now: _dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class RunStore:
    """A store of runs at ``path`` (see :func:`~redline.store.paths.resolve_store_path`).

    Parameters
    ----------
    path : str or Path, optional
        The DuckDB file; default from ``REDLINE_STORE`` or the embedded default.
    lock_timeout_s : float
        How long to wait for another process that has the file open [s].
    """

    def __init__(self, path: str | os.PathLike | None = None, lock_timeout_s: float = 20.0, sweep: bool = True):
        self.path = resolve_store_path(path)
        self.arrays_dir = arrays_root(self.path)
        self.lock_timeout_s = float(lock_timeout_s)
        if sweep and self.path not in _SWEPT and self.arrays_dir.is_dir():
            _SWEPT.add(self.path)      # leftovers of killed runs go when a process first opens the store
            saved, self.lock_timeout_s = self.lock_timeout_s, 0.5
            try:
                self._sweep()
            except (StoreError, OSError):
                pass  # locked or unreadable now: the next save sweeps, and the operation that needs the file reports
            finally:
                self.lock_timeout_s = saved

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # ---- connection handling
    @contextmanager
    def _connect(self, create: bool = True) -> Iterator[Any]:
        import duckdb

        if not create and not self.path.exists():
            yield None
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.02
        with _LOCK:
            while True:
                try:
                    con = duckdb.connect(str(self.path))
                    break
                except duckdb.IOException as exc:
                    if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                        raise StoreError(f"cannot open run store {self.path}: {exc}; another redline process may "
                                         "be using it: wait, or pass --store PATH or --no-store") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                except duckdb.Error as exc:
                    raise StoreError(f"cannot open run store {self.path}: {exc}; pass --store PATH to use "
                                     "another file") from None
            try:
                con.execute(_SCHEMA)
                con.execute("INSERT OR IGNORE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                yield con
            finally:
                con.close()

    # ---- writing
    def save(self, record: Record, arrays: Mapping[str, Any] | None = None,
             context: Mapping[str, Any] | None = None) -> str:
        """Save one run atomically and return its id.

        Parameters
        ----------
        record : Record
            A typed summary (:mod:`redline.records`); its manifest's ``kind`` is the run's kind.
        arrays : mapping of name to array, optional
            Per-trial arrays (see :mod:`redline.store.arrays`), written to Parquet.
        context : mapping, optional
            Extra JSON needed to redraw the run later (scenario, catalog entries).
        """
        import pyarrow.parquet as pq

        if not isinstance(record, Record):
            raise StoreError(f"cannot store a {type(record).__name__}: save a typed record from redline.records "
                             "(Result.record(), run_crisis(...), ...)")
        m = record.manifest
        kind = m.kind
        summary_j = record.to_json()
        context_j = to_jsonable(dict(context or {}))
        texts = [json.dumps(x, allow_nan=True) for x in (summary_j, summary_j["manifest"], context_j)]
        now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        run_id = _new_run_id(now)
        names: list[str] = []
        final_dir = self.arrays_dir / run_id
        if arrays:
            for name in arrays:
                if not name or not all(ch.isalnum() or ch in "-_" for ch in name):
                    raise StoreError(f"array name {name!r}: use letters, digits, '-' and '_' only")
            self.arrays_dir.mkdir(parents=True, exist_ok=True)
            self._sweep()
            tmp = self.arrays_dir / f"{_TMP_PREFIX}{run_id}-{os.getpid()}"
            tmp.mkdir()
            try:
                for name, value in arrays.items():
                    target = tmp / f"{name}.parquet"
                    pq.write_table(value_to_table(value), target, compression="zstd")
                    with open(target, "rb") as fh:
                        os.fsync(fh.fileno())
                    names.append(name)
                _fsync_dir(tmp)
                os.rename(tmp, final_dir)
                _fsync_dir(self.arrays_dir)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        row = [run_id, kind, now, m.subject, m.inputs.get("scenario"), None if m.seed is None else str(m.seed),
               m.samples.count, m.version, record.headline(), *texts, names, RECORD_VERSION]
        try:
            with self._connect() as con:
                con.execute("BEGIN TRANSACTION")
                con.execute(f"INSERT INTO runs ({_COLUMNS}) VALUES ({', '.join('?' * 14)})", row)
                con.execute("COMMIT")
        except BaseException:
            if names:
                shutil.rmtree(final_dir, ignore_errors=True)
            raise
        return run_id

    def _sweep(self) -> list[Path]:
        """Remove leftovers of interrupted saves: temp folders of dead processes, old folders with no row.

        A folder with no row is left alone for ten minutes after it was written
        (another process may be between renaming it into place and inserting its row).
        Returns the folders removed.
        """
        removed = []
        for entry, _why in self._orphans(min_age_s=_ORPHAN_AGE_S):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        return removed

    def _orphans(self, min_age_s: float) -> list[tuple[Path, str]]:
        """Array folders that no run owns: (folder, reason), sorted by name."""
        if not self.arrays_dir.is_dir():
            return []
        out: list[tuple[Path, str]] = []
        known: set[str] | None = None
        for entry in sorted(self.arrays_dir.iterdir()):
            if entry.name.startswith(_TMP_PREFIX):
                try:
                    pid = int(entry.name.rsplit("-", 1)[1])
                except (IndexError, ValueError):
                    pid = -1
                if pid != os.getpid() and not _pid_alive(pid):
                    out.append((entry, f"temporary folder of a save by process {pid}, which is gone"))
            elif entry.is_dir():
                try:
                    age = time.time() - entry.stat().st_mtime
                except OSError:
                    continue
                if age < min_age_s:
                    continue
                if known is None:
                    with self._connect(create=False) as con:
                        known = set() if con is None else {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
                if entry.name not in known:
                    out.append((entry, "arrays of a run that has no row (its save was interrupted)"))
        return out

    def check(self, fix: bool = False) -> list[dict[str, str]]:
        """Problems in the store: orphaned array folders, and runs whose array files are missing.

        Parameters
        ----------
        fix : bool
            Remove the orphaned folders (runs with missing arrays are only listed:
            their summaries are still good).

        Returns
        -------
        list of {"path", "problem", "action"}
            Empty when the store is consistent.
        """
        problems = []
        for entry, why in self._orphans(min_age_s=0.0):
            if fix:
                shutil.rmtree(entry, ignore_errors=True)
            problems.append({"path": str(entry), "problem": why, "action": "removed" if fix else "remove with --fix"})
        with self._connect(create=False) as con:
            rows = [] if con is None else con.execute("SELECT run_id, arrays FROM runs ORDER BY run_id").fetchall()
        for rid, names in rows:
            missing = [n for n in (names or []) if not self.array_path(rid, n).is_file()]
            if missing:
                problems.append({"path": str(self.arrays_dir / rid), "problem": f"run {rid} is missing arrays "
                                 f"{', '.join(missing)}", "action": "its summary is intact; `redline runs delete` "
                                 "removes it"})
        return problems

    def delete(self, run_id: str) -> str:
        """Delete a run (row first, then its arrays); returns the full id."""
        rid = self.resolve(run_id)
        with self._connect() as con:
            con.execute("DELETE FROM runs WHERE run_id = ?", [rid])
        shutil.rmtree(self.arrays_dir / rid, ignore_errors=True)
        return rid

    # ---- reading
    def list_runs(self, limit: int | None = 50, kind: str | None = None, scenario: str | None = None,
                  include_points: bool = True) -> list[dict[str, Any]]:
        """Newest first: id, kind, created time, scenario, seed, trials, version, headline.

        Parameters
        ----------
        limit : int, optional
            Most rows (None or 0: all).
        kind : str, optional
            Only runs of this kind (``run``, ``sweep``, ``sweep-point``...).
        scenario : str, optional
            Only runs of this subject (the manifest's ``subject``: scenario name,
            sweep name...), matched exactly.
        include_points : bool
            Include a sweep's ``sweep-point`` runs (they can number thousands);
            asking for ``kind="sweep-point"`` includes them regardless.
        """
        where, args = [], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        elif not include_points:
            where.append("kind <> 'sweep-point'")
        if scenario:
            where.append("scenario = ?")
            args.append(scenario)
        with self._connect(create=False) as con:
            if con is None:
                return []
            q = ("SELECT run_id, kind, created_utc, scenario, seed, trials, version, headline FROM runs"
                 + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_utc DESC, run_id DESC"
                 + (f" LIMIT {int(limit)}" if limit else ""))
            rows = con.execute(q, args).fetchall()
        cols = ("run_id", "kind", "created_utc", "scenario", "seed", "trials", "version", "headline")
        return [dict(zip(cols, r)) for r in rows]

    def resolve(self, run_id: str) -> str:
        """The full id of the run whose id is or starts with ``run_id`` ("latest" is the newest)."""
        run_id = str(run_id).strip()
        with self._connect(create=False) as con:
            if con is None:
                raise StoreError(f"no run {run_id!r}: the store {self.path} is empty; run something first")
            if run_id == "latest":
                rows = con.execute("SELECT run_id FROM runs ORDER BY created_utc DESC, run_id DESC LIMIT 1").fetchall()
            else:
                like = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = con.execute("SELECT run_id FROM runs WHERE run_id LIKE ? ESCAPE '\\' ORDER BY run_id LIMIT 6",
                                   [like]).fetchall()
        if not rows or not run_id:
            raise StoreError(f"no run {run_id!r} in {self.path}; `redline runs` lists the saved ones")
        if len(rows) > 1 and rows[0][0] != run_id:
            ids = ", ".join(r[0] for r in rows[:5])
            raise StoreError(f"run id {run_id!r} is ambiguous ({ids}...); give more characters")
        return rows[0][0]

    def has(self, run_id: str) -> bool:
        try:
            self.resolve(run_id)
        except StoreError:
            return False
        return True

    def get(self, run_id: str) -> StoredRun:
        """Read one run (an id, a unique prefix of one, or ``latest``)."""
        rid = self.resolve(run_id)
        with self._connect() as con:
            r = con.execute("SELECT run_id, kind, created_utc, summary, manifest, context, arrays, headline, "
                            "record_version, version FROM runs WHERE run_id = ?", [rid]).fetchone()
        summary, manifest_j, legacy = json.loads(r[3]), json.loads(r[4]), r[8] is None
        try:
            if legacy:
                manifest = legacy_manifest(r[1], manifest_j, summary, r[2], r[9])
                summary = legacy_summary(r[1], summary, manifest)
            else:
                manifest = Manifest.model_validate(manifest_j)
        except ValueError as exc:
            raise StoreError(f"run {rid} in {self.path}: its manifest cannot be read: {exc}") from None
        return StoredRun(run_id=r[0], kind=r[1], created_utc=r[2], summary=summary, manifest=manifest,
                         context=json.loads(r[5]) if r[5] else {}, arrays=list(r[6] or []), headline=r[7] or "",
                         store_path=self.path, legacy=legacy)

    def array_path(self, run_id: str, name: str) -> Path:
        return self.arrays_dir / run_id / f"{name}.parquet"

    def load_arrays(self, run_id: str, names: list[str] | None = None) -> dict[str, Any]:
        """The run's arrays by name: NumPy arrays (as saved) or pandas DataFrames."""
        import pyarrow.parquet as pq

        run = self.get(run_id)
        want = run.arrays if names is None else names
        out: dict[str, Any] = {}
        for name in want:
            if name not in run.arrays:
                raise StoreError(f"run {run.run_id} has no array {name!r}; it has: {', '.join(run.arrays) or 'none'}")
            p = self.array_path(run.run_id, name)
            try:
                out[name] = table_to_value(pq.read_table(p))
            except OSError as exc:
                raise StoreError(f"array {name!r} of run {run.run_id} cannot be read from {p}: {exc}") from None
        return out

    def export(self, run_id: str, directory: str | os.PathLike) -> list[Path]:
        """Write the run to ``directory`` as Parquet: ``run.parquet`` (one row) and one file per array."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        run = self.get(run_id)
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        meta = pa.table({
            "run_id": [run.run_id], "kind": [run.kind], "created_utc": [run.created_utc],
            "scenario": [run.scenario], "headline": [run.headline],
            "summary_json": [json.dumps(run.summary)], "manifest_json": [json.dumps(run.manifest.model_dump(mode="json"))],
            "context_json": [json.dumps(run.context)], "arrays": [run.arrays],
        })
        p = out_dir / "run.parquet"
        pq.write_table(meta, p)
        written.append(p)
        for name in run.arrays:
            src = self.array_path(run.run_id, name)
            dst = out_dir / f"{name}.parquet"
            shutil.copyfile(src, dst)
            written.append(dst)
        return written

    list = list_runs  # noqa: A003 - the short name other modules use: RunStore().list()
