"""``validate``: score the model's predictive distribution against observed events.

For each observation the event's scenario is run with parameter draws
(trial ``j`` uses draw ``j mod P``, so intervals carry parameter
uncertainty as well as Monte Carlo noise) and the per-trial values of its
metric give:

- ``mean``, ``p05``, ``p95``: the predictive mean and 5-95 % interval;
- ``inside``: whether the observed value, or any point of its range, lies in ``[p05, p95]``;
- ``crps``: the continuous ranked probability score of the predictive
  sample against the observed value, in the metric's units (lower is
  better), by the energy form for an ensemble ``x_1..x_n``::

      CRPS = (1/n) sum_i |x_i - y| - 1/(2 n^2) sum_i sum_j |x_i - x_j|,

  computed from the sorted sample as
  ``(1/n) sum |x_i - y| - (1/n^2) sum_i (2i - n - 1) x_(i)``.

Totals: ``coverage`` is the share of observations ``inside``; ``mean_crps``
averages the CRPS of count observations (threats, rounds, hits). Money
metrics (``cost_usd.*``) are scored and reported in US dollars but kept out
of the mean, which would otherwise be a mean of dollars and counts.

References
----------
Gneiting, T., Raftery, A. E. (2007). Strictly proper scoring rules,
prediction, and estimation. *J. Am. Stat. Assoc.* 102(477), 359-378, §4.2, eq. (21).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..catalog import Catalog
from ..engagement.compile import compile_scenario
from ..engagement.params import ParamSet, catalog_params
from ..engagement.runner import run_compiled
from ..errors import InputError
from ..hashing import scenario_sha256
from ..manifest import make_manifest
from ..records import ValidateSummary
from .events import LoadedEvent, event_scenario, load_event
from .metrics import is_count_metric, metric_sampler

__all__ = ["crps_sample", "validate", "resolve_params", "DEFAULT_TRIALS", "PRIOR_DRAWS"]

DEFAULT_TRIALS = 20000
PRIOR_DRAWS = 1000


def crps_sample(x: np.ndarray, y: float) -> float:
    """CRPS of the ensemble ``x`` (n,) against the observation ``y`` (energy form, see module notes)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(np.mean(np.abs(x - y)) - np.sum((2 * i - n - 1) * x) / n ** 2)


def resolve_params(spec: str | ParamSet, cat: Catalog, file: str = "--params") -> ParamSet:
    """Parameter draws for ``spec``.

    ``"posterior"`` (the shipped fit), ``"prior"`` (the catalog's best values,
    as ``redline run --params prior``), ``"prior-draws"`` (draws from the PERT
    priors: the uncalibrated predictive distribution), a posterior file
    written by ``redline calibrate``, or a ParamSet.
    """
    if isinstance(spec, ParamSet):
        return spec
    if spec == "posterior" or spec in ("posterior-hierarchical", "posterior-april-2024"):
        from .posterior import shipped_posterior

        ps = shipped_posterior(cat, spec)
        if ps is None:
            raise InputError(file, "params", spec, "no shipped posterior is installed; run `redline calibrate` "
                                                   "and pass its file, or use --params prior")
        return ps
    if spec == "prior":
        return catalog_params(cat)
    if spec == "prior-draws":
        from .priors import PriorModel, catalog_specs

        specs = tuple(catalog_specs(cat))
        names = [s.name for s in specs if not s.fixed]
        prior = PriorModel(specs, tuple(names), {n: k for k, n in enumerate(names)})
        rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(4,)))
        return prior.paramset(rng.random((PRIOR_DRAWS, len(names))), label="prior-draws")
    p = Path(spec)
    if p.suffix == ".json" or p.exists():
        from .posterior import read_posterior

        return read_posterior(p).paramset(cat)
    raise InputError(file, "params", spec, "use posterior, prior, prior-draws or the path of a posterior file")


def validate(events: Sequence[LoadedEvent | str | Path], params: str | ParamSet = "posterior",
             trials: int = DEFAULT_TRIALS, seed: int | None = None,
             progress: Callable[[int], None] | None = None) -> ValidateSummary:
    """Score the model on observed events.

    Parameters
    ----------
    events : sequence of LoadedEvent, built-in event names or event file paths
    params : str or ParamSet
        See :func:`resolve_params`.
    trials : int
        Trials per event.
    seed : int, optional
        Seed of every event's run (default: each event scenario's own seed).
    progress : callable, optional
        Called with the number of trials finished, summed over events.

    Returns
    -------
    ValidateSummary
        ``events: [{name, observations: [{metric, observed, mean, p05, p95, inside, crps}]}]``,
        ``coverage``, ``mean_crps`` and a manifest; ``observed`` is the best value. The manifest's
        ``samples`` are the trials per event; its ``inputs`` are the SHA-256 of each event file and
        of its scenario (roles ``events`` and ``scenario``, or ``events:<stem>`` and
        ``scenario:<stem>`` when there are several events); ``seed`` is the seed every event ran
        with (None when they ran with different scenario seeds, listed in ``details.seeds``).
    """
    t0 = time.perf_counter()
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    evs = [e if isinstance(e, LoadedEvent) else load_event(e) for e in events]
    out_events = []
    inside_all, crps_counts, crps_all = [], [], []
    done = 0
    inputs: dict[str, str] = {}
    seeds: list[int] = []
    labels: list[str] = []
    draws: list[int] = []
    for le in evs:
        sc, cat = event_scenario(le)
        ps = resolve_params(params, cat)
        tag = "" if len(evs) == 1 else f":{le.stem}"
        inputs[f"events{tag}"] = le.sha256
        inputs[f"scenario{tag}"] = scenario_sha256(sc, cat)
        seeds.append(int(seed if seed is not None else sc.seed))
        labels.append(ps.label)
        draws.append(ps.size)
        comp = compile_scenario(sc, cat, ps)
        samplers = [metric_sampler(comp, o.metric, le.file, f"observations[{i}].metric")
                    for i, o in enumerate(le.event.observations)]

        def cb(n, base=done):
            if progress:
                progress(base + n)

        raw = run_compiled(comp, ps, trials, seeds[-1], progress=cb)
        done += trials
        rows = []
        for o, f in zip(le.event.observations, samplers):
            x = f(raw)
            q = np.quantile(x, [0.05, 0.95])
            inside = bool(o.high >= q[0] and o.low <= q[1])
            crps = crps_sample(x, o.value)
            rows.append({"metric": o.metric, "observed": o.value, "mean": round(float(x.mean()), 6),
                         "p05": round(float(q[0]), 6), "p95": round(float(q[1]), 6), "inside": inside,
                         "crps": round(crps, 6)})
            inside_all.append(inside)
            crps_all.append(crps)
            if is_count_metric(o.metric):
                crps_counts.append(crps)
        out_events.append({"name": le.event.name, "observations": rows})
    pool = crps_counts if crps_counts else crps_all
    manifest = make_manifest("validate", ", ".join(le.event.name for le in evs),
                             seed=seeds[0] if len(set(seeds)) == 1 else None, samples=trials, unit="trials",
                             inputs=inputs, params=labels[0] if len(set(labels)) == 1 else "+".join(labels),
                             elapsed_s=time.perf_counter() - t0,
                             details={"events": [le.stem for le in evs], "seeds": seeds, "param_draws": draws})
    return ValidateSummary.model_validate({
        "events": out_events,
        "coverage": round(float(np.mean(inside_all)), 6),
        "mean_crps": round(float(np.mean(pool)), 6),
        "manifest": manifest,
    })
