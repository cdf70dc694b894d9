"""The numba core of the escalation game: node probabilities, state updates, the path sampler.

Pure functions on arrays. A path's state is a float64 vector (layout in
:mod:`redline.escalation.layout`); ``th`` is one posterior draw's parameter vector; ``T`` is the
tuple of game tables built by :func:`redline.escalation.compile.compile_tables`:

====  ===========================================================================
T[0]  AF (A, NF)            action fields
T[1]  AO (A, 8, 3)          outcome probabilities: 4 partner combinations, 4 lever variants
T[2]  AI (A, NI)            expected interceptors used, by type
T[3]  ACT (NA, NC)          actor constants
T[4]  GP (NG,)              global constants
T[5]  LU (NLEV, A)          lever utility deltas
T[6]  LUC (NLEV, A)         lever utility deltas scaled by an actor's credibility
T[7]  LCA (NLEV,)           the actor whose credibility scales LUC (-1 none)
T[8]  COM (NLEV, NA, NA)    commitments: actor k answers for protected actor t
T[9]  MIS (NLEV, NA, NA)    misperception reduction for (observer? no: mover, target) pairs
T[10] LPART (NLEV,)         partner participation logit
T[11] LVAR (NLEV,)          lever variant slot (-1 none)
T[12] LGAZA (NLEV, 2)       ceasefire collapse half-lives (full, pause) [days]
T[13] LNUC (NLEV,)          nuclear hazard multiplier
T[14] LWAR (NLEV,)          war-cost multiplier
T[15] LPROD (NLEV, NST)     production multiplier
T[16] PROD (NST,)           production per day
T[17] ASTK (A, NST)         expected stock use per action
T[18] STKOWN (NST,)         owner actor of each stock (-1 unused)
T[19] FSTK (NA, NST)        stock use per day of an active proxy front
T[20] FINT (NA, NI)         interceptors per day of an active proxy front
T[21] ELT (A, 8)            expected loss points of each outcome column of AO
====  ===========================================================================

Every chance node has a function returning its probabilities; the sampler draws them with one
uniform each (inverse CDF, fixed order) and the exact enumerator in
:mod:`redline.escalation.exact` branches on them. Both apply the same update functions, so the
two agree by construction up to Monte Carlo error (tested).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .layout import (
    C_AUTON,
    C_FAMILY,
    C_FIRSTA,
    C_FLOSS,
    C_FTGT,
    C_GAZAM,
    C_GAZASENS,
    C_NACT,
    C_OILS,
    C_PATRON,
    C_PLOGIT,
    C_PSLOT,
    C_RESOLVE,
    C_ROLE,
    C_WARC,
    F_ACTOR,
    F_CAP,
    F_DCOST,
    F_DEFSTK,
    F_ECON,
    F_HOSTILE,
    F_NUC,
    F_OIL,
    F_OWNSTK,
    F_RUNG,
    F_TARGET,
    F_TFAM,
    F_THIRD,
    F_VIA,
    G_DEFHL,
    G_DEPL,
    G_DOWN,
    G_DUR,
    G_GAZALEV,
    G_GRHL,
    G_GRL,
    G_GRR,
    G_L0,
    G_NUCH,
    G_NUCV,
    G_PRECHL,
    G_PRET,
    G_PSLOT0,
    G_QUIETN,
    G_RAIDFAM,
    G_WARCNT,
    G_WARDAYS,
    G_WARMIN,
    NA,
    NCOMBO,
    NDUR,
    NLEV,
    NST,
    P_BASE,
    P_DET,
    P_DOM,
    P_DURH,
    P_DURQ,
    P_ECON,
    P_EPS,
    P_ESC,
    P_GAZA,
    P_LAM,
    P_MIL,
    P_PREC,
    P_RECIP,
    P_REPLY,
    P_RHO,
    P_THIRD,
    S_CEASE,
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
    S_NUC,
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
    ST_HORIZON,
    ST_RUNNING,
    ST_WAR,
)

LN2 = math.log(2.0)
NU = 8  # uniforms per round: duration, gaza, nuclear, mover, action, perception, partners, outcome


# ------------------------------------------------------------------------------- helpers
@njit(cache=True)
def _lever_mult(S, arr):
    m = 1.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        if x != 0.0:
            m *= 1.0 + x * (arr[l] - 1.0)
    return m


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
def _recent_high(S, GP):
    """Moves at rung >= min_rung within the war window before now."""
    lo = S[S_TIME] - GP[G_WARDAYS]
    n = 0
    for j in range(4):
        if S[S_HIT + j] >= lo:
            n += 1
    return n


@njit(cache=True)
def war_trigger(S, r_prev, r, GP):
    """Would a move on rung ``r`` now (after a hypothetical move on ``r_prev``, -1 none) start a
    regional war: rung 8, or ``count`` moves at rung >= ``min_rung`` within the window?"""
    if r >= 8:
        return True
    mn = GP[G_WARMIN]
    n = _recent_high(S, GP)
    if r >= mn:
        n += 1
    if r_prev >= 0 and r_prev >= mn:
        n += 1
    return n >= int(GP[G_WARCNT])


@njit(cache=True)
def partner_probs(S, T, out):
    """Probabilities of the 4 partner participation combinations (bit k: slot k takes part)."""
    ACT = T[3]
    GP = T[4]
    LPART = T[10]
    bonus = 0.0
    for l in range(NLEV):
        bonus += S[S_LEV + l] * LPART[l]
    pk0 = 1.0
    pk1 = 1.0
    for slot in range(2):
        k = int(GP[G_PSLOT0 + slot])
        if k < 0:
            continue
        z = ACT[k, C_PLOGIT] + bonus - ACT[k, C_GAZASENS] * S[S_GAZA]
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
    LVAR = T[11]
    for v in range(vx.shape[0]):
        vx[v] = 0.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        v = int(LVAR[l])
        if x > 0.0 and v >= 0:
            vx[v] += x


@njit(cache=True)
def outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, out):
    """Outcome probabilities given precomputed variant weights ``vx`` (see :func:`outcome_probs`)."""
    for k in range(3):
        out[k] = AO[a, q, k]
    if AF[a, F_VIA] > 0.0:
        changed = False
        for v in range(4):
            if vx[v] > 0.0:
                changed = True
                for k in range(3):
                    out[k] += vx[v] * (AO[a, NCOMBO + v, k] - AO[a, NCOMBO - 1, k])
        if changed:
            tot = 0.0
            for k in range(3):
                out[k] = max(out[k], 0.0)
                tot += out[k]
            for k in range(3):
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
            m = GP[G_DEPL] * shift * out[0]
            out[0] -= m
            out[1] += 0.5 * m
            out[2] += 0.5 * m


@njit(cache=True)
def outcome_probs(S, a, q, T, out):
    """Outcome probabilities [contained, damaging, severe] of action ``a`` under partner combination ``q``.

    The partner combination picks the engine's effect; active lever variants shift it by their
    intensity (``p += x (p_variant - p_default)``, renormalised); a defender stock below what the
    raid needs turns a share of contained outcomes into damaging and severe ones.
    """
    AF = T[0]
    AO = T[1]
    GP = T[4]
    ASTK = T[17]
    STKOWN = T[18]
    vx = np.zeros(4)
    variant_weights(S, T, vx)
    outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, out)


@njit(cache=True)
def depleted(S, a, AF, ASTK, STKOWN):
    """Is any defender stock below what action ``a`` is expected to use?"""
    me = AF[a, F_ACTOR]
    for s in range(NST):
        need = ASTK[a, s]
        if need > 0.0 and STKOWN[s] >= 0 and STKOWN[s] != me and S[S_STK + s] < need:
            return True
    return False


@njit(cache=True)
def available_arr(S, i, a, AF, ASTK, STKOWN):
    if AF[a, F_OWNSTK] == 0.0:
        return True
    for s in range(NST):
        if STKOWN[s] == i and ASTK[a, s] > 0.0 and S[S_STK + s] < ASTK[a, s]:
            return False
    return True


@njit(cache=True)
def available(S, i, a, T):
    """False when the action needs more of the mover's own stock than it holds."""
    return available_arr(S, i, a, T[0], T[17], T[18])


