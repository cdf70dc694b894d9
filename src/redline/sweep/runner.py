"""Run a sweep: plan its points, run the missing ones, save each as it finishes, summarise.

The coordinator (this process) writes every finished point to the sweep's
folder at once (:class:`~redline.sweep.store.SweepDir`) and, unless the run
store (:mod:`redline.store`) is switched off, saves it there too. Running the same sweep again into the same folder resumes it:
finished points are read back, never recomputed.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .._version import __version__
from ..api import default_params
from ..campaign.io import load_campaign
from ..engagement.params import ParamSet, catalog_params
from ..hashing import campaign_sha256, params_sha256, scenario_sha256, spec_sha256
from ..manifest import Manifest, make_manifest, now_utc
from ..records import SweepSummary, parse_summary
from ..scenario.io import load_scenario, scenario_catalog
from ..store import RunStore, save_run, store_disabled
from .apply import check_outputs, check_targets
from .backends import make_backend
from .design import design_matrix, sensitivity
from .spec import SweepSpec
from .store import SweepDir
from .worker import Point, PointFn, SweepBase, point_seed, run_point

__all__ = ["run_sweep", "SweepResult"]


@dataclass
class SweepResult:
    """A sweep's state after a run: the design, finished points, failures, sensitivity indices."""

    spec: SweepSpec
    folder: Path
    X: np.ndarray
    records: dict[int, dict]
    failures: dict[int, dict]
    computed: list[int]
    elapsed_s: float
    backend: str
    manifest: Manifest
    stopped: bool = False
    sensitivity: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.spec.parameters]

    @property
    def complete(self) -> bool:
        return len(self.records) == len(self.X)

    def outputs(self, name: str) -> np.ndarray:
        """(points,) values of output ``name`` (NaN for points not finished)."""
        y = np.full(len(self.X), np.nan)
        for i, r in self.records.items():
            y[i] = r["outputs"][name]
        return y

    def table(self):
        """One row per design point (pandas): index, parameter values, outputs, seed."""
        import pandas as pd

        rows = []
        for i in range(len(self.X)):
            row: dict[str, Any] = {"point": i}
            row.update(dict(zip(self.names, self.X[i])))
            r = self.records.get(i)
            for o in self.spec.outputs:
                row[o] = r["outputs"][o] if r else np.nan
            row["seed"] = str(r["seed"]) if r else ""
            row["status"] = "done" if r else ("failed" if i in self.failures else "pending")
            rows.append(row)
        return pd.DataFrame(rows)

    def ranking(self, output: str) -> list[tuple[str, float]]:
        """Parameters by decreasing importance for ``output``."""
        s = self.sensitivity.get(output)
        if not s:
            return []
        imp = s[s["importance"]]
        pairs = [(n, (v if v is not None else float("nan"))) for n, v in zip(s["names"], imp)]
        return sorted(pairs, key=lambda kv: -np.nan_to_num(kv[1], nan=-np.inf))

    def summary(self) -> dict:
        """The JSON-ready summary printed by ``redline sweep --json`` (:meth:`record` as JSON)."""
        return self.record().to_json()

    def record(self, results: bool = True) -> SweepSummary:
        """The typed summary (``results=False`` leaves out the per-point values and outputs)."""
        return SweepSummary.model_validate({
            "manifest": self.manifest.replace(elapsed_s=round(self.elapsed_s, 3)),
            "sweep": self.spec.name,
            "title": self.spec.title,
            "folder": str(self.folder),
            "scenario": self.spec.scenario,
            "design": self.spec.design.model_dump(mode="json"),
            "parameters": self.names,
            "outputs": list(self.spec.outputs),
            "points": len(self.X),
            "finished": len(self.records),
            "computed_now": len(self.computed),
            "failed": {str(i): f["error"] for i, f in sorted(self.failures.items())},
            "stopped": self.stopped,
            "backend": self.backend,
            "sensitivity": self.sensitivity,
            "ranking": {o: [n for n, _ in self.ranking(o)] for o in self.spec.outputs if o in self.sensitivity},
            "notes": self.notes,
            "results": {str(i): {"values": dict(zip(self.names, self.X[i])), "outputs": r["outputs"]}
                        for i, r in sorted(self.records.items())} if results else None,
        })


