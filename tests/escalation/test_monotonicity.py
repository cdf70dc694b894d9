"""A lever that only raises one actor's cost of escalating never raises P(war) in a one-step game.

In a one-step game one actor moves once; war follows if its move starts a regional war. The
moves that do form an upper set of rungs (rung 8, or any rung at or above the war rule's
minimum once enough major strikes are recent). Under logit quantal response, adding a cost that
is zero below some rung and constant above it moves probability away from the upper rungs, so
P(war) cannot rise. Checked two ways: on the choice rule alone over random utilities, and on the
real game with a test lever, random posterior draws and random states from the coded history.
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.escalation import compile_model
from redline.escalation.exact import one_step_war_probability
from redline.escalation.fit import load_posterior, posterior_matrix
from redline.escalation.history import replay
from redline.escalation.io import load_game, load_history, parse_levers
from redline.escalation.layout import S_HIT, S_LEV, S_NHI, S_TIME


def _logit_war(u: np.ndarray, war: np.ndarray, lam: float) -> float:
    z = lam * (u - u.max())
    p = np.exp(z)
    p /= p.sum()
    return float(p[war].sum())


@settings(max_examples=300, deadline=None)
@given(
    u=st.lists(st.floats(-20, 20), min_size=2, max_size=13),
    lam=st.floats(0.05, 5.0),
    cut=st.integers(0, 12),
    war_from=st.integers(0, 12),
    cost=st.floats(0.0, 30.0),
)
def test_quantal_response_war_probability_is_monotone(u, lam, cut, war_from, cost):
    u = np.array(u)
    n = len(u)
    rungs = np.arange(n)                     # actions ordered by rung
    war = rungs >= min(war_from, n - 1)      # an upper set of rungs
    extra = np.where(rungs >= min(cut, n - 1), cost, 0.0)
    assert _logit_war(u - extra, war, lam) <= _logit_war(u, war, lam) + 1e-12


TEST_LEVER = """
  test-iran-cost:
    essay: both
    argument: "Test lever: a cost on Iran's moves from rung {lo} up, nothing else."
    effects:
      - {{type: utility, actors: [iran], rungs: [{lo}, 8], delta: -1.0}}
"""


def _model_with_test_lever(lo: int):
    from redline.escalation import io

    raw = io.data_path("levers.yaml").read_text(encoding="utf-8")
    raw = raw.replace("\nlevers:\n", "\nlevers:\n" + TEST_LEVER.format(lo=lo), 1)
    book = parse_levers(raw, load_game(), "levers+test.yaml")
    return compile_model(load_game(), book)


_MODELS = {}
_STATES = None


def _states(model):
    global _STATES
    if _STATES is None:
        _STATES = replay(model, load_history()).states
    return _STATES


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lo=st.integers(2, 8),
    k=st.integers(0, 78),
    d=st.integers(0, 399),
    recent=st.integers(0, 2),
    x=st.floats(0.01, 5.0),
)
def test_real_game_cost_lever_never_raises_one_step_war(lo, k, d, recent, x):
    if lo not in _MODELS:
        _MODELS[lo] = _model_with_test_lever(lo)
    model = _MODELS[lo]
    TH = posterior_matrix(load_posterior(), model)
    th = TH[d % len(TH)]
    S = _states(model)[k % len(_states(model))].copy()
    for j in range(recent):                 # put 0-2 recent major strikes in the war window
        S[S_HIT + j] = S[S_TIME] - 10.0
    S[S_NHI] = recent
    iran = model.actor_id("iran")
    lev = S_LEV + model.levers.index("test-iran-cost")
    S[lev] = 0.0
    p0 = one_step_war_probability(model, S, th, iran)
    S[lev] = min(x, 1.0)
    p1 = one_step_war_probability(model, S, th, iran)
    assert p1 <= p0 + 1e-12, (lo, p0, p1)
