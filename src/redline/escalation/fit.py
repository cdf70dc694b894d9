"""Fit the escalation model to the coded history: MAP, Laplace, then random-walk Metropolis.

The likelihood of the coded moves (``history.yaml``, up to 19 April 2024) is the product over
moves of P(who moves | state) x P(which action | state, mover), from the same kernel functions
the crisis sampler uses (:func:`redline.escalation.kernel.move_logprobs`). The decision weights,
the rationality lambda, the responder probability rho and the movers' base weights get the
priors of ``priors.yaml``; the posterior is explored by random-walk Metropolis started at the MAP
with the Laplace covariance as proposal. The misperception probability, which no coded move
identifies, is drawn from its prior; the duration bins from their conjugate Dirichlet posterior.
The shipped ``posterior.json`` holds the thinned draws, the diagnostics and the hashes of the
inputs, so every crisis run carries parameter uncertainty and says where it came from.

Regenerate with ``redline maintain fit-escalation`` (10-60 s on two cores); it writes to the
user data folder unless told otherwise (:mod:`redline.userdata`), and ``$REDLINE_ESCALATION_POSTERIOR``
points the crisis runner at such a file instead of the shipped one.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable
from typing import Any
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import optimize, special

from ..errors import InputError
from ..userdata import output_path
from ..yamlio import load_mapping, read_text
from . import kernel as K
from .compile import Model, compile_model
from .history import Replay, replay
from .io import data_path, file_sha256, load_history
from .layout import (
    DECISION_PARAMS,
    NDUR,
    NPAR,
    P_BASE,
    P_BREAK,
    P_DURH,
    P_DURQ,
    P_EPS,
    P_LAM,
    P_PREC,
    P_RHO,
    P_TAU,
    TAU_NONE,
)

__all__ = [
    "CALIBRATION_END",
    "ENV_POSTERIOR",
    "LR_THRESHOLD",
    "POSTERIOR_FILE",
    "SHIPPED_FIT",
    "candidate_dates",
    "change_point",
    "duration_counts",
    "fit",
    "load_posterior",
    "load_priors",
    "log_prior",
    "posterior_matrix",
    "posterior_path",
    "refit",
    "theta",
    "write_posterior",
]

CALIBRATION_END = dt.date(2025, 6, 24)     # the calibration window: public information to 24 June 2025
POSTERIOR_FILE = "posterior.json"
ENV_POSTERIOR = "REDLINE_ESCALATION_POSTERIOR"     # a posterior to read instead of the shipped one
#: The settings of the shipped ``posterior.json``: ``fit(**SHIPPED_FIT)`` reproduces it.
SHIPPED_FIT: dict[str, int] = {"draws": 400, "chains": 4, "iters": 8000, "burn": 2000, "seed": 20240419}
ND = len(DECISION_PARAMS)          # lambda and the nine weights sit at P_LAM .. P_REPLY


@lru_cache(maxsize=1)
def load_priors(path: str | None = None) -> dict:
    p = Path(path) if path else data_path("priors.yaml")
    return load_mapping(read_text(p, "priors file"), str(p), "a priors file is a YAML mapping with decision, movers, precedent, misperception, durations")


def _movers(model: Model) -> list[int]:
    mv = set(model.game.movers)
    return [k for k, a in enumerate(model.actors) if a in mv]


def n_free(model: Model) -> int:
    """Fitted (MCMC) dimensions: decision weights, rho, precedent, the movers' base logits but the first."""
    return ND + 2 + len(_movers(model)) - 1


def theta(z: np.ndarray, model: Model, eps: float, dur_h: np.ndarray, dur_q: np.ndarray,
          tau: dt.date | None = None) -> np.ndarray:
    """Parameter vector of the kernel from the unconstrained fitted vector ``z``.

    With a change-point date ``tau``, ``z`` has one more entry: the log multiplier of the cost of
    climbing from ``tau`` on (``P_BREAK``).
    """
    th = np.zeros(NPAR)
    th[P_TAU] = TAU_NONE
    if tau is not None:
        th[P_TAU] = float(tau.toordinal())
        th[P_BREAK] = z[n_free(model)]
    th[P_LAM:P_LAM + ND] = np.exp(z[:ND])
    th[P_RHO] = special.expit(z[ND])
    th[P_PREC] = special.expit(z[ND + 1])
    mv = _movers(model)
    logits = np.concatenate([[0.0], z[ND + 2:ND + 1 + len(mv)]])
    w = np.exp(logits - logits.max())
    w /= w.sum()
    for j, k in enumerate(mv):
        th[P_BASE + k] = w[j]
    th[P_EPS] = eps
    th[P_DURH:P_DURH + NDUR] = dur_h
    th[P_DURQ:P_DURQ + NDUR] = dur_q
    return th


