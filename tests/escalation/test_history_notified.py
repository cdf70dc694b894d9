"""Replay honours the move field `notified`: a pre-notified strike replays as its -notified variant."""
from __future__ import annotations

import datetime as dt

import numpy as np

from redline.escalation import load_history
from redline.escalation.history import replay
from redline.escalation.schema import Move


def _moves(mf, day, actor):
    return [m for m in mf.moves if isinstance(m, Move) and m.date == day and m.actor == actor]


def test_13_april_2024_replays_as_the_notified_strike(model):
    """Coded notified from a source published before the window's end ([X62], Reuters 14 April
    2024); the replayed action is major-strike-israel-notified, and only notified moves change."""
    mf = load_history()
    (april,) = [m for m in _moves(mf, dt.date(2024, 4, 13), "iran") if m.action == "major-strike-israel"]
    assert april.notified is True and "X62" in april.sources
    rp = replay(model, mf, until=dt.date(2024, 4, 20))
    moves = [m for m in mf.moves if isinstance(m, Move) and m.date < dt.date(2024, 4, 20)]
    assert len(moves) == len(rp.actions)
    names = {v: k for k, v in model.action_index.items()}
    got = [names[int(a)] for a in rp.actions]
    for m, name in zip(moves, got):
        if m is april:
            assert name == "iran:major-strike-israel-notified"
        else:                                   # nothing else before 20 April 2024 is notified
            assert name == f"{m.actor}:{m.action}"
    # a notified move whose action has no -notified variant keeps its action (Al Udeid, 23 June 2025)
    (udeid,) = [m for m in _moves(mf, dt.date(2025, 6, 23), "iran") if m.action == "attack-us-forces"]
    assert udeid.notified is True and "iran:attack-us-forces-notified" not in model.action_index
    full = replay(model, mf)
    assert model.action_index["iran:attack-us-forces"] in set(np.asarray(full.actions).tolist())
