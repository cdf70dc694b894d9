"""Sweeps: same bits on any back end and worker count, resume, worker deaths, sensitivity."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sweep_helpers

import redline
from redline.errors import InputError
from redline.sweep import SweepError, design_matrix, parse_sweep_spec, point_seed, run_sweep, sensitivity
from redline.sweep.apply import apply_point
from redline.sweep.worker import SweepBase, Point, run_point
from redline.scenario.io import scenario_catalog

class _Names3:
    names = ("x1", "x2", "x3")


_NAMES3 = _Names3()

SPEC = """
name: test-grid
scenario: april-2024
trials: 96
seed: 11
params: prior
design: {method: grid}
parameters:
  - {name: pk.arrow-3.ballistic, values: [0.6, 0.9]}
  - {name: reliability.ballistic, values: [0.5, 0.7, 0.9]}
outputs: [by_class.ballistic.leaked, by_class.ballistic.impacted]
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("REDLINE_NO_STORE", "1")
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("REDLINE_TEST_MARKERS", str(markers))
    return markers


@pytest.fixture(scope="module")
def spec():
    return parse_sweep_spec(SPEC)


@pytest.fixture(scope="module")
def reference(spec, tmp_path_factory):
    """The sweep on one local worker."""
    return run_sweep(spec, tmp_path_factory.mktemp("ref") / "sweep", workers=1, plots=False, no_store=True)


def _bits(res) -> dict:
    """Everything a point produced except where and how long it ran, and when its sweep started."""
    def steady(r):
        m = {k: v for k, v in r["manifest"].items() if k != "created"}
        return {**{k: v for k, v in r.items() if k != "timing"}, "manifest": m, "summary": {**r["summary"], "manifest": m}}
    return {i: steady(r) for i, r in sorted(res.records.items())}


def _ran(markers: Path) -> list[int]:
    return sorted(int(p.name.split("-")[1]) for p in markers.glob("ran-*"))


def test_reference_complete(reference):
    assert reference.complete and not reference.failures
    assert len(reference.X) == 6
    leaked = reference.outputs("by_class.ballistic.leaked")
    # more reliable missiles leak more, better Arrow 3 lets fewer through (grid order: pk outer, reliability inner)
    assert leaked[2] > leaked[0] and leaked[3] < leaked[0]
    assert set(reference.sensitivity) == {"by_class.ballistic.leaked", "by_class.ballistic.impacted"}


def test_two_workers_same_bits(spec, reference, tmp_path):
    res = run_sweep(spec, tmp_path / "w2", workers=2, plots=True)
    assert _bits(res) == _bits(reference)
    assert res.sensitivity == reference.sensitivity
    assert (tmp_path / "w2" / "sensitivity-by_class.ballistic.leaked.png").stat().st_size > 5_000
    assert (tmp_path / "w2" / "results.csv").read_text().count("\n") == 7


def test_dask_loopback_cluster_same_bits(spec, reference, tmp_path):
    pytest.importorskip("distributed")
    res = run_sweep(spec, tmp_path / "dask", cluster="local:2", plots=False)
    assert "LocalCluster" in res.backend
    assert _bits(res) == _bits(reference)


def test_point_equals_a_plain_run(spec):
    """A sweep point is exactly `redline.run` of the point's scenario, parameters and seed."""
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    base_ps = redline.catalog_params(cat)
    names = tuple(p.name for p in spec.parameters)
    base = SweepBase("t", "0" * 64, sc, cat, base_ps, names, spec.outputs, 96)
    pt = Point(4, (0.9, 0.7), point_seed(11, 4))
    rec = run_point(base, pt)
    sc_p, ps_p = apply_point(sc, cat, base_ps, names, pt.values)
    plain = redline.run(sc_p, trials=96, seed=pt.seed, params=ps_p).summary()
    assert rec["summary"]["by_class"] == plain["by_class"]
    assert rec["summary"]["interceptors_used"] == plain["interceptors_used"]


