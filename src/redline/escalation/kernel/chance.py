"""Chance nodes of a round: their probabilities, and the inverse-CDF draw that samples them.

Every function fills ``out`` (or returns a probability) from the state ``S``, the draw's
parameters ``th`` and the tables ``T`` (:class:`~redline.escalation.kernel.tables.Tables`); none
changes the state. The rules are those of docs/escalation.md sections 2-4.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..layout import (
    G_DEFENDL,
    G_STANCE,
    S_DEFEND,
    S_STANCE,
    C_GAZASENS,
    C_PLOGIT,
    F_ACTOR,
    F_DEFSTK,
    F_HOSTILE,
    F_RUNG,
    F_TARGET,
    F_VIA,
    F_LVAR,
    G_DEPL,
    G_DOWN,
    G_GAZALEV,
    G_NUCH,
    G_PSLOT0,
    NA,
    NCOMBO,
    NDUR,
    NLEV,
    NOUT,
    NST,
    NUC_ENRICHING,
    NVAR,
    OUT_CONTAINED,
    OUT_DAMAGING,
    OUT_SEVERE,
    P_BASE,
    P_DURH,
    P_DURQ,
    P_EPS,
    P_RHO,
    RUNG_HOSTILE,
    RUNG_WAR,
    S_CEASE,
    S_FLAG,
    S_GAZA,
    S_LASTHOST,
    S_LASTHT,
    S_LEV,
    S_NUC,
    S_STK,
)
from .tables import is_mover, lever_mult

__all__ = ["depleted", "draw", "duration_probs", "gaza_collapse_prob", "mover_probs", "nuclear_prob",
           "outcome_probs", "outcome_probs_pre", "outcome_probs_vx", "partner_probs", "perception_probs",
           "variant_weights"]

LN2 = math.log(2.0)


@njit(cache=True)
def draw(p, n, u):
    """Index drawn from probabilities ``p[:n]`` with one uniform ``u`` (inverse CDF)."""
    c = 0.0
    last = -1
    for k in range(n):
        if p[k] > 0.0:
            last = k
            c += p[k]
            if u < c:
                return k
    return last


@njit(cache=True)
def duration_probs(S, th, out):
    """Probabilities of the NDUR duration bins until the next move (after a hostile or a quiet move)."""
    base = P_DURH if S[S_LASTHOST] > 0.0 else P_DURQ
    for b in range(NDUR):
        out[b] = th[base + b]


@njit(cache=True, inline="always")
def gaza_collapse_prob(S, days, T):
    """Chance that a lever-made Gaza ceasefire collapses during ``days``.

    The half-life runs from the pause's (intensity 0.5) to the full ceasefire's (intensity 1)
    linearly, and below 0.5 shrinks in proportion to the intensity (floored at 0.05).
    """
    GP = T.glob
    LGAZA = T.gaza_half_life
    if S[S_CEASE] == 0.0:
        return 0.0
    l = int(GP[G_GAZALEV])
    if l < 0:
        return 0.0
    x = S[S_LEV + l]
    full = LGAZA[l, 0]
    pause = LGAZA[l, 1]
    if x >= 0.5:
        hl = pause + (full - pause) * (x - 0.5) / 0.5
    else:
        hl = pause * max(x, 0.05) / 0.5
    return 1.0 - math.exp(-LN2 * days / hl)


@njit(cache=True, inline="always")
def nuclear_prob(S, days, T):
    """Chance that Iran moves from 60% enrichment to breakout during ``days``."""
    GP = T.glob
    LNUC = T.nuclear_mult
    if S[S_NUC] != NUC_ENRICHING:
        return 0.0
    h = GP[G_NUCH] * lever_mult(S, LNUC)
    return 1.0 - math.exp(-h * days)


@njit(cache=True, inline="always")
def mover_probs(S, th, T, out):
    """Who moves next: ``out[j]`` for the NA actor slots (returns NA).

    With chance rho the initiative goes to an actor on the spot: the target of the last hostile
    move, or a proxy whose motive just changed (the Gaza war started, paused or resumed), shared
    equally; otherwise to the movers by their base weights.
    """
    role = T.role
    lht = int(S[S_LASTHT])
    nspot = 0
    for j in range(NA):
        spot = (j == lht and is_mover(role[j])) or S[S_FLAG + j] > 0.0
        out[j] = -1.0 if spot else 0.0
        if spot:
            nspot += 1
    tot = 0.0
    for j in range(NA):
        if out[j] == 0.0 and is_mover(role[j]):
            out[j] = th[P_BASE + j]
            tot += out[j]
    rho = th[P_RHO] if nspot > 0 else 0.0
    if tot <= 0.0:
        rho = 1.0
    for j in range(NA):
        if out[j] < 0.0:
            out[j] = rho / nspot
        elif out[j] > 0.0:
            out[j] = out[j] * (1.0 - rho) / tot
    return NA


@njit(cache=True, inline="always")
def perception_probs(S, i, a, th, T, out):
    """How the target reads a hostile move: one rung lower, as it is, or one rung higher.

    Up with chance eps, down with eps * down_share, eps scaled by (1 - x reduction) for each
    active misperception lever on the pair (i, target); never read into rung 8 or below rung 2.
    """
    AF = T.action
    GP = T.glob
    MIS = T.misperception
    r = AF[a, F_RUNG]
    t = int(AF[a, F_TARGET])
    out[0] = 0.0
    out[1] = 1.0
    out[2] = 0.0
    if AF[a, F_HOSTILE] == 0.0 or t < 0 or r >= RUNG_WAR:
        return
    red = 1.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        if x != 0.0:
            red *= 1.0 - x * MIS[l, i, t]
    e = th[P_EPS] * red
    up = e if r + 1.0 <= RUNG_WAR - 1 else 0.0
    down = e * GP[G_DOWN] if r - 1.0 >= RUNG_HOSTILE else 0.0
    out[0] = down
    out[2] = up
    out[1] = 1.0 - up - down


@njit(cache=True)
def partner_probs(S, T, out):
    """Probabilities of the NCOMBO partner participation combinations (bit k: slot k takes part)."""
    partner_probs_arr(S, T.actor, T.glob, T.partner_logit, out)


@njit(cache=True)
def partner_probs_arr(S, ACT, GP, LPART, out):
    """:func:`partner_probs` on ``T.actor``, ``T.glob``, ``T.partner_logit`` (a call passing
    ``T`` copies all its array descriptors)."""
    pk0 = 1.0
    pk1 = 1.0
    for slot in range(2):
        k = int(GP[G_PSLOT0 + slot])
        if k < 0:
            continue
        bonus = 0.0
        for l in range(NLEV):
            bonus += S[S_LEV + l] * LPART[l, slot]
        z = (ACT[k, C_PLOGIT] + bonus - ACT[k, C_GAZASENS] * S[S_GAZA]
             + GP[G_STANCE] * S[S_STANCE + slot] + GP[G_DEFENDL] * S[S_DEFEND])
        p = 1.0 / (1.0 + math.exp(-z))
        if slot == 0:
            pk0 = p
        else:
            pk1 = p
    out[0] = (1.0 - pk0) * (1.0 - pk1)
    out[1] = pk0 * (1.0 - pk1)
    out[2] = (1.0 - pk0) * pk1
    out[3] = pk0 * pk1


@njit(cache=True)
def variant_weights(S, T, vx):
    """Summed lever intensity per lever-variant slot of raid effects."""
    variant_weights_arr(S, T.lever_variant, vx)


@njit(cache=True)
def variant_weights_arr(S, LVAR, vx):
    """:func:`variant_weights` on ``T.lever_variant``."""
    for v in range(vx.shape[0]):
        vx[v] = 0.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        v = int(LVAR[l])
        if x > 0.0 and v >= 0:
            vx[v] += x


@njit(cache=True)
def outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, out):
    """Outcome probabilities given precomputed variant weights ``vx`` (see :func:`outcome_probs`).

    Takes the tables it reads (``T.action``, ``T.outcome``, ``T.glob``, ``T.stock_use``,
    ``T.stock_owner``) rather than ``T``: it runs in the decision's inner loop.
    """
    for k in range(NOUT):
        out[k] = AO[a, q, k]
    if AF[a, F_VIA] > 0.0 or AF[a, F_LVAR] > 0.0:
        changed = False
        for v in range(NVAR):
            if vx[v] > 0.0:
                changed = True
                for k in range(NOUT):
                    out[k] += vx[v] * (AO[a, NCOMBO + v, k] - AO[a, NCOMBO - 1, k])
        if changed:
            tot = 0.0
            for k in range(NOUT):
                out[k] = max(out[k], 0.0)
                tot += out[k]
            for k in range(NOUT):
                out[k] /= tot
    if AF[a, F_DEFSTK] > 0.0:
        me = AF[a, F_ACTOR]
        shift = 0.0
        for s in range(NST):
            need = ASTK[a, s]
            if need > 0.0 and STKOWN[s] >= 0 and STKOWN[s] != me:
                have = S[S_STK + s]
                if have < need:
                    f = 1.0 - max(have, 0.0) / need
                    shift = max(shift, f)
        if shift > 0.0:
            m = GP[G_DEPL] * shift * out[OUT_CONTAINED]
            out[OUT_CONTAINED] -= m
            out[OUT_DAMAGING] += 0.5 * m
            out[OUT_SEVERE] += 0.5 * m


@njit(cache=True)
def outcome_probs(S, a, q, T, out):
    """Outcome probabilities [contained, damaging, severe] of action ``a`` under partner combination ``q``.

    The partner combination picks the engine's effect; active lever variants shift it by their
    intensity (``p += x (p_variant - p_default)``, renormalised); a defender stock below what the
    raid needs turns a share of contained outcomes into damaging and severe ones.
    """
    AF = T.action
    AO = T.outcome
    GP = T.glob
    ASTK = T.stock_use
    STKOWN = T.stock_owner
    vx = np.zeros(NVAR)
    variant_weights(S, T, vx)
    outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, out)


@njit(cache=True, inline="always")
def outcome_probs_pre(S, a, q, T, vx, out):
    """:func:`outcome_probs` with the variant weights ``vx`` of this state already computed
    (:func:`variant_weights`; the sampler takes them from the decision's cache): no allocation."""
    outcome_probs_vx(S, a, q, T.action, T.outcome, T.glob, T.stock_use, T.stock_owner, vx, out)


@njit(cache=True)
def depleted(S, a, AF, ASTK, STKOWN):
    """Is any defender stock below what action ``a`` is expected to use (tables ``T.action``,
    ``T.stock_use``, ``T.stock_owner``)?"""
    me = AF[a, F_ACTOR]
    for s in range(NST):
        need = ASTK[a, s]
        if need > 0.0 and STKOWN[s] >= 0 and STKOWN[s] != me and S[S_STK + s] < need:
            return True
    return False