@njit(cache=True)
def war_cost(S, i, T):
    """Actor ``i``'s cost of a regional war (proxies' blended with the patron's), times lever multipliers."""
    ACT = T[3]
    LWAR = T[14]
    return ACT[i, C_WARC] * _lever_mult(S, LWAR)


# aux layout: [0:4] partner combinations, [4:94] war-trigger table, then war costs (NA), lever-variant
# weights (4), wanted actors (NA), active lever indices (NLEV), credibility factors (NLEV)
AUX_TRIG = 4
AUX_WARC = 94
AUX_VX = AUX_WARC + NA
AUX_WANT = AUX_VX + 4
AUX_LEV = AUX_WANT + NA
AUX_CEXP = AUX_LEV + NLEV
NCACHE_EXTRA = AUX_CEXP + NLEV
UNAVAILABLE = -1e300


@njit(cache=True)
def prepare(S, th, T, mover, lut, eloss, st, aux, ob):
    """Per-round caches for the mover's decision, computed once per state and draw.

    Only the actions of ``mover`` and of the actors its hostile actions target are filled
    (``mover = -1``: every action).

    ``lut[a]`` lever utility, ``eloss[a]`` expected loss points inflicted, ``st[a]`` the part of
    the utility that depends neither on a pending provocation nor on precedent (docs: utility
    terms; -1e300 when the action is unavailable), ``aux`` partner-combination probabilities, whether a move on rung
    ``r`` after one on ``r_prev`` starts a regional war (``aux[4 + 9*(r_prev+1) + r]``), each
    actor's war cost and the lever-variant weights.
    """
    AF = T[0]
    ACT = T[3]
    GP = T[4]
    AO = T[1]
    LU = T[5]
    LUC = T[6]
    LCA = T[7]
    ASTK = T[17]
    STKOWN = T[18]
    A = AF.shape[0]
    partner_probs(S, T, aux)
    mn = GP[G_WARMIN]
    cnt = int(GP[G_WARCNT])
    c1 = _recent_high(S, GP)
    for r in range(9):
        hr = 1 if r >= mn else 0
        aux[AUX_TRIG + r] = 1.0 if (r >= 8 or c1 + hr >= cnt) else 0.0
        for rp in range(9):
            hp = 1 if rp >= mn else 0
            aux[AUX_TRIG + 9 * (rp + 1) + r] = 1.0 if (r >= 8 or c1 + hp + hr >= cnt) else 0.0
    LWAR = T[14]
    wm = _lever_mult(S, LWAR)
    for j in range(NA):
        aux[AUX_WARC + j] = ACT[j, C_WARC] * wm
    vx = aux[AUX_VX:AUX_VX + 4]
    variant_weights(S, T, vx)
    nlev = 0
    for l in range(NLEV):
        if S[S_LEV + l] != 0.0:
            aux[AUX_LEV + nlev] = l
            nlev += 1
    for j in range(NA):
        aux[AUX_WANT + j] = 1.0 if mover < 0 else 0.0
    if mover >= 0:
        aux[AUX_WANT + mover] = 1.0
        f0 = int(ACT[mover, C_FIRSTA])
        for a in range(f0, f0 + int(ACT[mover, C_NACT])):
            if AF[a, F_HOSTILE] > 0.0:
                aux[AUX_WANT + int(AF[a, F_TARGET])] = 1.0
    ELT = T[21]
    for kl in range(nlev):
        l = int(aux[AUX_LEV + kl])
        aux[AUX_CEXP + l] = math.exp(-S[S_D + int(LCA[l])]) if LCA[l] >= 0.0 else 0.0
    for a in range(A):
        if aux[AUX_WANT + int(AF[a, F_ACTOR])] == 0.0:
            continue
        u = 0.0
        for kl in range(nlev):
            l = int(aux[AUX_LEV + kl])
            x = S[S_LEV + l]
            u += x * (LU[l, a] + LUC[l, a] * aux[AUX_CEXP + l])
        lut[a] = u
        hostile = AF[a, F_HOSTILE] > 0.0
        e = 0.0
        if hostile:
            if AF[a, F_DEFSTK] > 0.0 and depleted(S, a, AF, ASTK, STKOWN):
                # defender depletion is state-dependent: use the full outcome model
                if AF[a, F_VIA] > 0.0:
                    for q in range(4):
                        if aux[q] > 0.0:
                            outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, ob)
                            e += aux[q] * (ob[0] * GP[G_L0] + ob[1] * GP[G_L0 + 1] + ob[2] * GP[G_L0 + 2])
                else:
                    outcome_probs_vx(S, a, 3, AF, AO, GP, ASTK, STKOWN, vx, ob)
                    e = ob[0] * GP[G_L0] + ob[1] * GP[G_L0 + 1] + ob[2] * GP[G_L0 + 2]
            elif AF[a, F_VIA] > 0.0:
                for q in range(4):
                    e += aux[q] * ELT[a, q]
                for v in range(4):
                    if vx[v] > 0.0:
                        e += vx[v] * (ELT[a, NCOMBO + v] - ELT[a, NCOMBO - 1])
            else:
                e = ELT[a, NCOMBO - 1]
        eloss[a] = e
        i = int(AF[a, F_ACTOR])
        if not available_arr(S, i, a, AF, ASTK, STKOWN):
            st[a] = UNAVAILABLE
            continue
        x = AF[a, F_RUNG] / 8.0
        v = -th[P_THIRD] * (AF[a, F_THIRD] - u)
        v -= th[P_ECON] * (AF[a, F_ECON] + AF[a, F_OIL] * ACT[i, C_OILS])
        if hostile:
            t = int(AF[a, F_TARGET])
            v += th[P_DOM] * S[S_G + i] * x
            v += th[P_GAZA] * S[S_GAZA] * ACT[i, C_GAZAM]
            slot = int(ACT[t, C_PSLOT])
            if slot >= 0 and ACT[i, C_FAMILY] == GP[G_RAIDFAM]:
                v += th[P_RECIP] * GP[G_PRET] * S[S_PG + slot]
            v += th[P_MIL] * (e / 4.0 + AF[a, F_CAP] * (1.0 + AF[a, F_NUC] * GP[G_NUCV] * S[S_NUC]))
        st[a] = v


