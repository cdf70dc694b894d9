"""The look-ahead's written-out reply utility equals util() in the state after the move.

:func:`redline.escalation.kernel.choice.reply_utils` inlines the target's myopic utility for
speed. Authority: docs/escalation.md section 3 ("the target t replies by logit quantal response
over its myopic utilities in the state after a: its pending provocation a, its grievance raised
by a's expected effect, its precedent raised to a's rung"), minus its war cost times the chance
that the reply turns into a regional war (1 on rung 8, dynamics.war_risk below). Checked on random states of the shipped game and posterior draws.
"""
from __future__ import annotations

import numpy as np

from redline.escalation.compile import blank_state
from redline.escalation.fit import load_posterior, posterior_matrix
from redline.escalation.kernel.choice import NAUX, UNAVAILABLE, prepare, reply_utils, util, war_cost
from redline.escalation.kernel.tables import is_mover
from redline.escalation.layout import (
    C_FAMILY,
    C_FIRSTA,
    C_NACT,
    F_HOSTILE,
    F_RUNG,
    F_TARGET,
    G_GRL,
    G_GRR,
    MAX_ACTIONS,
    NA,
    NLEV,
    NRING,
    NST,
    S_D,
    S_G,
    S_GAZA,
    S_HIT,
    S_LEV,
    S_NORM,
    S_NUC,
    S_PG,
    S_PR,
    S_PS,
    S_STK,
    S_TIME,
)


def _random_state(rng, model):
    S = blank_state()
    movers = [j for j in range(len(model.actors)) if is_mover(model.tables.role[j])]
    S[S_TIME] = 200.0
    for j in movers:
        S[S_G + j] = rng.uniform(0, 2)
        S[S_D + j] = rng.uniform(0, 1.5)
        S[S_NORM + j] = rng.integers(0, 8)
        if rng.random() < 0.5:
            S[S_PR + j] = rng.integers(2, 8)
            S[S_PS + j] = rng.choice(movers)
    for l in range(min(NLEV, len(model.levers))):
        if rng.random() < 0.4:
            S[S_LEV + l] = rng.uniform(0, 1)
    S[S_GAZA] = float(rng.random() < 0.5)
    S[S_NUC] = float(rng.integers(0, 3))
    S[S_PG:S_PG + 2] = rng.integers(0, 2, 2)
    for k in range(NRING):
        if rng.random() < 0.5:
            S[S_HIT + k] = rng.uniform(50, 200)
    if rng.random() < 0.5:                          # stocks from empty to ample: some actions unavailable
        S[S_STK:S_STK + NST] = rng.uniform(0, 300, NST)
    return S


def test_inlined_reply_utility_equals_util_after_the_move(model):
    rng = np.random.default_rng(20240419)
    T = model.tables
    AF, ACT, GP = T.action, T.actor, T.glob
    TH = posterior_matrix(load_posterior(), model)
    A = AF.shape[0]
    lut, eloss, st, aux, ob = np.empty(A), np.empty(A), np.empty(A), np.empty(NAUX), np.empty(3)
    pbuf = np.empty(MAX_ACTIONS)
    checked = answered = unavailable = wars = 0
    for _ in range(60):
        S = _random_state(rng, model)
        th = TH[rng.integers(TH.shape[0])]
        for i in range(NA):
            if not is_mover(T.role[i]):
                continue
            prepare(S, th, T, i, lut, eloss, st, aux, ob)
            f0, n = int(ACT[i, C_FIRSTA]), int(ACT[i, C_NACT])
            for a in range(f0, f0 + n):
                t = int(AF[a, F_TARGET])
                if AF[a, F_HOSTILE] == 0.0 or not is_mover(T.role[t]):
                    continue
                r = AF[a, F_RUNG]
                vmax = reply_utils(S, i, a, th, AF, ACT, GP, eloss, st, aux, pbuf)
                after = S.copy()                     # the target's state after a, as the mover foresees it
                after[S_NORM + t] = max(S[S_NORM + t], r)
                dg = GP[G_GRR] * r / 8 + GP[G_GRL] * eloss[a]
                f2, m = int(ACT[t, C_FIRSTA]), int(ACT[t, C_NACT])
                best = -np.inf
                for kb in range(m):
                    b = f2 + kb
                    if st[b] <= UNAVAILABLE:
                        assert pbuf[kb] == UNAVAILABLE
                        unavailable += 1
                        continue
                    want = util(after, t, b, th, AF, ACT, st, r, i, dg)
                    rb = int(AF[b, F_RUNG])
                    # war as the actors see it: a campaign (issue 12), or the chance dynamics.war_risk
                    # that a strategic or leadership strike turns into one (session 5)
                    risk = 1.0 if rb >= 8 else model.game.dynamics.war_risk.get(rb, 0.0)
                    if risk > 0.0:
                        want -= risk * war_cost(S, t, th, T)
                        wars += 1
                    if AF[b, F_HOSTILE] > 0 and ACT[int(AF[b, F_TARGET]), C_FAMILY] == ACT[i, C_FAMILY]:
                        answered += 1
                    np.testing.assert_allclose(pbuf[kb], want, rtol=1e-12, atol=1e-12,
                                               err_msg=f"{model.actions[a]} -> {model.actions[b]}")
                    best = max(best, want)
                    checked += 1
                np.testing.assert_allclose(vmax, best, rtol=1e-12, atol=1e-12)
    # the random states reach every branch: answers in kind, unavailable replies, war-starting replies
    assert checked > 2000 and answered > 200 and unavailable > 0 and wars > 50, (checked, answered, unavailable, wars)
