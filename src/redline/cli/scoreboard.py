"""`redline scoreboard`: rolling-origin scores of the model beside two reference forecasters."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ._common import check_at_least_one, fail, print_json, print_table, user_errors


def _f(x, nd: int = 2) -> str:
    return "" if x is None else f"{x:,.{nd}f}"


def _pct(x) -> str:
    return "" if x is None else f"{x:.0%}"


def render_scoreboard(board: dict, rows: bool = True) -> None:
    """Print the scoreboard: one summary table, then each origin's observations."""
    from .calibration import _wide

    con = _wide()
    t = Table(title=f"Rolling-origin scoreboard ({board['settings']['trials']:,} trials per event, fitter "
                    f"{board['settings']['fitter']})")
    t.add_column("origin", no_wrap=True)
    for col in ("n", "model CRPS", "constant-rate CRPS", "prior CRPS", "model cover", "constant-rate cover",
                "prior cover", "model log", "constant-rate log", "prior log"):
        t.add_column(col, justify="right")
    for o in board["origins"]:
        m, c, p = o["model"], o["reference"]["constant_rate"], o["reference"]["prior"]
        best = min((v for v in (m["mean_crps"], c["mean_crps"], p["mean_crps"]) if v is not None), default=None)

        def bold(v):
            return f"[bold]{_f(v)}[/]" if v is not None and v == best else _f(v)

        t.add_row(o["origin"], str(o["n_observations"]), bold(m["mean_crps"]), bold(c["mean_crps"]),
                  bold(p["mean_crps"]), _pct(m["coverage"]), _pct(c["coverage"]), _pct(p["coverage"]),
                  _f(m["mean_log_score"]), _f(c["mean_log_score"]), _f(p["mean_log_score"]))
    print_table(t, con)
    if rows:
        for o in board["origins"]:
            t = Table(title=f"origin {o['origin']}: scored observations (fitted on {', '.join(o['fit']['events']) or 'none'})")
            t.add_column("event: metric (night)", overflow="fold")
            for col in ("observed", "model 5–95%", "CRPS model", "constant-rate", "prior"):
                t.add_column(col, justify="right")
            for r in o["observations"]:
                obs = _f(r["observed"], 0) + (f" [{_f(r['range'][0], 0)}–{_f(r['range'][1], 0)}]" if r["range"] else "")
                m = r["model"]
                mark = "[green]✓[/]" if m["inside"] else "[red]✗[/]"
                crps = [m["crps"], r["constant_rate"]["crps"], r["prior"]["crps"]]
                cells = [f"[bold]{_f(v)}[/]" if v == min(crps) else _f(v) for v in crps]
                night = f" ({r['night']})" if r.get("night") else ""
                t.add_row(f"{r['event']}: {r['metric']}{night}", obs, f"{_f(m['p05'], 0)}–{_f(m['p95'], 0)} {mark}", *cells)
            print_table(t, con)
    con.print("CRPS in counts (lower is better; bold: the best of the three). Cover: share of observations whose value "
              "or range meets the 5–95% interval (target 80–100%). Log: mean -ln p(observed) of the discretised "
              "predictive, floor 1e-4.")


@contextmanager
def _stages(enabled: bool = True):
    """A progress bar over the scoreboard's stages (fits, then runs) naming the current one, on a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ._common import err_console, stderr_is_tty

    if not enabled or not stderr_is_tty():
        yield lambda stage, done, total: None
        return
    with Progress(TextColumn("[bold]scoreboard[/] {task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console, transient=True) as prog:
        task = prog.add_task("checking the origin fits (a refit takes minutes)", total=None)
        yield lambda stage, done, total: prog.update(task, completed=done, total=total, description=f"done: {stage}")


def run_board(origins: Optional[str], trials: int, seed: int, fits: Optional[Path], refit: bool, quiet: bool,
              workers: int = 1) -> dict:
    """Compute the scoreboard for the CLI (shared with `redline report scoreboard`)."""
    from ..calibration.scoreboard import DEFAULT_ORIGINS, StaleFitError, scoreboard

    check_at_least_one("--trials", trials)
    ors = [s.strip() for s in origins.split(",") if s.strip()] if origins else list(DEFAULT_ORIGINS)
    if not ors:
        fail("--origins: give at least one date YYYY-MM-DD")
    with user_errors():
        try:
            with _stages(enabled=not quiet) as cb:
                return scoreboard(ors, trials=trials, seed=seed, fits_dir=fits, refit=refit, workers=workers,
                                  progress=cb)
        except StaleFitError as exc:
            fail(str(exc))
    raise AssertionError("unreachable")


def register(app: typer.Typer) -> None:
    @app.command()
    def scoreboard(
        origins: Optional[str] = typer.Option(None, "--origins", help="Origin dates YYYY-MM-DD, comma-separated "
                                              "(default 2024-10-01,2025-06-13,2025-06-23)."),
        trials: int = typer.Option(1000, "--trials", "-n", help="Predictive trials per event and forecaster."),
        seed: int = typer.Option(1, "--seed", "-s", help="Seed of the predictive runs."),
        fits: Optional[Path] = typer.Option(None, "--fits", help="Directory of the per-origin fits "
                                            "(default: the shipped ones, redline/data/calibration/origins)."),
        refit: bool = typer.Option(False, "--refit", help="Refit origins whose cached fit is missing or stale "
                                   "(written to --fits), instead of refusing."),
        workers: int = typer.Option(1, "--workers", help="With --refit: processes for the per-event designs "
                                    "(results do not depend on it)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
        summary: bool = typer.Option(False, "--summary", help="Tables: only the per-origin summary."),
    ) -> None:
        """Rolling-origin evaluation: fit before each origin, score after it, beside a constant-rate forecaster and the catalog prior."""
        check_at_least_one("--workers", workers)
        board = run_board(origins, trials, seed, fits, refit, as_json, workers)
        if as_json:
            print_json(board)
        else:
            render_scoreboard(board, rows=not summary)
