"""The kernel's rules on small crafted states, against values computed by hand from docs/escalation.md.

Authority: docs/escalation.md section 2 (state dynamics), 3 (utility, misperception), 4 (who
moves) and 5 (ends). Every expected number below is worked out in the comment beside it from
the rule and the game defined here, not by calling the kernel; the functions under test are
imported from the kernel modules directly.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from redline.escalation import compile_model, parse_game
from redline.escalation.compile import blank_state
from redline.escalation.io import parse_levers
from redline.escalation.kernel.chance import mover_probs, partner_probs, perception_probs
from redline.escalation.kernel.choice import NAUX, climb_cost, util
from redline.escalation.kernel.state import advance, apply_move, set_gaza, war_trigger
from redline.escalation.layout import (
    NA,
    NPAR,
    P_BASE,
    P_DET,
    P_DOM,
    P_EPS,
    P_ESC,
    P_PREC,
    P_RECIP,
    P_RHO,
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
    S_POST,
    S_PR,
    S_PS,
    S_QUIET,
    S_SEV,
    S_STATUS,
    S_TIME,
    ST_DEESC,
    ST_RUNNING,
    S_WARON,
    S_WART,
)

from .conftest import LADDER

# Three movers and a partner. red and blue decide; pawn is red's proxy (Gaza motive, a front on
# blue); friend is a partner. War: three moves on rung >= 5 within 90 days; two quiet rounds end
# the crisis in de-escalation.
RULES_GAME = LADDER + """
actors:
  red:    {role: decide, resolve: 0.2, war_cost: 1.0}
  blue:   {role: decide, resolve: 0.3, war_cost: 1.5}
  pawn:   {role: proxy, patron: red, autonomy: 0.5, resolve: 0.6, war_cost: 3.0, gaza_motive: 1.0,
           front: {target: blue, loss_per_day: 0.1}}
  friend: {role: partner, participation_logit: 1.0, gaza_sensitivity: 0.5}
actions:
  red:
    hold:   {rung: 0}
    covert: {rung: 2, target: blue, outcome: [0.5, 0.4, 0.1]}
    strike: {rung: 3, target: blue, outcome: [0.6, 0.3, 0.1]}
    major:  {rung: 5, target: blue, outcome: [0.2, 0.5, 0.3]}
    cities: {rung: 7, target: blue, outcome: [0.1, 0.4, 0.5]}
    war:    {rung: 8, target: blue, outcome: [0.0, 0.3, 0.7]}
  blue:
    hold:   {rung: 0}
    signal: {rung: 1, target: red}
    strike: {rung: 3, target: red, outcome: [0.5, 0.4, 0.1]}
    major:  {rung: 5, target: red, outcome: [0.3, 0.4, 0.3]}
  pawn:
    hold:    {rung: 0}
    rockets: {rung: 3, target: blue, outcome: [0.7, 0.3, 0.0]}
dynamics:
  loss_points: {contained: 0.2, damaging: 1.0, severe: 4.0}
  grievance: {per_rung: 0.5, per_loss_point: 0.4, half_life_days: 90}
  deficit: {half_life_days: 365}
  war: {window_days: 90, count: 3, min_rung: 5}
  deescalation: {quiet_rounds: 2}
  duration_bins_days: [1, 3, 7, 14, 30, 60, 120, 240]
  misperception: {down_share: 0.5}
  nuclear: {hazard_per_day: 0.0, value_per_status: 0.5}
  depletion: {max_shift: 0.8}
  precedent: {half_life_days: 365}
"""

RULES_LEVERS = """
levers:
  channel:
    essay: second
    argument: a line to clarify intentions
    effects:
      - {type: misperception, pairs: [[red, blue]], reduction: 0.5}
      - {type: partners, logit: 2.0}
