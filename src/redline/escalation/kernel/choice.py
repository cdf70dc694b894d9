"""The mover's decision: utilities and the logit quantal response with one-move look-ahead.

:func:`prepare` fills the per-state caches once per state and draw; :func:`action_probs` turns
them into choice probabilities. The utility terms are those of docs/escalation.md section 3.
"""
from __future__ import annotations

import math

from numba import njit

from ..layout import (
    C_GAZASENS,
    C_INFL,
    C_INFLW,
    C_PLOGIT,
    F_BASED,
    F_KIND,
    G_BASINGC,
    G_WARW,
    G_DEFENDL,
    G_NUCB0,
    G_NUCBHIT,
    G_PRESSC,
    K_BREAKOUT,
    K_DEFEND,
    K_JOIN,
    K_PRESS,
    K_RESTRICT,
    K_STAYOUT,
    NUC_ENRICHING,
    P_BREAK,
    P_TAU,
    S_BASING,
    S_DEFEND,
    S_EPOCH,
    S_IRAQP,
    S_NUCHIT,
    S_TIME,
    C_AUTON,
    C_FAMILY,
    C_FIRSTA,
    C_GAZAM,
    C_NACT,
    C_OILS,
    C_PATRON,
    C_PSLOT,
    C_RESOLVE,
    C_WARC,
    F_ACTOR,
    F_CAP,
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
    F_LVAR,
    G_GRL,
    G_GRR,
    G_L0,
    G_NUCV,
    G_PRET,
    G_RAIDFAM,
    NA,
    NCOMBO,
    NLEV,
    NRUNG,
    NST,
    NVAR,
    OUT_CONTAINED,
    OUT_DAMAGING,
    OUT_SEVERE,
    P_DET,
    P_DOM,
    P_ECON,
    P_ESC,
    P_GAZA,
    P_LAM,
    P_MIL,
    P_PREC,
    P_RECIP,
    P_REPLY,
    P_THIRD,
    RUNG_WAR,
    S_D,
    S_G,
    S_GAZA,
    S_LEV,
    S_NORM,
    S_NUC,
    S_PG,
    S_PR,
    S_PS,
    S_STK,
)
from .chance import depleted, outcome_probs_vx, partner_probs_arr, variant_weights_arr
from .tables import is_mover, lever_mult

__all__ = ["AUX_CEXP", "AUX_LEV", "AUX_PART", "AUX_TRIG", "AUX_VX", "AUX_WANT", "AUX_WARC", "NAUX", "UNAVAILABLE",
           "action_probs", "available", "climb_cost", "esc_weight", "fill_actor", "init_trig", "kind_value", "prepare",
           "prepare_mover", "prepare_state", "reply_utils", "util", "war_cost"]

# The aux cache of one state (filled by prepare): partner-combination probabilities; the war-trigger
# table, 1 where a move on rung r after a hypothetical move on rung r_prev starts a regional war
# (row r_prev + 1, row 0: no previous move); each actor's war cost; the lever-variant weights;
# which actors' actions are needed; the indices of the active levers; their credibility factors.
AUX_PART = 0
AUX_TRIG = AUX_PART + NCOMBO
AUX_WARC = AUX_TRIG + NRUNG * (NRUNG + 1)
AUX_VX = AUX_WARC + NA
AUX_WANT = AUX_VX + NVAR
AUX_LEV = AUX_WANT + NA
AUX_CEXP = AUX_LEV + NLEV
NAUX = AUX_CEXP + NLEV
UNAVAILABLE = -1e300        # utility of an action the mover cannot take


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
    return available_arr(S, i, a, T.action, T.stock_use, T.stock_owner)


@njit(cache=True)
def war_cost(S, i, th, T):
    """What a regional war (a rung-8 campaign) would cost actor ``i``: its residual ``war_cost``
    (proxies' blended with the patron's) times the lever multipliers, plus the expected harm of
    the campaigns aimed at it (``w_reply`` x loss points / 4; third-party entry included) and the
    economic cost of a war's oil shock (``w_economic`` x oil x oil sensitivity)."""
    return war_cost_m(i, th, T.actor, T.war_loss, T.war_oil[0], lever_mult(S, T.war_cost_mult))


