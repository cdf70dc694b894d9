"""Store hygiene (issue 13 item 6): leftovers of killed saves are swept on opening or listed by
`redline runs --check`; `redline runs` filters by kind and scenario and hides sweep points by default."""
from __future__ import annotations

import json
import os
import time

from typer.testing import CliRunner

from redline.cli.main import app
from redline.store import RunStore, save_result, save_run
from redline.store import runstore as _runstore

from .records import tiny_record


def _sweep_point(result, index: int):
    """The engagement record of ``result`` saved as a sweep's point (kind ``sweep-point``)."""
    rec = result.record()
    m = rec.manifest.model_copy(update={"kind": "sweep-point",
                                        "details": {"of": "run", "sweep": "s", "point": index, "values": {}}})
    return rec.model_copy(update={"manifest": m})


def _orphan(st: RunStore, name: str, age_s: float) -> os.PathLike:
    """An array folder with no row, last written ``age_s`` ago (what a save killed after its rename leaves)."""
    d = st.arrays_dir / name
    d.mkdir(parents=True)
    (d / "a.parquet").write_bytes(b"x")
    t = time.time() - age_s
    os.utime(d, (t, t))
    return d


def test_list_filters_by_kind_and_scenario_and_hides_points(tmp_path, small_result, crisis_record):
    db = tmp_path / "runs.duckdb"
    rid = save_result(small_result, store=db)
    cid = save_run(crisis_record, store=db)
    pids = [save_run(_sweep_point(small_result, i), store=db) for i in range(3)]
    st = RunStore(db)
    assert {r["run_id"] for r in st.list_runs()} == {rid, cid, *pids}          # the library lists everything
    assert {r["run_id"] for r in st.list_runs(include_points=False)} == {rid, cid}
    assert {r["run_id"] for r in st.list_runs(kind="sweep-point", include_points=False)} == set(pids)
    assert crisis_record.manifest.subject == "april-2024"       # the crisis started from the April 2024 state
    assert {r["run_id"] for r in st.list_runs(scenario="april-2024", include_points=False)} == {rid, cid}
    assert [r["run_id"] for r in st.list_runs(kind="run", scenario="april-2024")] == [rid]
    assert st.list_runs(scenario="atlantis") == []
    runner = CliRunner()

    def ids(*args):
        r = runner.invoke(app, ["runs", "--store", str(db), "--json", *args])
        assert r.exit_code == 0, r.output
        return {x["run_id"] for x in json.loads(r.stdout)}

    assert ids() == {rid, cid}
    assert ids("--points") == {rid, cid, *pids}
    assert ids("--kind", "sweep-point") == set(pids)
    assert ids("--scenario", "april-2024") == {rid, cid}
    assert ids("--scenario", "april-2024", "--points") == {rid, cid, *pids}
    assert ids("--scenario", "april-2024", "--kind", "run") == {rid}
    assert ids("--kind", "crisis") == {cid}


def test_opening_the_store_sweeps_old_orphans_only(tmp_path):
    db = tmp_path / "runs.duckdb"
    rid = save_run(tiny_record(1), arrays={"a": [[1.0]]}, store=db)
    st = RunStore(db, sweep=False)
    old = _orphan(st, "20200101-000000-abcdef", age_s=3600)
    fresh = _orphan(st, "20200101-000001-abcdef", age_s=0)    # may be a save in progress in another process
    dead_tmp = st.arrays_dir / ".tmp-20200101-000002-abcdef-999999999"
    dead_tmp.mkdir()
    _runstore._SWEPT.discard(st.path)
    RunStore(db)
    assert not old.exists() and not dead_tmp.exists() and fresh.exists()
    assert (st.arrays_dir / rid).is_dir() and RunStore(db).load_arrays(rid)["a"].shape == (1, 1)


def test_runs_check_lists_and_fixes_leftovers(tmp_path):
    db = tmp_path / "runs.duckdb"
    rid = save_run(tiny_record(1), arrays={"a": [[1.0]], "b": [[2.0]]}, store=db)
    st = RunStore(db, sweep=False)
    runner = CliRunner()
    r = runner.invoke(app, ["runs", "--store", str(db), "--check"])
    assert r.exit_code == 0 and "no orphaned array folders" in r.stdout
    orphan = _orphan(st, "20200101-000000-abcdef", age_s=0)
    (st.arrays_dir / rid / "b.parquet").unlink()
    r = runner.invoke(app, ["runs", "--store", str(db), "--check", "--json"])
    assert r.exit_code == 1, r.output
    problems = json.loads(r.stdout)
    assert [p["path"] for p in problems] == [str(orphan), str(st.arrays_dir / rid)]
    assert "no row" in problems[0]["problem"] and "missing arrays b" in problems[1]["problem"]
    assert orphan.exists()                                   # --check alone changes nothing
    r = runner.invoke(app, ["runs", "--store", str(db), "--check", "--fix"])
    assert r.exit_code == 1 and not orphan.exists()          # the run with a missing array is left to the user
    assert RunStore(db).get(rid).arrays == ["a", "b"]
    r = runner.invoke(app, ["runs", "--store", str(db), "--fix"])
    assert r.exit_code == 2 and "--fix goes with --check" in r.output
