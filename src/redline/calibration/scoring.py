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
Observations marked ``input: true`` (launch counts, inputs of the scenario)
are shown, marked, but left out of both totals.

Campaign events (their scenario has a campaign block) are scored by running
the whole campaign (:func:`redline.campaign.run_campaign`), per night and in
total; a campaign is never scored on one wave. :func:`predictive_samples`
gives the per-trial samples that ``validate`` scores, for other scorers.

References
----------
Gneiting, T., Raftery, A. E. (2007). Strictly proper scoring rules,
prediction, and estimation. *J. Am. Stat. Assoc.* 102(477), 359-378, §4.2, eq. (21).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
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
from .events import LoadedEvent, event_campaign, event_scenario, load_event
from .metrics import CampaignShape, campaign_sampler, is_count_metric, metric_sampler

__all__ = ["crps_sample", "validate", "resolve_params", "predictive_samples", "check_event", "default_trials",
           "DEFAULT_TRIALS", "DEFAULT_CAMPAIGN_TRIALS", "PRIOR_DRAWS"]

DEFAULT_TRIALS = 20000
#: Default trials of a campaign event: each trial flies every wave of the campaign.
DEFAULT_CAMPAIGN_TRIALS = 2000
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


def default_trials(le: LoadedEvent) -> int:
    """Trials ``validate`` runs for an event by default: 20,000, or 2,000 for a campaign event."""
    return DEFAULT_CAMPAIGN_TRIALS if le.is_campaign else DEFAULT_TRIALS


@dataclass
class _Prediction:
    samples: dict[int, np.ndarray]
    inputs: dict[str, str]
    label: str
    draws: int


def _check_single(le: LoadedEvent) -> None:
    for i, o in enumerate(le.event.observations):
        if o.day is not None:
            raise InputError(le.file, f"observations[{i}].day", o.day,
                             f"night and day are for campaign events, and scenario {le.event.scenario!r} is not a "
                             "campaign; drop them")


def _campaign_samplers(le: LoadedEvent):
    from ..campaign.stocks import stock_groups

    sc, camp, cat = event_campaign(le)
    shape = CampaignShape(camp.days, tuple(sorted({t for _, t in stock_groups(sc, camp).keys})))
    samplers = [campaign_sampler(shape, o.metric, o.day, le.file, f"observations[{i}].metric")
                for i, o in enumerate(le.event.observations)]
    return sc, camp, cat, shape, samplers


def check_event(event: LoadedEvent | str | Path) -> None:
    """Check, without running anything, that ``validate`` can score every observation of an event:
    its metric paths (run paths for a single raid, campaign paths for a campaign) and days.

    Raises
    ------
    InputError
        The first observation that cannot be scored, naming the file, the field and the fix.
    """
    le = event if isinstance(event, LoadedEvent) else load_event(event)
    if le.is_campaign:
        _campaign_samplers(le)
        return
    _check_single(le)
    sc, cat = event_scenario(le)
    comp = compile_scenario(sc, cat)
    for i, o in enumerate(le.event.observations):
        metric_sampler(comp, o.metric, le.file, f"observations[{i}].metric")


def _predict(le: LoadedEvent, params: str | ParamSet, trials: int, seed: int | None,
             progress: Callable[[int], None] | None = None) -> _Prediction:
    obs = le.event.observations
    if le.is_campaign:
        from ..campaign.runner import MAX_DAILY_VALUES, run_campaign
        from ..hashing import campaign_sha256

        sc, camp, cat, shape, samplers = _campaign_samplers(le)
        ps = resolve_params(params, cat)
        daily = any(o.day is not None for o in obs)
        from ..catalog import THREAT_CLASSES
        from ..results import COUNTS

        per_trial = camp.days * (len(THREAT_CLASSES) * len(COUNTS) + len(shape.types))   # as run_campaign counts
        if daily and trials * per_trial > MAX_DAILY_VALUES:
            raise InputError(le.file, "--trials", trials, f"per-night observations keep every trial's daily counts; "
                                                          f"use at most {MAX_DAILY_VALUES // per_trial:,} trials")

        def cb(done, total):
            if progress:
                progress(int(trials * done / max(total, 1)))

        res = run_campaign(sc, camp, trials=trials, seed=seed, params=ps, progress=cb, keep_daily=daily)
        return _Prediction({i: f(res) for i, f in enumerate(samplers)},
                           {"scenario": scenario_sha256(sc, cat), "campaign": campaign_sha256(sc, camp)},
                           ps.label, ps.size)
    _check_single(le)
    sc, cat = event_scenario(le)
    ps = resolve_params(params, cat)
    comp = compile_scenario(sc, cat, ps)
    samplers = [metric_sampler(comp, o.metric, le.file, f"observations[{i}].metric") for i, o in enumerate(obs)]
    raw = run_compiled(comp, ps, trials, int(seed if seed is not None else sc.seed), progress=progress)
    return _Prediction({i: f(raw) for i, f in enumerate(samplers)}, {"scenario": scenario_sha256(sc, cat)},
                       ps.label, ps.size)


