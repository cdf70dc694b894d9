"""Library functions behind ``redline crisis`` and ``redline compare``.

:func:`run_crisis` simulates crisis paths from a start state under a policy package and returns a
JSON-ready summary; :func:`compare_policies` runs every package on the same random streams and
reports each one's difference to ``status-quo``. Intervals express parameter uncertainty: each
posterior draw gets its own paths, and the spread of P(event | draw) across draws is separated
from Monte Carlo noise (docs/escalation.md, "Intervals").
"""
from __future__ import annotations

import math
import time
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from scipy import stats

from ..errors import InputError
from ..manifest import Manifest, make_manifest
from .compile import Model, compile_model, war_rule_of, with_war_rule
from .fit import load_posterior, posterior_matrix
from .history import start_state
from .io import load_levers
from .layout import (
    F_RUNG,
    S_DCOST,
    S_LEV,
    S_LOSS,
    S_NUC,
    S_NUC0,
    S_SEV,
    S_STATUS,
    S_STK,
    S_WART,
    ST_DEESC,
    ST_HORIZON,
    ST_RUNNING,
    ST_WAR,
)
from .result import CompareResult, CrisisResult
from .runner import Paths, simulate

__all__ = [
    "STATUS_NAMES",
    "compare_policies",
    "default_model",
    "interval_from_draws",
    "policy_levers",
    "run_crisis",
]

