"""The run store: round trips, listing, export, and atomic saves under kill and Ctrl-C."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

from redline.store import RunStore, StoreError, maybe_store, resolve_store_path, save_result, save_run
from redline.store.arrays import table_to_value, value_to_table


def test_store_location_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("REDLINE_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_store_path() == tmp_path / "xdg" / "redline" / "runs.duckdb"
    monkeypatch.setenv("REDLINE_STORE", str(tmp_path / "env.duckdb"))
    assert resolve_store_path() == tmp_path / "env.duckdb"
    assert resolve_store_path(tmp_path / "cli.duckdb") == tmp_path / "cli.duckdb"
    assert resolve_store_path(tmp_path) == tmp_path / "runs.duckdb"   # a folder means <folder>/runs.duckdb


@pytest.mark.parametrize("value", [
    np.arange(12, dtype=np.int32),
    np.arange(24, dtype=np.float64).reshape(2, 3, 4),
    np.zeros((5, 0), dtype=np.int8),
    np.array(3.5),
])
def test_array_round_trip_is_exact(value):
    back = table_to_value(value_to_table(value))
    assert back.dtype == value.dtype and back.shape == value.shape
    np.testing.assert_array_equal(back, value)


def test_labelled_columns_name_axes():
    t = value_to_table((np.ones((4, 2, 3)), [["a", "b"], ["x", "y", "z"]]))
    assert t.column_names[:4] == ["a|x", "a|y", "a|z", "b|x"]


def test_result_round_trip(tmp_path, small_result):
    st = RunStore(tmp_path / "runs.duckdb")
    rid = save_result(small_result, store=st)
    run = st.get(rid)
    assert run.kind == "run" and run.summary == json.loads(json.dumps(small_result.summary()))
    assert run.manifest["seed"] == small_result.manifest["seed"]
    assert run.context["scenario"]["name"] == "april-2024"
    arrays = st.load_arrays(rid)
    for name in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "t_end", "killer", "impact_dx"):
        np.testing.assert_array_equal(arrays[name], getattr(small_result.raw, name))
    assert list(arrays["trials"].columns) == list(small_result.to_frame().columns)
    assert st.resolve(rid[:17]) == rid and st.resolve("latest") == rid


def test_generic_kinds_list_show_and_export(tmp_path):
    st = RunStore(tmp_path / "s.duckdb")
    crisis = {"p_regional_war": {"mean": 0.12, "p05": 0.08, "p95": 0.17}, "top_paths": [],
              "manifest": {"seed": 3, "version": "0.1.0"}}
    a = save_run("crisis", crisis, store=st)
    b = save_run("compare", {"policies": [{"name": "status-quo", "p_regional_war": {"mean": 0.2, "p05": 0.1, "p95": 0.3}}]},
                 {"seed": 4}, store=st)
    rows = st.list_runs()
    assert [r["run_id"] for r in rows] == [b, a]
    assert "0.120" in rows[1]["headline"] and "status-quo" in rows[0]["headline"]
    assert [r["run_id"] for r in st.list_runs(kind="crisis")] == [a]
    files = st.export(a, tmp_path / "out")
    assert [p.name for p in files] == ["run.parquet"]
    row = pq.read_table(files[0]).to_pylist()[0]
    assert json.loads(row["summary_json"])["p_regional_war"]["mean"] == 0.12
    with pytest.raises(StoreError, match="no run"):
        st.get("nope")


def test_empty_store_is_not_created_by_reads(tmp_path):
    st = RunStore(tmp_path / "absent.duckdb")
    assert st.list_runs() == []
    assert not st.path.exists()


def test_maybe_store_respects_no_store(tmp_path, monkeypatch):
    p = tmp_path / "m.duckdb"
    assert maybe_store("validate", {"crps": 1.0}, p, no_store=True) is None
    monkeypatch.setenv("REDLINE_NO_STORE", "1")
    assert maybe_store("validate", {"crps": 1.0}, p) is None
    monkeypatch.delenv("REDLINE_NO_STORE")
    rid = maybe_store("validate", {"crps": 1.0, "manifest": {"seed": 1}}, p)
    assert RunStore(p).get(rid).manifest == {"seed": 1}


_WRITER = textwrap.dedent("""
    import sys, numpy as np
    from redline.store import RunStore
    st = RunStore(sys.argv[1])
    big = np.random.default_rng(0).random((1_000_000, 4))     # incompressible: a save takes ~0.5 s
    i = 0
    while True:
        print("saving", i, flush=True)
        st.save("run", {"i": i}, {"seed": i},
                arrays={"a": big, "b": big.astype(np.float32), "c": np.full((1_000_000, 1), float(i))})
        print("saved", i, flush=True)
        i += 1
