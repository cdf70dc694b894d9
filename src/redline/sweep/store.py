"""A sweep's directory: its plan, one file per finished point, its summary.

Layout::

    DIR/meta.json            spec, hashes, design matrix (written once)
    DIR/points/000042.json   one finished point: values, seed, outputs, summary, manifest
    DIR/failed/000042.json   the last failure of a point not finished (removed when it finishes)
    DIR/results.csv          one row per finished point (rewritten at the end)
    DIR/summary.json         sensitivity indices and counts (rewritten at the end)
    DIR/*.png                plots

Every file is written to a temporary name in the same folder and renamed
into place, so a point file exists only when it is complete: a sweep that is
stopped at any moment keeps every finished point, and resuming it (the same
command again) runs only the points without a file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import RedlineError

__all__ = ["SweepDir", "SweepError", "atomic_write_text"]


class SweepError(RedlineError):
    """A sweep cannot start or finish as asked (the message says what to do)."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, default=float, separators=(",", ":"))


class SweepDir:
    """The files of one sweep under ``root``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.points_dir = self.root / "points"
        self.failed_dir = self.root / "failed"

    @property
    def meta_path(self) -> Path:
        return self.root / "meta.json"

    def open(self, meta: dict) -> np.ndarray:
        """Start a new sweep here or check that the one here is the same; return its design matrix.

        A resumed sweep uses the design stored at its start, so a change of
        SALib's sampling between versions cannot mix two designs.
        """
        if self.meta_path.exists():
            old = json.loads(self.meta_path.read_text(encoding="utf-8"))
            for key, what in (("spec_sha256", "sweep spec"), ("scenario_sha256", "scenario or catalog"),
                              ("params_sha256", "base parameter set")):
                if old.get(key) != meta.get(key):
                    raise SweepError(f"{self.root} holds a sweep with a different {what} ({key} "
                                     f"{str(old.get(key))[:12]} vs {str(meta.get(key))[:12]}); use another --out "
                                     f"folder, or delete this one to start again")
            return np.asarray(old["design"]["X"], dtype=float).reshape(len(old["design"]["X"]), -1)
        if self.root.exists() and any(self.root.iterdir()):
            raise SweepError(f"{self.root} is not empty and holds no sweep; choose another --out folder")
        self.points_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.meta_path, json.dumps(meta, indent=1, default=float))
        return np.asarray(meta["design"]["X"], dtype=float)

    def _path(self, folder: Path, index: int) -> Path:
        return folder / f"{index:06d}.json"

    def finished(self) -> dict[int, dict]:
        """Finished point records by index."""
        out: dict[int, dict] = {}
        if not self.points_dir.exists():
            return out
        for p in sorted(self.points_dir.glob("[0-9]*.json")):
            rec = json.loads(p.read_text(encoding="utf-8"))
            out[int(rec["index"])] = rec
        return out

    def finished_indices(self) -> set[int]:
        if not self.points_dir.exists():
            return set()
        return {int(p.stem) for p in self.points_dir.glob("[0-9]*.json")}

    def save_point(self, rec: dict) -> Path:
        path = self._path(self.points_dir, int(rec["index"]))
        atomic_write_text(path, _dumps(rec))
        fail = self._path(self.failed_dir, int(rec["index"]))
        if fail.exists():
            fail.unlink()
        return path

    def save_failure(self, index: int, message: str, attempts: int) -> None:
        atomic_write_text(self._path(self.failed_dir, index), _dumps({"index": index, "error": message, "attempts": attempts}))

    def failures(self) -> dict[int, dict]:
        if not self.failed_dir.exists():
            return {}
        return {int(p.stem): json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.failed_dir.glob("[0-9]*.json"))}

    def write_text(self, name: str, text: str) -> Path:
        path = self.root / name
        atomic_write_text(path, text)
        return path