@njit(cache=True, inline="always")
def war_cost_m(i, th, ACT, WL, woil, lm):
    """:func:`war_cost` given the lever multiplier ``lm = lever_mult(S, T.war_cost_mult)``, the
    same for every actor (:func:`prepare_state` computes it once), and the tables it reads
    (``T.actor``, ``T.war_loss``, ``T.war_oil[0]``): :func:`prepare_state` reads them into
    locals once, since each read of a field of ``T`` inside its loop costs an atomic
    reference-count increment and decrement."""
    return (ACT[i, C_WARC] * lm + th[P_REPLY] * WL[i] / 4.0
            + th[P_ECON] * woil * ACT[i, C_OILS])


@njit(cache=True)
def init_trig(GP, aux):
    """The war-trigger rows of ``aux`` (they depend on the game's constants ``T.glob`` alone).

    War as the actors see it: a sustained campaign (a rung-8 move), whatever the reported
    end-state rule (G_WAR*) counts; the rule is never read here. Row 0 (the mover's own move)
    and rows rp + 1 (a reply): the chance G_WARW[r] that a move on rung r turns the exchange
    into a war (1 on rung 8; dynamics.war_risk, 0 where not given)."""
    for r in range(NRUNG):
        wr = 1.0 if r >= RUNG_WAR else GP[G_WARW + r]
        aux[AUX_TRIG + r] = wr
        for rp in range(NRUNG):
            aux[AUX_TRIG + NRUNG * (rp + 1) + r] = wr


@njit(cache=True, inline="always")
def prepare_state(S, th, T, aux):
    """The state's part of :func:`prepare`: everything in ``aux`` but the actions and the
    war-trigger rows (:func:`init_trig`), and no actor filled yet (``aux[AUX_WANT + j] = 0``)."""
    LCA = T.lever_cred_actor
    partner_probs_arr(S, T.actor, T.glob, T.partner_logit, aux[AUX_PART:AUX_PART + NCOMBO])
    # ... and each actor's cost of a war (war_cost)
    ACT = T.actor
    WL = T.war_loss
    woil = T.war_oil[0]
    lm = lever_mult(S, T.war_cost_mult)
    for j in range(NA):
        aux[AUX_WARC + j] = war_cost_m(j, th, ACT, WL, woil, lm)
        aux[AUX_WANT + j] = 0.0
    variant_weights_arr(S, T.lever_variant, aux[AUX_VX:AUX_VX + NVAR])
    # the active levers, listed (-1 after the last), and their credibility factors
    nlev = 0
    for l in range(NLEV):
        if S[S_LEV + l] != 0.0:
            aux[AUX_LEV + nlev] = l
            nlev += 1
    if nlev < NLEV:
        aux[AUX_LEV + nlev] = -1.0
    for kl in range(nlev):
        l = int(aux[AUX_LEV + kl])
        aux[AUX_CEXP + l] = math.exp(-S[S_D + int(LCA[l])]) if LCA[l] >= 0.0 else 0.0


@njit(cache=True)
def prepare(S, th, T, mover, lut, eloss, st, aux, ob):
    """Per-round caches for the mover's decision, computed once per state and draw.

    Only the actions of ``mover`` and of the actors its hostile actions target are filled
    (``mover = -1``: every action); :func:`prepare_mover` fills fewer: only the targets
    :func:`action_probs` looks ahead at.

    ``lut[a]`` lever utility, ``eloss[a]`` expected loss points inflicted, ``st[a]`` the part of
    the utility that depends neither on a pending provocation nor on precedent (docs: utility
    terms; UNAVAILABLE when the action is unavailable), ``aux`` the cache laid out by the
    ``AUX_*`` offsets above (``aux[AUX_WANT + j]`` 1 once actor j's actions are filled);
    ``ob`` (NOUT,) scratch.
    """
    AF = T.action
    ACT = T.actor
    init_trig(T.glob, aux)
    prepare_state(S, th, T, aux)
    if mover < 0:
        for j in range(NA):
            if ACT[j, C_NACT] > 0:
                fill_actor(S, th, T, j, lut, eloss, st, aux, ob)
        return
    fill_actor(S, th, T, mover, lut, eloss, st, aux, ob)
    f0 = int(ACT[mover, C_FIRSTA])
    for a in range(f0, f0 + int(ACT[mover, C_NACT])):
        if AF[a, F_HOSTILE] > 0.0:
            t = int(AF[a, F_TARGET])
            if aux[AUX_WANT + t] == 0.0:
                fill_actor(S, th, T, t, lut, eloss, st, aux, ob)


