"""`redline runs`, `runs show`, `runs export`, `runs delete`, and the helper other commands save with."""
from __future__ import annotations

import json

import pyarrow.parquet as pq
import typer
from typer.testing import CliRunner

from redline.cli.main import app
from redline.cli.store import no_store_option, save_after, store_option
from redline.store import RunStore, save_result, save_run


def test_runs_list_show_export_delete(tmp_path, small_result, crisis_record):
    db = tmp_path / "cli.duckdb"
    rid = save_result(small_result, store=db)
    cid = save_run(crisis_record, store=db)
    runner = CliRunner()
    r = runner.invoke(app, ["runs", "--store", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert [x["run_id"] for x in json.loads(r.stdout)] == [cid, rid]
    r = runner.invoke(app, ["runs", "--store", str(db), "--kind", "run"])
    assert r.exit_code == 0 and rid[:8] in r.stdout and "april-2024" in r.stdout
    r = runner.invoke(app, ["runs", "show", rid, "--store", str(db), "--json"])
    shown = json.loads(r.stdout)
    assert shown["summary"]["by_class"] == json.loads(json.dumps(small_result.summary()["by_class"]))
    r = runner.invoke(app, ["runs", "show", "latest", "--store", str(db)])
    assert r.exit_code == 0 and crisis_record.headline() in r.stdout
    out = tmp_path / "export"
    # the shortest prefix of the run id that the other run does not share (both may be saved in one second)
    prefix = next(rid[:n] for n in range(17, len(rid) + 1) if not cid.startswith(rid[:n]))
    r = runner.invoke(app, ["runs", "--store", str(db), "export", prefix, "--parquet", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "run.parquet").exists() and pq.read_table(out / "unit_shots.parquet").num_rows == small_result.trials
    r = runner.invoke(app, ["runs", "show", "nope", "--store", str(db)])
    assert r.exit_code == 2 and "no run 'nope'" in r.output
    r = runner.invoke(app, ["runs", "delete", cid, "--store", str(db)])
    assert r.exit_code == 0 and RunStore(db).list_runs() and len(RunStore(db).list_runs()) == 1


def test_env_store_and_no_store(tmp_path, monkeypatch, small_result):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("REDLINE_STORE", str(db))
    cli = typer.Typer()

    @cli.command()
    def fake(store: str = store_option(), no_store: bool = no_store_option()) -> None:
        rid = save_after(small_result, store, no_store)
        typer.echo(f"id={rid}")

    runner = CliRunner()
    r = runner.invoke(cli, [])
    assert r.exit_code == 0 and "saved as run" in r.output
    assert RunStore(db).list_runs()[0]["run_id"] in r.stdout
    r = runner.invoke(cli, ["--no-store"])
    assert "id=None" in r.stdout and len(RunStore(db).list_runs()) == 1
    other = tmp_path / "other.duckdb"
    r = runner.invoke(cli, ["--store", str(other)])
    assert len(RunStore(other).list_runs()) == 1
