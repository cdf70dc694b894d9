"""State updates: time passing, a move and its consequences, the Gaza war, the war rule.

Every function changes the state vector ``S`` in place (layout in
:mod:`redline.escalation.layout`) from the tables ``T``; none depends on the fitted parameters,
so the coded history replays once (:mod:`redline.escalation.history`). The rules are those of
docs/escalation.md sections 2 and 5.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..layout import (
    C_HOST,
    C_PSLOT,
    F_KIND,
    F_NUC,
    K_BREAKOUT,
    K_DEFEND,
    K_JOIN,
    K_PRESS,
    K_RESTRICT,
    K_STAYOUT,
    NUC_BREAKOUT,
    S_BASING,
    S_DEFEND,
    S_IRAQP,
    S_NUC,
    S_NUCHIT,
    S_STANCE,
    S_WARON,
    S_WART,
    C_FAMILY,
    C_FLOSS,
    C_FTGT,
    C_GAZAM,
    F_DCOST,
    F_HOSTILE,
    F_RUNG,
    F_TARGET,
    F_VIA,
    G_DEFHL,
    G_DUR,
    G_GRHL,
    G_GRL,
    G_GRR,
    G_L0,
    G_PRECHL,
    G_PSLOT0,
    G_QUIETN,
    G_WARCNT,
    G_WARDAYS,
    G_WARMIN,
    NA,
    NDUR,
    NLEV,
    NRING,
    NST,
    OUT_SEVERE,
    ROLE_NONE,
    ROLE_PROXY,
    RUNG_FRONT,
    RUNG_SIGNAL,
    RUNG_WAR,
    S_D,
    S_DCOST,
    S_FLAG,
    S_G,
    S_GAZA,
    S_HIT,
    S_LASTA,
    S_LASTHOST,
    S_LASTHT,
    S_LASTM,
    S_LEV,
    S_LOSS,
    S_NHI,
    S_NMOV,
    S_NORM,
    S_PART,
    S_PG,
    S_POST,
    S_PR,
    S_PS,
    S_QUIET,
    S_SEV,
    S_STATUS,
    S_STK,
    S_TIME,
    ST_DEESC,

)
from .tables import is_mover

__all__ = ["advance", "advance_by", "decay_factors", "decay_table", "apply_move", "front_active", "recent_high", "set_gaza", "war_trigger"]


@njit(cache=True)
def recent_high(S, GP):
    """Moves at rung >= min_rung within the war window before now."""
    lo = S[S_TIME] - GP[G_WARDAYS]
    n = 0
    for j in range(NRING):
        if S[S_HIT + j] >= lo:
            n += 1
    return n


@njit(cache=True)
def war_trigger(S, r_prev, r, GP):
    """Would a move on rung ``r`` now (after a hypothetical move on ``r_prev``, -1 none) start a
    regional war: rung 8, or ``count`` moves at rung >= ``min_rung`` within the window?"""
    if r >= RUNG_WAR:
        return True
    mn = GP[G_WARMIN]
    n = recent_high(S, GP)
    if r >= mn:
        n += 1
    if r_prev >= 0 and r_prev >= mn:
        n += 1
    return n >= int(GP[G_WARCNT])


@njit(cache=True, inline="always")
def front_active(S, role, j):
    """Is actor ``j`` (roles ``T.role``) a proxy whose latest move keeps its front active
    (posture >= RUNG_FRONT)?"""
    return role[j] == ROLE_PROXY and S[S_POST + j] >= RUNG_FRONT


@njit(cache=True)
def set_gaza(S, on, T):
    """Start (``on``) or stop the Gaza war; proxies with a Gaza motive are put on the spot."""
    ACT = T.actor
    role = T.role
    S[S_GAZA] = 1.0 if on else 0.0
    for j in range(NA):
        if role[j] == ROLE_PROXY and ACT[j, C_GAZAM] > 0.0:
            S[S_FLAG + j] = 1.0


@njit(cache=True)
def advance(S, days, T, acc):
    """Time passes: grievance, deficit and precedent decay, fronts inflict losses, stocks are produced.

    ``acc`` (NI,) accumulates the interceptors the active fronts use.
    """
    fg, fd, fn = decay_factors(days, T.glob)
    advance_by(S, days, fg, fd, fn, T, acc)


@njit(cache=True, inline="always")
def decay_factors(days, GP):
    """The factors by which grievance, deficit and precedent decay over ``days`` (their half-lives in ``GP``)."""
    return 0.5 ** (days / GP[G_GRHL]), 0.5 ** (days / GP[G_DEFHL]), 0.5 ** (days / GP[G_PRECHL])


@njit(cache=True)
def decay_table(GP):
    """(3, NDUR) :func:`decay_factors` over each duration bin's days (the sampler looks them up
    instead of three powers a move)."""
    out = np.empty((3, NDUR))
    for b in range(NDUR):
        out[0, b], out[1, b], out[2, b] = decay_factors(GP[G_DUR + b], GP)
    return out


@njit(cache=True, inline="always")
def advance_by(S, days, fg, fd, fn, T, acc):
    """:func:`advance` given its decay factors ``fg``, ``fd``, ``fn`` over ``days``."""
    ACT = T.actor
    role = T.role
    GP = T.glob
    PROD = T.production
    LPROD = T.production_mult
    FSTK = T.front_stock
    FINT = T.front_interceptors
    for j in range(NA):
        S[S_G + j] *= fg
        S[S_D + j] *= fd
        S[S_NORM + j] *= fn
    S[S_NUCHIT] *= fg
    S[S_BASING] *= fg
    S[S_IRAQP] *= fg
    S[S_DEFEND] *= fg
    for j in range(NA):
        if front_active(S, role, j):
            ft = int(ACT[j, C_FTGT])
            if ft >= 0:
                loss = ACT[j, C_FLOSS] * days
                S[S_LOSS + ft] += loss
                S[S_G + ft] += GP[G_GRL] * loss
                for s in range(NST):
                    S[S_STK + s] -= FSTK[j, s] * days
                for k in range(FINT.shape[1]):
                    acc[k] += FINT[j, k] * days
    for s in range(NST):
        if PROD[s] > 0.0:
            m = 1.0
            for l in range(NLEV):
                x = S[S_LEV + l]
                if x != 0.0:
                    m *= 1.0 + x * (LPROD[l, s] - 1.0)
            S[S_STK + s] += PROD[s] * m * days
        S[S_STK + s] = max(S[S_STK + s], 0.0)
    S[S_TIME] += days


@njit(cache=True, inline="always")
def apply_move(S, i, a, dperc, q, o, T, acc):
    """The move ``a`` by actor ``i``, read ``dperc`` rungs off by its target, with partner
    combination ``q`` and outcome ``o``: update provocations, grievance, deficits, losses,
    stocks, postures, and the end state (regional war or durable de-escalation).

    ``acc`` (NI,) accumulates the interceptors the move uses.
    """
    AF = T.action
    ACT = T.actor
    role = T.role
    GP = T.glob
    COM = T.commitment
    ASTK = T.stock_use
    AI = T.interceptors
    r = AF[a, F_RUNG]
    t = int(AF[a, F_TARGET])
    hostile = AF[a, F_HOSTILE] > 0.0
    # the reported war rule counts a move as its target reads it (the mover did not anticipate a
    # misreading); it is a report: the path goes on, and no choice reads it
    seen = min(max(r + dperc, 0.0), RUNG_WAR) if hostile else r
    trig = war_trigger(S, -1, seen, GP)
    kind = int(AF[a, F_KIND])
    if kind != 0:
        slot = int(ACT[i, C_PSLOT])
        if kind == K_JOIN and slot >= 0:
            S[S_STANCE + slot] = 1.0
        elif (kind == K_STAYOUT or kind == K_RESTRICT) and slot >= 0:
            S[S_STANCE + slot] = -1.0
        if kind == K_RESTRICT:
            S[S_BASING] = 1.0
        elif kind == K_BREAKOUT:
            S[S_NUC] = NUC_BREAKOUT
        elif kind == K_PRESS:
            S[S_IRAQP] = 1.0
        elif kind == K_DEFEND:
            S[S_DEFEND] = 1.0
    # the mover's pending provocation is answered or let go
    pp = S[S_PR + i]
    ps = int(S[S_PS + i])
    resp = hostile and pp > 0.0 and ps >= 0 and t >= 0 and ACT[t, C_FAMILY] == ACT[ps, C_FAMILY]
    if r != RUNG_SIGNAL:    # signalling leaves a provocation pending; restraint or any hostile act settles it
        if pp > 0.0 and not resp:
            S[S_D + i] += pp / RUNG_WAR
        if resp:
            S[S_D + i] = max(0.0, S[S_D + i] - r / RUNG_WAR)
        S[S_PR + i] = 0.0
        S[S_PS + i] = -1.0
    if hostile:
        S[S_NORM + i] = max(S[S_NORM + i], r)
        if role[t] != ROLE_NONE and r > S[S_NORM + t]:
            S[S_NORM + t] = r
    if hostile and t >= 0:
        perc = min(max(r + dperc, 0.0), RUNG_WAR)
        L = GP[G_L0 + o]
        S[S_LOSS + t] += L
        if AF[a, F_NUC] > 0.0:
            S[S_NUCHIT] += L                # damage to the nuclear programme (strikes flagged nuclear)
        h = int(ACT[t, C_HOST])
        if h >= 0 and h != i:               # a hit on an actor on a partner's territory aggrieves the host
            S[S_G + h] += GP[G_GRR] * perc / RUNG_WAR
        if o == OUT_SEVERE:
            S[S_SEV + t] += 1.0
        S[S_DCOST + t] += AF[a, F_DCOST]
        if is_mover(role[t]):
            S[S_G + t] += GP[G_GRR] * perc / RUNG_WAR + GP[G_GRL] * L
            if perc >= S[S_PR + t]:
                S[S_PR + t] = perc
                S[S_PS + t] = i
        for k in range(NA):
            c = 0.0
            for l in range(NLEV):
                x = S[S_LEV + l]
                if x != 0.0:
                    c += x * COM[l, k, t]
            if c > 0.0 and k != i and ACT[k, C_FAMILY] != ACT[i, C_FAMILY]:
                pk = min(c, 1.0) * perc
                if pk > S[S_PR + k]:
                    S[S_PR + k] = pk
                    S[S_PS + k] = i
        for s in range(NST):
            if ASTK[a, s] != 0.0:
                S[S_STK + s] = max(0.0, S[S_STK + s] - ASTK[a, s])
        for k in range(AI.shape[1]):
            acc[k] += AI[a, k]
        if AF[a, F_VIA] > 0.0:
            for slot in range(2):
                kp = int(GP[G_PSLOT0 + slot])
                if kp >= 0:
                    took = 1.0 if (q >> slot) & 1 else 0.0
                    S[S_PART + slot] = took
                    S[S_PG + slot] = took
    S[S_POST + i] = r
    S[S_FLAG + i] = 0.0
    if seen >= GP[G_WARMIN]:
        nh = int(S[S_NHI])
        S[S_HIT + (nh % NRING)] = S[S_TIME]
        S[S_NHI] = nh + 1
    S[S_NMOV] += 1.0
    S[S_LASTM] = i
    S[S_LASTA] = a
    S[S_LASTHT] = t if hostile else -1.0
    S[S_LASTHOST] = 1.0 if hostile else 0.0
    if trig and S[S_WARON] == 0.0:
        S[S_WARON] = 1.0
        S[S_WART] = S[S_TIME]
    quiet = r <= RUNG_SIGNAL    # a quiet round: a non-hostile move while no proxy front is active
    if quiet:
        for j in range(NA):
            if front_active(S, role, j):
                quiet = False
                break
    if quiet:
        S[S_QUIET] += 1.0
        if S[S_QUIET] >= GP[G_QUIETN]:
            S[S_STATUS] = ST_DEESC
    else:
        S[S_QUIET] = 0.0
