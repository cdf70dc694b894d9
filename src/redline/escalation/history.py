"""Replay coded moves through the game's state dynamics.

The state update does not depend on the fitted parameters, so a moves file replays once into the
pre-move states that the likelihood, the backtest and the start states need. The replay applies
exactly the kernel's update functions with the observed values: the days between entries, the
mover, the action, the coded outcome, the partners' coded participation and, where coded, the
target's reading of the move (``perceived_rung``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from . import kernel as K
from .compile import (
    Model,
    apply_context,
    blank_state,
    set_levers,
    set_stocks,
    with_production,
)
from .io import load_history, load_states
from .layout import (
    F_VIA,
    G_WARCNT,
    NRING,
    S_WARON,
    S_WART,
    NA,
    S_DCOST,
    S_EPOCH,
    S_HIT,
    S_NUC,
    S_NUC0,
    S_LASTHOST,
    S_LOSS,
    S_PART,
    S_SEV,
    S_STATUS,
    S_TIME,
    ST_RUNNING,
)
from .schema import OUTCOMES, ContextRow, Move, MovesFile, StartState

__all__ = ["Replay", "replay", "restart", "start_state"]


@dataclass
class Replay:
    """Pre-move states and observations of a replayed moves file."""

    states: np.ndarray                      # (moves, SDIM) state just before each move
    movers: np.ndarray                      # (moves,) actor index
    actions: np.ndarray                     # (moves,) global action index
    gaps: np.ndarray                        # (moves,) days since the previous move (nan for the first)
    regimes: np.ndarray                     # (moves,) 1 if the previous move was hostile
    moves: list[Move] = field(default_factory=list)
    final: np.ndarray | None = None         # state after the last entry
    last_date: dt.date | None = None
    status: np.ndarray | None = None        # (moves,) end status the move itself triggered (ST_*), before the replay resets it

    def subset(self, keep: np.ndarray) -> Replay:
        """The moves where ``keep`` is true (a boolean mask or indices), in order."""
        idx = np.flatnonzero(keep) if np.asarray(keep).dtype == bool else np.asarray(keep, np.int64)
        return Replay(states=self.states[idx], movers=self.movers[idx], actions=self.actions[idx],
                      gaps=self.gaps[idx], regimes=self.regimes[idx], moves=[self.moves[k] for k in idx],
                      final=self.final, last_date=self.last_date,
                      status=None if self.status is None else self.status[idx])

    def then(self, later: Replay) -> Replay:
        """This replay followed by a later one (a moves file continuing it)."""
        cat = np.concatenate
        gaps = later.gaps.copy()
        if len(self.moves) and len(later.moves) and not np.isfinite(gaps[0]):
            gaps[0] = float((later.moves[0].date - self.moves[-1].date).days)
        st = None if self.status is None or later.status is None else cat([self.status, later.status])
        return Replay(states=cat([self.states, later.states]), movers=cat([self.movers, later.movers]),
                      actions=cat([self.actions, later.actions]), gaps=cat([self.gaps, gaps]),
                      regimes=cat([self.regimes, later.regimes]), moves=self.moves + later.moves,
                      final=later.final, last_date=later.last_date, status=st)


def _partner_q(model: Model, m: Move) -> tuple[int, list[int]]:
    q = 0
    unknown = []
    for slot, p in enumerate(model.game.partners):
        v = None if m.partners is None else m.partners.get(p)
        if v is None:
            unknown.append(slot)
            q |= 1 << slot
        elif v:
            q |= 1 << slot
    return q, unknown


def replay(model: Model, mf: MovesFile, until: dt.date | None = None, state: np.ndarray | None = None,
           since: dt.date | None = None) -> Replay:
    """Replay a moves file.

    Parameters
    ----------
    model : Model
    mf : MovesFile
    until : date, optional
        Stop after the last entry dated on or before this day.
    state : ndarray, optional
        Continue from this state (e.g. the end of the calibration history) instead of the file's
        ``start`` block.
    since : date, optional
        Date of ``state`` (days before the file's first entry pass on the clock).
    """
    T = model.tables
    acc = np.zeros(len(model.interceptor_types))
    if state is None:
        S = blank_state()
        if mf.start is not None:
            apply_context(S, model, mf.start.gaza_war, mf.start.nuclear_status, dict(mf.start.levers))
            prev = mf.start.date
        else:
            prev = mf.moves[0].date
        S[S_EPOCH] = float(prev.toordinal())      # the change-point reads the date from the clock
    else:
        S = state.copy()
        prev = since if since is not None else mf.moves[0].date
    states, movers, actions, gaps, regimes, moves, status = [], [], [], [], [], [], []
    last_move_date = None
    for m in mf.moves:
        if until is not None and m.date > until:
            break
        days = (m.date - prev).days
        if days < 0:
            raise InputError("<moves>", "date", str(m.date), f"entries must not precede the starting date {prev}")
        if days > 0:
            K.advance(S, float(days), T, acc)
            prev = m.date
        if isinstance(m, ContextRow):
            c = m.context
            apply_context(S, model, c.gaza_war, c.nuclear_status, dict(c.levers), c.gaza_offensive)
            continue
        i = model.actor_id(m.actor)
        a = model.action_index[f"{m.actor}:{m.action}"]
        # A move coded `notified: true` replays as the action's pre-notified variant where the game
        # has one (major-strike-israel -> major-strike-israel-notified); otherwise as coded.
        if getattr(m, "notified", None) is True:
            a = model.action_index.get(f"{m.actor}:{m.action}-notified", a)
        states.append(S.copy())
        movers.append(i)
        actions.append(a)
        gaps.append(np.nan if last_move_date is None else float((m.date - last_move_date).days))
        regimes.append(int(S[S_LASTHOST] > 0))
        moves.append(m)
        last_move_date = m.date
        rung = m.rung
        dperc = float((m.perceived_rung if m.perceived_rung is not None else rung) - rung)
        q, unknown = _partner_q(model, m)
        o = OUTCOMES.index(m.outcome) if m.outcome is not None else 0
        K.apply_move(S, i, a, dperc, q, o, T, acc)
        for slot in unknown:
            if T.action[a, F_VIA] > 0:        # an unknown participation counts as half
                S[S_PART + slot] = 0.5
                S[S_PART + 2 + slot] = 0.5
        status.append(int(S[S_STATUS]))       # what the move would have ended by the game's definitions
        S[S_STATUS] = ST_RUNNING              # history does not end
    if not states:
        raise InputError("<moves>", "moves", None, "no moves to replay (check the dates)")
    return Replay(states=np.array(states), movers=np.array(movers, np.int64), actions=np.array(actions, np.int64),
                  gaps=np.array(gaps), regimes=np.array(regimes, np.int64), moves=moves, final=S,
                  last_date=prev, status=np.array(status, np.int64))


def start_state(model: Model, name: str = "april-2024", levers: dict[str, float] | None = None,
                states: dict[str, StartState] | None = None, history: MovesFile | None = None) -> tuple[np.ndarray, Model]:
    """The state vector of a named start state, with a package's levers applied.

    Replays the calibration history up to the state's ``history_until``, applies the package's
    lever settings on top of the historical ones, sets the stocks, and zeroes the clock and the
    loss counters (losses are reported from the start of the crisis). Returns the state and the
    model with the state's production rates.
    """
    states = states or load_states()
    if name not in states:
        raise InputError("<start>", "start", name, f"unknown start state; use one of: {', '.join(sorted(states))}")
    st = states[name]
    rp = replay(model, history or load_history(), until=st.history_until)
    assert rp.final is not None
    return restart(model, rp.final, st, levers)


def restart(model: Model, state: np.ndarray, stocks: StartState, levers: dict[str, float] | None = None
            ) -> tuple[np.ndarray, Model]:
    """A replayed state made into a crisis start: levers on top, ``stocks``' levels, clock and losses at zero."""
    S = state.copy()
    # A start after a war that the record already counts as one (the war rule met, as on
    # 24 June 2025) asks about a new war: the moves of the finished one no longer count towards
    # it (the ring of recent major moves is cleared); precedent, grievance and deficits stay.
    if K.recent_high(S, model.tables.glob) >= int(model.tables.glob[G_WARCNT]):
        S[S_HIT:S_HIT + NRING] = -1e9
    S[S_WARON] = 0.0                           # the reported war rule is counted from the start
    S[S_WART] = 0.0
    if levers:
        set_levers(S, model, levers)
    prod = set_stocks(S, model, stocks)
    S[S_HIT:S_HIT + NRING] -= S[S_TIME]           # the clock restarts at the start state
    S[S_EPOCH] += S[S_TIME]
    S[S_TIME] = 0.0
    S[S_NUC0] = S[S_NUC]
    S[S_STATUS] = ST_RUNNING
    S[S_LOSS:S_LOSS + NA] = 0.0
    S[S_SEV:S_SEV + NA] = 0.0
    S[S_DCOST:S_DCOST + NA] = 0.0
    return S, with_production(model, prod)