@njit(cache=True, inline="always")
def prepare_mover(S, th, T, mover, lut, eloss, st, aux, ob):
    """:func:`prepare` of the mover's actions and of the targets :func:`action_probs` looks ahead
    at only (those of its available hostile moves that do not start a war by themselves and
    that decide); the same values as :func:`prepare` where both fill. The war-trigger rows of
    ``aux`` must have been filled once (:func:`init_trig`; the sampler does it per work buffer)."""
    AF = T.action
    ACT = T.actor
    role = T.role
    AO, GP, ELT, LU, LUC = T.outcome, T.glob, T.expected_loss, T.lever_utility, T.lever_utility_cred
    ASTK, STKOWN, LPART = T.stock_use, T.stock_owner, T.partner_logit
    prepare_state(S, th, T, aux)
    fill_actor_arr(S, th, mover, lut, eloss, st, aux, ob, AF, AO, ACT, GP, ELT, LU, LUC, ASTK, STKOWN, LPART)
    f0 = int(ACT[mover, C_FIRSTA])
    for a in range(f0, f0 + int(ACT[mover, C_NACT])):
        # the targets action_probs looks ahead at: of an available hostile move that does not
        # itself start a war, and that decide (partners do not reply)
        if AF[a, F_HOSTILE] > 0.0 and st[a] > UNAVAILABLE and aux[AUX_TRIG + int(AF[a, F_RUNG])] < 1.0:
            t = int(AF[a, F_TARGET])
            if aux[AUX_WANT + t] == 0.0 and is_mover(role[t]):
                fill_actor_arr(S, th, t, lut, eloss, st, aux, ob, AF, AO, ACT, GP, ELT, LU, LUC, ASTK, STKOWN, LPART)


@njit(cache=True)
def fill_actor(S, th, T, i, lut, eloss, st, aux, ob):
    """Fill ``lut``, ``eloss`` and ``st`` of actor ``i``'s actions (see :func:`prepare`), after
    :func:`prepare_state`; marks ``aux[AUX_WANT + i]``. ``ob`` (NOUT,) scratch."""
    fill_actor_arr(S, th, i, lut, eloss, st, aux, ob, T.action, T.outcome, T.actor, T.glob, T.expected_loss,
                   T.lever_utility, T.lever_utility_cred, T.stock_use, T.stock_owner, T.partner_logit)


