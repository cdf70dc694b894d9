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
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..hashing import file_sha256
from ..manifest import make_manifest
from ..records import BacktestSummary
from . import kernel as K
from .compile import Model
from .crisis import POSTERIOR_LABEL, default_model, posterior_inputs
from .fit import CALIBRATION_END, load_posterior, posterior_matrix
from .history import replay
from .io import load_history, read_moves
from .layout import C_FIRSTA, C_NACT, F_RUNG, MAX_ACTIONS, NA, ROLE_DECIDE, ROLE_PROXY

__all__ = ["backtest", "score_moves"]


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
        rp = replay(model, mf)
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
    in_sample = sum(d <= CALIBRATION_END for d in dates)
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
