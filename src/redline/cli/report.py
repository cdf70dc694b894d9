"""`redline report`: one self-contained HTML report of a saved run or of a fresh run of a scenario."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

import typer

from ._common import (check_at_least_one, err_console, fail, params_option, progress_bar, save_after, seed_option,
                      store_option, trials_option, user_errors)


def _is_scenario(target: str) -> bool:
    from ..scenario import builtin_scenarios

    return target in builtin_scenarios() or Path(target).suffix in (".yaml", ".yml") or Path(target).is_file()


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        target: Optional[str] = typer.Argument(None, help="A saved run (id, unique prefix, or 'latest'), a scenario "
                                                          "(built-in name or YAML file) to run now, or 'scoreboard'."),
        diff: Optional[Tuple[str, str]] = typer.Option(None, "--diff", help="Instead of TARGET: report the paired "
                                                       "difference B - A of two scenarios or stored runs (see `redline diff`).",
                                                       metavar="A B", show_default=False),
        output: Path = typer.Option(Path("report.html"), "--output", "-o", help="HTML file to write."),
        png: bool = typer.Option(False, "--png", help="Also write matplotlib PNG figures beside the HTML file."),
        trials: Optional[int] = trials_option("Trials when running a scenario (default: the scenario's)."),
        seed: Optional[int] = seed_option("Seed when running a scenario (default: the scenario's)."),
        params: str = params_option("default (calibrated if shipped) or prior (catalog values)."),
        title: Optional[str] = typer.Option(None, "--title", help="Page title."),
        store: Optional[str] = store_option(),
        no_store: bool = typer.Option(False, "--no-store", help="When running a scenario, do not save the run."),
    ) -> None:
        """Write an HTML report (map, distributions, costs, timeline, manifest, sources) that opens offline."""
        from ..report import view_of_result, view_of_stored, write_report
        from ..store import RunStore, StoreError

        check_at_least_one("--trials", trials)
        if diff is not None:
            if target is not None:
                fail(f"give either a TARGET ({target!r}) or --diff A B, not both")
            from ..diff import diff as run_diff
            from ..report import view_of_record

            with user_errors():
                d = run_diff(diff[0], diff[1], trials=trials, seed=seed, params=params, store=store)
            rec = d.record()
            run_id = save_after(rec, store, no_store)
            view = view_of_record(rec, run_id=run_id)
            with user_errors():
                paths = write_report(view, output, png=False, title=title)
            typer.echo(str(paths[0].resolve()))
            return
        if target is None:
            fail("give a TARGET (a saved run or a scenario) or --diff A B")
            return
        if target == "scoreboard":   # the rolling-origin scoreboard (`redline scoreboard`) as a page
            from ..report.scoreboard import write_scoreboard_report
            from .scoreboard import run_board

            board = run_board(None, trials or 1000, 1 if seed is None else seed, None, False, False)
            typer.echo(str(write_scoreboard_report(board, output, title=title).resolve()))
            return
        if _is_scenario(target):
            from ..api import run as api_run
            from ..scenario import load_scenario

            with user_errors():
                sc = load_scenario(target)
                n = trials or sc.trials
                with progress_bar(n, sc.name) as cb:
                    res = api_run(sc, trials=n, seed=seed, params=params, progress=cb)
            run_id = save_after(res, store, no_store)
            view = view_of_result(res, run_id=run_id)
        else:
            if trials is not None or seed is not None:
                fail(f"{target!r} is a saved run: --trials and --seed apply only when running a scenario")
            st = RunStore(store)
            try:
                run = st.get(target)
                view = view_of_stored(run, st)
            except StoreError as exc:
                fail(f"{target!r} is neither a built-in scenario, a scenario file nor a saved run ({exc})")
        with user_errors():
            paths = write_report(view, output, png=png, title=title)
        for p in paths[1:]:
            err_console.print(f"figure: {p}", highlight=False)
        typer.echo(str(paths[0].resolve()))
