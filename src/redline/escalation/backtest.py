"""Score the model's predictions of each next move against a file of coded moves.

For every move in the file the model predicts, before seeing it, the moving actor's choice among
its actions (averaged over the posterior draws), using the state reconstructed from all earlier
moves. Scores are the mean log score (log of the probability given to what happened; higher is
better) and the mean Brier score (sum of squared errors over the actor's actions; lower is
better), for the action, for its rung on the ladder, and for who moves. A uniform predictor over
the same choices is the reference.

Moves files use the schema of ``history.yaml`` (docs/escalation.md, "Moves files"). A file whose
moves start after the calibration history is scored as a continuation: the shipped history is
replayed first (not scored). A file that overlaps the history is replayed from its own ``start``
block, or from the history's state the day before its first entry.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..hashing import file_sha256
from ..manifest import make_manifest
from ..records import BacktestSummary
from ..userdata import user_data_path
from . import kernel as K
from .compile import Model
from .crisis import POSTERIOR_LABEL, default_model, posterior_inputs
from .fit import CALIBRATION_END, fit, load_posterior, posterior_matrix
from .history import Replay, replay
from .io import data_path, load_history, read_moves
from .layout import (
    C_FAMILY,
    C_FIRSTA,
    C_NACT,
    F_HOSTILE,
    F_RUNG,
    F_TFAM,
    MAX_ACTIONS,
    NA,
    ROLE_DECIDE,
    ROLE_PROXY,
    RUNG_WAR,
    G_WARCNT,
    NRING,
    S_HIT,
    S_LASTHT,
    S_PR,
    S_TIME,
    S_PS,
    ST_DEESC,
    ST_WAR,
)
from .schema import OUTCOMES

__all__ = ["BASELINES", "DEFAULT_ORIGINS", "ORIGIN_FIT", "backtest", "backtest_origin", "backtest_origins", "backtest_summary",
           "baseline_forecasts", "fit_at_origin", "rung_rps", "score_moves"]


def score_moves(model: Model, states: np.ndarray, movers: np.ndarray, actions: np.ndarray,
                TH: np.ndarray) -> dict[str, Any]:
    """Log and Brier scores of the posterior-mean predictions, with the uniform reference."""
    ACT = model.tables.actor
    AF = model.tables.action
    P = np.zeros((len(movers), MAX_ACTIONS))
    K.predictive(np.ascontiguousarray(states), movers, np.ascontiguousarray(TH), model.tables, P)
    PM = np.zeros((len(movers), NA))
    K.predictive_movers(np.ascontiguousarray(states), np.ascontiguousarray(TH), model.tables, PM)
    rows = []
    acc: dict[str, list[float]] = {k: [] for k in ("log", "brier", "ulog", "ubrier", "rlog", "rbrier", "urlog", "urbrier", "mlog", "umlog")}
    n_movers = int(np.sum(np.isin(model.tables.role, (ROLE_DECIDE, ROLE_PROXY))))
    for m, (i, a) in enumerate(zip(movers, actions)):
        f0 = int(ACT[i, C_FIRSTA])
        n = int(ACT[i, C_NACT])
        p = np.clip(P[m, :n], 1e-12, 1.0)
        p = p / p.sum()
        k = int(a) - f0
        y = np.zeros(n)
        y[k] = 1.0
        acc["log"].append(np.log(p[k]))
        acc["brier"].append(float(np.sum((p - y) ** 2)))
        acc["ulog"].append(-np.log(n))
        acc["ubrier"].append(1.0 - 1.0 / n)
        rungs = AF[f0:f0 + n, F_RUNG].astype(int)
        ur = np.unique(rungs)
        pr = np.array([p[rungs == r].sum() for r in ur])
        yr = (ur == rungs[k]).astype(float)
        acc["rlog"].append(np.log(pr[ur == rungs[k]][0]))
        acc["rbrier"].append(float(np.sum((pr - yr) ** 2)))
        acc["urlog"].append(-np.log(len(ur)))
        acc["urbrier"].append(1.0 - 1.0 / len(ur))
        acc["mlog"].append(np.log(max(PM[m, i], 1e-12)))
        acc["umlog"].append(-np.log(n_movers))
        top = np.argsort(-p)[:3]
        rows.append({
            "actor": model.actors[i], "action": model.actions[a].split(":", 1)[1], "p": round(float(p[k]), 4),
            "p_rung": round(float(pr[ur == rungs[k]][0]), 4), "p_mover": round(float(PM[m, i]), 4),
            "top": [[model.actions[f0 + j].split(":", 1)[1], round(float(p[j]), 4)] for j in top],
        })
    mean = {k: float(np.mean(v)) for k, v in acc.items()}
    return {
        "log_score": {"model": round(mean["log"], 4), "uniform": round(mean["ulog"], 4)},
        "brier": {"model": round(mean["brier"], 4), "uniform": round(mean["ubrier"], 4)},
        "rung_log_score": {"model": round(mean["rlog"], 4), "uniform": round(mean["urlog"], 4)},
        "rung_brier": {"model": round(mean["rbrier"], 4), "uniform": round(mean["urbrier"], 4)},
        "mover_log_score": {"model": round(mean["mlog"], 4), "uniform": round(mean["umlog"], 4)},
        "per_move": rows,
    }


def backtest(moves_path: str | Path | None = None, draws: int | None = None, model: Model | None = None) -> BacktestSummary:
    """Score next-move predictions on a moves file (default: the shipped calibration history).

    Parameters
    ----------
    moves_path : path, optional
        A moves file (schema ``redline-moves/1``). Without it, the calibration history itself is
        scored (an in-sample check).
    draws : int, optional
        Use at most this many posterior draws.

    Returns
    -------
    BacktestSummary
        ``moves``, ``log_score``, ``brier``, ``rung_log_score``, ``rung_brier`` and
        ``mover_log_score`` (each ``{model, uniform}``, means per move), ``per_move`` details,
        ``in_sample`` and a ``manifest``.
    """
    t0 = time.perf_counter()
    model = model or default_model()
    post = load_posterior()
    TH = posterior_matrix(post, model, draws)
    history = load_history()
    if moves_path is None:
        mf = history
        rp = replay(model, mf, until=CALIBRATION_END)      # the moves the shipped posterior was fitted to
        label = "calibration history (in sample)"
    else:
        mf = read_moves(moves_path, model.game, extra_sources=history.sources)
        first = mf.moves[0].date
        if mf.start is not None:
            rp = replay(model, mf)
        else:
            ctx = replay(model, history, until=first - dt.timedelta(days=1))
            rp = replay(model, mf, state=ctx.final, since=ctx.last_date)
        label = str(moves_path)
    dates = [m.date for m in rp.moves]
    out = score_moves(model, rp.states, rp.movers, rp.actions, TH)
    for row, m in zip(out["per_move"], rp.moves):
        row["date"] = str(m.date)
    end = dt.date.fromisoformat(post["calibration_window"]["end"])      # the moves the posterior was fitted to
    in_sample = sum(d <= end for d in dates)
    inputs = {**posterior_inputs(model, post),
              "moves": file_sha256(moves_path) if moves_path is not None else post["inputs"]["history_sha256"]}
    manifest = make_manifest("backtest", label, seed=None, samples=len(rp.movers), unit="moves", inputs=inputs,
                             params=POSTERIOR_LABEL, elapsed_s=time.perf_counter() - t0,
                             details={"draws": int(TH.shape[0]),
                                      "posterior": {"method": post["method"],
                                                    "calibration_window": post["calibration_window"]}})
    return BacktestSummary.model_validate({
        "file": label,
        "moves": len(rp.movers),
        "in_sample": in_sample,
        "out_of_sample": len(rp.movers) - in_sample,
        **out,
        "manifest": manifest,
    })


# =========================================================================== rolling origins
#: Default origins of the rolling-origin backtest (issue 12).
DEFAULT_ORIGINS: tuple[dt.date, ...] = (dt.date(2024, 7, 1), dt.date(2024, 10, 1), dt.date(2025, 6, 1))
#: The coded record ends on the June 2025 ceasefire: nothing later is coded or scored.
HISTORY_END = dt.date(2025, 6, 24)
#: Settings of the per-origin fits (the shipped caches in ``data/escalation/origins/``). Reduced from
#: the shipped posterior's :data:`redline.escalation.fit.SHIPPED_FIT` (4 x 8,000, 400 draws): 4 chains
#: x 5,000 iterations, 1,500 burn-in, 200 draws; about 10 s of CPU per origin.
ORIGIN_FIT: dict[str, int] = {"draws": 200, "chains": 4, "iters": 5000, "burn": 1500, "seed": 20240419}
#: Additive smoothing of the base-rate forecaster (a Jeffreys-like pseudo-count per action).
BASE_RATE_ALPHA = 0.5
BASELINES = ("uniform", "base_rate", "persistence", "tit_for_tat")
SCORE_KEYS = ("log_score", "brier", "rung_rps", "mover_log_score")
ORIGINS_DIR = "origins"
REFIT_COMMAND = "redline backtest --refit --into-package"


def _movers_of(model: Model) -> np.ndarray:
    """Actors that choose moves (they have actions)."""
    return np.flatnonzero(model.tables.actor[:, C_NACT] > 0)


def _rungs(model: Model, i: int) -> np.ndarray:
    f0 = int(model.tables.actor[i, C_FIRSTA])
    n = int(model.tables.actor[i, C_NACT])
    return model.tables.action[f0:f0 + n, F_RUNG].astype(int)


def rung_rps(p_rung: np.ndarray, observed: int) -> float:
    """Ranked probability score over the nine rungs: mean over the 8 thresholds of (F_k - O_k)^2."""
    F = np.cumsum(p_rung)[:-1]
    O = (np.arange(len(p_rung)) >= observed).astype(float)[:-1]
    return float(np.mean((F - O) ** 2))


def _score_one(p: np.ndarray, k: int, rungs: np.ndarray, pm: np.ndarray, mover: int) -> dict[str, float]:
    """Scores of one forecast: p over the mover's actions (observed index k), pm over actors."""
    p = np.clip(np.asarray(p, float), 1e-12, 1.0)
    p = p / p.sum()
    y = np.zeros(len(p))
    y[k] = 1.0
    pr = np.zeros(RUNG_WAR + 1)
    np.add.at(pr, rungs, p)
    pmv = float(np.clip(pm[mover], 1e-12, 1.0))
    return {"log_score": float(np.log(p[k])), "brier": float(np.sum((p - y) ** 2)),
            "rung_rps": rung_rps(pr, int(rungs[k])), "mover_log_score": float(np.log(pmv))}


