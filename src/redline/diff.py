"""Paired comparison of two engagement runs: ``redline diff A B``.

::

    from redline.diff import diff
    d = diff("april-2024", "april-2024-jordan-closed", trials=2000, seed=1)
    d.record().by_class["ballistic"]["leaked"]     # PairedDelta: a, b, mean, p05, p95, se
    d.to_frame(tidy=True)                          # per-trial differences, long
    d.tables()                                     # for --csv / --xlsx

Both scenarios run with the same seed, number of trials and parameter set. The engine's draws are
keyed by (seed, trial, threat, purpose, sensor or fire unit, salvo) (:mod:`redline.engagement.draws`),
so trial ``t`` of A and trial ``t`` of B see the same failures, aim errors and kill draws for
everything the change does not touch: the differences are paired and their spread is the effect
of the change, not Monte Carlo noise between two independent samples.

A side is a :class:`~redline.scenario.Scenario`, a built-in name, a YAML file, or the id of a run in
the run store (``latest`` and unique prefixes work); a stored run is run again from its saved
scenario, so both sides share the seed and trials (its stored arrays are not reused).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import InputError
from .frames import Quantity, manifest_table, quantities
from .manifest import make_manifest
from .records import DiffSummary

__all__ = ["DiffResult", "diff", "paired_delta", "resolve_side", "DIMS"]

#: Record field of each dimension of :func:`redline.frames.quantities`.
DIMS = {"class": "by_class", "threat_type": "by_threat_type", "site": "by_site", "nation": "by_nation",
        "airspace": "by_airspace", "layer": "by_layer", "unit": "by_unit", "interceptor": "by_interceptor",
        "side": "cost_usd"}


def paired_delta(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """``{a, b, mean, p05, p95, se}`` of the per-trial differences ``b - a`` (same trials, same order)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    d = b - a
    n = d.size
    if n == 0:
        nan = float("nan")
        return {"a": nan, "b": nan, "mean": nan, "p05": nan, "p95": nan, "se": nan}
    q = np.quantile(d, [0.05, 0.95])
    se = float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    r = lambda x: round(float(x), 6)  # noqa: E731
    return {"a": r(a.mean()), "b": r(b.mean()), "mean": r(d.mean()), "p05": r(q[0]), "p95": r(q[1]), "se": r(se)}


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    return list(a) + [x for x in b if x not in a]


def _aligned(q: Quantity | None, labels: list[str], n: int) -> np.ndarray:
    out = np.zeros((n, len(labels)))
    if q is not None:
        pos = {x: k for k, x in enumerate(q.labels)}
        for j, lab in enumerate(labels):
            if lab in pos:
                out[:, j] = q.values[:, pos[lab]]
    return out


def paired_quantities(qa: list[Quantity], qb: list[Quantity]) -> list[tuple[Quantity, Quantity]]:
    """The quantities of both runs on common labels (a label missing on one side is zero there), in A's order."""
    ia = {(q.dim, q.metric): q for q in qa}
    ib = {(q.dim, q.metric): q for q in qb}
    n = qa[0].values.shape[0] if qa else 0
    out = []
    for key in list(ia) + [k for k in ib if k not in ia]:
        a, b = ia.get(key), ib.get(key)
        labels = _union(a.labels if a else (), b.labels if b else ())
        ref = a or b
        assert ref is not None
        out.append((Quantity(ref.metric, ref.dim, tuple(labels), _aligned(a, labels, n), ref.unit),
                    Quantity(ref.metric, ref.dim, tuple(labels), _aligned(b, labels, n), ref.unit)))
    return out


@dataclass
class Side:
    """A resolved side: the scenario to run and where it came from."""

    scenario: Any
    source: str
    ref: str | None = None
    seed: int | None = None
    trials: int | None = None


