"""Rolling-origin evaluation: fit on what was observed before a date, score what came after.

For each *origin* date the built-in event observations are split by their date
(:func:`observation_date`: a campaign night's own date, else the event's date; a
campaign total counts from the campaign's last night):

- observations dated **strictly before** the origin are the fit's data: the
  model is refitted on them (:func:`fit_origin`), and the constant-rate
  forecaster pools its rates over them;
- observations dated **on or after** the origin are scored, unless they are
  scenario inputs (``input: true``) or money (``cost_usd.*``, not a count).

Three forecasters are scored by the same harness on the same observations:

``model``
    The engine run with the origin's fitted posterior (cached in
    ``redline/data/calibration/origins/``, see :func:`load_or_fit`).
``constant_rate``
    The naive reference of :mod:`~redline.calibration.reference_forecasts`:
    one rate per metric pooled over the fitted observations, beta-binomial
    (or gamma-Poisson for rounds) in the new event's launch count.
``prior``
    The engine run with draws from the catalog priors (``--params prior-draws``).

Scores per observation: the CRPS (the engine forecasters by the ensemble's
energy form, :func:`~redline.calibration.scoring.crps_sample`; the constant-rate
one exactly from its pmf), the log score of the discretised predictive
(:func:`~redline.calibration.reference_forecasts.log_score_pmf`, floor 1e-4) and
whether the observed value or range meets the 5-95 % interval.
See ``docs/calibration.md`` §8.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .._version import __version__
from ..catalog import THREAT_CLASSES
from ..errors import InputError
from ..hashing import canonical_sha256, scenario_sha256
from .events import LoadedEvent, builtin_events, event_scenario, load_event
from .metrics import is_count_metric
from .posterior import Posterior, read_posterior
from .reference_forecasts import (crps_pmf, denominator_path, fit_rate, interval_pmf, log_score_pmf, metric_kind,
                                  rate_key, sample_pmf)
from .scoring import crps_sample

__all__ = ["DEFAULT_ORIGINS", "DEFAULT_TRIALS", "DEFAULT_SEED", "FIT_SEED", "DatedObservation", "observation_date",
           "dated_observations", "split_events", "subset_event", "origin_inputs", "fit_origin", "load_or_fit",
           "StaleFitError", "scoreboard", "shipped_origins_dir", "cache_path", "FITTER"]

DEFAULT_ORIGINS = ("2024-10-01", "2025-06-13", "2025-06-23")
DEFAULT_TRIALS = 1000
"""Predictive trials per event and forecaster."""
DEFAULT_SEED = 1
"""Seed of every predictive run (the model and the prior share it: common random numbers)."""
FIT_SEED = 20240413
DENOMINATOR_TRIALS = 8
FORMAT_KEY = "scoreboard"


def shipped_origins_dir() -> Path:
    """The shipped per-origin fits: ``redline/data/calibration/origins/``."""
    return Path(str(resources.files("redline") / "data" / "calibration" / "origins"))


def cache_path(origin: str, directory: Path | str | None = None) -> Path:
    return Path(directory or shipped_origins_dir()) / f"origin-{origin}.json"


# ----------------------------------------------------------------------------------------------- dating

@dataclass(frozen=True)
class DatedObservation:
    """One observation of one event, with the date the split uses."""

    event: int          # index into the event list
    index: int          # index into the event's observations
    stem: str
    metric: str
    value: float
    low: float
    high: float
    date: _dt.date
    input: bool
    fit: bool
    night: str | None


CAMPAIGN_END = {"houthi-fire-2024.yaml": _dt.date(2025, 1, 19)}
"""Last date of campaigns whose campaign "days" are not nights, by event file (the loader has no end
field): the Houthi campaign's days are months, July 2024 to the 19 January 2025 Gaza ceasefire
(the scenario's header and the event file's description)."""


def campaign_end(le: LoadedEvent) -> _dt.date | None:
    """The last date of a campaign event: the table above, else its date + ``days`` - 1 (a day per night)."""
    end = getattr(le.event, "end", None) or CAMPAIGN_END.get(Path(le.file).name)
    if end is not None:
        return _as_date(end)
    days = _campaign_days(le)
    return event_date(le) + _dt.timedelta(days=days - 1) if days else None


def _campaign_days(le: LoadedEvent) -> int | None:
    try:
        sc, _ = event_scenario(le)
    except InputError:
        return None
    camp = getattr(sc, "campaign", None)
    return int(camp.days) if camp is not None and getattr(camp, "days", None) else None


def _as_date(v) -> _dt.date | None:
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    return _dt.date.fromisoformat(str(v))


def event_date(le: LoadedEvent) -> _dt.date:
    d = _as_date(getattr(le, "date", None)) or _as_date(getattr(le.event, "date", None))
    if d is None:
        raise InputError(le.file, "date", None, "the scoreboard needs the event's date (the night of the event, "
                                                "YYYY-MM-DD); add a top-level `date:`")
    return d


def observation_date(le: LoadedEvent, i: int, end: _dt.date | None = None) -> _dt.date:
    """The date observation ``i`` of ``le`` is split on.

    A per-night observation: its ``night``. A campaign total (a campaign event's observation
    without a night): the campaign's **last** date (:func:`campaign_end`), so that no total
    that includes nights on or after an origin is fitted at that origin. Anything else: the
    event's date.
    """
    o = le.event.observations[i]
    night = _as_date(getattr(o, "night", None))
    if night is not None:
        return night
    if getattr(le, "is_campaign", False):
        end = end or campaign_end(le)
        if end is not None:
            return end
    return event_date(le)


def dated_observations(events: Sequence[LoadedEvent]) -> list[DatedObservation]:
    out = []
    for e, le in enumerate(events):
        end = campaign_end(le) if getattr(le, "is_campaign", False) else None
        for i, o in enumerate(le.event.observations):
            night = getattr(o, "night", None)
            out.append(DatedObservation(e, i, le.stem, o.metric, float(o.value), float(o.low), float(o.high),
                                        observation_date(le, i, end), bool(getattr(o, "input", False)),
                                        bool(o.fit), None if night is None else str(night)))
    return out


def subset_event(le: LoadedEvent, indices: Sequence[int]) -> LoadedEvent:
    """``le`` with only the observations at ``indices`` (in that order); file and dates kept.

    A proper subset gets its own ``sha256`` (of the file's hash and the indices), so that nothing
    keyed by the event's hash (a fitter's cached design) mistakes it for the whole file.
    """
    idx = [int(i) for i in indices]
    obs = tuple(le.event.observations[i] for i in idx)
    sha = le.sha256 if idx == list(range(len(le.event.observations))) else \
        hashlib.sha256(f"{le.sha256}:observations:{idx}".encode()).hexdigest()
    return dataclasses.replace(le, event=le.event.model_copy(update={"observations": obs}), sha256=sha)


def scorable(d: DatedObservation) -> bool:
    """Scored when on/after an origin: not a scenario input, a count, and a metric every forecaster defines."""
    return not d.input and is_count_metric(d.metric) and metric_kind(d.metric) is not None


def split_events(events: Sequence[LoadedEvent], origin: _dt.date
                 ) -> tuple[list[LoadedEvent], list[DatedObservation], list[DatedObservation]]:
    """``(fit_events, fitted, scored)`` at ``origin``.

    ``fit_events``: each event that has observations dated before ``origin``, with only those
    (inputs included: they describe the raid and add a constant to the likelihood); ``fitted``:
    those observations; ``scored``: the scorable observations dated on or after ``origin``.
    """
    dated = dated_observations(events)
    fit_events, fitted, scored = [], [], []
    for e, le in enumerate(events):
        mine = [d for d in dated if d.event == e]
        before = [d for d in mine if d.date < origin]
        if before:
            fit_events.append(subset_event(le, [d.index for d in before]))
            fitted += before
        scored += [d for d in mine if d.date >= origin and scorable(d)]
    return fit_events, fitted, scored


# ----------------------------------------------------------------------------------------------- fits

def _fitter():
    """``(name, fit(events, seed, reduced, progress) -> Posterior, settings(reduced) -> dict)``: the one place
    the fitting method is chosen. The hierarchical fit (:func:`.hierarchical.fit_hierarchical`) with its
    default settings and the shipped fit's seed, so that the per-event designs it caches
    (``~/.cache/redline/calibration``) are shared with the shipped fit and between origins; the reduced
    settings (tests) use no cache."""
    from .hierarchical import HierSettings, fit_hierarchical

    def settings(reduced: bool):
        return HierSettings.reduced() if reduced else HierSettings()

    def run(events, seed, reduced, progress=None, workers=1):
        s = dataclasses.replace(settings(reduced), workers=max(1, int(workers)))   # results do not depend on workers
        return fit_hierarchical(list(events), seed, s, progress=progress, cache=not reduced)

    return "fit_hierarchical", run, lambda reduced: settings(reduced).record()


def _fitter_single():   # pragma: no cover - the single-level stand-in used before fit_hierarchical existed
    from .fit import FitSettings
    from .pipeline import calibrate

    def settings(reduced: bool):
        return (FitSettings(particles=200, rounds=3, trials=8) if reduced
                else FitSettings(particles=1000, rounds=6, trials=16))

    def run_c(events, seed, reduced, progress=None):
        # as fit_hierarchical: campaign events and events with nothing to fit are left out
        evs = [le for le in events if not le.is_campaign and any(o.fitted for o in le.event.observations)]
        if not evs:
            raise InputError("scoreboard", "origins", None, "no single-night event with a fitted observation "
                                                            "before this origin; choose a later origin")
        return calibrate(evs, draws=100 if reduced else 250, seed=seed, settings=settings(reduced),
                         progress=progress)

    return "calibrate", run_c, lambda reduced: dataclasses.asdict(settings(reduced))


FITTER = _fitter()[0]


def _code_sha256() -> str:
    """SHA-256 of the fitting code (the fitter's modules, priors, this module's fit choice)."""
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for name in ("fit.py", "pipeline.py", "priors.py", "hierarchical.py", "posterior.py"):
        p = here / name
        if p.is_file():
            h.update(name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def origin_inputs(fit_events: Sequence[LoadedEvent], fitted: Sequence[DatedObservation], origin: str,
                  seed: int, reduced: bool) -> dict:
    """What an origin's fit depends on, with SHA-256s: the fitted observation subsets, the scenarios
    (with their catalog entries), the catalogs, the fitter and its settings, and the code."""
    name, _, settings = _fitter()
    evs = []
    cats = {}
    for le in fit_events:
        sc, cat = event_scenario(le)
        cats[canonical_sha256(cat.model_dump(mode="json"))] = True
        evs.append({"file": Path(le.file).name, "name": le.event.name, "file_sha256": le.sha256,
                    "observations_sha256": canonical_sha256([o.model_dump(mode="json")
                                                             for o in le.event.observations]),
                    "scenario": sc.name, "scenario_sha256": scenario_sha256(sc, cat)})
    doc = {
        "origin": origin, "seed": int(seed), "reduced": bool(reduced), "fitter": name, "settings": settings(reduced),
        "events": evs, "catalog_sha256": sorted(cats), "code_sha256": _code_sha256(),
        "fitted_observations": [{"event": d.stem, "index": d.index, "metric": d.metric, "date": d.date.isoformat(),
                                 "input": d.input} for d in fitted],
    }
    doc["input_sha256"] = canonical_sha256(doc)
    return doc


class StaleFitError(Exception):
    """A cached origin fit is missing or was made from other inputs."""


def fit_origin(fit_events: Sequence[LoadedEvent], inputs: dict, seed: int = FIT_SEED, reduced: bool = False,
               progress: Callable | None = None, workers: int = 1) -> Posterior:
    """Fit the model on the observations of ``fit_events`` and record ``inputs`` in the manifest."""
    _, run, _ = _fitter()
    post = run(list(fit_events), seed, reduced, progress, workers)
    manifest = dict(post.manifest)
    manifest[FORMAT_KEY] = inputs
    return Posterior(f"origin:{inputs['origin']}", manifest, post.draws)


def load_or_fit(origin: str, fit_events, fitted, directory=None, refit: bool = False, seed: int = FIT_SEED,
                reduced: bool = False, progress: Callable | None = None, workers: int = 1) -> tuple[Path, Posterior, bool]:
    """The cached fit of ``origin``, refitted (``refit``) or refused (:class:`StaleFitError`) when stale.

    Returns ``(path, posterior, refitted)``.
    """
    path = cache_path(origin, directory)
    inputs = origin_inputs(fit_events, fitted, origin, seed, reduced)
    if path.is_file():
        post = read_posterior(path)
        have = post.manifest.get(FORMAT_KEY, {}).get("input_sha256")
        if have == inputs["input_sha256"]:
            return path, post, False
        why = f"{path} was fitted from other inputs (events, scenarios, catalog, settings or code changed)"
    else:
        why = f"no cached fit for origin {origin} in {path.parent}"
    if not refit:
        raise StaleFitError(f"{why}; refit it with `redline scoreboard --origins {origin} --refit`"
                            + (f" --fits {directory}" if directory else ""))
    if not fit_events:
        raise InputError("scoreboard", "origins", origin, "no observation is dated before this origin; "
                                                           "choose a later origin")
    post = fit_origin(fit_events, inputs, seed, reduced, progress, workers)
    path.parent.mkdir(parents=True, exist_ok=True)
    post.write(path)
    return path, post, True


# ----------------------------------------------------------------------------------------------- predictive

def _predictive(le: LoadedEvent, params, trials: int, seed: int) -> dict[int, np.ndarray]:
    """Per observation index, the engine's per-trial sample (campaigns run whole)."""
    from .scoring import predictive_samples

    return predictive_samples(le, params, trials, seed)


