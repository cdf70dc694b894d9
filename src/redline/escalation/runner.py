"""Sample crisis paths: all paths advance one round at a time through the numba kernel.

Randomness comes from one ``numpy.random.Generator``: each round draws a (paths, 8) block of
uniforms, one per chance node, so that two runs with the same seed and the same number of paths
consume identical streams (common random numbers across policies). Path ``p`` uses posterior
draw ``p mod draws``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernel as K
from .compile import Model
from .layout import NST, S_STATUS, S_STK, S_TIME, S_WARON, SDIM, ST_WAR

__all__ = ["Paths", "simulate"]


@dataclass
class Paths:
    """Final states and records of a batch of simulated paths."""

    states: np.ndarray          # (paths, SDIM)
    draw: np.ndarray            # (paths,) posterior draw used by each path
    moves: np.ndarray           # (paths, rounds) global action index per round (-1: none)
    interceptors: np.ndarray    # (paths, NI) interceptors used by type
    rounds_run: int
    trace: np.ndarray | None = None   # (rounds + 1, traced paths, 1 + NST): clock [days] and stocks after each round


def simulate(model: Model, state0: np.ndarray, TH: np.ndarray, paths: int, rounds: int, horizon_days: float,
             rng: np.random.Generator, trace: int = 0) -> Paths:
    """Simulate ``paths`` crisis paths from ``state0``.

    Parameters
    ----------
    model : Model
        Compiled game.
    state0 : ndarray (SDIM,)
        Start state.
    TH : ndarray (draws, NPAR)
        Posterior draws of the parameters.
    paths, rounds : int
        Number of paths and the maximum number of rounds (moves) per path.
    horizon_days : float
        A path ends when the next move would come after this many days [days].
    rng : numpy.random.Generator
        The only source of randomness.
    trace : int
        Record the clock and the stocks of the first ``trace`` paths after every round.
    """
    if state0.shape != (SDIM,):
        raise ValueError(f"state0 must have shape ({SDIM},)")
    if paths < 1 or rounds < 1:
        raise ValueError("paths and rounds must be >= 1")
    SS = np.tile(state0, (paths, 1))
    didx = (np.arange(paths) % TH.shape[0]).astype(np.int64)
    acc = np.zeros((paths, len(model.interceptor_types)))
    moves = np.full((paths, rounds), -1, np.int64)
    TH = np.ascontiguousarray(TH)
    cols = [S_TIME] + list(range(S_STK, S_STK + NST))
    ntr = min(trace, paths)
    rec = [SS[:ntr, cols].copy()] if ntr else []
    done = 0
    for r in range(rounds):
        U = rng.random((paths, K.NU))
        running = K.simulate_round(SS, U, didx, TH, model.tables, acc, moves, r, float(horizon_days))
        done = r + 1
        if ntr:
            rec.append(SS[:ntr, cols].copy())
        if running == 0:
            break
    # the reported war rule, once met, is the path's end state (the path itself went on)
    SS[SS[:, S_WARON] > 0.0, S_STATUS] = ST_WAR
    return Paths(states=SS, draw=didx, moves=moves, interceptors=acc, rounds_run=done,
                 trace=np.array(rec) if ntr else None)