@njit(cache=True)
def fill_actor_arr(S, th, i, lut, eloss, st, aux, ob, AF, AO, ACT, GP, ELT, LU, LUC, ASTK, STKOWN, LPART):
    """:func:`fill_actor` on the tables it reads (``T.action``, ``T.outcome``, ``T.actor``,
    ``T.glob``, ``T.expected_loss``, ``T.lever_utility``, ``T.lever_utility_cred``,
    ``T.stock_use``, ``T.stock_owner``, ``T.partner_logit``): a call that passes ``T`` copies the
    descriptors of all its arrays, which cost a quarter of a move when every call did it."""
    aux[AUX_WANT + i] = 1.0
    vx = aux[AUX_VX:AUX_VX + NVAR]
    L0 = GP[G_L0 + OUT_CONTAINED]
    L1 = GP[G_L0 + OUT_DAMAGING]
    L2 = GP[G_L0 + OUT_SEVERE]
    f0 = int(ACT[i, C_FIRSTA])
    for a in range(f0, f0 + int(ACT[i, C_NACT])):
        u = 0.0
        for kl in range(NLEV):
            l = int(aux[AUX_LEV + kl])
            if l < 0:
                break
            x = S[S_LEV + l]
            u += x * (LU[l, a] + LUC[l, a] * aux[AUX_CEXP + l])
        lut[a] = u
        hostile = AF[a, F_HOSTILE] > 0.0
        e = 0.0
        if hostile:
            if AF[a, F_DEFSTK] > 0.0 and depleted(S, a, AF, ASTK, STKOWN):
                # defender depletion is state-dependent: use the full outcome model
                if AF[a, F_VIA] > 0.0:
                    for q in range(NCOMBO):
                        if aux[AUX_PART + q] > 0.0:
                            outcome_probs_vx(S, a, q, AF, AO, GP, ASTK, STKOWN, vx, ob)
                            e += aux[AUX_PART + q] * (ob[OUT_CONTAINED] * L0 + ob[OUT_DAMAGING] * L1
                                                      + ob[OUT_SEVERE] * L2)
                else:
                    outcome_probs_vx(S, a, NCOMBO - 1, AF, AO, GP, ASTK, STKOWN, vx, ob)
                    e = ob[OUT_CONTAINED] * L0 + ob[OUT_DAMAGING] * L1 + ob[OUT_SEVERE] * L2
            elif AF[a, F_VIA] > 0.0:
                for q in range(NCOMBO):
                    e += aux[AUX_PART + q] * ELT[a, q]
                for v in range(NVAR):
                    if vx[v] > 0.0:
                        e += vx[v] * (ELT[a, NCOMBO + v] - ELT[a, NCOMBO - 1])
            else:
                e = ELT[a, NCOMBO - 1]
                if AF[a, F_LVAR] > 0.0:       # a lever variant of its own (Variant.templates)
                    for v in range(NVAR):
                        if vx[v] > 0.0:
                            e += vx[v] * (ELT[a, NCOMBO + v] - ELT[a, NCOMBO - 1])
        eloss[a] = e
        if not available_arr(S, i, a, AF, ASTK, STKOWN):
            st[a] = UNAVAILABLE
            continue
        x = AF[a, F_RUNG] / RUNG_WAR
        v = -th[P_THIRD] * (AF[a, F_THIRD] - u)
        v -= th[P_ECON] * (AF[a, F_ECON] + AF[a, F_OIL] * ACT[i, C_OILS])
        if AF[a, F_BASED] > 0.0:        # restricted basing and Iraqi pressure make base-flown strikes costlier
            v -= th[P_THIRD] * (GP[G_BASINGC] * S[S_BASING] + GP[G_PRESSC] * S[S_IRAQP])
        kind = int(AF[a, F_KIND])
        if kind != 0:
            v += kind_value_arr(S, i, a, kind, th, ACT, GP, LPART, AF)
            if kind == K_BREAKOUT and S[S_NUC] != NUC_ENRICHING:
                st[a] = UNAVAILABLE
                continue
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
def kind_value(S, i, a, kind, th, T):
    """Utility of what a non-standard action does (:func:`kind_value_arr` on ``T``'s tables)."""
    return kind_value_arr(S, i, a, kind, th, T.actor, T.glob, T.partner_logit, T.action)