def _with_denominators(le: LoadedEvent, indices: Sequence[int]) -> tuple[LoadedEvent, list[tuple[int, int]]]:
    """``le`` with, appended after its own observations, the launch counts behind observations ``indices``
    (see :func:`denominator_path`); and ``(appended index, observation index)`` pairs."""
    extra, owner = [], []
    n0 = len(le.event.observations)
    for i in indices:
        o = le.event.observations[i]
        for p in denominator_path(o.metric, THREAT_CLASSES):
            extra.append(o.model_copy(update={"metric": p, "value": 0.0, "range": None, "input": True}))
            owner.append((n0 + len(extra) - 1, i))
    aug = dataclasses.replace(le, event=le.event.model_copy(update={"observations": le.event.observations + tuple(extra)}))
    return aug, owner


def _exposures(x: dict[int, np.ndarray], owner: list[tuple[int, int]]) -> dict[int, float]:
    """Launch count ``n`` behind each observation: the summed launch counts of a run (their mean over
    trials, rounded; launch counts do not depend on the parameters)."""
    out: dict[int, float] = {}
    for k, i in owner:
        out[i] = out.get(i, 0.0) + float(np.mean(x[k]))
    return {i: float(round(v)) for i, v in out.items()}


def _score_sample(x: np.ndarray, d: DatedObservation) -> dict:
    q = np.quantile(x, [0.05, 0.95])
    return {"mean": round(float(np.mean(x)), 4), "p05": round(float(q[0]), 4), "p95": round(float(q[1]), 4),
            "inside": bool(d.high >= q[0] and d.low <= q[1]), "crps": round(crps_sample(x, d.value), 6),
            "log_score": round(log_score_pmf(sample_pmf(x), d.value), 6)}