@njit(cache=True)
def climb_cost(x, n, kappa, w, nu):
    """Cost of climbing to rung fraction ``x`` for an actor with precedent level ``n`` (both /8).

    ``w kappa ((1 - nu) x^2 + nu max(0, x - n)^2)``: a share ``nu`` of the convex cost applies
    only above the highest rung the actor has recently used or suffered.
    """
    e = x - n
    e = max(e, 0.0)
    return w * kappa * ((1.0 - nu) * x * x + nu * e * e)


@njit(cache=True)
def util(S, i, a, th, AF, ACT, st, p, s, dg):
    """Utility of action ``a`` for actor ``i`` facing a pending provocation of perceived rung ``p``
    from actor ``s`` (p = 0: none), with ``dg`` extra grievance (a hypothetical provocation)."""
    x = AF[a, F_RUNG] / 8.0
    u = st[a] - climb_cost(x, S[S_NORM + i] / 8.0, ACT[i, C_RESOLVE], th[P_ESC], th[P_PREC])
    if AF[a, F_HOSTILE] > 0.0:
        u += th[P_DOM] * dg * x
        t = int(AF[a, F_TARGET])
        if p > 0.0 and s >= 0 and ACT[t, C_FAMILY] == ACT[s, C_FAMILY]:
            u += th[P_DET] * S[S_D + i] * x
            dx = x - p / 8.0
            u -= th[P_RECIP] * dx * dx
        elif p > 0.0:
            u -= th[P_RECIP] * (p / 8.0) * (p / 8.0)
    elif p > 0.0:
        u -= th[P_RECIP] * (p / 8.0) * (p / 8.0)
    return u