@njit(cache=True)
def kind_value_arr(S, i, a, kind, th, ACT, GP, LPART, AF):
    """Utility of what a non-standard action does (docs/escalation.md, "Actors that decide").

    join-defence: alignment (the partner's participation log-odds, the partners lever, US defence
    deployed) against fear of Iranian retaliation (Iran's grievance for its last participation)
    and popular pressure (Gaza war x sensitivity); stay-out: neither; restrict-basing: fear of
    retaliation against alignment. breakout: the nuclear value, raised by damage to the programme.
    press-us-exit: the host's grievance plus the share of its patron-like neighbour's grievance.
    defend-partners: the pending provocation Israel faces (the raid it expects).

    Takes the tables it reads (``T.actor``, ``T.glob``, ``T.partner_logit``, ``T.action``)
    rather than ``T``: a call passing ``T`` copies all its arrays' descriptors.
    """
    v = 0.0
    if kind == K_JOIN or kind == K_STAYOUT or kind == K_RESTRICT:
        slot = int(ACT[i, C_PSLOT])
        fear = S[S_PG + slot] if slot >= 0 else 0.0
        bonus = 0.0
        if slot >= 0:
            for l in range(NLEV):
                bonus += S[S_LEV + l] * LPART[l, slot]
        align = ACT[i, C_PLOGIT] + bonus + GP[G_DEFENDL] * S[S_DEFEND]
        if kind == K_JOIN:
            v = th[P_THIRD] * align - th[P_RECIP] * GP[G_PRET] * fear - th[P_GAZA] * ACT[i, C_GAZASENS] * S[S_GAZA]
        elif kind == K_RESTRICT:
            v = th[P_RECIP] * GP[G_PRET] * fear - th[P_THIRD] * max(align, 0.0)
    elif kind == K_BREAKOUT:
        v = th[P_MIL] * (GP[G_NUCB0] + GP[G_NUCBHIT] * S[S_NUCHIT])
    elif kind == K_PRESS:
        g = S[S_G + i]
        k = int(ACT[i, C_INFL])
        if k >= 0:
            g += ACT[i, C_INFLW] * S[S_G + k]
        v = th[P_DOM] * g
    elif kind == K_DEFEND:
        t = int(AF[a, F_TARGET])
        if t >= 0:
            v = th[P_MIL] * S[S_PR + t] / 4.0
    return v


