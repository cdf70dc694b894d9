"""The game as data: shipped files load, history moves are sourced, bad input fails in one line."""
from __future__ import annotations

import datetime as dt

import pytest

from redline.errors import InputError
from redline.escalation import (
    load_game,
    load_history,
    load_levers,
    load_states,
    parse_game,
    parse_moves,
)
from redline.escalation.io import data_path, parse_levers
from redline.escalation.schema import ContextRow, Move

from .conftest import SMALL_GAME

REQUIRED_LEVERS = {"us-deterrent-threat", "gaza-ceasefire", "us-restrains-israel", "regional-air-defence-integration",
                   "red-lines-agreement", "us-iran-channel", "arms-race", "forward-launch-positions",
                   "us-gulf-defence-pact", "israeli-forward-perches"}


def test_game_has_the_actors_and_the_ladder():
    g = load_game()
    # jordan, the Gulf states and Iraq decide since issue 12; Iraq has no participation slot
    assert set(g.movers) == {"iran", "israel", "united-states", "hezbollah", "houthis", "iraqi-militias",
                             "jordan", "gulf-states", "iraq"}
    assert set(g.partners) == {"jordan", "gulf-states"}
    # the shared action ids of session 4 (notes/s4.md)
    want = {"iran": {"major-strike-us-bases", "strike-gulf-states", "breakout", "regional-war", "regional-war-us"}, "israel": {"air-campaign-iran"},
            "united-states": {"strike-iran-nuclear", "defend-partners"},
            "jordan": {"join-defence", "stay-out", "restrict-basing"},
            "gulf-states": {"join-defence", "stay-out", "restrict-basing"}, "iraq": {"hold", "press-us-exit"}}
    for actor, ids in want.items():
        assert ids <= set(g.actions[actor]), (actor, ids - set(g.actions[actor]))
    rungs = {("iran", "major-strike-us-bases"): 5, ("iran", "strike-gulf-states"): 5, ("iran", "breakout"): 1,
             ("iran", "regional-war"): 8, ("iran", "regional-war-us"): 8,
             ("israel", "air-campaign-iran"): 6, ("united-states", "defend-partners"): 1,
             ("jordan", "join-defence"): 0, ("jordan", "stay-out"): 0, ("jordan", "restrict-basing"): 1,
             ("iraq", "hold"): 0, ("iraq", "press-us-exit"): 1}
    for (actor, a), r in rungs.items():
        assert g.actions[actor][a].rung == r, (actor, a)
    # Iran's rung-8 campaign has a chosen target (issue 12)
    assert g.actions["iran"]["regional-war"].target == "israel"
    assert g.actions["iran"]["regional-war-us"].target == "united-states"
    assert [r.rung for r in g.ladder] == list(range(9))
    assert {g.actors[p].patron for p in ("hezbollah", "houthis", "iraqi-militias")} == {"iran"}


def test_every_strike_action_has_a_raid_template():
    g = load_game()
    for actor, acts in g.actions.items():
        for name, a in acts.items():
            if a.rung >= 4:
                assert a.raid is not None, f"{actor}.{name} is a strike and needs a raid template"
            if a.raid is not None:
                raid = g.raids[a.raid]
                assert raid.note, f"raid {a.raid} needs a note saying where it comes from"


def test_levers_and_packages():
    book = load_levers()
    assert set(book.levers) == REQUIRED_LEVERS
    for name, lev in book.levers.items():
        assert len(lev.argument) > 40 and lev.effects, name
    assert {"status-quo", "deter-and-pause", "diplomacy-first"} <= set(book.packages)
    assert book.packages["status-quo"].levers == {}
    assert set(book.packages["deter-and-pause"].levers) >= {"us-deterrent-threat", "gaza-ceasefire", "us-restrains-israel"}
    assert set(book.packages["diplomacy-first"].levers) >= {"gaza-ceasefire", "red-lines-agreement", "us-iran-channel"}


def test_start_states():
    states = load_states()
    assert states["april-2024"].history_until == dt.date(2024, 4, 19)
    for s in states.values():
        for stock in s.stocks.values():
            assert stock.source or stock.note