def _share(hits: int, n: int) -> float:
    """Smoothed hit share (Laplace): (hits + 1) / (n + 2)."""
    return (hits + 1.0) / (n + 2.0)


def _concentrate(n: int, chosen: list[int], share: float) -> np.ndarray:
    """``share`` spread over the chosen indices, the rest uniformly over the others."""
    p = np.zeros(n)
    if not chosen or len(chosen) == n:
        return np.full(n, 1.0 / n)
    p[:] = (1.0 - share) / (n - len(chosen))
    p[chosen] = share / len(chosen)
    return p


def _tft_choices(model: Model, S: np.ndarray, i: int) -> list[int]:
    """Tit-for-tat: the actions of ``i`` that answer its pending provocation at (nearest) its rung.

    Answering means a hostile action whose target is in the provoker's camp; with no pending
    provocation, or no action that answers it, tit-for-tat predicts the rung-0 actions.
    """
    ACT = model.tables.actor
    AF = model.tables.action
    f0 = int(ACT[i, C_FIRSTA])
    n = int(ACT[i, C_NACT])
    rungs = _rungs(model, i)
    pr, ps = float(S[S_PR + i]), int(S[S_PS + i])
    if pr > 0 and ps >= 0:
        fam = ACT[ps, C_FAMILY]
        ans = [j for j in range(n) if AF[f0 + j, F_HOSTILE] > 0 and AF[f0 + j, F_TFAM] == fam]
        if ans:
            best = min(abs(rungs[j] - pr) for j in ans)
            at = [j for j in ans if abs(rungs[j] - pr) == best]
            lo = min(rungs[j] for j in at)
            return [j for j in at if rungs[j] == lo]
    return [j for j in range(n) if rungs[j] == 0]