@njit(cache=True)
def action_probs(S, i, th, T, lut, eloss, st, aux, out, ubuf, pbuf):
    """Logit quantal response of actor ``i`` over its actions, with one-move look-ahead.

    Writes ``out[k]`` for the actor's k-th action (global index ``first + k``) and returns the
    number of actions. The utility adds to the static and provocation terms (:func:`util`) the
    war risk (1 if the action itself starts a regional war, else the chance that the target's
    reply does) times the war cost, and the expected harm of that reply. The target replies by
    logit quantal response over its myopic utilities (no look-ahead of its own); the reply
    utilities below are :func:`util` written out for speed.
    """
    AF = T[0]
    ACT = T[3]
    GP = T[4]
    lam = th[P_LAM]
    wdom = th[P_DOM]
    wdet = th[P_DET]
    wrec = th[P_RECIP]
    first = int(ACT[i, C_FIRSTA])
    n = int(ACT[i, C_NACT])
    wc = aux[AUX_WARC + i]
    p0 = S[S_PR + i]
    s0 = int(S[S_PS + i])
    patron = int(ACT[i, C_PATRON])
    auton = ACT[i, C_AUTON]
    fam_i = ACT[i, C_FAMILY]
    umax = -1e300
    for k in range(n):
        a = first + k
        if st[a] <= UNAVAILABLE:
            ubuf[k] = UNAVAILABLE
            continue
        u = util(S, i, a, th, AF, ACT, st, p0, s0, 0.0)
        r = int(AF[a, F_RUNG])
        t = int(AF[a, F_TARGET])
        pw = 0.0
        harm = 0.0
        if aux[AUX_TRIG + r] > 0.0:
            pw = 1.0
        elif AF[a, F_HOSTILE] > 0.0 and ACT[t, C_ROLE] <= 1.0:
            dg = GP[G_GRR] * r / 8.0 + GP[G_GRL] * eloss[a]
            f2 = int(ACT[t, C_FIRSTA])
            m = int(ACT[t, C_NACT])
            wct = aux[AUX_WARC + t]
            row = AUX_TRIG + 9 * (r + 1)
            pr = r / 8.0
            pr2 = pr * pr
            dt = S[S_D + t]
            nt = max(S[S_NORM + t] / 8.0, pr)
            kt = ACT[t, C_RESOLVE]
            wesc = th[P_ESC]
            nu = th[P_PREC]
            vmax = -1e300
            for kb in range(m):
                b = f2 + kb
                v = st[b]
                if v <= UNAVAILABLE:
                    pbuf[kb] = UNAVAILABLE
                    continue
                xb = AF[b, F_RUNG] / 8.0
                eb = xb - nt
                eb = max(eb, 0.0)
                v -= wesc * kt * ((1.0 - nu) * xb * xb + nu * eb * eb)
                if AF[b, F_HOSTILE] > 0.0:
                    v += wdom * dg * xb
                    if AF[b, F_TFAM] == fam_i:
                        dx = xb - pr
                        v += wdet * dt * xb - wrec * dx * dx
                    else:
                        v -= wrec * pr2
                else:
                    v -= wrec * pr2
                if aux[row + int(AF[b, F_RUNG])] > 0.0:
                    v -= wct
                pbuf[kb] = v
                vmax = max(vmax, v)
            tot = 0.0
            for kb in range(m):
                if pbuf[kb] > UNAVAILABLE:
                    pbuf[kb] = math.exp(lam * (pbuf[kb] - vmax))
                    tot += pbuf[kb]
                else:
                    pbuf[kb] = 0.0
            inv = 1.0 / tot
            for kb in range(m):
                pb = pbuf[kb]
                if pb == 0.0:
                    continue
                pb *= inv
                b = f2 + kb
                if aux[row + int(AF[b, F_RUNG])] > 0.0:
                    pw += pb
                if AF[b, F_HOSTILE] > 0.0:
                    tb = int(AF[b, F_TARGET])
                    if tb == i:
                        harm += pb * eloss[b]
                    elif tb == patron:
                        harm += pb * (1.0 - auton) * eloss[b]
        u -= wc * pw + th[P_REPLY] * harm / 4.0
        ubuf[k] = u
        umax = max(umax, u)
    tot = 0.0
    for k in range(n):
        if ubuf[k] > UNAVAILABLE:
            out[k] = math.exp(lam * (ubuf[k] - umax))
            tot += out[k]
        else:
            out[k] = 0.0
    for k in range(n):
        out[k] /= tot
    return n