def test_history_loads_and_every_move_has_a_source():
    h = load_history()
    moves = [m for m in h.moves if isinstance(m, Move)]
    assert len(moves) >= 60
    assert moves[0].date >= dt.date(2018, 1, 1)
    assert max(m.date for m in h.moves) <= dt.date(2025, 6, 24)       # calibration window only (issue 12: to the June 2025 ceasefire)
    for m in h.moves:
        assert m.sources, f"{m.date} has no source"
        for key in m.sources:
            src = h.sources[key]
            assert src.url or src.outlet, key
    # every original mover appears; the partners that decide since issue 12 may not (yet)
    assert {"iran", "israel", "united-states", "hezbollah", "houthis", "iraqi-militias"} <= {m.actor for m in moves}
    assert {m.actor for m in moves} <= set(load_game().movers)
    landmarks = {(str(m.date), m.actor, m.action) for m in moves}
    assert ("2024-04-13", "iran", "major-strike-israel") in landmarks
    assert ("2024-04-19", "israel", "limited-strike-iran") in landmarks
    assert ("2024-04-01", "israel", "strike-iran-forces-abroad") in landmarks


def test_history_context_rows():
    h = load_history()
    ctx = [m for m in h.moves if isinstance(m, ContextRow)]
    assert any(c.context.gaza_war for c in ctx)


def _moves(body: str) -> str:
    return "schema: redline-moves/1\nsources:\n  S1: {url: 'https://example.org', outlet: test}\nmoves:\n" + body


@pytest.mark.parametrize("body, field", [
    ("  - {date: 2024-05-01, actor: iran, action: major-strike-israel, rung: 4, outcome: contained, sources: [S1]}",
     "moves[0].rung"),
    ("  - {date: 2024-05-01, actor: iran, action: fly-to-the-moon, rung: 4, sources: [S1]}", "moves[0].action"),
    ("  - {date: 2024-05-01, actor: narnia, action: restraint, rung: 0, sources: [S1]}", "moves[0].actor"),
    ("  - {date: 2024-05-01, actor: iran, action: restraint, rung: 0, sources: [NOPE]}", "moves[0].sources"),
    ("  - {date: 2024-05-01, actor: iran, action: covert-israel, rung: 2, sources: [S1]}", "moves[0].outcome"),
    ("  - {date: 2024-05-01, actor: iran, action: restraint, rung: 0}", "moves[0].sources"),
    ("  - {date: not-a-date, actor: iran, action: restraint, rung: 0, sources: [S1]}", "moves[0].date"),
])
def test_bad_moves_fail_in_one_line_naming_the_field(body, field):
    with pytest.raises(InputError) as ei:
        parse_moves(_moves(body), load_game(), "moves.yaml")
    msg = str(ei.value)
    assert "\n" not in msg
    assert msg.startswith("moves.yaml: ") and ei.value.field == field, msg


def test_moves_out_of_order():
    body = ("  - {date: 2024-06-01, actor: iran, action: restraint, rung: 0, sources: [S1]}\n"
            "  - {date: 2024-05-01, actor: iran, action: restraint, rung: 0, sources: [S1]}")
    with pytest.raises(InputError, match="date order"):
        parse_moves(_moves(body), load_game(), "m.yaml")


def test_malformed_yaml():
    with pytest.raises(InputError, match="malformed YAML"):
        parse_game("actors: [unclosed", "g.yaml")


@pytest.mark.parametrize("old, new, field", [
    ("target: blue, outcome: [0.6, 0.3, 0.1]", "target: green, outcome: [0.6, 0.3, 0.1]", "actions.red.strike.target"),
    ("outcome: [0.6, 0.3, 0.1]", "outcome: [0.6, 0.3, 0.3]", "actions.red.strike.outcome"),
    ("    hold:   {rung: 0}\n    strike", "    strike", "actions.red"),
])
def test_bad_game_fails_in_one_line(old, new, field):
    text = SMALL_GAME.replace(old, new, 1)
    with pytest.raises(InputError) as ei:
        parse_game(text, "g.yaml")
    assert ei.value.field == field and "\n" not in str(ei.value)


def test_bad_lever_fails():
    text = "levers:\n  x:\n    essay: first\n    argument: a\n    effects:\n      - {type: utility, actors: [narnia], rungs: [4, 8], delta: -1}\npackages: {}\n"
    with pytest.raises(InputError, match="unknown moving actor"):
        parse_levers(text, load_game(), "l.yaml")


def test_shipped_files_exist():
    for f in ("game.yaml", "levers.yaml", "states.yaml", "history.yaml", "priors.yaml", "effects.json", "posterior.json"):
        assert data_path(f).is_file(), f
