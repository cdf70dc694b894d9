"""``calibrate``: events in, posterior parameter draws with a manifest out."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .._version import __version__
from ..catalog import Catalog
from ..engagement.compile import compile_scenario
from ..hashing import scenario_sha256
from ..manifest import make_manifest
from ..records import CalibrateSummary
from .events import LoadedEvent, event_scenario, load_event
from .fit import FitSettings, FitTarget, fit
from .metrics import metric_sampler
from .posterior import Posterior
from .priors import PriorModel, build_prior

__all__ = ["calibrate", "calibrate_record", "prepare_targets", "default_settings", "against_bound", "METHOD", "DEFAULT_SEED"]

METHOD = ("ABC with a measurement-error kernel: adaptive multiple importance sampling (AMIS) of a simulated "
          "likelihood; priors on the catalog ranges (uniform for assumption-tagged quantities, PERT for sourced "
          "ones); see docs/calibration.md")
DEFAULT_SEED = 20240413


def default_settings(draws: int) -> FitSettings:
    """The fit's sizes for ``draws`` posterior draws: ``4 * draws`` particles per round (at least 200)."""
    return FitSettings(particles=max(200, 4 * int(draws)))


def _events(events: Sequence[LoadedEvent | str | Path]) -> list[LoadedEvent]:
    return [e if isinstance(e, LoadedEvent) else load_event(e) for e in events]


def prepare_targets(events: Sequence[LoadedEvent]) -> tuple[Catalog, list[FitTarget], list[dict]]:
    """Compile each event's scenario and build its fit target (observations with ``fit: true``).

    Returns
    -------
    catalog : Catalog
        The events' scenario catalogs merged (priors are read from it).
    targets : list of FitTarget
    records : list of dict
        Per event: file name, SHA-256, name, scenario and its hash, counts of observations.
    """
    cat: Catalog | None = None
    targets, records = [], []
    for le in events:
        sc, ecat = event_scenario(le)
        cat = ecat if cat is None else cat.merged(ecat)
        comp = compile_scenario(sc, ecat)   # prunes only pairs the catalog's prior range rules out
        obs = [(i, o) for i, o in enumerate(le.event.observations) if o.fitted]  # inputs (launch counts) are not fitted
        samplers = tuple(metric_sampler(comp, o.metric, le.file, f"observations[{i}].metric")
                         for i, o in enumerate(le.event.observations))
        targets.append(FitTarget(
            name=le.event.name, compiled=comp,
            samplers=tuple(samplers[i] for i, _ in obs),
            low=np.array([o.low for _, o in obs], dtype=float),
            high=np.array([o.high for _, o in obs], dtype=float),
            sd=np.array([o.error_sd for _, o in obs], dtype=float),
        ))
        records.append({
            "file": Path(le.file).name, "sha256": le.sha256, "name": le.event.name, "scenario": sc.name,
            "scenario_sha256": scenario_sha256(sc, ecat),
            "observations_fitted": len(obs), "observations_scored_only": len(le.event.observations) - len(obs),
        })
    assert cat is not None
    return cat, targets, records


def _summary(x: np.ndarray) -> dict:
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": float(x.mean()), "sd": float(x.std()), "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}


def against_bound(x: np.ndarray, low: float, high: float, prior_sd: float | None = None,
                  share: float = 0.05) -> str | None:
    """``"low"`` or ``"high"`` when the data pushed the posterior against that bound of the catalog range.

    The posterior's 5 % (95 %) quantile lies within ``share`` of the range's width from the bound,
    its bulk sits in that half, and (given ``prior_sd``) it is at least a quarter narrower in
    variance than the prior, so that a prior already piled on a bound (PERT with its mode there)
    is not flagged.
    """
    w = high - low
    if w <= 0 or (prior_sd is not None and np.std(x) ** 2 > 0.75 * prior_sd ** 2):
        return None
    q05, q95 = np.quantile(x, [0.05, 0.95])
    if q05 - low < share * w and q95 - low < 0.6 * w:
        return "low"
    if high - q95 < share * w and high - q05 < 0.6 * w:
        return "high"
    return None