""")


def _arrays(i: float) -> dict:
    big = np.random.default_rng(0).random((1_000_000, 4))
    return {"a": big, "b": big.astype(np.float32), "c": np.full((1_000_000, 1), float(i))}


def _check_consistent(st: RunStore) -> int:
    """Every listed run is whole: its arrays are all there and hold what was written."""
    rows = st.list_runs(limit=None)
    for r in rows:
        run = st.get(r["run_id"])
        arrays = st.load_arrays(run.run_id)
        assert sorted(arrays) == ["a", "b", "c"]
        assert arrays["a"].shape == (1_000_000, 4) and arrays["b"].dtype == np.float32
        assert np.all(arrays["c"] == run.summary["i"])
    return len(rows)


def _wait_for(cond, what: str, deadline_s: float = 120.0, proc=None) -> None:
    """Poll ``cond()`` until it holds; a generous deadline, never a fixed wait (the machine may be loaded)."""
    deadline = time.monotonic() + deadline_s
    while not cond():
        assert proc is None or proc.poll() is None, f"writer exited before {what}"
        assert time.monotonic() < deadline, f"no {what} within {deadline_s:.0f} s"
        time.sleep(0.002)


@pytest.mark.parametrize("sig,phase", [(signal.SIGKILL, "folder"), (signal.SIGKILL, "file"), (signal.SIGINT, "file")])
def test_interrupted_save_leaves_no_half_written_run(tmp_path, sig, phase):
    """Kill (or Ctrl-C) a process in the middle of saving its second run: the store shows exactly the first.

    The signal is sent once the second save is seen under way (its temporary folder, or a file in it,
    exists), not after a fixed delay, so the test means the same on a fast or a loaded machine.
    """
    db = tmp_path / "runs.duckdb"
    arrays_dir = RunStore(db).arrays_dir

    def tmp_entries() -> list:
        try:
            return [p for p in arrays_dir.iterdir() if p.name.startswith(".tmp-")]
        except FileNotFoundError:
            return []

    def under_way() -> bool:
        tmp = tmp_entries()
        return bool(tmp) and (phase == "folder" or any(p.is_dir() and any(p.iterdir()) for p in tmp))

    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        while not lines or lines[-1] != "saving 1":
            lines.append(proc.stdout.readline().strip())
            assert lines[-1], "writer died"
        _wait_for(under_way, "save under way", proc=proc)
        proc.send_signal(sig)
        proc.wait(timeout=300)      # a deadline only against a stuck writer; normally well under a second
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
    st = RunStore(db)
    leftovers = [p.name for p in st.arrays_dir.iterdir() if p.name.startswith(".tmp-")]
    if sig == signal.SIGKILL:
        assert leftovers, "the kill did not land mid-write; the test proves nothing"
    else:
        assert leftovers == []     # Ctrl-C: the writer removed its temporary folder itself
    assert _check_consistent(st) == 1
    save_run("run", {"i": -1}, {}, arrays=_arrays(-1), store=st)
    assert _check_consistent(st) == 2
    assert not [p for p in st.arrays_dir.iterdir() if p.name.startswith(".tmp-")]   # leftovers swept


def test_list_is_an_alias_of_list_runs(tmp_path):
    st = RunStore(tmp_path / "a.duckdb")
    save_run("validate", {"x": 1}, {}, store=st)
    assert st.list() == st.list_runs()