def _base_params(spec: SweepSpec, cat) -> ParamSet:
    return default_params(cat) if spec.params == "default" else catalog_params(cat)


class _RunStoreWriter:
    """Saves records in the run store from a background thread, so that a slow
    store write (tens of ms) never holds up the coordinator; failures are kept
    and reported, never swallowed."""

    def __init__(self, store, no_store: bool):
        self.save: Callable[..., str] | None = None
        self.errors: list[str] = []
        self.saved = 0
        if no_store or store_disabled():
            return
        self._store = store if isinstance(store, RunStore) or store is None else RunStore(store)
        self.save = save_run
        self._q: queue.Queue = queue.Queue()
        self._t = threading.Thread(target=self._loop, name="redline-run-store", daemon=True)
        self._t.start()

    def _loop(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            index, summary = item
            assert self.save is not None
            try:
                self.save(parse_summary(summary, f"sweep point {index}"), store=self._store)
                self.saved += 1
            except Exception as exc:  # reported in the sweep's notes
                self.errors.append(f"point {index}: {type(exc).__name__}: {exc}")

    def put(self, index: int, summary: dict) -> None:
        if self.save is not None:
            self._q.put((index, summary))

    def close(self) -> None:
        if self.save is not None:
            self._q.put(None)
            self._t.join()


def prepare(spec: SweepSpec, check_outputs_of: bool = True):
    """Load a sweep's scenario (or campaign), base parameters and design, and check them before any work.

    Returns ``(scenario, campaign or None, catalog, base params, parameter names, design matrix)``.
    Bad targets, points and (with ``check_outputs_of``; a custom point function defines its own)
    outputs are one-line :class:`~redline.errors.InputError`s.
    """
    camp = None
    if spec.campaign:
        sc, camp = load_campaign(spec.scenario)
    else:
        sc = load_scenario(spec.scenario)
    cat = scenario_catalog(sc)
    base_ps = _base_params(spec, cat)
    names = tuple(p.name for p in spec.parameters)
    X = design_matrix(spec)
    check_targets(sc, cat, base_ps, names, X, spec.name, campaign=camp)
    if check_outputs_of:
        check_outputs(spec.outputs, "campaign" if camp is not None else "run", spec.name)
    return sc, camp, cat, base_ps, names, X


def run_sweep(spec: SweepSpec, out: str | Path, workers: int | None = None, cluster: str | None = None,
              point_fn: PointFn = run_point, progress: Callable[[int, int], None] | None = None,
              stop_after: int | None = None, store=None, no_store: bool = False, plots: bool = True) -> SweepResult:
    """Run (or resume) a sweep into folder ``out``.

    Parameters
    ----------
    spec : SweepSpec
    out : path
        The sweep's folder; an existing folder of the same sweep is resumed.
    workers : int, optional
        Local worker processes (default: CPU count).
    cluster : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler, or ``local:N`` for a loopback
        ``LocalCluster`` of N workers; overrides ``workers``.
    point_fn : callable, optional
        ``fn(base, point) -> record``; the default runs the engine (tests
        substitute one that fails on purpose).
    progress : callable, optional
        Called with (points finished, points in all).
    stop_after : int, optional
        Stop once this many points have been computed in this call (as an
        interruption would; the rest stay pending for a later resume).
    store, no_store
        Run store path, or skip the run store (``REDLINE_NO_STORE=1`` too).
    plots : bool
        Write PNG plots into the folder when the design is complete.
    """
    t0 = time.perf_counter()
    created = now_utc()
    sc, camp, cat, base_ps, names, X_new = prepare(spec, check_outputs_of=point_fn is run_point)
    sha = spec_sha256(spec)
    inputs = {"spec": sha, "params": params_sha256(base_ps)}
    if camp is None:
        inputs["scenario"] = scenario_sha256(sc, cat)
    else:
        inputs["campaign"] = campaign_sha256(sc, camp)
    meta = {
        "sweep": spec.name,
        "spec": spec.model_dump(mode="json"),
        "spec_sha256": sha,
        "scenario_sha256": inputs.get("scenario") or inputs["campaign"],
        "params_sha256": inputs["params"],
        "params_label": base_ps.label,
        "version": __version__,
        "design": {"names": list(names), "X": X_new.tolist()},
    }
    folder = SweepDir(out)
    X = folder.open(meta)
    records = folder.finished()
    base = SweepBase(sweep=spec.name, sweep_sha256=sha, scenario=sc, catalog=cat, params=base_ps, names=names,
                     outputs=tuple(spec.outputs), trials=spec.trials, file=spec.name, campaign=camp, created=created)
    todo = [Point(i, tuple(float(v) for v in X[i]), point_seed(spec.seed, i if spec.seeding == "per_point" else 0))
            for i in range(len(X)) if i not in records]
    failures: dict[int, dict] = {}
    computed: list[int] = []
    backend = make_backend(workers, cluster)
    writer = _RunStoreWriter(store, no_store)

    def on_done(p: Point, rec: dict) -> None:
        folder.save_point(rec)
        records[p.index] = rec
        computed.append(p.index)
        failures.pop(p.index, None)
        writer.put(p.index, rec["summary"])
        if progress:
            progress(len(records), len(X))

    def on_fail(p: Point, message: str, attempts: int) -> None:
        folder.save_failure(p.index, message, attempts)
        failures[p.index] = {"error": message, "attempts": attempts}

    def stop() -> bool:
        return stop_after is not None and len(computed) >= stop_after

    if progress:
        progress(len(records), len(X))
    try:
        if todo:
            backend.map(base, todo, point_fn, on_done, on_fail, spec.retries, stop)
    finally:
        writer.close()
    manifest = make_manifest("sweep", spec.name, seed=spec.seed, samples=len(X), unit="points", inputs=inputs,
                             params=base_ps.label, created=created,
                             details={"trials_per_point": spec.trials, "seeding": spec.seeding,
                                      "method": spec.design.method})
    res = SweepResult(spec=spec, folder=folder.root, X=X, records=records, failures=failures, computed=computed,
                      elapsed_s=time.perf_counter() - t0, backend=backend.describe(), manifest=manifest,
                      stopped=stop() and len(records) < len(X))
    if writer.errors:
        res.notes.append(f"run store: {len(writer.errors)} points not saved there (they are in the sweep folder): "
                         f"{writer.errors[0]}")
    _finish(res, folder, plots)
    if res.complete and writer.save is not None:
        writer.save(res.record(results=False), store=writer._store)
    return res


def _finish(res: SweepResult, folder: SweepDir, plots: bool) -> None:
    spec = res.spec
    if res.records:
        folder.write_text("results.csv", res.table().to_csv(index=False))
    if res.complete:
        for o in spec.outputs:
            res.sensitivity[o] = sensitivity(spec, res.X, res.outputs(o))
    elif spec.design.method in ("lhs", "grid") and len(res.records) >= 3:
        idx = sorted(res.records)
        for o in spec.outputs:
            res.sensitivity[o] = sensitivity(spec, res.X[idx], res.outputs(o)[idx])
        res.notes.append(f"sensitivity from the {len(idx)} finished points of {len(res.X)}")
    else:
        res.notes.append(f"{len(res.records)} of {len(res.X)} points finished: {spec.design.method} indices need "
                         f"all of them; run the same command again to resume")
    folder.write_text("summary.json", json.dumps(res.summary(), indent=1, default=float))
    if plots and res.sensitivity:
        from .plots import plot_sweep

        plot_sweep(res, folder.root)