def test_resume_recomputes_nothing(spec, reference, tmp_path, _isolated):
    out = tmp_path / "resumed"
    first = run_sweep(spec, out, workers=2, point_fn=sweep_helpers.counting_point, stop_after=2, plots=False)
    assert first.stopped and 2 <= len(first.records) < 6
    saved = sorted(int(p.stem) for p in (out / "points").glob("*.json"))
    assert saved == sorted(first.records)
    second = run_sweep(spec, out, workers=2, point_fn=sweep_helpers.counting_point, plots=False)
    assert second.complete
    assert sorted(second.computed) == sorted(set(range(6)) - set(saved))
    assert _ran(_isolated) == list(range(6))  # every point ran exactly once over both calls
    assert _bits(second) == _bits(reference)


def test_killed_worker_is_retried(spec, reference, tmp_path, _isolated):
    res = run_sweep(spec, tmp_path / "killed", workers=2, point_fn=sweep_helpers.dying_once_point, plots=False)
    assert (_isolated / "died-2").exists()
    assert res.complete and not res.failures
    assert _bits(res) == _bits(reference)


def test_point_that_always_kills_is_reported(spec, reference, tmp_path, _isolated):
    spec1 = spec.model_copy(update={"retries": 1})
    out = tmp_path / "poison"
    res = run_sweep(spec1, out, workers=2, point_fn=sweep_helpers.always_dying_point, plots=False)
    assert set(res.failures) == {1}
    assert "died" in res.failures[1]["error"]
    assert len(list(_isolated.glob("died-1-*"))) >= 2  # alone: first try + one retry
    assert sorted(res.records) == [0, 2, 3, 4, 5]
    assert json.loads((out / "failed" / "000001.json").read_text())["attempts"] == 2
    ref = _bits(reference)
    assert all(_bits(res)[i] == ref[i] for i in res.records)
    assert res.notes == ["sensitivity from the 5 finished points of 6"]


def test_dask_killed_worker_is_retried(spec, reference, tmp_path, _isolated):
    pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sweep_helpers)
    try:
        res = run_sweep(spec, tmp_path / "dask-killed", cluster="local:2",
                        point_fn=sweep_helpers.dying_once_point, plots=False)
    finally:
        cloudpickle.unregister_pickle_by_value(sweep_helpers)
    assert (_isolated / "died-2").exists()
    assert res.complete and _bits(res) == _bits(reference)


def test_other_sweep_in_folder_refused(spec, reference, tmp_path):
    other = spec.model_copy(update={"seed": 12})
    with pytest.raises(SweepError, match="different sweep spec"):
        run_sweep(other, reference.folder, workers=1, plots=False)


def test_bad_parameter_named():
    bad = SPEC.replace("pk.arrow-3.ballistic", "pk.arrow-9.ballistic")
    with pytest.raises(InputError, match="pk.arrow-9"):
        run_sweep(parse_sweep_spec(bad), "/nonexistent/never-created", workers=1)


def test_sobol_indices_of_ishigami():
    """Sobol indices of the Ishigami function (a=7, b=0.1) against their closed form:
    S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244) (Ishigami and Homma 1990;
    Saltelli et al. 2010, section 5)."""
    text = """
name: ishigami
scenario: april-2024
design: {method: sobol, n: 1024}
parameters:
  - {name: reliability.emad, range: [0, 1]}
  - {name: reliability.ghadr, range: [0, 1]}
  - {name: reliability.kheibar-shekan, range: [0, 1]}
outputs: [y]
"""
    spec = parse_sweep_spec(text)
    X = design_matrix(spec)
    assert X.shape == (1024 * 5, 3)
    y = np.array([sweep_helpers.ishigami_point(_NAMES3, Point(i, tuple(x), 0))["outputs"]["y"] for i, x in enumerate(X)])
    s = sensitivity(spec, X, y)
    assert np.allclose(s["ST"], [0.558, 0.442, 0.244], atol=0.03)
    assert np.allclose(s["S1"], [0.314, 0.442, 0.0], atol=0.03)


