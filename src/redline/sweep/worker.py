"""What a worker does with one design point.

The coordinator sends a :class:`SweepBase` once per worker (the base
scenario, catalog and parameter set) and then :class:`Point` objects. A
worker compiles each distinct scenario once and keeps a few compiled
scenarios in memory. Results depend only on the base and the point (its
values and seed), never on the worker, so a sweep gives the same bits on
any number of local processes or Dask workers, in any completion order.
"""
from __future__ import annotations

import os
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..campaign.runner import run_campaign
from ..campaign.schema import Campaign
from ..catalog import Catalog
from ..engagement.compile import compile_scenario
from ..engagement.params import ParamSet
from ..engagement.runner import run_compiled
from ..errors import InputError
from ..hashing import scenario_sha256
from ..manifest import Manifest, make_manifest
from ..results import Result
from ..scenario.schema import Scenario
from .apply import apply_campaign, apply_point

__all__ = ["SweepBase", "Point", "run_point", "point_seed", "extract", "PointFn"]

_CACHE_SIZE = 8
_compiled: "OrderedDict[tuple, Any]" = OrderedDict()


@dataclass(frozen=True)
class SweepBase:
    """Everything that is the same for every point of a sweep."""

    sweep: str
    sweep_sha256: str
    scenario: Scenario
    catalog: Catalog
    params: ParamSet
    names: tuple[str, ...]
    outputs: tuple[str, ...]
    trials: int
    file: str = "<sweep>"
    campaign: Campaign | None = None
    created: str | None = None
    """When the sweep started: every point's manifest carries it, so a point's record does not
    depend on when or where it ran (None: the time the point runs)."""


@dataclass(frozen=True)
class Point:
    """One design point: its index in the design, its values and its seed."""

    index: int
    values: tuple[float, ...]
    seed: int


PointFn = Callable[[SweepBase, Point], dict]


def point_seed(seed: int, index: int) -> int:
    """The engine seed of design point ``index``: from ``SeedSequence(seed, spawn_key=(index,))``."""
    a, b = np.random.SeedSequence(int(seed), spawn_key=(int(index),)).generate_state(2, np.uint32)
    return int(a) << 32 | int(b)


def extract(summary: dict, path: str) -> float:
    """The number at ``path`` in a run summary; a statistics mapping gives its mean.

    ``by_class.ballistic.leaked`` -> the mean; ``by_class.ballistic.leaked.p95`` -> the 95th percentile;
    a number indexes a list (``daily.-1.impacted_cumulative``: the last day's). A missing value
    (``None``, e.g. a day a stock never reached) is NaN.
    """
    node: Any = summary
    for part in path.split("."):
        if isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
            continue
        if not isinstance(node, dict) or part not in node:
            have = ", ".join(sorted(node)) if isinstance(node, dict) else type(node).__name__
            raise KeyError(f"output {path!r}: no {part!r} in the summary here (have: {have})")
        node = node[part]
    if isinstance(node, dict):
        if "mean" not in node:
            raise KeyError(f"output {path!r} is a table, not a number; add a key, e.g. {path}.{next(iter(node))}")
        node = node["mean"]
    return float("nan") if node is None else float(node)


def _pk_zero(ps: ParamSet) -> tuple:
    return tuple(sorted(k for k, v in ps.pk.items() if not np.any(np.asarray(v) > 0)))


def _get_compiled(sc: Scenario, cat: Catalog, ps: ParamSet):
    key = (scenario_sha256(sc, cat), _pk_zero(ps))
    if key in _compiled:
        _compiled.move_to_end(key)
        return key[0], _compiled[key]
    comp = compile_scenario(sc, cat, ps)
    _compiled[key] = comp
    while len(_compiled) > _CACHE_SIZE:
        _compiled.popitem(last=False)
    return key[0], comp


def _point_manifest(base: SweepBase, point: Point, of: str, subject: str, inputs: dict[str, str], ps: ParamSet,
                    details: dict[str, Any]) -> Manifest:
    """The manifest of a sweep point: kind ``sweep-point``; ``details.of`` says whether it ran once or a campaign."""
    return make_manifest("sweep-point", subject, seed=point.seed, samples=base.trials, unit="trials",
                         inputs={**inputs, "spec": base.sweep_sha256}, params=ps.label, created=base.created,
                         details={"of": of, "sweep": base.sweep, "point": point.index,
                                  "values": dict(zip(base.names, point.values)), **details})


def run_point(base: SweepBase, point: Point) -> dict:
    """Run one design point; return its record (values, outputs, summary, manifest, timing)."""
    t0 = time.perf_counter()
    sc, ps = apply_point(base.scenario, base.catalog, base.params, base.names, point.values, base.file)
    if base.campaign is not None:
        camp = apply_campaign(base.campaign, base.names, point.values, base.file, raid=sc.raid)
        assert camp is not None
        res = run_campaign(sc, camp, trials=base.trials, seed=point.seed, params=ps)
        m = res.manifest
        manifest = _point_manifest(base, point, "campaign", sc.name, m.inputs, ps,
                                   {k: v for k, v in m.details.items()})
        summary = res.record().model_copy(update={"manifest": manifest}).to_json()
        return _record(base, point, summary, t0)
    sha, comp = _get_compiled(sc, base.catalog, ps)
    raw = run_compiled(comp, ps, base.trials, point.seed, workers=1)
    manifest = _point_manifest(base, point, "run", sc.name, {"scenario": sha}, ps,
                               {"engine": "fast", "param_draws": ps.size})
    return _record(base, point, Result(comp, raw, manifest).summary(), t0)


def _outputs(base: SweepBase, summary: dict) -> dict[str, float]:
    """The spec's outputs read from a point's summary; a path the summary lacks is the spec's error."""
    out = {}
    for k, o in enumerate(base.outputs):
        try:
            out[o] = extract(summary, o)
        except KeyError as exc:
            raise InputError(base.file, f"outputs[{k}]", o, f"{exc.args[0]}; name a number in the summary") from None
    return out


def _record(base: SweepBase, point: Point, summary: dict, t0: float) -> dict:
    """A finished point's record: values, outputs, summary (with its manifest, also under ``manifest``) and timing."""
    return {
        "index": point.index,
        "values": dict(zip(base.names, point.values)),
        "seed": point.seed,
        "outputs": _outputs(base, summary),
        "summary": summary,
        "manifest": summary["manifest"],
        "timing": {"elapsed_s": round(time.perf_counter() - t0, 4), "pid": os.getpid(), "host": socket.gethostname()},
    }