def _score_pmf(pmf: np.ndarray, d: DatedObservation) -> dict:
    lo, hi = interval_pmf(pmf)
    z = np.arange(pmf.size)
    return {"mean": round(float(np.sum(z * pmf)), 4), "p05": lo, "p95": hi, "inside": bool(d.high >= lo and d.low <= hi),
            "crps": round(crps_pmf(pmf, d.value), 6), "log_score": round(log_score_pmf(pmf, d.value), 6)}


def _totals(rows: list[dict], who: str) -> dict:
    """Means over the rows; ``mean_crps_informed`` over the rows where the constant-rate forecaster pooled
    fitted observations (of the metric or its family), not its flat prior alone."""
    def mean(rs, key):
        return round(float(np.mean([r[who][key] for r in rs])), 6) if rs else None

    informed = [r for r in rows if r["constant_rate"]["pooled"] != "none"]
    return {"mean_crps": mean(rows, "crps"), "coverage": mean(rows, "inside"),
            "mean_log_score": mean(rows, "log_score"), "mean_crps_informed": mean(informed, "crps")}


def default_events() -> list[LoadedEvent]:
    """Every built-in event file dated on or before 2025-06-24 (the calibration window)."""
    out = []
    for name in builtin_events():
        le = load_event(name)
        try:
            if event_date(le) <= _dt.date(2025, 6, 24):
                out.append(le)
        except InputError:
            continue   # an undated file cannot be placed on the timeline
    return out