def _round(d: dict, nd: int = 6) -> dict:
    return {k: round(v, nd) if isinstance(v, float) else v for k, v in d.items()}


def calibrate(events: Sequence[LoadedEvent | str | Path], draws: int = 1000, seed: int = DEFAULT_SEED,
              settings: FitSettings | None = None, progress: Callable[[int], None] | None = None,
              prepared: tuple | None = None) -> Posterior:
    """Fit the catalog's uncertain parameters to observed events.

    Parameters
    ----------
    events : sequence of LoadedEvent, built-in event names or event file paths
    draws : int
        Joint posterior draws to keep.
    seed : int
        Seed of every random stream; the same inputs and seed give the same file, bit for bit.
    settings : FitSettings, optional
        Sizes of the fit (default: ``FitSettings(particles=max(200, 4 * draws))``).
    progress : callable, optional
        Called with the number of particles simulated so far.
    prepared : tuple, optional
        The output of :func:`prepare_targets` for these events, to skip recompiling.

    Returns
    -------
    Posterior
        Draws of every uncertain catalog parameter (fitted ones from the fit,
        the others from their priors) and a manifest.
    """
    evs = _events(events)
    if not evs:
        raise ValueError("give at least one event file to calibrate on")
    s = settings or default_settings(draws)
    cat, targets, records = prepared or prepare_targets(evs)
    prior: PriorModel = build_prior(cat, [t.compiled for t in targets])
    res = fit(prior, targets, draws, seed, s, progress)

    values = prior.values(res.draws)
    free = prior.free()
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(3,)))
    U_free = rng.random((draws, len(free)))
    for j, sp in enumerate(free):
        values[sp.name] = sp.ppf(U_free[:, j])

    params, out_draws = [], {}
    for sp in prior.specs:
        if sp.fixed:
            continue
        x = values[sp.name]
        out_draws[sp.name] = x
        pm, psd = sp.prior_moments()
        post = _summary(x)
        rec = {
            "name": sp.name,
            "status": "fitted" if sp.name in prior.coord else "prior only",
            "group": prior.latent[prior.coord[sp.name]] if sp.name in prior.coord else None,
            "prior": sp.spec(),
            "prior_mean": round(pm, 6), "prior_sd": round(psd, 6),
            "posterior": _round(post),
            "contraction": round(1.0 - (post["sd"] / psd) ** 2, 4) if psd > 0 else None,
            "against_bound": against_bound(x, sp.low, sp.high, psd) if sp.name in prior.coord else None,
        }
        params.append(rec)
    label = "posterior:" + "+".join(Path(r["file"]).name.rsplit(".", 1)[0] for r in records)
    manifest = {
        "redline_version": __version__,
        "method": METHOD,
        "seed": int(seed),
        "draws": int(draws),
        "settings": dataclasses.asdict(s),
        "events": records,
        "latent": list(prior.latent),
        "diagnostics": res.diagnostics,
        "parameters": params,
    }
    return Posterior(label, manifest, out_draws)


def calibrate_record(post: Posterior, events: Sequence[LoadedEvent], file: str | Path,
                     elapsed_s: float | None = None) -> CalibrateSummary:
    """The typed record of a finished calibration (what ``redline calibrate --json`` prints).

    The manifest's ``inputs`` are the SHA-256 of each event file and of its scenario (roles
    ``events`` and ``scenario``, or ``events:<stem>`` and ``scenario:<stem>`` for several events),
    as the posterior's own manifest records them; ``posterior`` is that manifest, unchanged.
    """
    recs = post.manifest["events"]
    inputs: dict[str, str] = {}
    for le, rec in zip(events, recs):
        tag = "" if len(recs) == 1 else f":{le.stem}"
        inputs[f"events{tag}"] = rec["sha256"]
        inputs[f"scenario{tag}"] = rec["scenario_sha256"]
    manifest = make_manifest("calibrate", ", ".join(r["name"] for r in recs), seed=post.manifest["seed"],
                             samples=post.manifest["draws"], unit="draws", inputs=inputs, params=post.label,
                             elapsed_s=elapsed_s, details={"settings": post.manifest["settings"]})
    return CalibrateSummary(manifest=manifest, file=str(file), label=post.label, posterior=post.manifest)
