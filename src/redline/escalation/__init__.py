"""The escalation model: the Iran-Israel confrontation as a game of quantal-response decisions.

Actors move one at a time on an escalation ladder (docs/escalation.md); each chooses by logit
quantal response over documented utility terms, looking one move ahead at its adversary's reply;
chance decides who moves, how long until the next move, how a move is read, whether partners
join the defence and what a strike does (from the engagement engine's outcome distributions).
A crisis ends in regional war, durable de-escalation or at the horizon. Parameters are fitted to
the coded history to 19 April 2024 and carried as posterior draws.

The curated surface::

    from redline import escalation as esc
    esc.run_crisis(start="april-2024", policy="diplomacy-first", horizon_days=365, paths=20000, seed=1)
    esc.compare_policies(["status-quo", "deter-and-pause", "diplomacy-first"])
    esc.backtest("moves.yaml")
    esc.backtest_origin("2024-10-01")           # rolling origin: refit before it, score later moves
"""
from __future__ import annotations

from .backtest import backtest, backtest_origin, backtest_origins
from .compile import Model, compile_model
from .crisis import compare_policies, default_model, policy_levers, run_crisis
from .exact import enumerate_game
from .history import replay, start_state
from .io import (
    load_game,
    load_history,
    load_levers,
    load_states,
    parse_game,
    parse_moves,
    read_game,
    read_moves,
)
from .runner import simulate
from .schema import Game, LeverBook, MovesFile

__all__ = [
    "Game",
    "LeverBook",
    "Model",
    "MovesFile",
    "backtest",
    "backtest_origin",
    "backtest_origins",
    "compare_policies",
    "compile_model",
    "default_model",
    "enumerate_game",
    "load_game",
    "load_history",
    "load_levers",
    "load_states",
    "parse_game",
    "parse_moves",
    "policy_levers",
    "policy_packages",
    "read_game",
    "read_moves",
    "replay",
    "run_crisis",
    "simulate",
    "start_state",
    "start_states",
]


def policy_packages() -> dict[str, str]:
    """The shipped policy packages, name -> description."""
    return {k: v.description.strip() for k, v in load_levers().packages.items()}


def start_states() -> dict[str, str]:
    """The shipped start states, name -> description."""
    return {k: v.description for k, v in load_states().items()}
