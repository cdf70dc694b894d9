"""`redline runs`: list, show and export saved runs.

The ``--store`` / ``--no-store`` options and :func:`save_after`, which other commands use to save
their results, live in :mod:`redline.cli._common` (re-exported here).
"""
from __future__ import annotations

import json
from typing import Any, Optional

import typer
from rich.table import Table

from ._common import NO_STORE_HELP, STORE_HELP, console, fail, no_store_option, print_json, save_after, store_option, print_table
from .run import render_summary

__all__ = ["register", "store_option", "no_store_option", "save_after", "STORE_HELP", "NO_STORE_HELP"]


def _short(s: Any, n: int = 70) -> str:
    s = "" if s is None else str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def _print_run(run) -> None:
    console.print(f"[bold]{run.run_id}[/]  kind={run.kind}  saved {run.created_utc:%Y-%m-%d %H:%M:%S} UTC")
    if run.headline:
        console.print(run.headline, highlight=False)
    from ..records import RunSummary

    record = run.record
    if isinstance(record, RunSummary):
        render_summary(record)
    else:
        t = Table(title="Summary")
        t.add_column("field")
        t.add_column("value")
        for k, v in run.summary.items():
            if k == "manifest":
                continue
            t.add_row(k, _short(json.dumps(v, default=str), 100))
        print_table(t)
    t = Table(title="Manifest" + (" (saved by an older Redline, read through the legacy adapter)" if run.legacy else ""))
    t.add_column("field")
    t.add_column("value")
    for k, v in run.manifest.model_dump(mode="json").items():
        t.add_row(k, _short(json.dumps(v, default=str) if not isinstance(v, str) else v, 100))
    print_table(t)
    if run.arrays:
        console.print(f"arrays: {', '.join(run.arrays)}")


def register(app: typer.Typer) -> None:
    runs = typer.Typer(help="List, show and export saved runs (the run store).", no_args_is_help=False,
                       invoke_without_command=True)

    @runs.callback()
    def runs_list(
        ctx: typer.Context,
        store: Optional[str] = store_option(),
        kind: Optional[str] = typer.Option(None, "--kind", help="Only runs of this kind (run, campaign, crisis, compare, validate, sweep, sweep-point)."),
        scenario: Optional[str] = typer.Option(None, "--scenario", help="Only runs of this scenario (or sweep, or other subject), by exact name."),
        points: bool = typer.Option(False, "--points", help="Also list each sweep's points (hidden by default; --kind sweep-point lists only them)."),
        limit: int = typer.Option(50, "--limit", "-l", help="How many of the newest runs to list (0: all)."),
        check: bool = typer.Option(False, "--check", help="Check the store instead: orphaned array folders of killed runs, runs with missing arrays (exit 1 if any)."),
        fix: bool = typer.Option(False, "--fix", help="With --check: remove the orphaned folders (not while another process is saving)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON array instead of a table."),
    ) -> None:
        """List saved runs, newest first (`redline runs show ID` prints one); --check finds leftovers of killed runs."""
        if ctx.invoked_subcommand is not None:
            ctx.obj = {"store": store}
            return
        from ..store import RunStore, StoreError

        if fix and not check:
            fail("--fix goes with --check: `redline runs --check --fix`")
        st = RunStore(store, sweep=not check)
        if check:
            try:
                problems = st.check(fix=fix)
            except StoreError as exc:
                fail(str(exc))
            if as_json:
                print_json(problems)
            elif not problems:
                console.print(f"{st.path}: no orphaned array folders, every run's arrays are there", highlight=False, soft_wrap=True)
            else:
                for p in problems:
                    console.print(f"{p['path']}: {p['problem']} ({p['action']})", highlight=False, soft_wrap=True)
            if any(p["action"] != "removed" for p in problems):
                raise typer.Exit(1)
            return
        try:
            rows = st.list_runs(limit=limit or None, kind=kind, scenario=scenario, include_points=points)
        except StoreError as exc:
            fail(str(exc))
        if as_json:
            print_json([{**r, "created_utc": r["created_utc"].isoformat()} for r in rows])
            return
        if not rows:
            console.print(f"no runs saved in {st.path}")
            return
        t = Table(title=f"Runs in {st.path}")
        for col in ("id", "kind", "saved (UTC)", "scenario", "seed", "trials", "summary"):
            t.add_column(col, overflow="fold", justify="right" if col in ("seed", "trials") else "left")
        for r in rows:
            t.add_row(r["run_id"], r["kind"], f"{r['created_utc']:%Y-%m-%d %H:%M}", r["scenario"] or "",
                      r["seed"] or "", f"{r['trials']:,}" if r["trials"] else "", _short(r["headline"]))
        print_table(t)

    def _store_of(ctx: typer.Context, store: Optional[str]) -> Optional[str]:
        return store or (ctx.obj or {}).get("store")

    @runs.command("show")
    def runs_show(
        ctx: typer.Context,
        run_id: str = typer.Argument(..., help="A run id, a unique prefix of one, or 'latest'."),
        store: Optional[str] = store_option(),
        as_json: bool = typer.Option(False, "--json", help="Print the run as one JSON object."),
    ) -> None:
        """Print one saved run: its summary and manifest."""
        from ..store import RunStore, StoreError

        try:
            run = RunStore(_store_of(ctx, store)).get(run_id)
            if as_json:
                print_json({"run_id": run.run_id, "kind": run.kind, "created_utc": run.created_utc.isoformat(),
                            "headline": run.headline, "summary": run.summary,
                            "manifest": run.manifest.model_dump(mode="json"), "arrays": run.arrays,
                            "legacy": run.legacy})
                return
            _print_run(run)
        except StoreError as exc:
            fail(str(exc))

    @runs.command("export")
    def runs_export(
        ctx: typer.Context,
        run_id: str = typer.Argument(..., help="A run id, a unique prefix of one, or 'latest'."),
        parquet: str = typer.Option(..., "--parquet", help="Folder to write run.parquet and one Parquet file per array."),
        store: Optional[str] = store_option(),
    ) -> None:
        """Export one run to Parquet files (run.parquet holds the summary and manifest as JSON)."""
        from ..store import RunStore, StoreError

        try:
            paths = RunStore(_store_of(ctx, store)).export(run_id, parquet)
        except (StoreError, OSError) as exc:
            fail(str(exc))
        for p in paths:
            typer.echo(str(p))

    @runs.command("delete")
    def runs_delete(
        ctx: typer.Context,
        run_id: str = typer.Argument(..., help="A run id or a unique prefix of one."),
        store: Optional[str] = store_option(),
    ) -> None:
        """Delete one saved run and its arrays."""
        from ..store import RunStore, StoreError

        try:
            rid = RunStore(_store_of(ctx, store)).delete(run_id)
        except StoreError as exc:
            fail(str(exc))
        typer.echo(f"deleted {rid}")

    app.add_typer(runs, name="runs")
