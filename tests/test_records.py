"""Every command's --json output carries the same Manifest: the same field names, whatever the kind.

Each command runs at a small size through the CLI; its output must be an object with a top-level
``manifest`` whose keys are exactly :class:`redline.manifest.Manifest`'s fields, that validates as
one, names its own kind, and whose whole output parses back into the kind's typed record.
"""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from redline.cli.main import app
from redline.manifest import KINDS, Manifest
from redline.records import SUMMARIES, parse_summary

FIELDS = set(Manifest.model_fields)

SWEEP = """
name: records-test
scenario: april-2024
trials: 40
seed: 3
params: prior
design: {method: grid}
parameters:
  - {name: reliability.ballistic, values: [0.6, 0.8]}
outputs: [by_class.ballistic.leaked]
"""


def _commands(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    return {
        "run": ["run", "april-2024", "--trials", "200", "--seed", "1"],
        "diff": ["diff", "april-2024", "april-2024-jordan-closed", "--trials", "100", "--seed", "1"],
        "campaign": ["campaign", "twelve-day-campaign", "--trials", "50", "--days", "2", "--seed", "1"],
        "crisis": ["crisis", "--paths", "200", "--seed", "1", "--horizon", "60"],
        "compare": ["compare", "--policies", "status-quo,diplomacy-first", "--paths", "200", "--horizon", "60"],
        "validate": ["validate", "april-2024", "--trials", "200", "--seed", "1"],
        "backtest": ["backtest", "--in-sample", "--draws", "10"],
        "sweep": ["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "sweep"), "--no-plots"],
        "calibrate": ["calibrate", "april-2024", "--draws", "20", "--particles", "40", "--rounds", "1", "--trials", "4",
                      "--out", str(tmp_path / "post.json")],
        "rebuild-effects": ["maintain", "rebuild-effects", "--trials", "2", "--out", str(tmp_path / "effects.json")],
        "fit-escalation": ["maintain", "fit-escalation", "--draws", "6", "--chains", "2", "--iters", "120", "--burn", "40",
                           "--out", str(tmp_path / "posterior.json")],
    }


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("records")
    mp = pytest.MonkeyPatch()
    mp.setenv("REDLINE_NO_STORE", "1")
    try:
        out = {}
        for kind, args in _commands(tmp).items():
            r = CliRunner().invoke(app, [*args, "--json"])
            assert r.exit_code == 0, (kind, r.output)
            out[kind] = json.loads(r.stdout)
        return out
    finally:
        mp.undo()


def test_every_command_is_covered(outputs):
    assert set(outputs) | {"sweep-point"} == set(KINDS) == set(SUMMARIES) | {"sweep-point"}


@pytest.mark.parametrize("kind", ["run", "campaign", "crisis", "compare", "validate", "backtest", "sweep", "calibrate",
                                  "rebuild-effects", "fit-escalation", "diff"])
def test_manifest_has_exactly_the_manifest_fields(outputs, kind):
    out = outputs[kind]
    assert set(out["manifest"]) == FIELDS
    m = Manifest.model_validate(out["manifest"])
    assert m.kind == kind and m.version and m.created.endswith("Z") and m.subject
    assert m.samples.count > 0 and all(len(h) == 64 for h in m.inputs.values()) and m.inputs
    assert type(parse_summary(out)) is SUMMARIES[kind]


def test_key_sets_are_identical_across_kinds(outputs):
    assert len({tuple(sorted(o["manifest"])) for o in outputs.values()}) == 1


def test_units_say_what_a_sample_is(outputs):
    units = {k: o["manifest"]["samples"]["unit"] for k, o in outputs.items()}
    assert units == {"run": "trials", "campaign": "trials", "crisis": "paths", "compare": "paths", "validate": "trials",
                     "backtest": "moves", "sweep": "points", "calibrate": "draws",
                     "rebuild-effects": "trials", "fit-escalation": "draws", "diff": "trials"}


def test_sweep_points_carry_a_sweep_point_manifest(outputs, tmp_path):
    folder = outputs["sweep"]["folder"]
    from redline.sweep import SweepDir

    recs = SweepDir(folder).finished()
    assert len(recs) == 2
    for i, rec in recs.items():
        m = Manifest.model_validate(rec["manifest"])
        assert m.kind == "sweep-point" and m.details["point"] == i and m.details["of"] == "run"
        assert m.inputs["spec"] == outputs["sweep"]["manifest"]["inputs"]["spec"]
        assert m.created == outputs["sweep"]["manifest"]["created"]    # the sweep's start: records do not depend on timing
        assert parse_summary(rec["summary"]).manifest == m


def test_an_unexpected_shape_is_an_error_with_a_message(outputs):
    from redline.records import RecordError

    bad = {**outputs["crisis"], "p_regional_war": 0.3}
    with pytest.raises(RecordError, match=r"not a crisis summary \(CrisisSummary\): p_regional_war"):
        parse_summary(bad)
    with pytest.raises(RecordError, match="top-level 'manifest'"):
        parse_summary({"p_regional_war": 0.3})
    with pytest.raises(RecordError, match="manifest.samples"):
        parse_summary({**outputs["run"], "manifest": {**outputs["run"]["manifest"], "samples": 3}})