@njit(cache=True)
def mover_probs(S, th, T, out):
    """Who moves next.

    With chance rho the initiative goes to an actor on the spot: the target of the last hostile
    move, or a proxy whose motive just changed (the Gaza war started, paused or resumed), shared
    equally; otherwise to the movers by their base weights.
    """
    ACT = T[3]
    lht = int(S[S_LASTHT])
    nspot = 0
    for j in range(NA):
        spot = (j == lht and ACT[j, C_ROLE] >= 0.0 and ACT[j, C_ROLE] <= 1.0) or S[S_FLAG + j] > 0.0
        out[j] = -1.0 if spot else 0.0
        if spot:
            nspot += 1
    tot = 0.0
    for j in range(NA):
        if out[j] == 0.0 and ACT[j, C_ROLE] >= 0.0 and ACT[j, C_ROLE] <= 1.0:
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


@njit(cache=True)
def set_gaza(S, on, T):
    """Start (``on``) or stop the Gaza war; proxies with a Gaza motive are put on the spot."""
    ACT = T[3]
    S[S_GAZA] = 1.0 if on else 0.0
    for j in range(NA):
        if ACT[j, C_ROLE] == 1.0 and ACT[j, C_GAZAM] > 0.0:
            S[S_FLAG + j] = 1.0