@njit(cache=True, inline="always")
def esc_weight(S, th):
    """Weight of the cost of climbing: ``w_escalation``, times ``exp(break)`` from the change-point date on."""
    if S[S_EPOCH] + S[S_TIME] >= th[P_TAU]:
        return th[P_ESC] * math.exp(th[P_BREAK])
    return th[P_ESC]


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
    from actor ``s`` (p = 0: none), with ``dg`` extra grievance (a hypothetical provocation).

    ``AF``, ``ACT`` are ``T.action`` and ``T.actor``; ``st`` holds the static terms filled by
    :func:`prepare`.
    """
    x = AF[a, F_RUNG] / RUNG_WAR
    u = st[a] - climb_cost(x, S[S_NORM + i] / RUNG_WAR, ACT[i, C_RESOLVE], esc_weight(S, th), th[P_PREC])
    if AF[a, F_HOSTILE] > 0.0:
        u += th[P_DOM] * dg * x
        t = int(AF[a, F_TARGET])
        if p > 0.0 and s >= 0 and ACT[t, C_FAMILY] == ACT[s, C_FAMILY]:
            u += th[P_DET] * S[S_D + i] * x
            dx = x - p / RUNG_WAR
            u -= th[P_RECIP] * dx * dx
        elif p > 0.0:
            u -= th[P_RECIP] * (p / RUNG_WAR) * (p / RUNG_WAR)
    elif p > 0.0:
        u -= th[P_RECIP] * (p / RUNG_WAR) * (p / RUNG_WAR)
    return u


@njit(cache=True, inline="always")     # inlined into action_probs' loop, as it was written before
def reply_utils(S, i, a, th, AF, ACT, GP, eloss, st, aux, pbuf):
    """Myopic utilities of the target's replies to the hostile action ``a`` of actor ``i``.

    Writes ``pbuf[kb]`` for the target's kb-th action (UNAVAILABLE if it cannot take it) and
    returns their maximum. The reply utility is :func:`util` in the state after ``a`` (the
    target's pending provocation ``a``'s rung from ``i``, its grievance raised by ``dg`` =
    ``a``'s expected effect, its precedent raised to ``a``'s rung) minus the target's war cost
    times the chance that the reply turns into a regional war (1 on rung 8, ``dynamics.war_risk``
    below it), written out here for speed (tested against util).
    ``AF``, ``ACT``, ``GP`` are ``T.action``, ``T.actor``, ``T.glob``.
    """
    wdom = th[P_DOM]
    wdet = th[P_DET]
    wrec = th[P_RECIP]
    fam_i = ACT[i, C_FAMILY]
    r = int(AF[a, F_RUNG])
    t = int(AF[a, F_TARGET])
    dg = GP[G_GRR] * r / RUNG_WAR + GP[G_GRL] * eloss[a]
    f2 = int(ACT[t, C_FIRSTA])
    m = int(ACT[t, C_NACT])
    wct = aux[AUX_WARC + t]
    row = AUX_TRIG + NRUNG * (r + 1)
    pr = r / RUNG_WAR
    pr2 = pr * pr
    dt = S[S_D + t]
    nt = max(S[S_NORM + t] / RUNG_WAR, pr)
    kt = ACT[t, C_RESOLVE]
    wesc = esc_weight(S, th)
    nu = th[P_PREC]
    vmax = -1e300
    for kb in range(m):
        b = f2 + kb
        v = st[b]
        if v <= UNAVAILABLE:
            pbuf[kb] = UNAVAILABLE
            continue
        xb = AF[b, F_RUNG] / RUNG_WAR
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
        v -= wct * aux[row + int(AF[b, F_RUNG])]
        pbuf[kb] = v
        vmax = max(vmax, v)
    return vmax


@njit(cache=True, inline="always")
def action_probs(S, i, th, T, lut, eloss, st, aux, out, ubuf, pbuf):
    """Logit quantal response of actor ``i`` over its actions, with one-move look-ahead.

    Writes ``out[k]`` for the actor's k-th action (global index ``first + k``) and returns the
    number of actions. The utility adds to the static and provocation terms (:func:`util`) the
    war risk (1 if the action itself starts a regional war, else the chance that the target's
    reply does: its probability of each reply times that reply's war risk) times the war cost, and the expected harm of that reply. The target replies by
    logit quantal response over its myopic utilities (:func:`reply_utils`; no look-ahead of its
    own).
    """
    AF = T.action
    ACT = T.actor
    GP = T.glob
    role = T.role
    lam = th[P_LAM]
    first = int(ACT[i, C_FIRSTA])
    n = int(ACT[i, C_NACT])
    wc = aux[AUX_WARC + i]
    p0 = S[S_PR + i]
    s0 = int(S[S_PS + i])
    patron = int(ACT[i, C_PATRON])
    auton = ACT[i, C_AUTON]
    umax = -1e300
    for k in range(n):
        a = first + k
        if st[a] <= UNAVAILABLE:
            ubuf[k] = UNAVAILABLE
            continue
        u = util(S, i, a, th, AF, ACT, st, p0, s0, 0.0)
        r = int(AF[a, F_RUNG])
        t = int(AF[a, F_TARGET])
        wa = aux[AUX_TRIG + r]      # the move's own war risk (1: a campaign)
        pw = 0.0
        harm = 0.0
        if wa >= 1.0:
            pw = 1.0
        elif AF[a, F_HOSTILE] > 0.0 and is_mover(role[t]):     # partners do not reply
            f2 = int(ACT[t, C_FIRSTA])
            m = int(ACT[t, C_NACT])
            row = AUX_TRIG + NRUNG * (r + 1)
            vmax = reply_utils(S, i, a, th, AF, ACT, GP, eloss, st, aux, pbuf)
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
                pw += pb * aux[row + int(AF[b, F_RUNG])]
                if AF[b, F_HOSTILE] > 0.0:
                    tb = int(AF[b, F_TARGET])
                    if tb == i:
                        harm += pb * eloss[b]
                    elif tb == patron:
                        harm += pb * (1.0 - auton) * eloss[b]
            pw = wa + (1.0 - wa) * pw           # the move's own risk, else its reply's
        else:
            pw = wa
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
