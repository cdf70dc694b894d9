"""Exact enumeration of small games: every chance and decision branch, with its probability.

The enumerator walks the same nodes, in the same order, as the sampler's round
(:func:`redline.escalation.kernel.sampler.round_one`): duration, Gaza ceasefire collapse, nuclear
breakout, who moves, which action, how it is read, whether partners join, what it does. It calls
the same kernel functions for every probability and update, so sampled frequencies must agree
with these probabilities up to Monte Carlo error (tested). Its cost grows exponentially with the
rounds: use it for small games or one or two rounds.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from . import kernel as K
from .compile import Model
from .layout import (
    C_FIRSTA,
    F_HOSTILE,
    F_RUNG,
    F_VIA,
    G_DUR,
    MAX_ACTIONS,
    NA,
    NCOMBO,
    NDUR,
    NOUT,
    NUC_BREAKOUT,
    OUT_CONTAINED,
    S_CEASE,
    S_NUC,
    S_STATUS,
    S_TIME,
    S_WARON,
    ST_HORIZON,
    ST_RUNNING,
    ST_WAR,
)

__all__ = ["enumerate_game", "one_step_war_probability"]


def enumerate_game(model: Model, state0: np.ndarray, th: np.ndarray, rounds: int,
                   horizon_days: float = math.inf, max_leaves: int = 5_000_000) -> dict:
    """Exact probabilities of how a crisis stands after at most ``rounds`` rounds.

    Returns ``{"status": {code: probability}, "first_move": {action: probability},
    "leaves": count}``; status codes as in :mod:`redline.escalation.layout` (0 still running,
    1 regional war, 2 de-escalation, 3 horizon reached).
    """
    T = model.tables
    AF = T.action
    ACT = T.actor
    GP = T.glob
    A = AF.shape[0]
    nI = len(model.interceptor_types)
    status: dict[int, float] = defaultdict(float)
    first: dict[str, float] = defaultdict(float)
    leaves = [0]
    lut = np.empty(A)
    eloss = np.empty(A)
    st = np.empty(A)
    aux = np.empty(K.NAUX)
    ob = np.empty(NOUT)
    ubuf = np.empty(MAX_ACTIONS)
    pbuf = np.empty(MAX_ACTIONS)
    acc = np.zeros(nI)

    def leaf(S: np.ndarray, p: float) -> None:
        # the reported war rule, once met, is the path's end state (the path itself went on)
        status[ST_WAR if S[S_WARON] > 0.0 else int(S[S_STATUS])] += p
        leaves[0] += 1
        if leaves[0] > max_leaves:
            raise RuntimeError(f"more than {max_leaves} leaves: the game is too large to enumerate")

    def rec(S: np.ndarray, prob: float, r: int) -> None:
        if S[S_STATUS] != ST_RUNNING or r == rounds:
            leaf(S, prob)
            return
        dur = np.empty(NDUR)
        K.duration_probs(S, th, dur)
        for b in range(NDUR):
            pb = dur[b]
            if pb <= 0.0:
                continue
            days = GP[G_DUR + b]
            S1 = S.copy()
            if S1[S_TIME] + days > horizon_days:
                S1[S_STATUS] = ST_HORIZON
                leaf(S1, prob * pb)
                continue
            K.advance(S1, days, T, acc)
            pg = K.gaza_collapse_prob(S1, days, T)
            for gz, pgz in ((True, pg), (False, 1.0 - pg)):
                if pgz <= 0.0:
                    continue
                S2 = S1.copy()
                if gz:
                    K.set_gaza(S2, True, T)
                    S2[S_CEASE] = 0.0
                pn = K.nuclear_prob(S2, days, T)
                for nu, pnu in ((True, pn), (False, 1.0 - pn)):
                    if pnu <= 0.0:
                        continue
                    S3 = S2.copy()
                    if nu:
                        S3[S_NUC] = NUC_BREAKOUT
                    _decide(S3, prob * pb * pgz * pnu, r)

    def _decide(S: np.ndarray, prob: float, r: int) -> None:
        pm = np.empty(NA)
        K.mover_probs(S, th, T, pm)
        for i in range(NA):
            if pm[i] <= 0.0:
                continue
            K.prepare(S, th, T, i, lut, eloss, st, aux, ob)
            pq = aux[K.AUX_PART:K.AUX_PART + NCOMBO].copy()
            pa = np.empty(MAX_ACTIONS)
            n = K.action_probs(S, i, th, T, lut, eloss, st, aux, pa, ubuf, pbuf)
            pa = pa[:n].copy()
            for k in range(n):
                if pa[k] <= 0.0:
                    continue
                a = int(ACT[i, C_FIRSTA]) + k
                if r == 0:
                    first[model.actions[a]] += prob * pm[i] * pa[k]
                pp = np.empty(NOUT)
                K.perception_probs(S, i, a, th, T, pp)
                for d in range(NOUT):
                    if pp[d] <= 0.0:
                        continue
                    qs = ([(q, pq[q]) for q in range(NCOMBO) if pq[q] > 0.0] if AF[a, F_VIA] > 0.0
                          else [(NCOMBO - 1, 1.0)])
                    for q, pqq in qs:
                        if AF[a, F_HOSTILE] > 0.0:
                            po = np.empty(NOUT)
                            K.outcome_probs(S, a, q, T, po)
                            outs = [(o, po[o]) for o in range(NOUT) if po[o] > 0.0]
                        else:
                            outs = [(OUT_CONTAINED, 1.0)]
                        for o, poo in outs:
                            S4 = S.copy()
                            K.apply_move(S4, i, a, float(d - 1), q, o, T, acc)
                            rec(S4, prob * pm[i] * pa[k] * pp[d] * pqq * poo, r + 1)

    rec(state0.copy(), 1.0, 0)
    return {"status": dict(status), "first_move": dict(first), "leaves": leaves[0]}


def one_step_war_probability(model: Model, state: np.ndarray, th: np.ndarray, mover: int) -> float:
    """P(regional war) when ``mover`` makes one move from ``state`` (the one-step game)."""
    T = model.tables
    A = T.action.shape[0]
    lut, eloss, st = np.empty(A), np.empty(A), np.empty(A)
    aux = np.empty(K.NAUX)
    ob = np.empty(NOUT)
    pa = np.empty(MAX_ACTIONS)
    K.prepare(state, th, T, mover, lut, eloss, st, aux, ob)
    n = K.action_probs(state, mover, th, T, lut, eloss, st, aux, pa, np.empty(MAX_ACTIONS), np.empty(MAX_ACTIONS))
    f0 = int(T.actor[mover, C_FIRSTA])
    # the reported war rule (as the move is meant; misreadings aside)
    return float(sum(pa[k] * K.war_trigger(state, -1, T.action[f0 + k, F_RUNG], T.glob) for k in range(n)))