@njit(cache=True)
def perception_probs(S, i, a, th, T, out):
    """How the target reads a hostile move: one rung lower, as it is, or one rung higher."""
    AF = T[0]
    GP = T[4]
    MIS = T[9]
    r = AF[a, F_RUNG]
    t = int(AF[a, F_TARGET])
    out[0] = 0.0
    out[1] = 1.0
    out[2] = 0.0
    if AF[a, F_HOSTILE] == 0.0 or t < 0 or r >= 8.0:
        return
    red = 1.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        if x != 0.0:
            red *= 1.0 - x * MIS[l, i, t]
    e = th[P_EPS] * red
    up = e if r + 1.0 <= 7.0 else 0.0
    down = e * GP[G_DOWN] if r - 1.0 >= 2.0 else 0.0
    out[0] = down
    out[2] = up
    out[1] = 1.0 - up - down


@njit(cache=True)
def duration_probs(S, th, out):
    base = P_DURH if S[S_LASTHOST] > 0.0 else P_DURQ
    for b in range(NDUR):
        out[b] = th[base + b]


@njit(cache=True)
def gaza_collapse_prob(S, days, T):
    """Chance that a lever-made Gaza ceasefire collapses during ``days``."""
    GP = T[4]
    LGAZA = T[12]
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


@njit(cache=True)
def nuclear_prob(S, days, T):
    """Chance that Iran moves from 60% enrichment to breakout during ``days``."""
    GP = T[4]
    LNUC = T[13]
    if S[S_NUC] != 1.0:
        return 0.0
    h = GP[G_NUCH] * _lever_mult(S, LNUC)
    return 1.0 - math.exp(-h * days)


@njit(cache=True)
def advance(S, days, T, acc):
    """Time passes: grievance and deficit decay, fronts inflict losses, stocks are produced."""
    ACT = T[3]
    GP = T[4]
    PROD = T[16]
    FSTK = T[19]
    FINT = T[20]
    fg = 0.5 ** (days / GP[G_GRHL])
    fd = 0.5 ** (days / GP[G_DEFHL])
    fn = 0.5 ** (days / GP[G_PRECHL])
    for j in range(NA):
        S[S_G + j] *= fg
        S[S_D + j] *= fd
        S[S_NORM + j] *= fn
    for j in range(NA):
        if ACT[j, C_ROLE] == 1.0 and S[S_POST + j] >= 3.0:
            ft = int(ACT[j, C_FTGT])
            if ft >= 0:
                loss = ACT[j, C_FLOSS] * days
                S[S_LOSS + ft] += loss
                S[S_G + ft] += GP[G_GRL] * loss
                for s in range(NST):
                    S[S_STK + s] -= FSTK[j, s] * days
                for k in range(FINT.shape[1]):
                    acc[k] += FINT[j, k] * days
    LPROD = T[15]
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


