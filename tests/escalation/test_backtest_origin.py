"""Rolling-origin backtest: baselines against hand-computed values, the origin split, the JSON shape."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.errors import InputError
from redline.escalation import compile_model, parse_game
from redline.escalation.backtest import (
    BASELINES,
    DEFAULT_ORIGINS,
    REFIT_COMMAND,
    SCORE_KEYS,
    backtest_origin,
    baseline_forecasts,
    fit_at_origin,
    rung_rps,
    score_forecasts,
)
from redline.escalation.history import replay
from redline.escalation.io import parse_moves
from redline.escalation.schema import LeverBook

from .conftest import SMALL_GAME

TINY = """schema: redline-moves/1
title: "made-up moves for the harness (not data)"
sources: {Z: {url: null, outlet: test fixture}}
moves:
  - {date: 2024-01-01, actor: red, action: strike, rung: 3, outcome: contained, sources: [Z]}
  - {date: 2024-01-02, actor: blue, action: strike, rung: 3, outcome: contained, sources: [Z]}
  - {date: 2024-01-03, actor: red, action: strike, rung: 3, outcome: contained, sources: [Z]}
  - {date: 2024-01-04, actor: blue, action: hold, rung: 0, sources: [Z]}
  - {date: 2024-01-05, actor: red, action: strike, rung: 3, outcome: contained, sources: [Z]}
  - {date: 2024-01-06, actor: blue, action: strike, rung: 3, outcome: contained, sources: [Z]}
"""
REDUCED = {"draws": 40, "chains": 2, "iters": 600, "burn": 200, "seed": 7}


@pytest.fixture(scope="module")
def tiny():
    game = parse_game(SMALL_GAME, "<small game>")
    model = compile_model(game, LeverBook(levers={}, packages={}), {"entries": {}})
    return model, replay(model, parse_moves(TINY, game, "<tiny>"))


def _scores(tiny, name):
    model, rp = tiny
    P, PM = baseline_forecasts(model, rp, n_fit=4)[name]        # fit on moves 0-3, score 4 and 5
    return score_forecasts(model, rp, np.array([4, 5]), P, PM)


def test_uniform_closed_forms(tiny):
    s = _scores(tiny, "uniform")
    assert s["log_score"] == pytest.approx(-math.log(4), abs=1e-4)          # 4 actions each
    assert s["brier"] == pytest.approx(0.75, abs=1e-4)                      # 1 - 1/n
    assert s["mover_log_score"] == pytest.approx(-math.log(2), abs=1e-4)    # 2 movers
    # rung RPS by hand: red (rungs 0,3,5,8) played 3 -> 0.875/8; blue (0,1,3,5) played 3 -> 0.6875/8
    assert s["rung_rps"] == pytest.approx((0.875 / 8 + 0.6875 / 8) / 2, abs=1e-4)


def test_persistence_and_tit_for_tat_by_hand(tiny):
    # persistence: of the fit moves, red repeated (move 2), blue did not (move 3): share (1+1)/(2+2) = 1/2.
    # Move 4: red's last was strike -> 1/2; move 5: blue's last was hold -> strike gets (1 - 1/2)/3.
    # Same-mover successions in the fit: 0 of 3 -> 1/5, so the other actor moves with 4/5 both times.
    p = _scores(tiny, "persistence")
    assert p["log_score"] == pytest.approx((math.log(0.5) + math.log(1 / 6)) / 2, abs=1e-4)
    assert p["mover_log_score"] == pytest.approx(math.log(0.8), abs=1e-4)
    # tit-for-tat: move 0 (nothing pending: hold predicted) and move 3 (blue held) miss, moves 1-2 answer
    # at rung 3: share (2+1)/(4+2) = 1/2. Move 4: red has nothing pending -> hold, strike gets 1/6;
    # move 5: blue answers red's strike -> strike 1/2. Who moves: the last hostile move's target moved
    # next 3 of 3 times -> 4/5; move 4 follows a hold (uniform 1/2), move 5 follows red's strike on blue.
    t = _scores(tiny, "tit_for_tat")
    assert t["log_score"] == pytest.approx((math.log(1 / 6) + math.log(0.5)) / 2, abs=1e-4)
    assert t["mover_log_score"] == pytest.approx((math.log(0.5) + math.log(0.8)) / 2, abs=1e-4)
    # base rate (pseudo-count 1/2): red struck 2 of 2 before move 4 -> 2.5/4; blue 1 strike, 1 hold -> 1.5/4
    b = _scores(tiny, "base_rate")
    assert b["log_score"] == pytest.approx((math.log(2.5 / 4) + math.log(1.5 / 4)) / 2, abs=1e-4)
    assert b["mover_log_score"] == pytest.approx((math.log(2.5 / 5) + math.log(2.5 / 6)) / 2, abs=1e-4)


def test_rung_rps_properties():
    assert rung_rps(np.eye(9)[4], 4) == 0.0                      # certain and right
    assert rung_rps(np.eye(9)[0], 8) == 1.0                      # certain and as wrong as possible
    near, far = rung_rps(np.eye(9)[3], 4), rung_rps(np.eye(9)[0], 4)
    assert 0 < near < far                                          # ranked: one rung off costs less


@pytest.fixture(scope="module")
def origin_run(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("REDLINE_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    yield backtest_origin("2024-10-01", settings=REDUCED, refit="always", paths=400, seed=3)
    mp.undo()


def test_origin_split_and_reduced_refit(origin_run):
    r = origin_run
    assert r["fit"]["source"] == "refitted" and r["fit"]["inputs"]["moves_fitted"] == r["moves_fitted"]
    assert r["fit"]["inputs"]["settings"] == REDUCED and r["fit"]["draws"] == REDUCED["draws"]
    assert all(m["date"] >= "2024-10-01" for m in r["per_move"]) and len(r["per_move"]) == r["moves_scored"]
    assert r["moves_fitted"] >= 79 and r["moves_scored"] >= 20 and r["scored_until"] == "2025-06-24"
    for k in ("model", *BASELINES):
        v = r["model"] if k == "model" else r["baselines"][k]
        assert set(v) == set(SCORE_KEYS) and all(math.isfinite(x) for x in v.values())
    assert r["baselines"]["uniform"]["log_score"] < 0
    es = r["end_states"]
    for h in ("90d", "365d"):
        assert {"p_regional_war", "p_deescalation", "p_major_strike"} <= set(es["model"][h])
        assert 0.0 <= es["model"][h]["p_major_strike"]["mean"] <= 1.0
    assert es["observed"]["90d"]["major_strike"] == "2024-10-01"    # Iran's raid and the Lebanon ground operation
    assert es["observed"]["365d"]["censored"] is True                # the record stops on 24 June 2025


def test_no_scored_move_in_the_fit(origin_run, monkeypatch, tmp_path):
    """The fit at an origin sees only earlier moves: moving a later move changes nothing."""
    from redline.escalation.backtest import _full_replay, origin_inputs
    from redline.escalation.crisis import default_model

    model = default_model()
    rp, _, _ = _full_replay(model, None)
    a = origin_inputs(model, rp, __import__("datetime").date(2024, 10, 1), REDUCED)
    later = rp.subset(np.array([m.date < __import__("datetime").date(2025, 1, 1) for m in rp.moves]))
    assert origin_inputs(model, later, __import__("datetime").date(2024, 10, 1), REDUCED) == a
    assert a["moves_fitted"] == origin_run["moves_fitted"]


def test_stale_cache_refused_with_the_command(monkeypatch, tmp_path):
    from redline.escalation.backtest import _full_replay
    from redline.escalation.crisis import default_model

    monkeypatch.setenv("REDLINE_DATA_HOME", str(tmp_path))
    model = default_model()
    rp, _, _ = _full_replay(model, None)
    with pytest.raises(InputError, match="refit") as ei:
        fit_at_origin(model, rp, DEFAULT_ORIGINS[0], {**REDUCED, "seed": 99}, refit="never")
    assert REFIT_COMMAND in str(ei.value)


def test_external_moves_file_scored(tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_DATA_HOME", str(tmp_path / "data"))
    p = tmp_path / "later.yaml"
    p.write_text("""schema: redline-moves/1