def resolve_side(x: Any, store: Any = None) -> Side:
    """A scenario object, a built-in name, a YAML file or a stored run id, as a :class:`Side`."""
    from .scenario import builtin_scenarios, load_scenario
    from .scenario.schema import Scenario

    if isinstance(x, Scenario):
        return Side(x, "object")
    s = str(x)
    if s in builtin_scenarios():
        return Side(load_scenario(s), "builtin", s)
    p = Path(s)
    if p.suffix in (".yaml", ".yml") or p.is_file():
        return Side(load_scenario(s), "file", str(p))
    from .store import RunStore, StoreError

    try:
        st = store if isinstance(store, RunStore) else RunStore(store)
        run = st.get(s) if st.path.exists() else None
    except StoreError as exc:
        raise InputError("<diff>", "scenario", s, f"neither a built-in scenario, a scenario file nor a stored run ({exc}); "
                         f"use one of {', '.join(builtin_scenarios())}, a .yaml file or a run id from `redline runs`") from None
    if run is None:
        raise InputError("<diff>", "scenario", s, f"neither a built-in scenario nor a scenario file, and the run store "
                         f"is empty; use one of {', '.join(builtin_scenarios())} or a .yaml file")
    if run.kind != "run" or not run.context.get("scenario"):
        raise InputError("<diff>", "scenario", s, f"stored run {run.run_id} is a {run.kind} run without a saved "
                         "scenario; diff compares engagement runs (`redline run`)")
    return Side(Scenario.model_validate(run.context["scenario"]), "run", run.run_id, seed=run.manifest.seed,
                trials=run.manifest.samples.count)


@dataclass
class DiffResult:
    """Two paired engagement runs and their differences.

    Attributes
    ----------
    a, b : Result
        The runs (same seed, trials and parameters).
    sides : tuple of Side
    manifest : Manifest
        Kind ``diff``.
    """

    a: Any
    b: Any
    sides: tuple[Side, Side]
    manifest: Any
    _cache: dict = field(default_factory=dict, repr=False)

    def pairs(self) -> list[tuple[Quantity, Quantity]]:
        if "pairs" not in self._cache:
            self._cache["pairs"] = paired_quantities(quantities(self.a), quantities(self.b))
        return self._cache["pairs"]

    def differences(self) -> list[Quantity]:
        """Per-trial differences B - A of every quantity (on the union of labels)."""
        return [Quantity(qa.metric, qa.dim, qa.labels, qb.values - qa.values, qa.unit) for qa, qb in self.pairs()]

    def record(self) -> DiffSummary:
        """The typed summary (``redline diff --json``)."""
        if "record" in self._cache:
            return self._cache["record"]
        from .hashing import scenario_sha256
        from .scenario.io import scenario_catalog

        groups: dict[str, dict] = {f: {} for f in DIMS.values()}
        for qa, qb in self.pairs():
            g = groups.setdefault(DIMS.get(qa.dim, f"by_{qa.dim}"), {})
            for j, lab in enumerate(qa.labels):
                g.setdefault(lab, {})[qa.metric] = paired_delta(qa.values[:, j], qb.values[:, j])
        la = {(q.dim, lab) for q in quantities(self.a) for lab in q.labels}
        lb = {(q.dim, lab) for q in quantities(self.b) for lab in q.labels}
        only_a: dict[str, list[str]] = {}
        only_b: dict[str, list[str]] = {}
        for dim, lab in sorted(la - lb):
            only_a.setdefault(dim, []).append(lab)
        for dim, lab in sorted(lb - la):
            only_b.setdefault(dim, []).append(lab)

        def side(s: Side, res) -> dict[str, Any]:
            sc = res.compiled.scenario
            return {"name": sc.name, "source": s.source, "ref": s.ref,
                    "scenario_sha256": scenario_sha256(sc, scenario_catalog(sc))}

        rec = DiffSummary.model_validate({
            "a": side(self.sides[0], self.a), "b": side(self.sides[1], self.b),
            **{k: v for k, v in groups.items() if k in DiffSummary.model_fields},
            "only_in_a": only_a, "only_in_b": only_b, "manifest": self.manifest,
        })
        self._cache["record"] = rec
        return rec

    def summary(self) -> dict[str, Any]:
        """The JSON object of :meth:`record`."""
        return self.record().to_json()

    def to_frame(self, tidy: bool = True):
        """Per-trial differences B - A. ``tidy=True``: long, columns ``trial, dim, label, metric, value``;
        ``tidy=False``: one row per trial, one column per ``dim.label.metric``."""
        import pandas as pd

        from .frames import tidy_frame

        diffs = self.differences()
        if tidy:
            return tidy_frame(diffs)
        cols: dict[str, Any] = {"trial": np.arange(self.a.trials)}
        for q in diffs:
            for j, lab in enumerate(q.labels):
                cols[f"{q.dim}.{lab}.{q.metric}"] = q.values[:, j]
        return pd.DataFrame(cols)

    def tables(self) -> dict[str, Any]:
        """One table per dimension (columns ``<dim>, metric, a, b, mean, p05, p95, se``), ``sides``
        and ``manifest``: what ``--csv`` and ``--xlsx`` write."""
        import pandas as pd

        rec = self.record()
        out: dict[str, Any] = {}
        inv = {v: k for k, v in DIMS.items()}
        for fld in DIMS.values():
            grp = getattr(rec, fld)
            dim = inv[fld]
            rows = [{dim: lab, "metric": m, **d.model_dump()} for lab, ms in grp.items() for m, d in ms.items()]
            out[fld if fld != "cost_usd" else "cost"] = pd.DataFrame(
                rows, columns=[dim, "metric", "a", "b", "mean", "p05", "p95", "se"])
        out["sides"] = pd.DataFrame([{"side": k, **getattr(rec, k).model_dump()} for k in ("a", "b")])
        out["manifest"] = manifest_table(rec.manifest)
        return out

    def to_csv(self, directory, force: bool = False) -> list:
        from .frames import write_csv

        return write_csv(self.tables(), directory, force=force)

    def to_xlsx(self, path):
        from .frames import write_xlsx

        return write_xlsx(self.tables(), path)

    def __repr__(self) -> str:
        from .frames import short_repr

        return short_repr(self, "record(), summary(), to_frame(tidy=True), tables(), to_csv(dir), to_xlsx(file); .a, .b: the runs")

    def _repr_html_(self) -> str:
        from .frames import html_repr

        return html_repr(self, show=("by_class", "by_site", "by_interceptor", "cost"))


