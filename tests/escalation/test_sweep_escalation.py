"""`redline sweep` runs escalation designs (kind: escalation): spec validation, and the runner
gives what lever_robustness gives on the same designs."""
from __future__ import annotations

import json

import pytest

from redline.errors import InputError
from redline.sweep import builtin_sweeps, load_sweep_spec, parse_sweep_spec
from redline.sweep.escalation import EscalationSweepSpec, lever_robustness, run_escalation_sweep

SMALL = """
kind: escalation
name: tiny
policies: [status-quo, diplomacy-first]
paths: 200
seed: 5
horizon_days: 180
designs:
  - {name: baseline, kind: none}
  - {name: war count=1, kind: war, value: "count=1"}
  - {name: ceasefire equal, kind: ceasefire, value: 240}
"""


def test_the_shipped_escalation_spec_parses_and_covers_the_four_judgements():
    assert "escalation-lever-robustness" in builtin_sweeps()
    spec = load_sweep_spec("escalation-lever-robustness")
    assert isinstance(spec, EscalationSweepSpec)
    assert {d.kind for d in spec.designs} == {"none", "levers", "ceasefire", "misperception", "war"}


@pytest.mark.parametrize("bad, field", [
    ("kind: escalation\nname: x\ndesigns: [{name: a, kind: levers, value: 2}]\n", "baseline"),
    ("kind: escalation\nname: x\ndesigns: [{name: a, kind: none}, {name: b, kind: levers, value: -1}]\n", "positive"),
    ("kind: escalation\nname: x\ndesigns: [{name: a, kind: none}, {name: b, kind: war, value: 'count=9'}]\n", "count"),
    ("kind: escalation\nname: x\ndesigns: [{name: a, kind: none}, {name: b, kind: bogus}]\n", "kind"),
    ("kind: escalation\nname: x\npaths: 10\ndesigns: [{name: a, kind: none}]\n", "paths"),
])
def test_bad_escalation_specs_fail_in_one_line(bad, field):
    with pytest.raises(InputError) as e:
        parse_sweep_spec(bad, "bad.yaml")
    assert "\n" not in str(e.value) and "bad.yaml" in str(e.value) and field in str(e.value)


def test_the_sweep_runs_the_designs_and_writes_its_summary(tmp_path):
    spec = parse_sweep_spec(SMALL, "tiny.yaml")
    r = run_escalation_sweep(spec, str(tmp_path / "out"))
    direct = lever_robustness(["status-quo", "diplomacy-first"], designs=(("baseline", "none", None),
                              ("war count=1", "war", "count=1"), ("ceasefire equal", "ceasefire", 240.0)),
                              paths=200, seed=5, horizon_days=180)
    assert r["designs"] == direct["designs"] and r["pairwise"] == direct["pairwise"]
    saved = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert saved["sweep"] == "tiny" and set(saved["designs"]) == {"baseline", "war count=1", "ceasefire equal"}
    b, w, c = (r["designs"][k]["packages"] for k in ("baseline", "war count=1", "ceasefire equal"))
    # the war rule is a report: the major strikes are those of the baseline
    assert all(w[p]["p_major_strike"] == b[p]["p_major_strike"] for p in b)
    # equal durability moves only packages with a Gaza pause (diplomacy-first has a full ceasefire,
    # whose half-life is already 240 days; the status quo has no Gaza lever)
    assert c == b