title: "made-up continuation (not data)"
sources: {Z1: {url: "https://example.org", outlet: test fixture}}
moves:
  - {date: 2024-05-20, actor: hezbollah, action: border-attacks, rung: 3, outcome: contained, sources: [Z1]}
  - {date: 2024-05-22, actor: israel, action: strike-hezbollah, rung: 3, outcome: damaging, sources: [Z1]}
  - {date: 2024-06-10, actor: iran, action: restraint, rung: 0, sources: [Z1]}
""", encoding="utf-8")
    r = backtest_origin("2024-05-21", moves_path=p, settings=REDUCED, refit="always", end_states=False)
    assert r["moves_scored"] == 2 and [m["action"] for m in r["per_move"]] == ["strike-hezbollah", "restraint"]
    assert r["moves_fitted"] == 80                                    # the 79 of the history and the file's first


def test_cli_json_shape(tmp_path, monkeypatch):
    from redline.cli.main import app
    import sys

    monkeypatch.setattr(sys.modules["redline.escalation.backtest"], "ORIGIN_FIT", REDUCED)                # a reduced refit when the shipped cache is stale

    r = CliRunner().invoke(app, ["backtest", "--origin", "2025-06-01", "--json", "--paths", "200"],
                           env={"REDLINE_NO_STORE": "1", "REDLINE_DATA_HOME": str(tmp_path)})
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert {"model", "baselines"} <= set(s)
    assert set(s["model"]) == {"log_score", "brier", "rung_rps", "mover_log_score"}
    assert set(s["baselines"]) == {"uniform", "base_rate", "persistence", "tit_for_tat"}
    assert all(set(v) == set(s["model"]) for v in s["baselines"].values())


def test_shipped_origin_fits_match_their_inputs(monkeypatch, tmp_path):
    """The shipped per-origin fits are those of today's moves, game, priors and code
    (regenerate with `redline backtest --refit --into-package` when this fails)."""
    from redline.escalation.backtest import _full_replay
    from redline.escalation.crisis import default_model

    monkeypatch.setenv("REDLINE_DATA_HOME", str(tmp_path))          # no user cache: only the shipped files
    model = default_model()
    rp, _, _ = _full_replay(model, None)
    for origin in DEFAULT_ORIGINS:
        doc, source = fit_at_origin(model, rp, origin, refit="never")
        assert source == "shipped" and doc["backtest_inputs"]["origin"] == str(origin)