STATUS_NAMES = {ST_WAR: "regional-war", ST_DEESC: "de-escalation", ST_HORIZON: "horizon", ST_RUNNING: "ongoing"}
MIN_PATHS_PER_DRAW = 50
#: Adaptive paths (issue 12): extend a run until every headline event has about this relative
#: Monte Carlo error (binomial: 100 paths with the event give 10%), up to ``max_paths``.
TARGET_REL_SE = 0.10
#: Default cap on the paths of an adaptive run, as a multiple of the paths asked for.
MAX_PATHS_FACTOR = 4


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The shipped game, levers and effects table, compiled once."""
    return compile_model()


def policy_levers(policy: str | dict, book=None) -> dict[str, float]:
    """Lever settings of a named package (or a mapping of lever -> intensity)."""
    book = book or load_levers()
    if isinstance(policy, dict):
        for k in policy:
            if k not in book.levers:
                raise InputError("<policy>", "levers", k, f"unknown lever; use one of: {', '.join(book.levers)}")
        return {k: float(v) for k, v in policy.items()}
    if policy not in book.packages:
        raise InputError("<policy>", "policy", policy, f"unknown package; use one of: {', '.join(book.packages)}")
    return dict(book.packages[policy].levers)


def interval_from_draws(hits: np.ndarray, n: np.ndarray) -> dict[str, float]:
    """Mean and 90% interval of a probability across posterior draws.

    ``hits[d]`` of ``n[d]`` paths under draw ``d`` had the event. The variance of the per-draw
    estimates minus their binomial noise estimates the variance of P(event | draw) over the
    posterior (parameter uncertainty); the Monte Carlo variance of the mean is added back so that
    the interval never claims more precision than the simulation has (this matters for rare
    events, where the two cannot be told apart). A beta distribution with that mean and variance
    gives the interval (method of moments). ``mc_se`` is the Monte Carlo standard error of the
    mean; ``param_sd`` the posterior standard deviation of P(event | draw).
    """
    hits = np.asarray(hits, float)
    n = np.asarray(n, float)
    mean = float(hits.sum() / n.sum())
    ph = hits / n
    mc_var = max(mean * (1 - mean), 0.0) / n.sum()
    if len(ph) >= 2:
        v_param = max(float(np.var(ph, ddof=1)) - float(np.mean(ph * (1 - ph) / np.maximum(n - 1, 1))), 0.0)
    else:
        v_param = 0.0
    v = v_param + mc_var
    if v <= 0.0 or mean in (0.0, 1.0):
        lo = hi = mean
    else:
        v = min(v, mean * (1 - mean) * 0.999)
        k = mean * (1 - mean) / v - 1
        lo, hi = stats.beta.ppf([0.05, 0.95], mean * k, (1 - mean) * k)
    return {"mean": round(mean, 6), "p05": round(float(lo), 6), "p95": round(float(hi), 6),
            "mc_se": round(math.sqrt(mc_var), 6), "param_sd": round(math.sqrt(v_param), 6)}


def _paired_delta(x: np.ndarray, x0: np.ndarray, draw: np.ndarray, nd: int) -> dict[str, float]:
    """Mean and 90% interval of P(event | policy) - P(event | status quo) over the posterior.

    Paths are paired (common random numbers). As for :func:`interval_from_draws`, the posterior
    variance of the per-draw differences is separated from their paired Monte Carlo noise, and
    the Monte Carlo variance of the mean is added back; normal approximation. ``p_lower`` is the
    probability, under that approximation, that the policy lowers the event's probability,
    bounded by the resolution of the simulation: with K discordant path pairs (the event under
    one package and not the other) it lies within [1/(K+2), (K+1)/(K+2)] (Laplace's rule of
    succession: K pairs all pointing one way do not make the sign certain), and never reaches
    0 or 1 (at most 0.9999). So a handful of rare-event paths cannot report a certain reduction.
    """
    d = x.astype(float) - x0.astype(float)
    n = np.bincount(draw, minlength=nd).astype(float)
    per = np.bincount(draw, weights=d, minlength=nd) / n
    sq = np.bincount(draw, weights=d * d, minlength=nd) / n
    mean = float(d.mean())
    within = np.maximum(sq - per**2, 0.0) * n / np.maximum(n - 1, 1)
    v_noise = float(np.mean(within / n))
    v_param = max(float(np.var(per, ddof=1)) - v_noise, 0.0) if nd > 1 else 0.0
    mc_var = float(np.var(d, ddof=1)) / len(d) if len(d) > 1 else 0.0
    sd = math.sqrt(v_param + mc_var)
    p_lower = float(stats.norm.cdf(-mean / sd)) if sd > 0 else 0.5
    k = float(np.count_nonzero(d))                  # discordant pairs
    cap = min((k + 1.0) / (k + 2.0), 0.9999)
    p_lower = min(max(p_lower, 1.0 - cap), cap)
    return {"mean": round(mean, 6), "p05": round(mean - 1.645 * sd, 6), "p95": round(mean + 1.645 * sd, 6),
            "mc_se": round(math.sqrt(mc_var), 6), "param_sd": round(math.sqrt(v_param), 6),
            "p_lower": round(p_lower, 4)}


def _stats(x: np.ndarray) -> dict[str, float]:
    q = np.percentile(x, [5, 50, 95])
    return {"mean": round(float(np.mean(x)), 4), "p05": round(float(q[0]), 4), "p50": round(float(q[1]), 4),
            "p95": round(float(q[2]), 4)}


def _top_paths(model: Model, res: Paths, k: int = 3, top: int = 5) -> list[dict[str, Any]]:
    status = res.states[:, S_STATUS].astype(np.int64)
    rec = np.concatenate([res.moves[:, :k] if res.moves.shape[1] >= k else
                          np.pad(res.moves, ((0, 0), (0, k - res.moves.shape[1])), constant_values=-1),
                          status[:, None]], axis=1)
    uniq, counts = np.unique(rec, axis=0, return_counts=True)
    order = np.lexsort((np.arange(len(counts)), -counts))[:top]
    out = []
    for j in order:
        row = uniq[j]
        moves = [model.actions[a] for a in row[:k] if a >= 0]
        out.append({"moves": moves, "end": STATUS_NAMES[int(row[k])],
                    "probability": round(float(counts[j] / len(rec)), 6)})
    return out


def _breakout(res: Paths) -> np.ndarray:
    """Paths on which Iran broke out (nuclear status reached 2 from below) within the horizon."""
    return (res.states[:, S_NUC] >= 2.0) & (res.states[:, S_NUC0] < 2.0)


def _max_rung(model: Model, res: Paths) -> np.ndarray:
    """Highest rung reached on each path (-1: no move)."""
    rung = np.append(model.tables.action[:, F_RUNG], -1.0)     # index -1 (no move) maps to -1
    return rung[res.moves].max(axis=1)


def _stock_series(model: Model, res: Paths, horizon_days: float, points: int = 13) -> dict[str, Any]:
    """Stock levels on a day grid (traced paths; the level after the last move before each day)."""
    tr = res.trace                              # (records, paths, 1 + NST)
    assert tr is not None, "simulate(..., trace=N) records the stocks"
    days = np.linspace(0.0, horizon_days, points)
    t = tr[:, :, 0]
    out = {}
    # index of the last record whose clock is <= day, per path (the clock only grows)
    idx = np.stack([(t <= d).sum(axis=0) - 1 for d in days])          # (points, paths)
    idx = np.maximum(idx, 0)
    cols = np.arange(tr.shape[1])
    for k, name in enumerate(model.stocks):
        vals = tr[idx, cols[None, :], 1 + k]                          # (points, paths)
        q = np.percentile(vals, [5, 95], axis=1)
        out[name] = {"mean": np.round(vals.mean(axis=1), 2).tolist(), "p05": np.round(q[0], 2).tolist(),
                     "p95": np.round(q[1], 2).tolist()}
    return {"day": np.round(days, 1).tolist(), "series": out}


def _setup(start: str, policy: str | dict, draws: int | None, paths: int, model: Model | None):
    model = model or default_model()
    levers = policy_levers(policy, model.book)
    S0, m2 = start_state(model, start, levers)
    post = load_posterior()
    nd_all = len(post["draws"]["lambda"])
    nd = min(draws or nd_all, nd_all, max(1, paths // MIN_PATHS_PER_DRAW))
    TH = posterior_matrix(post, model, nd)
    return m2, S0, TH, post, levers


#: The ``params`` label of the shipped escalation posterior in manifests.
POSTERIOR_LABEL = "posterior:escalation"


def posterior_inputs(model: Model, post: dict) -> dict[str, str]:
    """Input hashes of a result of the escalation model: the compiled model and the fitted history."""
    return {"model": model.sha256, "history": post["inputs"]["history_sha256"],
            "priors": post["inputs"]["priors_sha256"]}


def _manifest(kind: str, model: Model, post: dict, start: str, seed: int, paths: int, elapsed_s: float,
              **details: Any) -> Manifest:
    return make_manifest(kind, start, seed=seed, samples=paths, unit="paths", inputs=posterior_inputs(model, post),
                         params=POSTERIOR_LABEL, elapsed_s=elapsed_s,
                         details={**details, "effects": model.effects_provenance,
                                  "posterior": {"method": post["method"], "calibration_window": post["calibration_window"],
                                                "rhat_max": post["diagnostics"]["rhat_max"]}})


def _batch_rng(seed: int, batch: int) -> np.random.Generator:
    """Batch 0 uses ``default_rng(seed)`` (as a single run does); later batches ``default_rng([seed, b])``."""
    return np.random.default_rng(seed if batch == 0 else [seed, batch])


def _merge(a: Paths, b: Paths) -> Paths:
    """Two batches of paths as one (the second's move records padded to the same width)."""
    w = max(a.moves.shape[1], b.moves.shape[1])
    pad = lambda m: np.pad(m, ((0, 0), (0, w - m.shape[1])), constant_values=-1)    # noqa: E731
    return Paths(states=np.concatenate([a.states, b.states]), draw=np.concatenate([a.draw, b.draw]),
                 moves=np.concatenate([pad(a.moves), pad(b.moves)]),
                 interceptors=np.concatenate([a.interceptors, b.interceptors]),
                 rounds_run=max(a.rounds_run, b.rounds_run), trace=a.trace)


def _headline_hits(model: Model, res: Paths) -> dict[str, int]:
    """Paths with each headline event: regional war, durable de-escalation, a major strike."""
    st = res.states[:, S_STATUS]
    return {"p_regional_war": int(np.sum(st == ST_WAR)), "p_deescalation": int(np.sum(st == ST_DEESC)),
            "p_major_strike": int(np.sum(_max_rung(model, res) >= 5))}


def batches_needed(hits: dict[str, int], paths: int, max_paths: int, target_rel_se: float = TARGET_REL_SE) -> int:
    """How many batches of ``paths`` reach ``target_rel_se`` on every event, within ``max_paths``.

    An event seen h times in ``paths`` paths has a relative Monte Carlo error of about 1/sqrt(h);
    it needs 1/target^2 hits (100 for 10%). An event never seen asks for the cap.
    """
    need = math.ceil(1.0 / target_rel_se**2)
    cap = max(1, max_paths // paths)
    want = 1
    for h in hits.values():
        want = max(want, cap if h == 0 else math.ceil(need / h))
    return int(min(cap, want))


def _mc_info(model: Model, res: Paths, paths: int, batches: int, nd: int,
             target_rel_se: float = TARGET_REL_SE) -> dict[str, Any]:
    hits = _headline_hits(model, res)
    n = len(res.draw)
    rel = {k: (round(1.0 / math.sqrt(h) * math.sqrt(max(1.0 - h / n, 0.0)), 4) if h else None) for k, h in hits.items()}
    return {"paths_requested": paths, "paths_run": n, "batches": batches, "paths_per_draw": n // max(nd, 1),
            "target_rel_se": target_rel_se, "met": all(r is not None and r <= target_rel_se * 1.0001 for r in rel.values()),
            "rel_se": rel}


def _run(start: str, policy, horizon_days: float, paths: int, seed: int, rounds: int, draws: int | None,
         model: Model | None, batches: int | range = 1):
    if horizon_days <= 0:
        raise InputError("<crisis>", "horizon", horizon_days, "give a horizon of at least one day")
    if paths < 1:
        raise InputError("<crisis>", "paths", paths, "give at least one path")
    m2, S0, TH, post, levers = _setup(start, policy, draws, paths, model)
    res = None
    for b in (range(batches) if isinstance(batches, int) else batches):
        r = simulate(m2, S0, TH, paths, rounds, horizon_days, _batch_rng(seed, b), trace=min(paths, 2000) if b == 0 else 0)
        res = r if res is None else _merge(res, r)
    return m2, S0, TH, post, levers, res


def _check_max_paths(paths: int, max_paths: int | None) -> int:
    mp = paths * MAX_PATHS_FACTOR if max_paths is None else int(max_paths)
    if mp < paths:
        raise InputError("<crisis>", "max_paths", mp, f"give --max-paths of at least --paths ({paths}), or 0 for no extension")
    return mp


def run_crisis(start: str = "april-2024", policy: str | dict = "status-quo", horizon_days: float = 365.0,
               paths: int = 20_000, seed: int = 1, rounds: int = 200, draws: int | None = None,
               model: Model | None = None, max_paths: int | None = None,
               target_rel_se: float = TARGET_REL_SE, war_rule: str | dict | None = None) -> CrisisResult:
    """Simulate a crisis from a start state under a policy package.

    Parameters
    ----------
    start : str
        Named start state (``states.yaml``), default ``april-2024`` (19 April 2024).
    policy : str or dict
        Package name (``levers.yaml``) or a mapping lever -> intensity in [0, 1].
    horizon_days : float
        Time horizon [days].
    paths : int
        Number of simulated paths (spread over posterior draws, at least 50 per draw).
    seed : int
        Seed of the single random generator.
    rounds : int
        Maximum number of moves per path.
    draws : int, optional
        Use at most this many posterior draws.
    max_paths : int, optional
        Adaptive paths: when a headline event (regional war, de-escalation, a major strike) has
        a relative Monte Carlo error above ``target_rel_se``, more batches of ``paths`` paths
        (same draw assignment, new streams) are run, up to this many paths in all (default
        ``MAX_PATHS_FACTOR`` x ``paths``; ``paths`` or 0 turns the extension off).
        ``monte_carlo`` in the result states the paths run and the error reached.

    Returns
    -------
    CrisisResult
        ``p_regional_war``, ``p_deescalation`` and ``p_neither`` (mean, p05, p95 over parameter
        uncertainty, mc_se), ``top_paths``, ``losses`` by actor, ``interceptors_used`` by type,
        ``stocks_end``, ``moves``, ``days_to_war`` and a ``manifest``.
    """
    t0 = time.perf_counter()
    model = with_war_rule(model or default_model(), war_rule)      # the reported rule only
    mp = paths if max_paths == 0 else _check_max_paths(paths, max_paths)
    m2, S0, TH, post, _levers, res = _run(start, policy, horizon_days, paths, seed, rounds, draws, model)
    nb = batches_needed(_headline_hits(m2, res), paths, mp, target_rel_se)
    if nb > 1:
        res = _merge(res, _run(start, policy, horizon_days, paths, seed, rounds, draws, model, range(1, nb))[-1])
    nd = TH.shape[0]
    status = res.states[:, S_STATUS]
    n = np.bincount(res.draw, minlength=nd)
    war = status == ST_WAR
    deesc = status == ST_DEESC
    out: dict[str, Any] = {
        "start": start,
        "policy": policy if isinstance(policy, str) else "custom",
        "levers": {ln: round(float(S0[S_LEV + k]), 3) for k, ln in enumerate(m2.levers)},
        "horizon_days": horizon_days,
        "paths": int(len(res.draw)),
        "draws": nd,
        "p_regional_war": interval_from_draws(np.bincount(res.draw, weights=war, minlength=nd), n),
        "p_deescalation": interval_from_draws(np.bincount(res.draw, weights=deesc, minlength=nd), n),
        "p_neither": interval_from_draws(np.bincount(res.draw, weights=~(war | deesc), minlength=nd), n),
    }
    top = _max_rung(m2, res)
    out["p_direct_strike"] = interval_from_draws(np.bincount(res.draw, weights=top >= 4, minlength=nd), n)
    out["p_major_strike"] = interval_from_draws(np.bincount(res.draw, weights=top >= 5, minlength=nd), n)
    out["p_breakout"] = interval_from_draws(np.bincount(res.draw, weights=_breakout(res), minlength=nd), n)
    out["war_rule"] = war_rule_of(m2)
    if war.any():
        out["days_to_war"] = _stats(res.states[war, S_WART])
    out["moves"] = _stats((res.moves >= 0).sum(axis=1))
    out["top_paths"] = _top_paths(m2, res)
    first = res.moves[:, 0]
    vals, cnt = np.unique(first[first >= 0], return_counts=True)
    order = np.argsort(-cnt)[:8]
    out["first_move"] = {m2.actions[vals[j]]: round(float(cnt[j] / paths), 4) for j in order}
    out["losses"] = {
        a: {"loss_points": _stats(res.states[:, S_LOSS + k]),
            "p_severe_hit": round(float(np.mean(res.states[:, S_SEV + k] > 0)), 4),
            "defender_cost_usd_bn": round(float(np.mean(res.states[:, S_DCOST + k])), 4)}
        for k, a in enumerate(m2.actors)
    }
    out["interceptors_used"] = {t: _stats(res.interceptors[:, k]) for k, t in enumerate(m2.interceptor_types)}
    out["stocks_end"] = {s: _stats(res.states[:, S_STK + k]) for k, s in enumerate(m2.stocks)}
    out["stocks"] = _stock_series(m2, res, horizon_days)
    out["monte_carlo"] = _mc_info(m2, res, paths, nb, nd, target_rel_se)
    out["manifest"] = _manifest("crisis", m2, post, start, seed, len(res.draw), time.perf_counter() - t0, policy=out["policy"],
                                horizon_days=horizon_days, draws=nd, rounds=rounds, rounds_run=res.rounds_run)
    return CrisisResult.model_validate(out)


def compare_policies(policies: list[str] | None = None, start: str = "april-2024", horizon_days: float = 365.0,
                     paths: int = 20_000, seed: int = 1, rounds: int = 200, draws: int | None = None,
                     model: Model | None = None, progress: Callable[[int, int], None] | None = None,
                     max_paths: int | None = None, target_rel_se: float = TARGET_REL_SE,
                     war_rule: str | dict | None = None) -> CompareResult:
    """Run packages side by side on common random numbers; differences to ``status-quo``.

    Every package sees the same uniforms and the same assignment of posterior draws to paths, so
    the differences are paired path by path; their interval is over parameter uncertainty, with
    the paired Monte Carlo noise removed (``mc_se`` reports it). ``progress(done, total)`` is
    called after each package.
    """
    t0 = time.perf_counter()
    model = with_war_rule(model or default_model(), war_rule)      # the reported rule only
    names = list(policies) if policies else list(model.book.packages)
    for p in names:
        policy_levers(p, model.book)
    if "status-quo" not in names:
        names = ["status-quo"] + names
    mp = paths if max_paths == 0 else _check_max_paths(paths, max_paths)
    runs = {}
    for k, p in enumerate(names):
        _m2, _S0, TH, _post, _levers, res = _run(start, p, horizon_days, paths, seed, rounds, draws, model)
        runs[p] = res
        if progress is not None:
            progress(k + 1, len(names))
    nb = max(batches_needed(_headline_hits(model, r), paths, mp, target_rel_se) for r in runs.values())
    if nb > 1:
        for p in names:
            runs[p] = _merge(runs[p], _run(start, p, horizon_days, paths, seed, rounds, draws, model, range(1, nb))[-1])
    nd = TH.shape[0]
    base = runs["status-quo"].states[:, S_STATUS]
    base_top = _max_rung(model, runs["status-quo"])
    draw = runs["status-quo"].draw
    n = np.bincount(draw, minlength=nd)
    rows: list[dict[str, Any]] = []
    for p in names:
        st = runs[p].states[:, S_STATUS]
        war = st == ST_WAR
        de = st == ST_DEESC
        top = _max_rung(model, runs[p])
        rows.append({
            "name": p,
            "description": model.book.packages[p].description.strip(),
            "levers": policy_levers(p, model.book),
            "p_regional_war": interval_from_draws(np.bincount(draw, weights=war, minlength=nd), n),
            "p_deescalation": interval_from_draws(np.bincount(draw, weights=de, minlength=nd), n),
            "p_direct_strike": interval_from_draws(np.bincount(draw, weights=top >= 4, minlength=nd), n),
            "p_major_strike": interval_from_draws(np.bincount(draw, weights=top >= 5, minlength=nd), n),
            "p_breakout": interval_from_draws(np.bincount(draw, weights=_breakout(runs[p]), minlength=nd), n),
            "delta_vs_status_quo": _paired_delta(war, base == ST_WAR, draw, nd),
            "delta_deescalation_vs_status_quo": _paired_delta(de, base == ST_DEESC, draw, nd),
            "delta_major_strike_vs_status_quo": _paired_delta(top >= 5, base_top >= 5, draw, nd),
        })
    ranked = sorted(rows, key=lambda r: (r["p_regional_war"]["mean"], r["name"]))
    return CompareResult.model_validate({
        "start": start,
        "horizon_days": horizon_days,
        "paths": paths * nb,
        "draws": nd,
        "policies": rows,
        "war_rule": war_rule_of(model),
        "ranking": [r["name"] for r in ranked],
        "monte_carlo": {**_mc_info(model, min(runs.values(), key=lambda r: min(_headline_hits(model, r).values())),
                                   paths, nb, nd, target_rel_se)},
        "manifest": _manifest("compare", model, load_posterior(), start, seed, paths * nb, time.perf_counter() - t0,
                              policies=names, horizon_days=horizon_days, draws=nd, rounds=rounds,
                              common_random_numbers=True),
    })
