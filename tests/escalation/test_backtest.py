"""Backtest: finite scores, better than uniform on the calibration history, continuation files."""
from __future__ import annotations

import math

import pytest

from redline.errors import InputError
from redline.escalation import backtest

CONTINUATION = """schema: redline-moves/1
title: "A made-up continuation, to test the harness (not data)"
sources:
  Z1: {url: "https://example.org/made-up", outlet: "test fixture"}
moves:
  - {date: 2024-05-20, actor: hezbollah, action: border-attacks, rung: 3, outcome: contained, sources: [Z1]}
  - {date: 2024-05-22, actor: israel, action: strike-hezbollah, rung: 3, outcome: damaging, sources: [Z1]}
  - {date: 2024-06-10, context: {levers: {us-iran-channel: 0.5}}, sources: [Z1]}
  - {date: 2024-07-01, actor: iran, action: restraint, rung: 0, sources: [Z1, A01]}
"""


@pytest.fixture(scope="module")
def calibration():
    return backtest().to_json()


def test_scores_finite_and_better_than_uniform(calibration):
    s = calibration
    assert s["moves"] >= 60 and s["in_sample"] == s["moves"] and s["out_of_sample"] == 0
    for k in ("log_score", "brier", "rung_log_score", "rung_brier", "mover_log_score"):
        assert all(math.isfinite(v) for v in s[k].values()), k
    assert s["log_score"]["model"] > s["log_score"]["uniform"]
    assert s["brier"]["model"] < s["brier"]["uniform"]
    assert s["rung_log_score"]["model"] > s["rung_log_score"]["uniform"]
    assert s["mover_log_score"]["model"] > s["mover_log_score"]["uniform"]
    assert all(0.0 < r["p"] <= 1.0 for r in s["per_move"])


def test_continuation_file(tmp_path):
    p = tmp_path / "later.yaml"
    p.write_text(CONTINUATION, encoding="utf-8")
    s = backtest(p, draws=50).to_json()
    # the shipped posterior is fitted to the whole calibration window (to 24 June 2025, issue 12):
    # moves of May-July 2024 are in its sample
    assert s["moves"] == 3 and s["in_sample"] == 3 and s["out_of_sample"] == 0
    assert [r["action"] for r in s["per_move"]] == ["border-attacks", "strike-hezbollah", "restraint"]
    assert s["manifest"]["details"]["draws"] == 50 and len(s["manifest"]["inputs"]["moves"]) == 64
    assert s["manifest"]["kind"] == "backtest" and s["manifest"]["samples"] == {"count": 3, "unit": "moves"}


def test_bad_moves_file(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(CONTINUATION.replace("rung: 3, outcome: contained", "rung: 5, outcome: contained", 1), encoding="utf-8")
    with pytest.raises(InputError, match="rung"):
        backtest(p)
    with pytest.raises(InputError, match="cannot read"):
        backtest(tmp_path / "missing.yaml")
