"""The game tables the kernel reads, as one named, numba-compatible structure.

:func:`redline.escalation.compile.compile_model` builds a :class:`Tables`; every kernel function
takes it as ``T`` and reads its fields by name (``T.action[a, F_RUNG]``, ``T.glob[G_WARMIN]``).
Column offsets of the 2-D tables and the sizes are the named constants of
:mod:`redline.escalation.layout`. Shapes use ``A`` (actions of the game), ``NI`` (interceptor
types) and the layout's ``NA``, ``NST``, ``NLEV``, ``NCOMBO``, ``NVAR``, ``NOUT``, ``NG``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ..layout import NLEV, ROLE_DECIDE, ROLE_PDECIDE, ROLE_PROXY, S_LEV

__all__ = ["Tables", "is_mover", "lever_mult"]


class Tables(NamedTuple):
    """The compiled game: float64 arrays (``role`` int64), read by the kernel by field name."""

    action: np.ndarray              # (A, NF) action fields F_*
    outcome: np.ndarray             # (A, NCOMBO + NVAR, NOUT) outcome probabilities: partner combinations, then lever variants
    interceptors: np.ndarray        # (A, NI) expected interceptors used, by type
    actor: np.ndarray               # (NA, NC) actor fields C_*
    role: np.ndarray                # (NA,) int64 role codes ROLE_*
    glob: np.ndarray                # (NG,) global constants G_*
    lever_utility: np.ndarray       # (NLEV, A) lever utility deltas
    lever_utility_cred: np.ndarray  # (NLEV, A) lever utility deltas scaled by an actor's credibility
    lever_cred_actor: np.ndarray    # (NLEV,) the actor whose credibility scales lever_utility_cred (-1 none)
    commitment: np.ndarray          # (NLEV, NA, NA) commitments: actor k answers for protected actor t
    misperception: np.ndarray       # (NLEV, NA, NA) misperception reduction for (mover, target) pairs
    partner_logit: np.ndarray       # (NLEV, 2) partner participation logit bonus per partner slot
    lever_variant: np.ndarray       # (NLEV,) lever-variant slot of raid effects (-1 none)
    gaza_half_life: np.ndarray      # (NLEV, 2) ceasefire collapse half-lives (full, pause) [days]
    nuclear_mult: np.ndarray        # (NLEV,) nuclear breakout hazard multiplier
    war_cost_mult: np.ndarray       # (NLEV,) war-cost multiplier
    production_mult: np.ndarray     # (NLEV, NST) stock production multiplier
    production: np.ndarray          # (NST,) stock production per day
    stock_use: np.ndarray           # (A, NST) expected stock use per action
    stock_owner: np.ndarray         # (NST,) owner actor of each stock (-1 unused)
    front_stock: np.ndarray         # (NA, NST) stock use per day of an active proxy front
    front_interceptors: np.ndarray  # (NA, NI) interceptors used per day of an active proxy front
    expected_loss: np.ndarray       # (A, NCOMBO + NVAR) expected loss points of each outcome row
    war_loss: np.ndarray            # (NA,) expected loss points of the rung-8 campaigns aimed at each actor
    war_oil: np.ndarray             # (1,) largest oil shock of a rung-8 campaign [USD bn]


@njit(cache=True, inline="always")
def lever_mult(S, arr):
    """Product over active levers of ``1 + x_l (arr[l] - 1)``: a multiplier scaled by intensity."""
    m = 1.0
    for l in range(NLEV):
        x = S[S_LEV + l]
        if x != 0.0:
            m *= 1.0 + x * (arr[l] - 1.0)
    return m


@njit(cache=True, inline="always")
def is_mover(role):
    """Does an actor of role code ``role`` make moves (deciders, proxies and partners that decide;
    not partners without actions or empty slots)?"""
    return role == ROLE_DECIDE or role == ROLE_PROXY or role == ROLE_PDECIDE
