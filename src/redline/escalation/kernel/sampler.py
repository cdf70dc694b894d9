"""The path sampler and the likelihood: one round of every path, and move probabilities.

:func:`simulate_round` advances all paths one round, drawing each chance node with one uniform
(inverse CDF, the fixed order of ``U``'s columns below); :func:`move_logprobs`,
:func:`predictive` and :func:`predictive_movers` evaluate the same nodes on replayed states.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..layout import (
    C_FIRSTA,
    F_HOSTILE,
    F_VIA,
    G_DUR,
    MAX_ACTIONS,
    NA,
    NCOMBO,
    NDUR,
    NOUT,
    NVAR,
    NUC_BREAKOUT,
    S_CEASE,
    S_NUC,
    S_STATUS,
    S_TIME,
    ST_HORIZON,
    ST_RUNNING,
)
from .chance import (
    draw,
    duration_probs,
    gaza_collapse_prob,
    mover_probs,
    nuclear_prob,
    outcome_probs_pre,
    perception_probs,
)
from .choice import AUX_PART, AUX_VX, NAUX, action_probs, init_trig, prepare_mover
from .state import advance_by, apply_move, decay_table, set_gaza

__all__ = ["NBUF", "NU", "move_logprobs", "predictive", "predictive_movers", "round_one", "simulate_round"]

# columns of the (paths, NU) uniforms of one round, in the order the nodes are drawn
U_DUR, U_GAZA, U_NUC, U_MOVER, U_ACTION, U_PERC, U_PART, U_OUT = range(8)
NU = 8
NBUF = max(MAX_ACTIONS, NA, NDUR)   # probability buffer: durations, movers, one actor's actions



@njit(cache=True)
def scratch(A, GP):
    """Per-thread work buffers of one round for a game of ``A`` actions and constants ``GP``
    (``T.glob``): the look-up, expected-loss and stance tables, the auxiliary cache (its
    war-trigger rows filled, :func:`~.choice.init_trig`), the outcome, probability and two reply
    buffers."""
    aux = np.empty(NAUX)
    init_trig(GP, aux)
    return (np.empty(A), np.empty(A), np.empty(A), aux, np.empty(NOUT), np.empty(NBUF),
            np.empty(MAX_ACTIONS), np.empty(MAX_ACTIONS))

@njit(cache=True)
def round_one(S, th, u, T, acc, horizon, dec, lut, eloss, st, aux, ob, buf, ubuf, pbuf):
    """One round of one path; returns the action taken (-1 if the path ended first). ``dec`` the
    :func:`~.state.decay_table` of ``T.glob``; the work buffers those of :func:`scratch`."""
    AF = T.action
    ACT = T.actor
    GP = T.glob
    duration_probs(S, th, buf)
    b = draw(buf, NDUR, u[U_DUR])
    days = GP[G_DUR + b]
    if S[S_TIME] + days > horizon:
        S[S_STATUS] = ST_HORIZON
        return -1
    advance_by(S, days, dec[0, b], dec[1, b], dec[2, b], T, acc)
    if u[U_GAZA] < gaza_collapse_prob(S, days, T):
        set_gaza(S, True, T)
        S[S_CEASE] = 0.0
    if u[U_NUC] < nuclear_prob(S, days, T):
        S[S_NUC] = NUC_BREAKOUT
    mover_probs(S, th, T, buf)
    i = draw(buf, NA, u[U_MOVER])
    prepare_mover(S, th, T, i, lut, eloss, st, aux, ob)
    n = action_probs(S, i, th, T, lut, eloss, st, aux, buf, ubuf, pbuf)
    k = draw(buf, n, u[U_ACTION])
    a = int(ACT[i, C_FIRSTA]) + k
    perception_probs(S, i, a, th, T, ob)
    d = draw(ob, NOUT, u[U_PERC]) - 1
    q = NCOMBO - 1
    if AF[a, F_VIA] > 0.0:
        q = draw(aux[AUX_PART:AUX_PART + NCOMBO], NCOMBO, u[U_PART])
    o = 0
    if AF[a, F_HOSTILE] > 0.0:
        # prepare's variant weights serve: the state has not changed since
        outcome_probs_pre(S, a, q, T, aux[AUX_VX:AUX_VX + NVAR], ob)
        o = draw(ob, NOUT, u[U_OUT])
    apply_move(S, i, a, float(d), q, o, T, acc)
    return a


@njit(cache=True, parallel=True)
def simulate_round(SS, U, didx, TH, T, ACC, MOVES, rnd, horizon):
    """Advance every running path by one round, all paths in parallel.

    ``SS`` (paths, SDIM) states; ``U`` (paths, NU) uniforms for this round; ``didx`` (paths,)
    posterior draw of each path; ``TH`` (draws, NPAR); ``ACC`` (paths, NI) interceptors used;
    ``MOVES`` (paths, rounds) action record (-1 none). Returns the number of paths still running.
    """
    npaths = SS.shape[0]
    A = T.action.shape[0]
    nchunk = 64
    nblocks = (npaths + nchunk - 1) // nchunk
    running = np.zeros(nblocks, np.int64)
    for blk in prange(nblocks):
        lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(A, T.glob)
        dec = decay_table(T.glob)
        for p in range(blk * nchunk, min(npaths, (blk + 1) * nchunk)):
            S = SS[p]
            if S[S_STATUS] != ST_RUNNING:
                continue
            a = round_one(S, TH[didx[p]], U[p], T, ACC[p], horizon, dec, lut, eloss, st, aux, ob, buf, ubuf, pbuf)
            if a >= 0:
                MOVES[p, rnd] = a
            if S[S_STATUS] == ST_RUNNING:
                running[blk] += 1
    return running.sum()


@njit(cache=True)
def move_logprobs(STATES, MOVERS, ACTS, th, T, out_mover, out_action):
    """Log-probabilities of observed movers and actions given the replayed pre-move states."""
    ACT = T.actor
    A = T.action.shape[0]
    lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(A, T.glob)
    for m in range(STATES.shape[0]):
        S = STATES[m]
        i = MOVERS[m]
        prepare_mover(S, th, T, i, lut, eloss, st, aux, ob)
        mover_probs(S, th, T, buf)
        out_mover[m] = math.log(max(buf[i], 1e-300))
        action_probs(S, i, th, T, lut, eloss, st, aux, buf, ubuf, pbuf)
        k = ACTS[m] - int(ACT[i, C_FIRSTA])
        out_action[m] = math.log(max(buf[k], 1e-300))


@njit(cache=True, parallel=True)
def predictive(STATES, MOVERS, TH, T, OUT):
    """Mean over draws of the action probabilities of each move's actor: OUT (moves, MAX_ACTIONS)."""
    A = T.action.shape[0]
    nm = STATES.shape[0]
    nd = TH.shape[0]
    for m in prange(nm):
        lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(A, T.glob)
        S = STATES[m]
        i = MOVERS[m]
        for k in range(MAX_ACTIONS):
            OUT[m, k] = 0.0
        for d in range(nd):
            prepare_mover(S, TH[d], T, i, lut, eloss, st, aux, ob)
            n = action_probs(S, i, TH[d], T, lut, eloss, st, aux, buf, ubuf, pbuf)
            for k in range(n):
                OUT[m, k] += buf[k] / nd


@njit(cache=True)
def predictive_movers(STATES, TH, T, OUT):
    """Mean over draws of the mover probabilities before each move: OUT (moves, NA)."""
    buf = np.empty(NBUF)
    for m in range(STATES.shape[0]):
        for j in range(NA):
            OUT[m, j] = 0.0
        for d in range(TH.shape[0]):
            mover_probs(STATES[m], TH[d], T, buf)
            for j in range(NA):
                OUT[m, j] += buf[j] / TH.shape[0]
