"""Maintenance through the one CLI: `redline maintain rebuild-effects` and `fit-escalation`.

The shipped effects table is keyed by the SHA-256 of the scenario each entry was computed on;
the first test rebuilds every template's scenario with today's code (hashing only, no engine)
and fails when templates, variants or transforms have drifted from the table. The rest check
that the maintenance commands write where they are told (``--out``, else the user data folder)
and never into the installed package.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.cli.main import app
from redline.escalation.effects import ENV_TABLE, load_table, table_path, table_scenarios
from redline.escalation.fit import ENV_POSTERIOR, load_posterior, posterior_matrix, posterior_path
from redline.escalation.io import data_path
from redline.errors import InputError
from redline.scenario.io import scenario_sha256
from redline.userdata import ENV_DATA_HOME, data_home, inside_package, output_path, package_root

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src" / "redline"


def _env(**kw):
    """CLI environment: no run store, no user overrides unless given (None unsets a variable)."""
    base = {"REDLINE_NO_STORE": "1", ENV_DATA_HOME: None, "XDG_DATA_HOME": None, ENV_TABLE: None, ENV_POSTERIOR: None}
    return {**base, **kw}


def _package_data_snapshot() -> dict[str, tuple[int, int, str]]:
    root = package_root() / "data"
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def effects_cache(tmp_path_factory) -> Path:
    """One engine-effects cache for this module, so a second tiny rebuild costs no engine runs."""
    return tmp_path_factory.mktemp("effects-cache") / "cache.json"


# ------------------------------------------------------------------------------ the shipped table
def test_shipped_effects_table_matches_todays_scenarios():
    table = load_table(data_path("effects.json"))
    built = {}
    for rid, vn, _raid, sc in table_scenarios():
        built[(rid, vn)] = scenario_sha256(sc)
    shipped = {(rid, vn): e["scenario_sha256"] for rid, entries in table["entries"].items() for vn, e in entries.items()}
    assert set(built) == set(shipped), (
        "the game's engine-backed templates and variants differ from the shipped effects table; "
        "rebuild it: redline maintain rebuild-effects --into-package")
    drifted = sorted(k for k in built if built[k] != shipped[k])
    assert not drifted, (f"scenarios of {drifted} no longer hash to the shipped table's keys (templates or "
                         "transforms changed); rebuild it: redline maintain rebuild-effects --into-package, then refit")


# ------------------------------------------------------------------------------ where they write
def test_rebuild_effects_writes_to_out_and_not_into_the_package(tmp_path, effects_cache):
    before = _package_data_snapshot()
    out = tmp_path / "sub" / "effects.json"
    r = runner.invoke(app, ["maintain", "rebuild-effects", "--out", str(out), "--trials", "2", "--seed", "1",
                            "--cache", str(effects_cache)], env=_env())
    assert r.exit_code == 0, r.output
    assert _package_data_snapshot() == before
    table = json.loads(out.read_text(encoding="utf-8"))
    assert table["provenance"]["trials"] == 2 and table["provenance"]["seed"] == 1
    shipped = load_table(data_path("effects.json"))["entries"]
    assert {(r, v) for r, e in table["entries"].items() for v in e} == {(r, v) for r, e in shipped.items() for v in e}
    assert all(table["entries"][r][v]["scenario_sha256"] == e["scenario_sha256"]
               for r, es in shipped.items() for v, e in es.items())
    assert str(out) in r.stdout.replace("\n", "")


def test_rebuild_effects_defaults_to_the_user_data_folder(tmp_path, effects_cache):
    before = _package_data_snapshot()
    r = runner.invoke(app, ["maintain", "rebuild-effects", "--trials", "2", "--seed", "1", "--cache", str(effects_cache),
                            "--json"], env=_env(XDG_DATA_HOME=str(tmp_path / "xdg")))
    assert r.exit_code == 0, r.output
    want = tmp_path / "xdg" / "redline" / "escalation" / "effects.json"
    assert json.loads(r.stdout)["path"] == str(want) and want.is_file()
    assert _package_data_snapshot() == before


@pytest.mark.parametrize("command", ["rebuild-effects", "fit-escalation"])
def test_maintenance_refuses_to_write_into_the_package(command, tmp_path):
    before = _package_data_snapshot()
    name = "effects.json" if command == "rebuild-effects" else "posterior.json"
    for target in (package_root() / "data" / "escalation" / name, package_root() / "data" / "new.json"):
        r = runner.invoke(app, ["maintain", command, "--out", str(target)], env=_env())
        assert r.exit_code == 2, r.output
        assert "inside the installed redline package" in r.output and "--into-package" in r.output
    if command == "rebuild-effects":
        r = runner.invoke(app, ["maintain", command, "--out", str(tmp_path / "e.json"),
                                "--cache", str(package_root() / "data" / "cache.json")], env=_env())
        assert r.exit_code == 2 and "inside the installed redline package" in r.output
        assert not (tmp_path / "e.json").exists()
    # the user data folder pointed into the package is refused too
    r = runner.invoke(app, ["maintain", command], env=_env(**{ENV_DATA_HOME: str(package_root() / "data")}))
    assert r.exit_code == 2 and "inside the installed redline package" in r.output
    assert _package_data_snapshot() == before


def test_fit_escalation_small_writes_to_out(tmp_path):
    before = _package_data_snapshot()
    out = tmp_path / "posterior.json"
    r = runner.invoke(app, ["maintain", "fit-escalation", "--out", str(out), "--effects", str(data_path("effects.json")),
                            "--draws", "6", "--chains", "2", "--iters", "120", "--burn", "40", "--seed", "3", "--json"],
                      env=_env(XDG_DATA_HOME=str(tmp_path / "xdg")))
    assert r.exit_code == 0, r.output
    assert _package_data_snapshot() == before and not (tmp_path / "xdg").exists()
    s = json.loads(r.stdout)
    assert s["path"] == str(out) and s["manifest"]["seed"] == 3 and "2 chains x 120 iterations, 40 burn-in" in s["method"]
    from redline.escalation import default_model

    doc = load_posterior(out)
    TH = posterior_matrix(doc, default_model())
    assert TH.shape[0] == 6 and np.all(np.isfinite(TH))


def test_fit_escalation_checks_its_sizes():
    r = runner.invoke(app, ["maintain", "fit-escalation", "--iters", "100", "--burn", "100"], env=_env())
    assert r.exit_code == 2 and "--burn" in r.output
    r = runner.invoke(app, ["maintain", "rebuild-effects", "--trials", "0"], env=_env())
    assert r.exit_code == 2 and "--trials" in r.output


@pytest.mark.parametrize("command", ["rebuild-effects", "fit-escalation"])
def test_help_shows_examples(command):
    r = runner.invoke(app, ["maintain", command, "--help"], env=_env())
    assert r.exit_code == 0
    assert "Examples:" in r.stdout and f"redline maintain {command}" in r.stdout and "--into-package" in r.stdout


# ------------------------------------------------------------------------------ paths and overrides
def test_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_DATA_HOME, raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert data_home() == Path.home() / ".local" / "share" / "redline"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "redline"
    monkeypatch.setenv(ENV_DATA_HOME, str(tmp_path / "own"))
    assert data_home() == tmp_path / "own"


def test_output_path_rules(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DATA_HOME, str(tmp_path))
    shipped = data_path("effects.json")
    assert output_path(None, ("escalation", "effects.json"), shipped) == tmp_path / "escalation" / "effects.json"
    assert output_path(tmp_path / "x.json", ("a",), shipped) == tmp_path / "x.json"
    assert output_path(None, ("a",), shipped, into_package=True) == shipped
    assert output_path(shipped, ("a",), shipped, into_package=True) == shipped
    assert inside_package(shipped) and inside_package(SRC / "data" / "escalation" / "new.json")
    with pytest.raises(InputError, match="inside the installed redline package"):
        output_path(shipped, ("a",), shipped)
    with pytest.raises(InputError, match="inside the installed redline package"):
        output_path(package_root() / ".." / "redline" / "data" / "x.json", ("a",), shipped)


def test_readers_default_to_the_shipped_files_and_take_an_explicit_override(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_TABLE, raising=False)
    monkeypatch.delenv(ENV_POSTERIOR, raising=False)
    assert table_path() == data_path("effects.json") and posterior_path() == data_path("posterior.json")
    tab = tmp_path / "effects.json"
    tab.write_text(json.dumps({"format": "redline-effects/1", "provenance": {"trials": 7}, "entries": {}}))
    post = tmp_path / "posterior.json"
    post.write_text(json.dumps({"format": "redline-escalation-posterior/1", "seed": 7}))
    monkeypatch.setenv(ENV_TABLE, str(tab))
    monkeypatch.setenv(ENV_POSTERIOR, str(post))
    assert load_table()["provenance"]["trials"] == 7 and load_posterior()["seed"] == 7
    assert load_table(data_path("effects.json"))["provenance"]["trials"] == 4000      # an explicit path wins
    monkeypatch.setenv(ENV_TABLE, str(tmp_path / "missing.json"))
    with pytest.raises(InputError, match="redline maintain rebuild-effects"):
        load_table()


def test_no_second_command_line_entry_point():
    """One CLI (redline.cli.main): no argparse, no package __main__, no other `if __name__ == "__main__"`."""
    mains = []
    for py in sorted(SRC.rglob("*.py")):
        text = py.read_text(encoding="utf-8")
        rel = py.relative_to(SRC)
        if py.name == "__main__.py" or re.search(r"^\s*import argparse|^\s*from argparse", text, re.M):
            mains.append(str(rel))
        if re.search(r"^if __name__ == .__main__.:", text, re.M) and str(rel) != "cli/main.py":
            mains.append(str(rel))
    assert not mains, f"command-line entry points outside redline.cli: {mains}; make them `redline` subcommands"


def test_command_defaults_are_the_shipped_settings():
    """The defaults rebuild the shipped files: the effects' trials and seed, the fit's SHIPPED_FIT."""
    import inspect

    import typer.main

    from redline.escalation.effects import regenerate
    from redline.escalation.fit import SHIPPED_FIT

    group = typer.main.get_command(app).commands["maintain"]
    defaults = {name: {p.name: p.default for p in cmd.params} for name, cmd in group.commands.items()}
    shipped = load_table(data_path("effects.json"))["provenance"]
    sig = inspect.signature(regenerate).parameters
    assert defaults["rebuild-effects"]["trials"] == shipped["trials"] == sig["trials"].default
    assert defaults["rebuild-effects"]["seed"] == shipped["seed"] == sig["seed"].default
    assert {k: defaults["fit-escalation"][k] for k in SHIPPED_FIT} == SHIPPED_FIT
    post = load_posterior(data_path("posterior.json"))
    assert post["seed"] == SHIPPED_FIT["seed"] and len(post["draws"]["lambda"]) == SHIPPED_FIT["draws"]
    assert (f"{SHIPPED_FIT['chains']} chains x {SHIPPED_FIT['iters']} iterations, {SHIPPED_FIT['burn']} burn-in"
            in post["method"])