def diff(a: Any, b: Any, trials: int | None = None, seed: int | None = None, params: Any = None,
         engine: str = "fast", workers: int | None = None, store: Any = None,
         progress: Callable[[int], None] | None = None) -> DiffResult:
    """Run scenarios ``a`` and ``b`` on common random numbers and pair their trials.

    Parameters
    ----------
    a, b : Scenario, str or Path
        Scenario objects, built-in names, YAML files or stored run ids.
    trials, seed : int, optional
        Default: those of ``a`` (a stored run's own, else the scenario's).
    params : ParamSet or {"default", "prior"}, optional
        The same parameter set for both runs.
    store : RunStore or path, optional
        Where stored run ids are looked up.
    progress : callable, optional
        Called with the number of finished trials over both runs (up to ``2 * trials``).
    """
    from .api import default_params, run
    from .engagement.params import ParamSet, catalog_params
    from .scenario.io import scenario_catalog

    t0 = time.perf_counter()
    sa, sb = resolve_side(a, store), resolve_side(b, store)
    n = int(trials if trials is not None else (sa.trials or sa.scenario.trials))
    s = int(seed if seed is not None else (sa.seed if sa.seed is not None else sa.scenario.seed))
    if isinstance(params, ParamSet):
        ps = params
    elif params in (None, "default"):
        ps = default_params(scenario_catalog(sa.scenario))
    elif params == "prior":
        ps = catalog_params(scenario_catalog(sa.scenario))
    else:
        raise InputError("<diff>", "params", params, "use 'default', 'prior' or a ParamSet")
    cb_a = (lambda k: progress(k)) if progress else None
    cb_b = (lambda k: progress(n + k)) if progress else None
    ra = run(sa.scenario, trials=n, seed=s, engine=engine, params=ps, workers=workers, progress=cb_a)
    rb = run(sb.scenario, trials=n, seed=s, engine=engine, params=ps, workers=workers, progress=cb_b)
    manifest = make_manifest(
        "diff", f"{ra.manifest.subject} vs {rb.manifest.subject}", seed=s, samples=n, unit="trials",
        inputs={"a": ra.manifest.inputs["scenario"], "b": rb.manifest.inputs["scenario"]}, params=ps.label,
        elapsed_s=time.perf_counter() - t0,
        details={"engine": engine, "param_draws": ps.size, "difference": "b - a",
                 "pairing": "counter-based draws keyed by seed, trial, threat, unit and salvo",
                 "a": {"source": sa.source, "ref": sa.ref}, "b": {"source": sb.source, "ref": sb.ref}})
    return DiffResult(ra, rb, (sa, sb), manifest)
