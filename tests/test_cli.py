"""The command line as a user runs it."""
import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "redline.cli.main"]


def _run(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_run_json_prints_the_documented_object():
    p = _run("run", "april-2024", "--trials", "1000", "--seed", "1", "--json")
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["manifest"]["samples"] == {"count": 1000, "unit": "trials"} and s["manifest"]["seed"] == 1
    assert s["by_class"]["ballistic"]["launched"]["mean"] == 120


def test_run_table_for_people():
    p = _run("run", "lebanon-launch", "--trials", "500", "--seed", "1")
    assert p.returncode == 0, p.stderr
    assert "Threats by class" in p.stdout and "exchange ratio" in p.stdout


def test_reference_engine_from_cli_matches_fast():
    a = json.loads(_run("run", "lebanon-launch", "--trials", "30", "--seed", "4", "--json").stdout)
    b = json.loads(_run("run", "lebanon-launch", "--trials", "30", "--seed", "4", "--json", "--engine", "reference").stdout)
    assert a["by_class"] == b["by_class"] and a["interceptors_used"] == b["interceptors_used"]


def test_scenarios_lists_builtins():
    p = _run("scenarios", "--json")
    names = json.loads(p.stdout)
    assert {"april-2024", "april-2024-no-partners", "april-2024-jordan-closed", "lebanon-launch"} <= set(names)


def test_catalog_entry_shows_sources():
    p = _run("catalog", "arrow-3", "--json")
    entry = json.loads(p.stdout)
    assert entry["cost_usd"]["source"] and "[A09]" in entry["cost_usd"]["source"]
    assert _run("catalog").returncode == 0


@pytest.mark.parametrize("args,needle", [(("run", "april-2024", "--trials", "0"), "--trials"),
                                         (("run", "april-2024", "--engine", "warp"), "--engine"),
                                         (("catalog", "arrow-9"), "unknown catalog entry")])
def test_bad_options_exit_2_with_one_line(args, needle):
    p = _run(*args)
    assert p.returncode == 2
    assert needle in p.stderr and len([l for l in p.stderr.splitlines() if l.strip()]) == 1