def scoreboard(origins: Sequence[str] = DEFAULT_ORIGINS, events: Sequence[LoadedEvent | str] | None = None,
               trials: int = DEFAULT_TRIALS, seed: int = DEFAULT_SEED, fits_dir: Path | str | None = None,
               refit: bool = False, reduced: bool = False, fit_seed: int = FIT_SEED,
               progress: Callable[[str, int, int], None] | None = None, workers: int = 1) -> dict:
    """The rolling-origin scoreboard as a JSON-ready dict (see the module notes and ``docs/calibration.md``).

    Parameters
    ----------
    origins : dates ``YYYY-MM-DD``
    events : events to split (default: :func:`default_events`)
    trials, seed : predictive trials per event and forecaster, and their seed
    fits_dir : directory of the cached origin fits (default: the shipped ones)
    refit : refit a missing or stale fit (else :class:`StaleFitError`)
    reduced : the fitter's small test settings (recorded in the fit's hash)
    progress : called with ``(stage, done, total)``
    workers : processes for a refit's per-event designs (results do not depend on it)
    """
    t0, c0 = time.perf_counter(), time.process_time()
    evs = [e if isinstance(e, LoadedEvent) else load_event(e) for e in (events if events is not None else default_events())]
    if not evs:
        raise InputError("scoreboard", "events", None, "no dated event files to score")
    dates = []
    for o in origins:
        try:
            dates.append(_dt.date.fromisoformat(str(o).strip()))
        except ValueError:
            raise InputError("scoreboard", "--origins", o, "give dates as YYYY-MM-DD, separated by commas") from None
    splits = [split_events(evs, d) for d in dates]
    n_steps = len(dates) * 2 + len(evs) + 1   # fits, model runs, prior runs (at most one per event), launch counts
    step = [0]

    def tick(stage: str) -> None:
        step[0] += 1
        if progress:
            progress(stage, step[0], n_steps)

    # every origin's fit first: a stale or missing one is refused before any run
    fits = []
    for origin, (fit_events, fitted, _) in zip(dates, splits):
        fits.append(load_or_fit(origin.isoformat(), fit_events, fitted, fits_dir, refit, fit_seed, reduced,
                                workers=workers))
        tick(f"fit {origin.isoformat()}")

    # the prior's predictive does not depend on the origin: one run per scored event, which also gives
    # the launch counts (exposures) behind its observations; events only ever fitted get a short run
    need: dict[int, set[int]] = {}
    for _, fitted, scored in splits:
        for d in list(fitted) + list(scored):
            if not d.input and metric_kind(d.metric) is not None:
                need.setdefault(d.event, set()).add(d.index)
    scored_events = sorted({d.event for _, _, scored in splits for d in scored})
    prior: dict[int, dict[int, np.ndarray]] = {}
    exposure: dict[int, dict[int, float]] = {}
    for e in sorted(need):
        if e in scored_events:
            continue
        aug, owner = _with_denominators(evs[e], sorted(need[e]))
        exposure[e] = _exposures(_predictive(aug, "prior", DENOMINATOR_TRIALS, 0), owner)
    tick("launch counts of fitted events")
    for e in scored_events:
        aug, owner = _with_denominators(evs[e], sorted(need.get(e, ())))
        prior[e] = _predictive(aug, "prior-draws", trials, seed)
        exposure[e] = _exposures(prior[e], owner)
        tick(f"prior: {evs[e].stem}")

    out = []
    for origin, (fit_events, fitted, scored), (path, post, refitted) in zip(dates, splits, fits):
        o = origin.isoformat()
        model = {}
        for e in sorted({d.event for d in scored}):
            model[e] = _predictive(evs[e], str(path), trials, seed)
        tick(f"model {o}")
        # constant-rate: rates pooled over the non-input observations dated before the origin
        pool_exact: dict[str, list] = {}
        pool_family: dict[str, list] = {}
        for d in fitted:
            if d.input or metric_kind(d.metric) is None:   # fit: false figures too (public before the origin)
                continue
            n = exposure[d.event][d.index]
            exact, family = rate_key(d.metric)
            pool_exact.setdefault(exact, []).append((d.value, n))
            pool_family.setdefault(family, []).append((d.value, n))
        rows: list[dict] = []
        for d in scored:
            kind = metric_kind(d.metric) or "bounded"   # scored observations all have a kind (scorable)
            exact, family = rate_key(d.metric)
            if exact in pool_exact:
                rf = fit_rate(kind, pool_exact[exact], "exact")
            elif family in pool_family:
                rf = fit_rate(kind, pool_family[family], "family")
            else:
                rf = fit_rate(kind, [], "none")
            n = exposure[d.event][d.index]
            cr = _score_pmf(rf.pmf(int(n)), d)
            cr.update({"n": int(n), "rate": round(rf.rate, 6), "pooled": rf.pooled, "pooled_observations": rf.n_events})
            rows.append({"event": d.stem, "index": d.index, "metric": d.metric, "date": d.date.isoformat(),
                         "night": d.night, "observed": d.value, "range": [d.low, d.high] if d.low != d.high else None,
                         "model": _score_sample(model[d.event][d.index], d),
                         "constant_rate": cr,
                         "prior": _score_sample(prior[d.event][d.index], d)})
        out.append({
            "origin": o, "n_observations": len(rows), "n_fitted": sum(1 for d in fitted if not d.input),
            "n_informed": sum(r["constant_rate"]["pooled"] != "none" for r in rows),
            "fit": {"file": path.name, "fitter": post.manifest.get(FORMAT_KEY, {}).get("fitter"),
                    "refitted": refitted, "input_sha256": post.manifest.get(FORMAT_KEY, {}).get("input_sha256"),
                    "events": [Path(le.file).name for le in fit_events]},
            "model": _totals(rows, "model"),
            "reference": {"constant_rate": _totals(rows, "constant_rate"), "prior": _totals(rows, "prior")},
            "observations": rows,
        })
    return {
        "origins": out,
        "settings": {"trials": int(trials), "seed": int(seed), "fit_seed": int(fit_seed), "reduced": bool(reduced),
                     "fitter": _fitter()[0], "log_floor": 1e-4},
        "manifest": {"kind": "scoreboard", "version": __version__,
                     "events": [{"file": Path(le.file).name, "sha256": le.sha256} for le in evs],
                     "elapsed_s": round(time.perf_counter() - t0, 3),
                     "cpu_s": round(time.process_time() - c0, 3)},
    }