packages: {}
"""

RED, BLUE, PAWN, FRIEND = 0, 1, 2, 3


@pytest.fixture(scope="module")
def rules():
    game = parse_game(RULES_GAME, "<rules game>")
    return compile_model(game, parse_levers(RULES_LEVERS, game, "<rules levers>"), {"entries": {}})


def _theta(eps=0.1, rho=0.6, base=(0.5, 0.3, 0.2)):
    th = np.zeros(NPAR)
    th[P_ESC], th[P_RECIP], th[P_DET], th[P_DOM], th[P_PREC] = 3.0, 2.0, 1.0, 0.5, 0.4
    th[P_EPS] = eps
    th[P_RHO] = rho
    th[P_BASE:P_BASE + 3] = base
    return th


def _acc(model):
    return np.zeros(len(model.interceptor_types))


# ---------------------------------------------------------------------------- war trigger (section 5)
def test_war_trigger_counts_moves_at_or_above_min_rung_in_the_window(rules):
    GP = rules.tables.glob
    S = blank_state()
    S[S_TIME] = 200.0
    assert war_trigger(S, -1, 8, GP)                 # a rung-8 move is a regional war
    assert not war_trigger(S, -1, 7, GP)             # one move on rung >= 5: 1 < 3
    assert not war_trigger(S, 5, 5, GP)              # with a hypothetical previous one: 2 < 3
    S[S_HIT] = 150.0                                 # one earlier move 50 days ago
    assert war_trigger(S, 5, 5, GP)                  # 1 + 1 + 1 = 3
    assert not war_trigger(S, 4, 5, GP)              # rung 4 does not count: 2
    assert not war_trigger(S, -1, 5, GP)             # 2
    S[S_HIT + 1] = 110.0                             # exactly 90 days ago: inside the window
    assert war_trigger(S, -1, 5, GP)                 # 3
    S[S_HIT + 1] = 109.5                             # 90.5 days ago: outside
    assert not war_trigger(S, -1, 5, GP)


def test_three_major_strikes_in_90_days_are_a_war_counted_as_read(rules):
    T, ix = rules.tables, rules.action_index
    S, acc = blank_state(), _acc(rules)
    apply_move(S, RED, ix["red:major"], -1.0, 3, 0, T, acc)     # read as rung 4: not counted
    assert S[S_NHI] == 0 and S[S_STATUS] == ST_RUNNING
    S[S_TIME] = 10.0
    apply_move(S, BLUE, ix["blue:major"], 0.0, 3, 0, T, acc)
    assert S[S_NHI] == 1 and S[S_HIT] == 10.0
    S[S_TIME] = 40.0
    apply_move(S, RED, ix["red:major"], 0.0, 3, 0, T, acc)
    assert S[S_NHI] == 2 and S[S_STATUS] == ST_RUNNING        # two counted moves
    S[S_TIME] = 60.0
    apply_move(S, BLUE, ix["blue:strike"], 1.0, 3, 0, T, acc)  # rung 3 read as 4: not counted
    assert S[S_STATUS] == ST_RUNNING
    S[S_TIME] = 95.0
    apply_move(S, BLUE, ix["blue:major"], 0.0, 3, 0, T, acc)   # 10, 40, 95: within 90 days of 10
    # the war rule is a report: it is recorded with its day, and the path goes on
    assert S[S_WARON] == 1.0 and S[S_WART] == 95.0 and S[S_STATUS] == ST_RUNNING
    S[S_TIME] = 100.0
    apply_move(S, RED, ix["red:major"], 0.0, 3, 0, T, acc)
    assert S[S_WART] == 95.0                                    # the first day is kept


# ---------------------------------------------------------------------------- perception (section 3)
def test_perception_up_eps_down_half_eps_within_rungs_2_to_7(rules):
    T, ix = rules.tables, rules.action_index
    th, S, out = _theta(eps=0.1), blank_state(), np.empty(3)
    expect = {
        "red:strike": (0.05, 0.85, 0.10),   # down eps/2, up eps
        "red:covert": (0.00, 0.90, 0.10),   # never read below rung 2
        "red:cities": (0.05, 0.95, 0.00),   # never read into rung 8
        "red:war": (0.0, 1.0, 0.0),         # rung 8 is read as it is
        "red:hold": (0.0, 1.0, 0.0),        # not hostile
        "blue:signal": (0.0, 1.0, 0.0),     # not hostile, though it has a target
    }
    for name, p in expect.items():
        perception_probs(S, int(name.startswith("blue")), ix[name], th, T, out)
        np.testing.assert_allclose(out, p, atol=1e-15, err_msg=name)


def test_misperception_lever_scales_eps_for_its_pairs_only(rules):
    T, ix = rules.tables, rules.action_index
    th, S, out = _theta(eps=0.1), blank_state(), np.empty(3)
    S[S_LEV + rules.levers.index("channel")] = 0.6      # eps (1 - 0.6 * 0.5) = 0.07
    perception_probs(S, RED, ix["red:strike"], th, T, out)
    np.testing.assert_allclose(out, (0.035, 0.895, 0.07), atol=1e-15)
    perception_probs(S, BLUE, ix["blue:strike"], th, T, out)    # (blue, red) is not a listed pair
    np.testing.assert_allclose(out, (0.05, 0.85, 0.10), atol=1e-15)


# ---------------------------------------------------------------------------- the move (section 2)
def test_state_after_a_hostile_move(rules):
    T, ix = rules.tables, rules.action_index
    S, acc = blank_state(), _acc(rules)
    S[S_TIME] = 10.0
    a = ix["red:strike"]
    apply_move(S, RED, a, 1.0, 3, 1, T, acc)         # rung 3 read as 4, damaging (L = 1)
    assert S[S_LOSS + BLUE] == 1.0
    assert S[S_SEV + BLUE] == 0.0 and S[S_DCOST + BLUE] == 0.0
    assert S[S_G + BLUE] == pytest.approx(0.5 * 4 / 8 + 0.4 * 1.0)       # 0.65
    assert (S[S_PR + BLUE], S[S_PS + BLUE]) == (4.0, RED)                  # pending: perceived rung, source
    assert (S[S_NORM + RED], S[S_NORM + BLUE]) == (3.0, 3.0)              # precedent: the rung used
    assert S[S_POST + RED] == 3.0
    assert S[S_NHI] == 0                                                   # seen 4 < min_rung 5
    assert (S[S_NMOV], S[S_LASTM], S[S_LASTA], S[S_LASTHT], S[S_LASTHOST]) == (1, RED, a, BLUE, 1)
    assert S[S_D + RED] == 0.0 and S[S_STATUS] == ST_RUNNING and S[S_QUIET] == 0


def test_answering_lowers_the_deficit_letting_go_raises_it_signalling_waits(rules):
    T, ix = rules.tables, rules.action_index
    S0, acc = blank_state(), _acc(rules)
    apply_move(S0, RED, ix["red:strike"], 1.0, 3, 1, T, acc)    # blue: pending 4 from red
    S0[S_D + BLUE] = 0.8

    S = S0.copy()                                               # blue answers in kind (rung 3 on red)
    apply_move(S, BLUE, ix["blue:strike"], 0.0, 3, 0, T, acc)
    assert S[S_D + BLUE] == pytest.approx(0.8 - 3 / 8)          # 0.425
    assert (S[S_PR + BLUE], S[S_PS + BLUE]) == (0.0, -1.0)
    assert S[S_G + RED] == pytest.approx(0.5 * 3 / 8 + 0.4 * 0.2)         # 0.2675, contained
    assert (S[S_PR + RED], S[S_PS + RED]) == (3.0, BLUE)

    S = S0.copy()                                               # blue lets it go
    apply_move(S, BLUE, ix["blue:hold"], 0.0, 3, 0, T, acc)
    assert S[S_D + BLUE] == pytest.approx(0.8 + 4 / 8)          # 1.3
    assert (S[S_PR + BLUE], S[S_PS + BLUE]) == (0.0, -1.0)
    assert S[S_LASTHT] == -1.0 and S[S_LASTHOST] == 0.0
    assert S[S_QUIET] == 1.0 and S[S_STATUS] == ST_RUNNING     # one quiet round of two

    S = S0.copy()                                               # blue signals: the provocation stays pending
    apply_move(S, BLUE, ix["blue:signal"], 0.0, 3, 0, T, acc)
    assert S[S_D + BLUE] == 0.8 and (S[S_PR + BLUE], S[S_PS + BLUE]) == (4.0, RED)
    assert S[S_PR + RED] == 0.0 and S[S_G + RED] == 0.0         # signalling is not hostile
    apply_move(S, RED, ix["red:hold"], 0.0, 3, 0, T, acc)      # a second quiet round
    assert S[S_STATUS] == ST_DEESC


def test_an_active_front_keeps_rounds_from_being_quiet_and_inflicts_losses(rules):
    T, ix = rules.tables, rules.action_index
    S, acc = blank_state(), _acc(rules)
    apply_move(S, PAWN, ix["pawn:rockets"], 0.0, 3, 0, T, acc)  # pawn's posture 3: front active
    S[S_G + BLUE] = 0.0
    loss0 = S[S_LOSS + BLUE]
    advance(S, 10.0, T, acc)
    assert S[S_LOSS + BLUE] - loss0 == pytest.approx(0.1 * 10)            # loss_per_day x days
    assert S[S_G + BLUE] == pytest.approx(0.4 * 1.0)                       # per_loss_point x loss
    for _ in range(3):
        apply_move(S, RED, ix["red:hold"], 0.0, 3, 0, T, acc)
        assert S[S_QUIET] == 0.0 and S[S_STATUS] == ST_RUNNING


def test_time_halves_grievance_deficit_and_precedent_at_their_half_lives(rules):
    T = rules.tables
    S = blank_state()
    S[S_G + BLUE], S[S_D + BLUE], S[S_NORM + BLUE], S[S_TIME] = 1.0, 1.0, 4.0, 5.0
    advance(S, 90.0, T, _acc(rules))
    assert S[S_G + BLUE] == pytest.approx(0.5)                    # grievance half-life 90 days
    assert S[S_D + BLUE] == pytest.approx(2.0 ** (-90 / 365))     # deficit half-life 365 days
    assert S[S_NORM + BLUE] == pytest.approx(4.0 * 2.0 ** (-90 / 365))
    assert S[S_TIME] == 95.0


# ---------------------------------------------------------------------------- who moves (section 4)
def test_who_moves_base_weights_and_the_target_on_the_spot(rules):
    T = rules.tables
    th, S, out = _theta(rho=0.6, base=(0.5, 0.3, 0.2)), blank_state(), np.empty(NA)
    mover_probs(S, th, T, out)                        # nobody on the spot: base weights
    np.testing.assert_allclose(out[:4], (0.5, 0.3, 0.2, 0.0), atol=1e-15)
    assert not out[4:].any()
    S[S_LASTHT] = BLUE                                # blue was hit: rho to blue, the rest by weight
    mover_probs(S, th, T, out)
    np.testing.assert_allclose(out[:4], (0.5 * 0.4 / 0.7, 0.6, 0.2 * 0.4 / 0.7, 0.0), atol=1e-15)
    S[S_LASTHT] = FRIEND                              # a partner never moves, even when hit
    mover_probs(S, th, T, out)
    np.testing.assert_allclose(out[:4], (0.5, 0.3, 0.2, 0.0), atol=1e-15)


def test_gaza_war_puts_motivated_proxies_on_the_spot_until_they_move(rules):
    T, ix = rules.tables, rules.action_index
    th, S, out = _theta(rho=0.6, base=(0.5, 0.3, 0.2)), blank_state(), np.empty(NA)
    set_gaza(S, True, T)
    assert S[S_GAZA] == 1.0 and S[S_FLAG + PAWN] == 1.0 and S[S_FLAG + RED] == 0.0
    mover_probs(S, th, T, out)                        # pawn alone on the spot
    np.testing.assert_allclose(out[:3], (0.5 * 0.4 / 0.8, 0.3 * 0.4 / 0.8, 0.6), atol=1e-15)
    S[S_LASTHT] = BLUE                                # two on the spot share rho
    mover_probs(S, th, T, out)
    np.testing.assert_allclose(out[:3], (0.4, 0.3, 0.3), atol=1e-15)
    apply_move(S, PAWN, ix["pawn:hold"], 0.0, 3, 0, T, _acc(rules))
    assert S[S_FLAG + PAWN] == 0.0


def test_partner_participation_is_a_logit_of_its_terms(rules):
    T = rules.tables
    S, out = blank_state(), np.empty(4)
    # one partner, in slot 0, joins with logistic(logit); the empty slot 1 counts as joining
    # (probability 1), so only the combinations with bit 1 set (q = 2, 3) have mass
    partner_probs(S, T, out)
    p = 1 / (1 + math.exp(-1.0))
    np.testing.assert_allclose(out, (0.0, 0.0, 1 - p, p), atol=1e-15)
    S[S_GAZA] = 1.0
    S[S_LEV + rules.levers.index("channel")] = 0.5    # 1 + 0.5 * 2 - 0.5 * 1 = 1.5
    partner_probs(S, T, out)
    p = 1 / (1 + math.exp(-1.5))
    np.testing.assert_allclose(out, (0.0, 0.0, 1 - p, p), atol=1e-15)


# ---------------------------------------------------------------------------- utility (section 3)
def test_climb_cost_by_hand():
    # 3 * 0.2 * (0.6 * 0.5^2 + 0.4 * (0.5 - 0.25)^2) = 0.6 * 0.175
    assert climb_cost(0.5, 0.25, 0.2, 3.0, 0.4) == pytest.approx(0.105)
    assert climb_cost(0.25, 0.5, 0.2, 3.0, 0.4) == pytest.approx(3 * 0.2 * 0.6 * 0.0625)  # below precedent


def test_utility_of_answering_and_of_letting_go_by_hand(rules):
    T, ix = rules.tables, rules.action_index
    th, S = _theta(), blank_state()
    S[S_D + BLUE] = 0.8
    st = np.zeros(T.action.shape[0])                 # static terms set to 0 to isolate the rest
    # strike (x = 3/8) answering red's rung 4: -3*0.3*(3/8)^2 + 1*0.8*3/8 - 2*(3/8 - 4/8)^2
    u = util(S, BLUE, ix["blue:strike"], th, T.action, T.actor, st, 4.0, RED, 0.0)
    assert u == pytest.approx(-0.1265625 + 0.3 - 0.03125)
    # with 0.2 extra grievance: + w_dom 0.5 * 0.2 * 3/8
    u2 = util(S, BLUE, ix["blue:strike"], th, T.action, T.actor, st, 4.0, RED, 0.2)
    assert u2 - u == pytest.approx(0.5 * 0.2 * 0.375)
    # restraint: only reciprocity's penalty for not answering, -2 * (4/8)^2
    assert util(S, BLUE, ix["blue:hold"], th, T.action, T.actor, st, 4.0, RED, 0.0) == pytest.approx(-0.5)
    # with a precedent at rung 3, nu = 0.4 of the cost disappears at or below it
    S[S_NORM + BLUE] = 3.0
    u3 = util(S, BLUE, ix["blue:strike"], th, T.action, T.actor, st, 4.0, RED, 0.0)
    assert u3 - u == pytest.approx(3 * 0.3 * 0.4 * 0.140625)


def test_buffers_are_sized_by_named_constants(rules):
    assert NAUX == 4 + 9 * 10 + NA + 4 + NA + 12 + 12    # NA actor slots (10 since issue 12)


def test_tables_are_named_with_the_documented_shapes(rules):
    from redline.escalation.kernel.tables import Tables
    from redline.escalation.layout import NC, NCOMBO, NF, NG, NLEV, NOUT, NST, NVAR, ROLE_DECIDE, ROLE_NONE, ROLE_PARTNER, ROLE_PROXY

    T = rules.tables
    A, NI = len(rules.actions), len(rules.interceptor_types)
    assert isinstance(T, Tables)
    assert T.action.shape == (A, NF) and T.outcome.shape == (A, NCOMBO + NVAR, NOUT)
    assert T.actor.shape == (NA, NC) and T.glob.shape == (NG,) and T.interceptors.shape == (A, NI)
    assert T.lever_utility.shape == (NLEV, A) and T.commitment.shape == (NLEV, NA, NA)
    assert T.production.shape == (NST,) and T.expected_loss.shape == (A, NCOMBO + NVAR)
    assert T.war_loss.shape == (NA,) and T.war_oil.shape == (1,)
    assert T.role.dtype == np.int64
    assert list(T.role) == [ROLE_DECIDE, ROLE_DECIDE, ROLE_PROXY, ROLE_PARTNER] + [ROLE_NONE] * (NA - 4)