def baseline_forecasts(model: Model, rp: Replay, n_fit: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The four reference forecasters for every move of ``rp`` (the first ``n_fit`` are the fit data).

    Returns, per forecaster, the action probabilities (moves, MAX_ACTIONS; over the mover's own
    actions) and the mover probabilities (moves, NA). Rules (docs/escalation.md, Backtest):

    * ``uniform``: every action of the mover alike; every moving actor alike.
    * ``base_rate``: the mover's action frequencies over all earlier moves, each count plus
      ``BASE_RATE_ALPHA``; the movers' frequencies the same way.
    * ``persistence``: the actor repeats its own last action with the share of repeats in the
      fit data (Laplace-smoothed), the rest uniform; the last mover moves again with the fit
      data's share of same-mover successions. Uniform for an actor with no earlier move.
    * ``tit_for_tat``: the actions that answer the mover's pending provocation at its rung
      (rung 0 if nothing is pending) with the fit data's hit share; the target of the last
      hostile move moves next with the fit data's share.
    """
    ACT = model.tables.actor
    movers = _movers_of(model)
    nm = len(rp.movers)
    out = {b: (np.zeros((nm, MAX_ACTIONS)), np.zeros((nm, NA))) for b in BASELINES}
    counts: dict[int, np.ndarray] = {int(i): np.zeros(int(ACT[i, C_NACT])) for i in movers}
    mcount = np.zeros(NA)
    last: dict[int, int] = {}
    # hit shares from the fit data
    rep = rep_n = same = same_n = tft = tft_n = tgt = tgt_n = 0
    prev_mover = -1
    for m in range(n_fit):
        i, a = int(rp.movers[m]), int(rp.actions[m]) - int(ACT[int(rp.movers[m]), C_FIRSTA])
        if i in last:
            rep_n += 1
            rep += last[i] == a
        if prev_mover >= 0:
            same_n += 1
            same += prev_mover == i
        tft_n += 1
        tft += a in _tft_choices(model, rp.states[m], i)
        t = int(rp.states[m][S_LASTHT])
        if t >= 0 and t in movers:
            tgt_n += 1
            tgt += t == i
        last[i] = a
        prev_mover = i
    r_rep, r_same, r_tft, r_tgt = _share(rep, rep_n), _share(same, same_n), _share(tft, tft_n), _share(tgt, tgt_n)
    last = {}
    prev_mover = -1
    nmv = len(movers)
    for m in range(nm):
        S = rp.states[m]
        i = int(rp.movers[m])
        f0 = int(ACT[i, C_FIRSTA])
        n = int(ACT[i, C_NACT])
        a = int(rp.actions[m]) - f0
        P = {"uniform": np.full(n, 1.0 / n),
             "base_rate": (counts[i] + BASE_RATE_ALPHA) / (counts[i].sum() + BASE_RATE_ALPHA * n),
             "persistence": _concentrate(n, [last[i]], r_rep) if i in last else np.full(n, 1.0 / n),
             "tit_for_tat": _concentrate(n, _tft_choices(model, S, i), r_tft)}
        um = np.zeros(NA)
        um[movers] = 1.0 / nmv
        br = np.zeros(NA)
        br[movers] = (mcount[movers] + BASE_RATE_ALPHA) / (mcount[movers].sum() + BASE_RATE_ALPHA * nmv)

        def toward(j: int, share: float) -> np.ndarray:
            v = np.zeros(NA)
            if j < 0 or j not in movers:
                v[movers] = 1.0 / nmv
                return v
            v[movers] = (1.0 - share) / (nmv - 1)
            v[j] = share
            return v

        PM = {"uniform": um, "base_rate": br, "persistence": toward(prev_mover, r_same),
              "tit_for_tat": toward(int(S[S_LASTHT]), r_tgt)}
        for b in BASELINES:
            out[b][0][m, :n] = P[b]
            out[b][1][m] = PM[b]
        counts[i][a] += 1
        mcount[i] += 1
        last[i] = a
        prev_mover = i
    return out


def score_forecasts(model: Model, rp: Replay, idx: np.ndarray, P: np.ndarray, PM: np.ndarray) -> dict[str, Any]:
    """Mean scores (and per-move values) of one forecaster over the moves ``idx`` of ``rp``."""
    ACT = model.tables.actor
    rows = []
    for m in idx:
        i = int(rp.movers[m])
        n = int(ACT[i, C_NACT])
        k = int(rp.actions[m]) - int(ACT[i, C_FIRSTA])
        rows.append(_score_one(P[m, :n], k, _rungs(model, i), PM[m], i))
    mean = {key: round(float(np.mean([r[key] for r in rows])), 4) for key in SCORE_KEYS}
    return {**mean, "_rows": rows}


def _model_forecasts(model: Model, rp: Replay, TH: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    P = np.zeros((len(rp.movers), MAX_ACTIONS))
    K.predictive(np.ascontiguousarray(rp.states), rp.movers, np.ascontiguousarray(TH), model.tables, P)
    PM = np.zeros((len(rp.movers), NA))
    K.predictive_movers(np.ascontiguousarray(rp.states), np.ascontiguousarray(TH), model.tables, PM)
    return P, PM


# ------------------------------------------------------------------ the data and the fit per origin
def _full_replay(model: Model, moves_path: str | Path | None) -> tuple[Replay, str, dict]:
    """The coded moves to backtest on: the shipped history, or it continued by a moves file."""
    history = load_history()
    if moves_path is None:
        return replay(model, history), "coded history (history.yaml)", history.sources
    mf = read_moves(moves_path, model.game, extra_sources=history.sources)
    if mf.start is not None:
        return replay(model, mf), str(moves_path), {**history.sources, **mf.sources}
    first = mf.moves[0].date
    ctx = replay(model, history, until=first - dt.timedelta(days=1))
    rest = replay(model, mf, state=ctx.final, since=ctx.last_date)
    return ctx.then(rest), str(moves_path), {**history.sources, **mf.sources}


def _moves_digest(rp: Replay, mask: np.ndarray) -> str:
    """SHA-256 of the coded content of the fitted moves and of the states they start from."""
    h = hashlib.sha256()
    for k in np.flatnonzero(mask):
        m = rp.moves[k]
        h.update(json.dumps(m.model_dump(mode="json", exclude={"note", "sources"}), sort_keys=True).encode())
        h.update(np.ascontiguousarray(rp.states[k]).round(9).tobytes())
    return h.hexdigest()


def _code_digest() -> str:
    """SHA-256 of the fitting code (fit.py and the kernel): a change there makes every cache stale."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in [here / "fit.py", here / "history.py", *sorted((here / "kernel").glob("*.py"))]:
        h.update(p.read_bytes())
    return h.hexdigest()


def origin_inputs(model: Model, rp: Replay, origin: dt.date, settings: dict[str, int]) -> dict[str, Any]:
    """The inputs a fit at ``origin`` depends on, with their hashes (the cache key)."""
    mask = np.array([m.date < origin for m in rp.moves])
    return {"origin": str(origin), "moves_fitted": int(mask.sum()), "moves_sha256": _moves_digest(rp, mask),
            "model_sha256": model.sha256, "priors_sha256": file_sha256(data_path("priors.yaml")),
            "code_sha256": _code_digest(), "settings": dict(settings)}


def origin_cache_paths(origin: dt.date) -> tuple[Path, Path]:
    """(shipped, user) cache files of the fit at an origin."""
    name = f"{origin}.json"
    return data_path(ORIGINS_DIR) / name, user_data_path("escalation", ORIGINS_DIR, name)


def fit_at_origin(model: Model, rp: Replay, origin: dt.date, settings: dict[str, int] | None = None,
                  refit: str = "auto", progress: Callable[[str], None] | None = None,
                  write: str | Path | None = None) -> tuple[dict, str]:
    """The posterior fitted on the moves before ``origin``: from a cache whose input hashes match, or refitted.

    Parameters
    ----------
    refit : {"auto", "never", "always"}
        ``auto`` refits (with progress) when no cache matches and writes the result to the user
        cache; ``never`` refuses with the refit command; ``always`` refits.
    write : path, optional
        Also write the refitted document there (``--into-package`` writes the shipped caches).

    Returns
    -------
    (dict, str)
        The posterior document (format of ``posterior.json`` plus ``backtest_inputs``) and where it
        came from (``shipped``, ``user-cache`` or ``refitted``).
    """
    settings = {**ORIGIN_FIT, **(settings or {})}
    inputs = origin_inputs(model, rp, origin, settings)
    say = progress or (lambda s: None)
    shipped, user = origin_cache_paths(origin)
    if refit != "always":
        for src, p in (("shipped", shipped), ("user-cache", user)):
            if p.is_file():
                doc = json.loads(p.read_text(encoding="utf-8"))
                if doc.get("backtest_inputs") == inputs:
                    return doc, src
        if refit == "never":
            raise InputError(str(shipped), "backtest_inputs", str(origin),
                             f"no fit at this origin matches today's moves, game, priors and code; refit with `{REFIT_COMMAND}`"
                             " (developers) or run without --no-refit (user cache)")
    mask = np.array([m.date < origin for m in rp.moves])
    if mask.sum() < 10:
        raise InputError("<backtest>", "origin", str(origin), "fewer than 10 coded moves before this origin; pick a later date")
    say(f"origin {origin}: fitting {int(mask.sum())} moves ({settings['chains']} chains x {settings['iters']})")
    t0 = time.process_time()
    doc = fit(model, until=origin - dt.timedelta(days=1), draws=settings["draws"], chains=settings["chains"],
              iters=settings["iters"], burn=settings["burn"], seed=settings["seed"], progress=say,
              replayed=rp.subset(mask))
    doc["calibration_window"]["end"] = str(origin - dt.timedelta(days=1))
    doc["backtest_inputs"] = inputs
    doc["fit_cpu_s"] = round(time.process_time() - t0, 2)
    for p in {user, *(() if write is None else (Path(write),))}:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    return doc, "refitted"


# ------------------------------------------------------------------ end states per origin
def _origin_clock(rp: Replay, origin: dt.date) -> float:
    """The replay clock [days] at the origin."""
    k = max(j for j, m in enumerate(rp.moves) if m.date < origin)
    return float(rp.states[k][S_TIME]) + float((origin - rp.moves[k].date).days)


def _observed_ends(rp: Replay, origin: dt.date, model: Model) -> dict[str, Any]:
    """What the coded record says happened after the origin, within 90 and 365 days.

    A major strike is a coded move on rung >= 5; a regional war is the reported war rule met by a
    coded move after the origin (the kernel's ``war_trigger`` on the replayed state before it,
    counting major moves from before the origin unless the rule was already met at the origin,
    as a start state does); de-escalation is the kernel's quiet-round rule.
    """
    GP = model.tables.glob
    t0 = _origin_clock(rp, origin)
    k0 = max(j for j, m in enumerate(rp.moves) if m.date < origin)
    S0 = rp.states[k0].copy()
    S0[S_TIME] = t0
    cleared = K.recent_high(S0, GP) >= int(GP[G_WARCNT])
    out: dict[str, Any] = {}
    last = rp.moves[-1].date
    for h in (90, 365):
        end = origin + dt.timedelta(days=h)
        first: dict[str, str] = {}
        for k, m in enumerate(rp.moves):
            if not origin <= m.date < end:
                continue
            a = int(rp.actions[k])
            r = float(model.tables.action[a, F_RUNG])
            if r >= 5 and "major_strike" not in first:
                first["major_strike"] = str(m.date)
            S = rp.states[k].copy()
            if cleared:
                ring = S[S_HIT:S_HIT + NRING]
                ring[ring < t0] = -1e9
            hostile = model.tables.action[a, F_HOSTILE] > 0
            seen = float(min(max(m.perceived_rung if (hostile and m.perceived_rung is not None) else r, 0), RUNG_WAR))
            if K.war_trigger(S, -1.0, seen, GP) and "regional_war" not in first:
                first["regional_war"] = str(m.date)
            if rp.status is not None and int(rp.status[k]) == ST_DEESC and "deescalation" not in first:
                first["deescalation"] = str(m.date)
        out[f"{h}d"] = {"major_strike": first.get("major_strike"), "regional_war": first.get("regional_war"),
                        "deescalation": first.get("deescalation"),
                        "observed_to": str(min(end - dt.timedelta(days=1), max(last, origin))),
                        "censored": bool(end - dt.timedelta(days=1) > HISTORY_END)}
    return out


def _model_ends(model: Model, rp: Replay, origin: dt.date, TH: np.ndarray, paths: int, seed: int) -> dict[str, Any]:
    """The model's probabilities of the end states and of a major strike within 90 and 365 days of the origin."""
    from .crisis import interval_from_draws
    from .history import restart
    from .io import load_states
    from .layout import S_STATUS
    from .runner import simulate

    before = [k for k, m in enumerate(rp.moves) if m.date < origin]
    states = load_states()
    stocks = states["april-2024"]          # stocks: the April 2024 assumptions (states.yaml)
    # the state after the last move before the origin, advanced to the origin
    k = before[-1]
    S = rp.states[k].copy()
    i = int(rp.movers[k])
    m = rp.moves[k]
    from .history import _partner_q
    q, _ = _partner_q(model, m)
    acc = np.zeros(len(model.interceptor_types))
    o = OUTCOMES.index(m.outcome) if m.outcome is not None else 0
    dperc = float((m.perceived_rung if m.perceived_rung is not None else m.rung) - m.rung)
    K.apply_move(S, i, int(rp.actions[k]), dperc, q, o, model.tables, acc)
    S[S_STATUS] = 0
    gap = float((origin - m.date).days)
    if gap > 0:
        K.advance(S, gap, model.tables, acc)      # on to the origin
    S0, m2 = restart(model, S, stocks)
    out: dict[str, Any] = {}
    for h in (90, 365):
        res = simulate(m2, S0, TH, paths, 200, float(h), np.random.default_rng(seed), trace=0)
        nd = TH.shape[0]
        n = np.bincount(res.draw, minlength=nd)
        st = res.states[:, S_STATUS]
        rung = np.append(m2.tables.action[:, F_RUNG], -1.0)
        top = rung[res.moves].max(axis=1)
        out[f"{h}d"] = {
            "p_regional_war": interval_from_draws(np.bincount(res.draw, weights=st == ST_WAR, minlength=nd), n),
            "p_deescalation": interval_from_draws(np.bincount(res.draw, weights=st == ST_DEESC, minlength=nd), n),
            "p_major_strike": interval_from_draws(np.bincount(res.draw, weights=top >= 5, minlength=nd), n),
        }
    return out


# ------------------------------------------------------------------ the command
def backtest_origin(origin: dt.date | str, moves_path: str | Path | None = None, settings: dict[str, int] | None = None,
                    refit: str = "auto", paths: int = 4000, seed: int = 1, model: Model | None = None,
                    progress: Callable[[str], None] | None = None, write_dir: str | Path | None = None,
                    end_states: bool = True) -> dict[str, Any]:
    """Rolling-origin backtest: refit on the moves before ``origin``, score the moves on or after it.

    The model (posterior-mean predictions of the fit at the origin, from the replayed state
    before each move) and the four reference forecasters (:func:`baseline_forecasts`) are
    scored on the same moves: mean log score of the action (natural log; higher is better),
    Brier score of the action (lower is better), ranked probability score of its rung over the
    nine rungs (lower is better) and log score of who moves.

    Returns a dict with ``model`` and ``baselines.<uniform|base_rate|persistence|tit_for_tat>``
    (each ``log_score``, ``brier``, ``rung_rps``, ``mover_log_score``), ``origin``,
    ``moves_fitted``, ``moves_scored``, ``fit`` (source, settings, input hashes), ``end_states``
    (the model's probabilities within 90 and 365 days next to what the record shows),
    ``per_move`` and a ``manifest``.
    """
    t0 = time.perf_counter()
    origin = dt.date.fromisoformat(str(origin))
    model = model or default_model()
    rp, label, _src = _full_replay(model, moves_path)
    if origin > HISTORY_END and moves_path is None:
        raise InputError("<backtest>", "origin", str(origin), f"the coded record ends on {HISTORY_END}; pick an earlier origin")
    fit_idx = np.array([k for k, m in enumerate(rp.moves) if m.date < origin], np.int64)
    score_idx = np.array([k for k, m in enumerate(rp.moves) if m.date >= origin], np.int64)
    if len(score_idx) == 0:
        raise InputError("<backtest>", "origin", str(origin), "no coded move on or after this origin to score")
    assert len(fit_idx) == 0 or fit_idx.max() < score_idx.min()       # the split is in time order
    write = None if write_dir is None else Path(write_dir) / f"{origin}.json"
    doc, source = fit_at_origin(model, rp, origin, settings, refit=refit, progress=progress, write=write)
    TH = posterior_matrix(doc, model)
    P, PM = _model_forecasts(model, rp, TH)
    model_sc = score_forecasts(model, rp, score_idx, P, PM)
    base = baseline_forecasts(model, rp, len(fit_idx))
    base_sc = {b: score_forecasts(model, rp, score_idx, *base[b]) for b in BASELINES}
    per_move = []
    for j, m in enumerate(score_idx):
        mv = rp.moves[m]
        row = {"date": str(mv.date), "actor": mv.actor, "action": mv.action,
               "p_model": round(float(np.exp(model_sc["_rows"][j]["log_score"])), 5)}
        for b in BASELINES:
            row[f"p_{b}"] = round(float(np.exp(base_sc[b]["_rows"][j]["log_score"])), 5)
        per_move.append(row)
    strip = lambda d: {k: v for k, v in d.items() if k != "_rows"}      # noqa: E731
    out: dict[str, Any] = {
        "origin": str(origin),
        "file": label,
        "moves_fitted": int(len(fit_idx)),
        "moves_scored": int(len(score_idx)),
        "scored_until": str(rp.moves[score_idx[-1]].date),
        "model": strip(model_sc),
        "baselines": {b: strip(base_sc[b]) for b in BASELINES},
        "fit": {"source": source, "method": doc["method"], "rhat_max": doc["diagnostics"]["rhat_max"],
                "ess_min": doc["diagnostics"]["ess_min"], "draws": int(TH.shape[0]),
                "fit_cpu_s": doc.get("fit_cpu_s"), "inputs": doc["backtest_inputs"]},
    }
    if end_states:
        out["end_states"] = {"model": _model_ends(model, rp, origin, TH, paths, seed),
                             "observed": _observed_ends(rp, origin, model), "paths": paths, "seed": seed}
    out["per_move"] = per_move
    out["manifest"] = make_manifest("backtest", f"{label} from {origin}", seed=seed, samples=len(score_idx), unit="moves",
                                    inputs={"model": model.sha256, "moves": doc["backtest_inputs"]["moves_sha256"],
                                            "priors": doc["backtest_inputs"]["priors_sha256"]},
                                    params=f"posterior:escalation@{origin}", elapsed_s=time.perf_counter() - t0,
                                    details={"fit": out["fit"]["source"]}).model_dump(mode="json")
    return out


def backtest_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several origins as one JSON object: ``{"origins": [...], "manifest": ...}``."""
    m0 = results[0]["manifest"]
    return {"origins": results,
            "manifest": make_manifest("backtest", f"{results[0]['file']} from {', '.join(r['origin'] for r in results)}",
                                      seed=m0["seed"], samples=sum(r["moves_scored"] for r in results), unit="moves",
                                      inputs={f"moves@{r['origin']}": r["manifest"]["inputs"]["moves"] for r in results}
                                      | {"model": m0["inputs"]["model"], "priors": m0["inputs"]["priors"]},
                                      params="posterior:escalation@origins",
                                      elapsed_s=sum(r["manifest"]["elapsed_s"] or 0.0 for r in results),
                                      details={"origins": [r["origin"] for r in results],
                                               "fits": {r["origin"]: r["fit"]["source"] for r in results}}
                                      ).model_dump(mode="json")}


def backtest_origins(origins: list[dt.date | str] | None = None, **kw: Any) -> dict[str, Any]:
    """:func:`backtest_origin` at each origin (default :data:`DEFAULT_ORIGINS`): ``{"origins": [...], "manifest"}``."""
    return backtest_summary([backtest_origin(o, **kw) for o in (origins or DEFAULT_ORIGINS)])