@njit(cache=True)
def apply_move(S, i, a, dperc, q, o, T, acc):
    """The move ``a`` by actor ``i``, read ``dperc`` rungs off by its target, with partner
    combination ``q`` and outcome ``o``: update provocations, grievance, deficits, losses,
    stocks, postures, and the end state (regional war or durable de-escalation)."""
    AF = T[0]
    AI = T[2]
    ACT = T[3]
    GP = T[4]
    COM = T[8]
    ASTK = T[17]
    r = AF[a, F_RUNG]
    t = int(AF[a, F_TARGET])
    hostile = AF[a, F_HOSTILE] > 0.0
    # the war rule counts a move as its target reads it (the mover did not anticipate a misreading)
    seen = min(max(r + dperc, 0.0), 8.0) if hostile else r
    trig = war_trigger(S, -1, seen, GP)
    # the mover's pending provocation is answered or let go
    pp = S[S_PR + i]
    ps = int(S[S_PS + i])
    resp = hostile and pp > 0.0 and ps >= 0 and t >= 0 and ACT[t, C_FAMILY] == ACT[ps, C_FAMILY]
    if r != 1.0:            # signalling leaves a provocation pending; restraint or any hostile act settles it
        if pp > 0.0 and not resp:
            S[S_D + i] += pp / 8.0
        if resp:
            S[S_D + i] = max(0.0, S[S_D + i] - r / 8.0)
        S[S_PR + i] = 0.0
        S[S_PS + i] = -1.0
    if hostile:
        S[S_NORM + i] = max(S[S_NORM + i], r)
        if ACT[t, C_ROLE] >= 0.0 and r > S[S_NORM + t]:
            S[S_NORM + t] = r
    if hostile and t >= 0:
        perc = min(max(r + dperc, 0.0), 8.0)
        L = GP[G_L0 + o]
        S[S_LOSS + t] += L
        if o == 2:
            S[S_SEV + t] += 1.0
        S[S_DCOST + t] += AF[a, F_DCOST]
        if ACT[t, C_ROLE] <= 1.0 and ACT[t, C_ROLE] >= 0.0:
            S[S_G + t] += GP[G_GRR] * perc / 8.0 + GP[G_GRL] * L
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
        S[S_HIT + (nh % 4)] = S[S_TIME]
        S[S_NHI] = nh + 1
    S[S_NMOV] += 1.0
    S[S_LASTM] = i
    S[S_LASTA] = a
    S[S_LASTHT] = t if hostile else -1.0
    S[S_LASTHOST] = 1.0 if hostile else 0.0
    if trig:
        S[S_STATUS] = ST_WAR
        return
    quiet = r <= 1.0          # a quiet round: a non-hostile move while no proxy front is active
    if quiet:
        for j in range(NA):
            if ACT[j, C_ROLE] == 1.0 and S[S_POST + j] >= 3.0:
                quiet = False
                break
    if quiet:
        S[S_QUIET] += 1.0
        if S[S_QUIET] >= GP[G_QUIETN]:
            S[S_STATUS] = ST_DEESC
    else:
        S[S_QUIET] = 0.0