def predictive_samples(event: LoadedEvent | str | Path, params: str | ParamSet, trials: int,
                       seed: int) -> dict[int, np.ndarray]:
    """The model's per-trial sample of every observation's metric.

    Parameters
    ----------
    event : LoadedEvent, built-in event name or event file path
    params : str or ParamSet
        See :func:`resolve_params`; trial ``j`` uses draw ``j mod P``.
    trials, seed : int
        Monte Carlo trials and the seed of the run.

    Returns
    -------
    dict of int to ndarray
        Observation index (in file order, inputs included) -> (trials,) float array. A campaign
        event runs the whole campaign (:func:`redline.campaign.run_campaign`); per-night
        observations are that night's (or, for ``cumulative.`` paths, nights 1..day) counts.

    Raises
    ------
    InputError
        When a metric path, a night or a day names nothing the event's scenario produces.
    """
    le = event if isinstance(event, LoadedEvent) else load_event(event)
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    return _predict(le, params, int(trials), int(seed)).samples


def validate(events: Sequence[LoadedEvent | str | Path], params: str | ParamSet = "posterior",
             trials: int | None = None, seed: int | None = None,
             progress: Callable[[int], None] | None = None) -> ValidateSummary:
    """Score the model on observed events.

    Parameters
    ----------
    events : sequence of LoadedEvent, built-in event names or event file paths
    params : str or ParamSet
        See :func:`resolve_params`.
    trials : int, optional
        Trials per event (default :func:`default_trials`: 20,000, or 2,000 for a campaign event).
    seed : int, optional
        Seed of every event's run (default: each event scenario's own).
    progress : callable, optional
        Called with the number of trials finished, summed over events.

    Returns
    -------
    ValidateSummary
        ``events: [{name, observations: [{metric, observed, mean, p05, p95, inside, crps}]}]``,
        ``coverage``, ``mean_crps`` and a manifest; ``observed`` is the best value. An observation
        row also has ``input: true`` for a scenario input (not in coverage or CRPS), and ``day`` and
        ``night`` for one night of a campaign. The manifest's ``samples`` are the trials per event
        (the largest, when they differ; all in ``details.trials``); its ``inputs`` are the
        SHA-256 of each event file, of its scenario and of a campaign's block (roles ``events``,
        ``scenario``, ``campaign``, or ``events:<stem>`` etc. when there are several events);
        ``seed`` is the seed every event ran with (None when they ran with different scenario
        seeds, listed in ``details.seeds``).

    Raises
    ------
    InputError
        When an event cannot be scored (an unknown metric path, a night's observation on a
        plain scenario, a campaign total on a single raid) or no observation is scored.
    """
    t0 = time.perf_counter()
    if trials is not None and trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    evs = [e if isinstance(e, LoadedEvent) else load_event(e) for e in events]
    out_events = []
    inside_all, crps_counts, crps_all = [], [], []
    done = 0
    inputs: dict[str, str] = {}
    seeds: list[int] = []
    labels: list[str] = []
    draws: list[int] = []
    ntrials: list[int] = []
    for le in evs:
        n = int(trials if trials is not None else default_trials(le))
        sc, _ = event_scenario(le)
        s = int(seed if seed is not None else sc.seed)
        tag = "" if len(evs) == 1 else f":{le.stem}"

        def cb(k, base=done):
            if progress:
                progress(base + k)

        pred = _predict(le, params, n, s, cb)
        done += n
        inputs[f"events{tag}"] = le.sha256
        inputs.update({f"{role}{tag}": h for role, h in pred.inputs.items()})
        seeds.append(s)
        ntrials.append(n)
        labels.append(pred.label)
        draws.append(pred.draws)
        rows = []
        for i, o in enumerate(le.event.observations):
            x = pred.samples[i]
            q = np.quantile(x, [0.05, 0.95])
            inside = bool(o.high >= q[0] and o.low <= q[1])
            crps = crps_sample(x, o.value)
            row = {"metric": o.metric, "observed": o.value, "mean": round(float(x.mean()), 6),
                   "p05": round(float(q[0]), 6), "p95": round(float(q[1]), 6), "inside": inside,
                   "crps": round(crps, 6)}
            if o.input:
                row["input"] = True
            if o.day is not None and o.night is not None:   # both or neither (the loader checks)
                row["day"], row["night"] = o.day, o.night.isoformat()
            rows.append(row)
            if o.input:
                continue
            inside_all.append(inside)
            crps_all.append(crps)
            if is_count_metric(o.metric):
                crps_counts.append(crps)
        out_events.append({"name": le.event.name, "observations": rows})
    if not inside_all:
        le = evs[0]
        raise InputError(le.file if len(evs) == 1 else ", ".join(e.file for e in evs), "observations", None,
                         "every observation is a scenario input (input: true); add an observed outcome to score")
    pool = crps_counts if crps_counts else crps_all
    manifest = make_manifest("validate", ", ".join(le.event.name for le in evs),
                             seed=seeds[0] if len(set(seeds)) == 1 else None, samples=max(ntrials), unit="trials",
                             inputs=inputs, params=labels[0] if len(set(labels)) == 1 else "+".join(labels),
                             elapsed_s=time.perf_counter() - t0,
                             details={"events": [le.stem for le in evs], "seeds": seeds, "param_draws": draws,
                                      "trials": ntrials})
    return ValidateSummary.model_validate({
        "events": out_events,
        "coverage": round(float(np.mean(inside_all)), 6),
        "mean_crps": round(float(np.mean(pool)), 6),
        "manifest": manifest,
    })
