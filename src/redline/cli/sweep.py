"""`redline sweep`: a design over parameters, run in parallel, resumable, with sensitivity indices."""
from __future__ import annotations

from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ._common import check_at_least_one, console, err_console, fail, print_json, print_table, progress_bar, user_errors


def render_sweep(res) -> None:
    """Print a sweep's state, sensitivity table and where its files are."""
    s = res.record(results=False)
    console.print(f"[bold]{s.sweep}[/]  {s.design['method']} design, {s.points} points x "
                  f"{res.manifest.details['trials_per_point']:,} trials  on {s.backend}  {res.elapsed_s:.1f} s")
    console.print(f"finished {s.finished}/{s.points} (computed now: {s.computed_now}; "
                  f"read back: {s.finished - s.computed_now})", highlight=False)
    for o in s.outputs:
        sens = s.sensitivity.get(o)
        if not sens:
            continue
        imp = sens["importance"]
        t = Table(title=f"Sensitivity of {escape(o)} ({sens['method']}; ranked by {imp})")
        t.add_column("parameter")
        cols = {"sobol": ("ST", "ST_conf", "S1", "S1_conf"), "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
                "lhs": ("abs_src", "src", "spearman"), "grid": ("main_effect",)}[sens["method"]]
        for c in cols:
            t.add_column(c, justify="right")
        y = res.outputs(o)
        for name, _ in res.ranking(o):
            j = sens["names"].index(name)
            t.add_row(escape(name), *("—" if sens[c][j] is None else f"{sens[c][j]:.3f}" for c in cols))
        print_table(t)
        done = y[~(y != y)]
        if done.size:
            console.print(f"  {escape(o)} over the design: min {done.min():.3g}, mean {done.mean():.3g}, max {done.max():.3g}",
                          highlight=False)
    for note in s.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"points, results.csv, summary.json and plots in {s.folder}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def sweep(
        spec_file: str = typer.Argument(..., metavar="SPEC", help="Sweep file (YAML) or a shipped example name (e.g. april-2024-pk-morris)."),
        workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Local worker processes (default: CPU count)."),
        cluster: Optional[str] = typer.Option(None, "--cluster", help="Dask scheduler tcp://HOST:PORT, or local:N for a loopback LocalCluster."),
        out: Optional[str] = typer.Option(None, "--out", "-o", help="Sweep folder (default: sweeps/<name>); an existing one is resumed."),
        no_plots: bool = typer.Option(False, "--no-plots", help="Do not write PNG plots."),
        store: Optional[str] = typer.Option(None, "--store", help="Run store (DuckDB file) that also receives every point."),
        no_store: bool = typer.Option(False, "--no-store", help="Do not save points in the run store (also: REDLINE_NO_STORE=1)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    ) -> None:
        """Run a scenario over a design of parameter values (grid, Latin hypercube, Sobol, Morris) and rank what matters."""
        from ..sweep import load_sweep_spec, run_sweep
        from ..sweep.design import design_matrix

        check_at_least_one("--workers", workers)
        if workers is not None and cluster:
            fail("give --workers (local processes) or --cluster (Dask), not both")
        with user_errors():
            spec = load_sweep_spec(spec_file)
            folder = out or f"sweeps/{spec.name}"
            from ..sweep.escalation import EscalationSweepSpec

            if isinstance(spec, EscalationSweepSpec):                # escalation designs (docs/escalation.md)
                from ..sweep.escalation import run_escalation_sweep

                r = run_escalation_sweep(spec, folder, progress=None if as_json else console.print)
                if as_json:
                    print_json(r)
                else:
                    for p in r["pairwise"]:
                        console.print(f"{p['lower']} < {p['higher']}: holds in {p['holds_in']} of {p['of']} designs"
                                      + (f" (fails in: {', '.join(p['fails_in'])})" if p["fails_in"] else ""), highlight=False)
                    console.print(f"summary.json in {folder}", highlight=False)
                return
            n = len(design_matrix(spec))
            try:
                with progress_bar(n, spec.name, enabled=not as_json) as cb:
                    res = run_sweep(spec, folder, workers=workers, cluster=cluster, progress=lambda k, tot: cb(k),
                                    store=store, no_store=no_store, plots=not no_plots)
            except KeyboardInterrupt:
                err_console.print(f"interrupted: finished points are saved in {folder}; run the same command to resume")
                raise typer.Exit(130)
            except ConnectionError as exc:
                fail(str(exc))
        if as_json:
            print_json(res.summary())
        else:
            render_sweep(res)
        if res.failures:
            lines = "; ".join(f"point {i}: {f['error']}" for i, f in sorted(res.failures.items())[:5])
            fail(f"{len(res.failures)} of {len(res.X)} points failed ({lines}). The {len(res.records)} finished points "
                 f"are saved in {res.folder}; run the same command to retry the others", code=1)