# ------------------------------------------------------------------------------- sampler
@njit(cache=True)
def _round_one(S, th, u, T, acc, horizon, lut, eloss, st, aux, ob, buf, ubuf, pbuf):
    """One round of one path; returns the action taken (-1 if the path ended first)."""
    AF = T[0]
    ACT = T[3]
    GP = T[4]
    duration_probs(S, th, buf)
    b = draw(buf, NDUR, u[0])
    days = GP[G_DUR + b]
    if S[S_TIME] + days > horizon:
        S[S_STATUS] = ST_HORIZON
        return -1
    advance(S, days, T, acc)
    if u[1] < gaza_collapse_prob(S, days, T):
        set_gaza(S, True, T)
        S[S_CEASE] = 0.0
    if u[2] < nuclear_prob(S, days, T):
        S[S_NUC] = 2.0
    mover_probs(S, th, T, buf)
    i = draw(buf, NA, u[3])
    prepare(S, th, T, i, lut, eloss, st, aux, ob)
    n = action_probs(S, i, th, T, lut, eloss, st, aux, buf, ubuf, pbuf)
    k = draw(buf, n, u[4])
    a = int(ACT[i, C_FIRSTA]) + k
    perception_probs(S, i, a, th, T, ob)
    d = draw(ob, 3, u[5]) - 1
    q = 3
    if AF[a, F_VIA] > 0.0:
        q = draw(aux, 4, u[6])
    o = 0
    if AF[a, F_HOSTILE] > 0.0:
        outcome_probs(S, a, q, T, ob)
        o = draw(ob, 3, u[7])
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
    A = T[0].shape[0]
    nchunk = 64
    nblocks = (npaths + nchunk - 1) // nchunk
    running = np.zeros(nblocks, np.int64)
    for blk in prange(nblocks):
        lut = np.empty(A)
        eloss = np.empty(A)
        st = np.empty(A)
        aux = np.empty(NCACHE_EXTRA)
        ob = np.empty(3)
        buf = np.empty(16)
        ubuf = np.empty(16)
        pbuf = np.empty(16)
        for p in range(blk * nchunk, min(npaths, (blk + 1) * nchunk)):
            S = SS[p]
            if S[S_STATUS] != ST_RUNNING:
                continue
            a = _round_one(S, TH[didx[p]], U[p], T, ACC[p], horizon, lut, eloss, st, aux, ob, buf, ubuf, pbuf)
            if a >= 0:
                MOVES[p, rnd] = a
            if S[S_STATUS] == ST_RUNNING:
                running[blk] += 1
    return running.sum()


# ------------------------------------------------------------------------------- likelihood
@njit(cache=True)
def move_logprobs(STATES, MOVERS, ACTS, th, T, out_mover, out_action):
    """Log-probabilities of observed movers and actions given the replayed pre-move states."""
    ACT = T[3]
    A = T[0].shape[0]
    lut = np.empty(A)
    eloss = np.empty(A)
    st = np.empty(A)
    aux = np.empty(NCACHE_EXTRA)
    ob = np.empty(3)
    buf = np.empty(16)
    ubuf = np.empty(16)
    pbuf = np.empty(16)
    for m in range(STATES.shape[0]):
        S = STATES[m]
        i = MOVERS[m]
        prepare(S, th, T, i, lut, eloss, st, aux, ob)
        mover_probs(S, th, T, buf)
        out_mover[m] = math.log(max(buf[i], 1e-300))
        action_probs(S, i, th, T, lut, eloss, st, aux, buf, ubuf, pbuf)
        k = ACTS[m] - int(ACT[i, C_FIRSTA])
        out_action[m] = math.log(max(buf[k], 1e-300))


@njit(cache=True, parallel=True)
def predictive(STATES, MOVERS, TH, T, OUT):
    """Mean over draws of the action probabilities of each move's actor: OUT (moves, 16)."""
    A = T[0].shape[0]
    nm = STATES.shape[0]
    nd = TH.shape[0]
    for m in prange(nm):
        lut = np.empty(A)
        eloss = np.empty(A)
        st = np.empty(A)
        aux = np.empty(NCACHE_EXTRA)
        ob = np.empty(3)
        buf = np.empty(16)
        ubuf = np.empty(16)
        pbuf = np.empty(16)
        S = STATES[m]
        i = MOVERS[m]
        for k in range(16):
            OUT[m, k] = 0.0
        for d in range(nd):
            prepare(S, TH[d], T, i, lut, eloss, st, aux, ob)
            n = action_probs(S, i, TH[d], T, lut, eloss, st, aux, buf, ubuf, pbuf)
            for k in range(n):
                OUT[m, k] += buf[k] / nd


@njit(cache=True)
def predictive_movers(STATES, TH, T, OUT):
    """Mean over draws of the mover probabilities before each move: OUT (moves, NA)."""
    buf = np.empty(16)
    for m in range(STATES.shape[0]):
        for j in range(NA):
            OUT[m, j] = 0.0
        for d in range(TH.shape[0]):
            mover_probs(STATES[m], TH[d], T, buf)
            for j in range(NA):
                OUT[m, j] += buf[j] / TH.shape[0]
