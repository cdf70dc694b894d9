"""Fixtures for the escalation tests: a small two-actor game built in code, and helpers."""
from __future__ import annotations

import numpy as np
import pytest

from redline.escalation import compile_model, default_model, parse_game
from redline.escalation.layout import (
    NDUR,
    NPAR,
    P_BASE,
    P_DURH,
    P_DURQ,
    P_EPS,
    P_LAM,
    P_PREC,
    P_RHO,
)
from redline.escalation.schema import LeverBook

LADDER = """
ladder:
  - {rung: 0, id: restraint, name: restraint}
  - {rung: 1, id: signalling, name: signalling}
  - {rung: 2, id: covert, name: covert}
  - {rung: 3, id: proxy, name: proxy}
  - {rung: 4, id: limited-direct, name: limited}
  - {rung: 5, id: major-direct, name: major}
  - {rung: 6, id: strategic, name: strategic}
  - {rung: 7, id: leadership-cities, name: cities}
  - {rung: 8, id: regional-war, name: war}
"""

DYNAMICS = """
dynamics:
  loss_points: {contained: 0.2, damaging: 1.0, severe: 4.0}
  grievance: {per_rung: 0.5, per_loss_point: 0.4, half_life_days: 90}
  deficit: {half_life_days: 365}
  war: {window_days: 90, count: 2, min_rung: 5}
  deescalation: {quiet_rounds: 1}
  duration_bins_days: [1, 3, 7, 14, 30, 60, 120, 240]
  misperception: {down_share: 0.5}
  nuclear: {hazard_per_day: 0.0, value_per_status: 0.5}
  depletion: {max_shift: 0.8}
  precedent: {half_life_days: 365}
"""

SMALL_GAME = LADDER + """
actors:
  red:  {role: decide, resolve: 0.2, war_cost: 1.0}
  blue: {role: decide, resolve: 0.3, war_cost: 1.5}
actions:
  red:
    hold:   {rung: 0}
    strike: {rung: 3, target: blue, outcome: [0.6, 0.3, 0.1]}
    major:  {rung: 5, target: blue, outcome: [0.2, 0.5, 0.3]}
    war:    {rung: 8, target: blue, outcome: [0.0, 0.3, 0.7]}
  blue:
    hold:   {rung: 0}
    signal: {rung: 1, target: red}
    strike: {rung: 3, target: red, outcome: [0.5, 0.4, 0.1]}
    major:  {rung: 5, target: red, outcome: [0.3, 0.4, 0.3]}
""" + DYNAMICS


def small_theta(lam=1.0, eps=0.1, rho=0.6, dur=(0.5, 0.0, 0.3, 0.0, 0.0, 0.2, 0.0, 0.0)):
    th = np.zeros(NPAR)
    th[P_LAM:P_LAM + 10] = [lam, 3.0, 1.0, 2.0, 1.0, 0.5, 1.0, 1.0, 0.3, 1.0]
    th[P_EPS] = eps
    th[P_RHO] = rho
    th[P_PREC] = 0.4
    th[P_BASE] = 0.5
    th[P_BASE + 1] = 0.5
    th[P_DURH:P_DURH + NDUR] = dur
    th[P_DURQ:P_DURQ + NDUR] = dur
    return th


@pytest.fixture(scope="session")
def small_model():
    game = parse_game(SMALL_GAME, "<small game>")
    return compile_model(game, LeverBook(levers={}, packages={}), {"entries": {}})


@pytest.fixture(scope="session")
def model():
    return default_model()


@pytest.fixture(scope="session")
def th(model):
    """The shipped posterior's mean parameter vector for the shipped game."""
    from redline.escalation.fit import load_posterior, posterior_matrix
    return posterior_matrix(load_posterior(), model).mean(axis=0)


@pytest.fixture(scope="session")
def s0(model):
    """The April 2024 start state of the shipped game."""
    from redline.escalation.history import start_state
    S, _ = start_state(model, "april-2024")
    return S


def action_probs(model, S, th, actor):
    """Action probabilities of ``actor`` in state ``S`` under parameters ``th``: {action id: p}."""
    from redline.escalation import kernel as K
    from redline.escalation.kernel import NAUX
    from redline.escalation.layout import C_FIRSTA, MAX_ACTIONS, NOUT
    T = model.tables
    A = T.action.shape[0]
    i = model.actor_id(actor)
    lut, eloss, st, aux, ob = np.empty(A), np.empty(A), np.empty(A), np.empty(NAUX), np.empty(NOUT)
    out = np.empty(MAX_ACTIONS)
    K.prepare(S, th, T, i, lut, eloss, st, aux, ob)
    n = K.action_probs(S, i, th, T, lut, eloss, st, aux, out, np.empty(MAX_ACTIONS), np.empty(MAX_ACTIONS))
    f0 = int(T.actor[i, C_FIRSTA])
    return {model.actions[f0 + k].split(":", 1)[1]: float(out[k]) for k in range(n)}
