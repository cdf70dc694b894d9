"""The numba core of the escalation game: node probabilities, state updates, the path sampler.

Pure functions on arrays. A path's state ``S`` is a float64 vector (layout in
:mod:`redline.escalation.layout`); ``th`` is one posterior draw's parameter vector; ``T`` is the
:class:`~.tables.Tables` of the game built by :func:`redline.escalation.compile.compile_model`,
read by field name. One concern per module:

=================  ============================================================================
:mod:`.tables`     the named tables and the lever multiplier
:mod:`.chance`     chance nodes: durations, ceasefire collapse, breakout, who moves, perception,
                   partners, outcomes, and the inverse-CDF draw
:mod:`.choice`     the mover's utilities and logit quantal response with one-move look-ahead
:mod:`.state`      state updates: time passing, a move, the Gaza war, the war rule
:mod:`.sampler`    one round of every path (parallel), and the likelihood of observed moves
=================  ============================================================================

Every chance node has a function returning its probabilities; the sampler draws them with one
uniform each (inverse CDF, fixed order) and the exact enumerator in
:mod:`redline.escalation.exact` branches on them. Both apply the same update functions, so the
two agree by construction up to Monte Carlo error (tested); the rules themselves are tested on
hand-computed cases (tests/escalation/test_kernel_rules.py).

Numba's on-disk cache (``cache=True``) does not notice a change to a function in another module
of this package: after editing one, delete this package's ``__pycache__`` (or set
``NUMBA_CACHE_DIR`` to a fresh folder) before trusting results.
"""
from __future__ import annotations

from .chance import (
    depleted,
    draw,
    duration_probs,
    gaza_collapse_prob,
    mover_probs,
    nuclear_prob,
    outcome_probs,
    outcome_probs_vx,
    partner_probs,
    perception_probs,
    variant_weights,
)
from .choice import (
    AUX_CEXP,
    AUX_LEV,
    AUX_PART,
    AUX_TRIG,
    AUX_VX,
    AUX_WANT,
    AUX_WARC,
    NAUX,
    UNAVAILABLE,
    action_probs,
    available,
    climb_cost,
    prepare,
    reply_utils,
    util,
    war_cost,
)
from .sampler import NBUF, NU, move_logprobs, predictive, predictive_movers, round_one, simulate_round
from .state import advance, apply_move, front_active, recent_high, set_gaza, war_trigger
from .tables import Tables, is_mover, lever_mult

__all__ = [
    "AUX_CEXP", "AUX_LEV", "AUX_PART", "AUX_TRIG", "AUX_VX", "AUX_WANT", "AUX_WARC", "NAUX", "NBUF", "NU",
    "UNAVAILABLE", "Tables", "action_probs", "advance", "apply_move", "available", "climb_cost", "depleted",
    "draw", "duration_probs", "front_active", "gaza_collapse_prob", "is_mover", "lever_mult", "move_logprobs",
    "mover_probs", "nuclear_prob", "outcome_probs", "outcome_probs_vx", "partner_probs", "perception_probs",
    "predictive", "predictive_movers", "prepare", "recent_high", "reply_utils", "round_one", "set_gaza",
    "simulate_round", "util", "variant_weights", "war_cost", "war_trigger",
]