def log_prior(z: np.ndarray, model: Model, priors: dict | None = None) -> float:
    pr = priors or load_priors()
    lp = 0.0
    for k, name in enumerate(DECISION_PARAMS):
        d = pr["decision"][name]
        lp += -0.5 * ((z[k] - math.log(d["median"])) / d["sd_log"]) ** 2
    lp += -0.5 * (z[ND] / pr["movers"]["rho_logit_sd"]) ** 2
    lp += -0.5 * (z[ND + 1] / pr["precedent"]["logit_sd"]) ** 2
    sd = pr["movers"]["base_logit_sd"]
    nf = n_free(model)
    lp += float(np.sum(-0.5 * (z[ND + 2:nf] / sd) ** 2))
    if len(z) > nf:                                       # the change-point's log multiplier
        lp += -0.5 * (z[nf] / pr.get("change_point", {}).get("break_sd", 1.0)) ** 2
    return lp


def duration_counts(model: Model, rp: Replay) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the gaps between moves in each duration bin, after hostile and after quiet moves."""
    bins = np.asarray(model.game.dynamics.duration_bins_days)
    edges = np.sqrt(bins[:-1] * bins[1:])
    ch = np.zeros(NDUR)
    cq = np.zeros(NDUR)
    for g, reg in zip(rp.gaps, rp.regimes):
        if not np.isfinite(g):
            continue
        b = int(np.searchsorted(edges, max(g, 0.0), side="right"))
        (ch if reg else cq)[b] += 1
    return ch, cq


class _LogPost:
    def __init__(self, model: Model, rp: Replay, priors: dict, tau: dt.date | None = None):
        self.model = model
        self.tau = tau
        self.rp = rp
        self.priors = priors
        self.om = np.zeros(len(rp.movers))
        self.oa = np.zeros(len(rp.movers))
        self.dur = np.full(NDUR, 1.0 / NDUR)
        self.evals = 0

    def loglik(self, z: np.ndarray) -> float:
        th = theta(z, self.model, 0.1, self.dur, self.dur, self.tau)
        K.move_logprobs(self.rp.states, self.rp.movers, self.rp.actions, th, self.model.tables, self.om, self.oa)
        self.evals += 1
        return float(self.om.sum() + self.oa.sum())

    def __call__(self, z: np.ndarray) -> float:
        if not np.all(np.isfinite(z)) or np.any(np.abs(z) > 12):
            return -np.inf
        return log_prior(z, self.model, self.priors) + self.loglik(z)


def _hessian(f: Callable, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    n = len(x)
    H = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h
            ej[j] = h
            if i == j:
                H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h**2
            else:
                H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h**2)
    return H


def _rhat(chains: np.ndarray) -> np.ndarray:
    """Split R-hat per parameter; chains (m, n, d)."""
    n = chains.shape[1]
    half = n // 2
    c = np.concatenate([chains[:, :half], chains[:, half:2 * half]], axis=0)
    mc = c.mean(axis=1)
    W = c.var(axis=1, ddof=1).mean(axis=0)
    B = half * mc.var(axis=0, ddof=1)
    var = (half - 1) / half * W + B / half
    return np.sqrt(var / W)


def _ess(chains: np.ndarray) -> np.ndarray:
    """Effective sample size per parameter (initial positive sequence of autocorrelations)."""
    m, n, d = chains.shape
    out = np.zeros(d)
    for k in range(d):
        x = chains[:, :, k] - chains[:, :, k].mean()
        var = x.var()
        if var == 0:
            out[k] = m * n
            continue
        rho_sum = 0.0
        for lag in range(1, n // 2):
            r = np.mean([np.mean(x[c, :-lag] * x[c, lag:]) for c in range(m)]) / var
            if r < 0.05:
                break
            rho_sum += r
        out[k] = m * n / (1 + 2 * rho_sum)
    return out


def candidate_dates(rp: Replay, min_moves: int = 10, step_months: int = 3) -> list[dt.date]:
    """Change-point candidates: the first day of every ``step_months``-th month with at least
    ``min_moves`` coded moves before it and after it."""
    dates = [m.date for m in rp.moves]
    if len(dates) < 2 * min_moves:
        return []
    lo, hi = dates[min_moves - 1], dates[-min_moves]
    out = []
    y, mth = lo.year, 1
    while dt.date(y, mth, 1) <= hi:
        d = dt.date(y, mth, 1)
        if d > lo:
            out.append(d)
        mth += step_months
        if mth > 12:
            y, mth = y + 1, mth - 12
    return out


def _map(lp: _LogPost, z0: np.ndarray) -> tuple[np.ndarray, float]:
    res = optimize.minimize(lambda z: -lp(z), z0, method="L-BFGS-B", options={"maxiter": 500})
    return res.x, float(-res.fun)


#: Likelihood-ratio threshold for keeping a change-point: chi-square with 2 degrees of freedom
#: (its date and its size) at 95%. A conservative test (the date is chosen by maximisation).
LR_THRESHOLD = 5.991
#: Dates of the profile screen refitted jointly.
REFINE = 4


def change_point(model: Model, rp: Replay, priors: dict, z_nobreak: np.ndarray, lp_nobreak: float,
                 grid: list[dt.date] | None = None, progress: Callable[[str], None] | None = None,
                 only_break: bool = False, full_profile: bool = False) -> dict:
    """Profile the change-point of the cost of climbing over candidate dates (MAP at each).

    Returns ``{"tau", "z", "map_log_posterior", "loglik_gain", "lr", "kept", "profile"}``: the
    best date, its MAP vector, the gain in log likelihood over no change, the likelihood-ratio
    statistic, whether it passes :data:`LR_THRESHOLD`, and the profile (date -> MAP log posterior).
    The profile fits the break alone at each date, the other parameters held at ``z_nobreak``
    (fast), then refits every parameter jointly at the :data:`REFINE` best dates and keeps the
    best of those, which gives the reported gain
    and likelihood ratio; ``full_profile`` refits every parameter at every date instead (slow),
    ``only_break`` skips the joint refit (the tests' synthetic check).
    """
    cp = priors.get("change_point", {})
    grid = grid if grid is not None else candidate_dates(rp, int(cp.get("min_moves", 10)), int(cp.get("step_months", 3)))
    base_ll = _LogPost(model, rp, priors).loglik(z_nobreak)
    best: dict = {"tau": None, "z": z_nobreak, "map_log_posterior": lp_nobreak, "loglik_gain": 0.0, "lr": 0.0,
                  "kept": False, "profile": []}
    top = -np.inf
    for tau in grid:
        lpt = _LogPost(model, rp, priors, tau)
        if only_break or not full_profile:
            # the break alone at each date, the other parameters at the no-break MAP (a profile
            # screen: 1-D, fast); the joint MAP is refitted at the best date below
            r = optimize.minimize_scalar(lambda b: -lpt(np.concatenate([z_nobreak, [b]])), bounds=(-6.0, 6.0),
                                         method="bounded")
            z, v = np.concatenate([z_nobreak, [r.x]]), float(-r.fun)
        else:
            z, v = _map(lpt, np.concatenate([z_nobreak, [0.0]]))
        best["profile"].append({"date": str(tau), "map_log_posterior": round(v, 3), "break": round(float(z[-1]), 3)})
        if v > top:
            top = v
            best.update(tau=tau, z=z, map_log_posterior=v)
    if best["tau"] is not None:
        if not only_break and not full_profile:
            # refit every parameter at the REFINE best dates of the screen; keep the best of those
            order = sorted(range(len(grid)), key=lambda k: -best["profile"][k]["map_log_posterior"])[:REFINE]
            top = -np.inf
            for k in order:
                lpk = _LogPost(model, rp, priors, grid[k])
                z, v = _map(lpk, np.concatenate([z_nobreak, [best["profile"][k]["break"]]]))
                best["profile"][k]["joint_map_log_posterior"] = round(v, 3)
                if v > top:
                    top = v
                    best.update(tau=grid[k], z=z, map_log_posterior=v)
        lpt = _LogPost(model, rp, priors, best["tau"])
        gain = lpt.loglik(best["z"]) - base_ll
        best.update(loglik_gain=float(gain), lr=float(2 * gain))
    if best["tau"] is not None:
        best["kept"] = best["lr"] > LR_THRESHOLD
        if progress:
            progress(f"change-point {best['tau']}: log-likelihood gain {best['loglik_gain']:.2f} "
                     f"({'kept' if best['kept'] else 'not kept'})")
    return best


def fit(model: Model | None = None, until: dt.date = CALIBRATION_END, draws: int = 400, chains: int = 4,
        iters: int = 5000, burn: int = 1500, seed: int = 20240419,
        progress: Callable[[str], None] | None = None, change_points: bool = True,
        replayed: Replay | None = None) -> dict:
    """Fit to the shipped history up to ``until`` and return the posterior document.

    ``replayed`` fits these replayed moves instead (the backtest's moves before an origin,
    :mod:`redline.escalation.backtest`); ``until`` then only labels the window.
    With ``change_points``, the cost of climbing may change at a date the data choose
    (:func:`change_point`); the change is kept only if the likelihood ratio passes
    :data:`LR_THRESHOLD`, and the document's ``change_point`` block reports the profile either way.
    """
    if replayed is None and until > CALIBRATION_END:
        raise InputError("<fit>", "until", str(until),
                         f"the calibration window ends on {CALIBRATION_END}; later moves are for out-of-sample scoring")
    model = model or compile_model()
    history = load_history()
    rp = replayed if replayed is not None else replay(model, history, until=until)
    priors = load_priors()
    lp = _LogPost(model, rp, priors)
    d = n_free(model)
    z0 = np.zeros(d)
    for k, name in enumerate(DECISION_PARAMS):
        z0[k] = math.log(priors["decision"][name]["median"])
    say = progress or (lambda s: None)
    say(f"MAP over {d} parameters, {len(rp.movers)} moves")
    zmap, lpmap = _map(lp, z0)
    cpd: dict[str, Any] = {"tau": None, "kept": False, "profile": [], "loglik_gain": 0.0, "lr": 0.0, "map_log_posterior": lpmap}
    tau = None
    if change_points:
        cpd = change_point(model, rp, priors, zmap, lpmap, progress=say)
        if cpd["kept"]:
            tau = cpd["tau"]
            lp = _LogPost(model, rp, priors, tau)
            zmap, lpmap = cpd["z"], cpd["map_log_posterior"]
            d = d + 1

    class _Res:                      # the MAP as the rest of the fit reads it
        x = zmap
        fun = -lpmap
    res = _Res()
    H = _hessian(lp, zmap)
    w, V = np.linalg.eigh(-H)
    w = np.maximum(w, 1e-3)
    cov = (V / w) @ V.T
    say(f"MAP log posterior {-res.fun:.2f}; Metropolis {chains} x {iters}")
    rng = np.random.default_rng(seed)
    L = np.linalg.cholesky(cov)
    scale = 2.38 / math.sqrt(d)
    samples = np.zeros((chains, iters - burn, d))
    accept = np.zeros(chains)
    for c in range(chains):
        z = zmap + 0.5 * (L @ rng.standard_normal(d))
        cur = lp(z)
        s = scale
        acc_win = 0
        for t in range(iters):
            prop = z + s * (L @ rng.standard_normal(d))
            new = lp(prop)
            if np.log(rng.random()) < new - cur:
                z, cur = prop, new
                acc_win += 1
                if t >= burn:
                    accept[c] += 1
            if t < burn and (t + 1) % 100 == 0:      # adapt the step during burn-in only
                rate = acc_win / 100
                s *= math.exp(rate - 0.25)
                acc_win = 0
            if t >= burn:
                samples[c, t - burn] = z
        accept[c] /= iters - burn
    flat = samples.reshape(-1, d)
    idx = np.linspace(0, len(flat) - 1, draws).round().astype(int)
    Z = flat[idx]
    pe = priors["misperception"]
    eps = rng.beta(pe["a"], pe["b"], size=draws)
    ch, cq = duration_counts(model, rp)
    alpha = priors["durations"]["alpha"]
    dur_h = rng.dirichlet(alpha + ch, size=draws)
    dur_q = rng.dirichlet(alpha + cq, size=draws)
    TH = np.array([theta(Z[k], model, eps[k], dur_h[k], dur_q[k], tau) for k in range(draws)])
    names = list(DECISION_PARAMS) + ["rho", "precedent"] + [f"base_logit.{model.actors[k]}" for k in _movers(model)[1:]]
    if tau is not None:
        names.append("break")
    rhat = _rhat(samples)
    ess = _ess(samples)
    mv = _movers(model)
    doc = {
        "format": "redline-escalation-posterior/1",
        "method": "MAP (L-BFGS-B), Laplace covariance, random-walk Metropolis "
                  f"({chains} chains x {iters} iterations, {burn} burn-in, adapted step), thinned to {draws} draws",
        "calibration_window": {"start": str(history.start.date if history.start else rp.moves[0].date), "end": str(until)},
        "moves": len(rp.movers),
        "inputs": {
            "history_sha256": file_sha256(data_path("history.yaml")),
            "priors_sha256": file_sha256(data_path("priors.yaml")),
            "model_sha256": model.sha256,
            "effects_provenance": model.effects_provenance,
        },
        "seed": seed,
        "map": {n: float(v) for n, v in zip(names, zmap)},
        "map_log_posterior": float(-res.fun),
        "map_log_likelihood": float(lp.loglik(zmap)),
        "diagnostics": {
            "acceptance": [round(float(a), 3) for a in accept],
            "rhat_max": round(float(np.max(rhat)), 4),
            "ess_min": round(float(np.min(ess)), 1),
            "rhat": {n: round(float(v), 4) for n, v in zip(names, rhat)},
            "ess": {n: round(float(v), 1) for n, v in zip(names, ess)},
        },
        "duration_counts": {"after_hostile": ch.tolist(), "after_quiet": cq.tolist()},
        "change_point": {
            "parameter": "log multiplier of w_escalation from the date on",
            "tested": bool(change_points), "candidates": len(cpd["profile"]),
            "best_date": str(cpd["tau"]) if cpd["tau"] is not None else None,
            "loglik_gain": round(float(cpd["loglik_gain"]), 3), "lr": round(float(cpd["lr"]), 3),
            "lr_threshold": LR_THRESHOLD, "kept": bool(cpd["kept"]),
            "date": str(tau) if tau is not None else None,
            "break": ({"mean": float(np.mean(TH[:, P_BREAK])), "p05": float(np.percentile(TH[:, P_BREAK], 5)),
                       "p95": float(np.percentile(TH[:, P_BREAK], 95))} if tau is not None else None),
            "profile": cpd["profile"],
        },
        "summary": {
            n: {"mean": float(np.mean(TH[:, j])), "p05": float(np.percentile(TH[:, j], 5)),
                "p95": float(np.percentile(TH[:, j], 95))}
            for n, j in list(zip(DECISION_PARAMS, range(P_LAM, P_LAM + ND))) + [("rho", P_RHO), ("precedent", P_PREC)]
        },
        "actors": list(model.actors),
        "draws": {
            **{n: TH[:, P_LAM + k].round(6).tolist() for k, n in enumerate(DECISION_PARAMS)},
            "misperception": TH[:, P_EPS].round(6).tolist(),
            "rho": TH[:, P_RHO].round(6).tolist(),
            "precedent": TH[:, P_PREC].round(6).tolist(),
            "break": TH[:, P_BREAK].round(6).tolist(),
            "base": {model.actors[k]: TH[:, P_BASE + k].round(6).tolist() for k in mv},
            "duration_after_hostile": TH[:, P_DURH:P_DURH + NDUR].round(6).tolist(),
            "duration_after_quiet": TH[:, P_DURQ:P_DURQ + NDUR].round(6).tolist(),
        },
    }
    return doc


def refit(path: str | Path | None = None, into_package: bool = False, effects: str | Path | None = None,
          progress: Callable[[str], None] | None = None, **settings: int) -> tuple[Path, dict]:
    """Fit the posterior and write it: :func:`fit` then :func:`write_posterior`.

    The output path is checked before fitting, so a refused path costs nothing.

    Parameters
    ----------
    path, into_package
        As for :func:`write_posterior` (default: the user data folder).
    effects : path-like, optional
        Effects table the model is compiled with (default: :func:`redline.escalation.effects.load_table`'s).
    progress : callable, optional
        Called with one line per stage.
    **settings
        ``draws``, ``chains``, ``iters``, ``burn``, ``seed``; missing ones take :data:`SHIPPED_FIT`.

    Returns
    -------
    (Path, dict)
        The file written and the posterior document.
    """
    from .effects import load_table

    out = output_path(path, ("escalation", POSTERIOR_FILE), data_path(POSTERIOR_FILE), into_package, "posterior")
    unknown = set(settings) - set(SHIPPED_FIT)
    if unknown:
        raise TypeError(f"refit() got unknown settings {sorted(unknown)}; use {sorted(SHIPPED_FIT)}")
    model = compile_model(table=load_table(effects))
    kw = {**SHIPPED_FIT, **settings}
    doc = fit(model, draws=kw["draws"], chains=kw["chains"], iters=kw["iters"], burn=kw["burn"], seed=kw["seed"],
              progress=progress)
    return write_posterior(doc, out, into_package=into_package), doc


def write_posterior(doc: dict, path: str | Path | None = None, into_package: bool = False) -> Path:
    """Write a posterior document from :func:`fit`.

    Parameters
    ----------
    doc : dict
        The document.
    path : path-like, optional
        Output file. Default: ``escalation/posterior.json`` in the user data folder
        (:func:`redline.userdata.data_home`).
    into_package : bool
        Allow writing inside the installed package; without ``path``, overwrite the shipped posterior.

    Raises
    ------
    InputError
        ``path`` lies inside the installed package and ``into_package`` is not set.
    """
    p = output_path(path, ("escalation", POSTERIOR_FILE), data_path(POSTERIOR_FILE), into_package, "posterior")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    _load_cached.cache_clear()
    return p


@lru_cache(maxsize=4)
def _load_cached(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def posterior_path(path: str | Path | None = None) -> Path:
    """The posterior to read: ``path``, else ``$REDLINE_ESCALATION_POSTERIOR``, else the shipped file."""
    raw = path if path not in (None, "") else os.environ.get(ENV_POSTERIOR) or None
    return Path(raw).expanduser() if raw is not None else data_path(POSTERIOR_FILE)


def load_posterior(path: str | Path | None = None) -> dict:
    """The escalation posterior: ``path``, else ``$REDLINE_ESCALATION_POSTERIOR``, else the shipped one."""
    p = posterior_path(path)
    if not p.is_file():
        raise InputError(str(p), "<file>", None,
                         "no posterior there; check the path, or fit one with `redline maintain fit-escalation`")
    return _load_cached(str(p))


def posterior_matrix(doc: dict, model: Model, max_draws: int | None = None) -> np.ndarray:
    """The kernel's (draws, NPAR) parameter matrix from a posterior document."""
    dr = doc["draws"]
    n = len(dr["lambda"])
    if max_draws is not None and max_draws < n:
        keep = np.linspace(0, n - 1, max_draws).round().astype(int)
    else:
        keep = np.arange(n)
    TH = np.zeros((len(keep), NPAR))
    for k, name in enumerate(DECISION_PARAMS):
        TH[:, P_LAM + k] = np.asarray(dr[name])[keep]
    TH[:, P_EPS] = np.asarray(dr["misperception"])[keep]
    TH[:, P_RHO] = np.asarray(dr["rho"])[keep]
    TH[:, P_PREC] = np.asarray(dr["precedent"])[keep]
    TH[:, P_BREAK] = np.asarray(dr["break"])[keep] if "break" in dr else 0.0
    cp = (doc.get("change_point") or {}).get("date")
    TH[:, P_TAU] = float(dt.date.fromisoformat(cp).toordinal()) if cp else TAU_NONE
    for a, w in dr["base"].items():
        if a not in model.actors:
            raise InputError("posterior.json", "draws.base", a, "the posterior was fitted to another game; refit it")
        TH[:, P_BASE + model.actor_id(a)] = np.asarray(w)[keep]
    TH[:, P_DURH:P_DURH + NDUR] = np.asarray(dr["duration_after_hostile"])[keep]
    TH[:, P_DURQ:P_DURQ + NDUR] = np.asarray(dr["duration_after_quiet"])[keep]
    return TH