def test_ishigami_sweep_end_to_end(tmp_path):
    """The same function through run_sweep (one local worker), Morris screening ranks x1, x2 above x3."""
    text = """
name: ishigami-morris
scenario: april-2024
design: {method: morris, n: 20, levels: 4}
parameters:
  - {name: reliability.emad, range: [0, 1]}
  - {name: reliability.ghadr, range: [0, 1]}
  - {name: reliability.kheibar-shekan, range: [0, 1]}
outputs: [y]
"""
    res = run_sweep(parse_sweep_spec(text), tmp_path / "ish", workers=1, point_fn=sweep_helpers.ishigami_point,
                    plots=True)
    assert res.complete and len(res.X) == 80
    assert [n for n, _ in res.ranking("y")][-1] == "reliability.kheibar-shekan"
    assert (tmp_path / "ish" / "sensitivity-y.png").exists() and (tmp_path / "ish" / "response-y.png").exists()


def test_cli_sweep_json(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from redline.cli.main import app

    spec_file = tmp_path / "s.yaml"
    spec_file.write_text(SPEC.replace("values: [0.5, 0.7, 0.9]", "values: [0.7]"))
    monkeypatch.delenv("REDLINE_NO_STORE")
    db = tmp_path / "runs.duckdb"
    out = CliRunner().invoke(app, ["sweep", str(spec_file), "--workers", "1", "--out", str(tmp_path / "o"),
                                   "--json", "--no-plots", "--store", str(db)])
    assert out.exit_code == 0, out.output
    s = json.loads(out.stdout)
    assert s["finished"] == 2 and s["sensitivity"]["by_class.ballistic.leaked"]["method"] == "grid"
    try:
        from redline.store import RunStore
    except ImportError:
        return
    kinds = sorted(r["kind"] for r in RunStore(db).list())
    assert kinds == ["sweep", "sweep-point", "sweep-point"]
    st = RunStore(db)
    point = st.get(next(r["run_id"] for r in st.list() if r["kind"] == "sweep-point"))
    assert point.manifest.details["of"] == "run" and point.manifest.inputs["spec"] == s["manifest"]["inputs"]["spec"]
    assert point.record.by_class["ballistic"]["leaked"]["mean"] in [r["outputs"]["by_class.ballistic.leaked"]
                                                                    for r in s["results"].values()]
    sweep = st.get(next(r["run_id"] for r in st.list() if r["kind"] == "sweep"))
    assert sweep.record.results is None and sweep.record.finished == 2 and sweep.manifest.samples.unit == "points"


CAMPAIGN = """
extends: april-2024
name: tiny-campaign
raid:
  - {threat: emad, count: 30, launch: shiraz, window_min: [0, 5], aim: {nevatim: 1}}
campaign:
  days: 2
  waves_per_day: 2
  depot: {israel: {arrow-3: 10}}
"""


def test_campaign_sweep_point_equals_a_plain_campaign(tmp_path):
    """`campaign: true` flies the whole campaign per point; campaign.<path> parameters change the block."""
    from redline.campaign import read_campaign, run_campaign

    (tmp_path / "tiny.yaml").write_text(CAMPAIGN)
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text("""
name: tiny-campaign-sweep
scenario: tiny.yaml
campaign: true
trials: 60
seed: 4
params: prior
design: {method: grid}
parameters:
  - {name: campaign.depot.israel.arrow-3, values: [0, 200]}
outputs: [daily.-1.impacted_cumulative, daily.-1.remaining.israel/arrow-3, reserve_reached.israel/arrow-3.p_within]
""")
    from redline.sweep import read_sweep_spec

    res = run_sweep(read_sweep_spec(spec_file), tmp_path / "out", workers=1, plots=False, no_store=True)
    assert res.complete
    left = res.outputs("daily.-1.remaining.israel/arrow-3")
    assert left[1] > left[0]
    sc, camp = read_campaign(tmp_path / "tiny.yaml")
    camp = camp.model_copy(update={"depot": {"israel": {"arrow-3": 200}}})
    plain = run_campaign(sc, camp, trials=60, seed=point_seed(4, 1), params="prior").summary()
    rec = res.records[1]["summary"]
    assert rec["daily"] == plain["daily"] and rec["reserve_reached"] == plain["reserve_reached"]


def test_campaign_parameter_needs_campaign_sweep():
    bad = SPEC.replace("pk.arrow-3.ballistic, values", "campaign.launcher_attrition_per_day, values")
    with pytest.raises(InputError, match="campaign: true"):
        run_sweep(parse_sweep_spec(bad), "/nonexistent/never-created", workers=1)
