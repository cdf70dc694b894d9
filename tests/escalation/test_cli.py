"""`redline crisis`, `compare`, `backtest` through a throwaway typer app."""
from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from redline.cli.crisis import register

app = typer.Typer()
register(app)
runner = CliRunner()
ENV = {"REDLINE_NO_STORE": "1"}


def _json(args):
    r = runner.invoke(app, args, env=ENV)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_crisis_json():
    s = _json(["crisis", "--paths", "300", "--seed", "4", "--horizon", "120", "--policy", "deter-and-pause", "--json"])
    assert {"mean", "p05", "p95"} <= set(s["p_regional_war"]) and {"mean", "p05", "p95"} <= set(s["p_deescalation"])
    assert isinstance(s["top_paths"], list) and {"moves", "probability"} <= set(s["top_paths"][0])
    assert "losses" in s and "interceptors_used" in s and "manifest" in s and s["policy"] == "deter-and-pause"


def test_compare_json():
    s = _json(["compare", "--policies", "status-quo,diplomacy-first", "--paths", "300", "--horizon", "90", "--json"])
    assert [p["name"] for p in s["policies"]] == ["status-quo", "diplomacy-first"]
    for p in s["policies"]:
        assert {"name", "p_regional_war", "delta_vs_status_quo"} <= set(p)
        assert {"mean", "p05", "p95"} <= set(p["delta_vs_status_quo"])


def test_backtest_json():
    s = _json(["backtest", "--in-sample", "--json", "--draws", "40"])
    assert s["log_score"]["model"] > s["log_score"]["uniform"]


def test_tables():
    for args in (["crisis", "--paths", "200", "--horizon", "60"], ["compare", "--policies", "status-quo", "--paths", "200"],
                 ["backtest", "--in-sample", "--draws", "20"]):
        r = runner.invoke(app, args, env=ENV)
        assert r.exit_code == 0, r.output
        assert "│" in r.stdout or "|" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["crisis", "--policy", "appeasement"], "unknown package"),
    (["crisis", "--paths", "0"], "--paths"),
    (["compare", "--policies", "status-quo,nope"], "unknown package"),
    (["backtest", "no-such-file.yaml"], "cannot read"),
])
def test_errors_are_one_line(args, needle):
    r = runner.invoke(app, args, env=ENV)
    assert r.exit_code == 2
    assert needle in r.output and r.output.strip().count("\n") <= 2
