"""`redline diff A B`: two engagement runs on common random numbers, paired differences B - A."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

if TYPE_CHECKING:
    from ..records import DiffSummary

from ._common import (check_at_least_one, check_engine, console, engine_option, fail, json_option, no_store_option,
                      params_option, print_json, progress_bar, save_after, seed_option, store_option, trials_option,
                      user_errors, workers_option)
from ._export import check_export, csv_option, export_after, force_option, xlsx_option

__all__ = ["register", "render_diff"]

def _num(x: float, money: bool, digits: int, sign: bool = False) -> str:
    v = x / 1e6 if money else x
    return f"{v:+,.{digits}f}" if sign else f"{v:,.{digits}f}"


def _group(title: str, dim: str, grp: dict, metrics: tuple[str, ...], money: bool = False, skip_zero: bool = True) -> None:
    t = Table(title=title)
    t.add_column(dim, overflow="fold")
    t.add_column("metric", overflow="fold")
    for c in ("A", "B", "Δ mean", "± s.e.", "Δ 5%", "Δ 95%"):
        t.add_column(c, justify="right", no_wrap=True)
    rows = 0
    for lab, ms in grp.items():
        for m in metrics:
            d = ms.get(m)
            if d is None or (skip_zero and d.a == 0 and d.b == 0):
                continue
            mon = money or m == "cost_usd"
            dg = 1 if mon else (3 if m == "hit_any" else 2)
            t.add_row(lab, m + (" (US$ M)" if mon else ""), _num(d.a, mon, dg), _num(d.b, mon, dg),
                      _num(d.mean, mon, dg, True), _num(d.se, mon, dg), _num(d.p05, mon, dg, True),
                      _num(d.p95, mon, dg, True))
            rows += 1
    if rows:
        # never cut a number: print wider than the terminal if the table needs it
        need = console.measure(t).maximum
        console.print(t, width=max(console.width, need))


def render_diff(rec: DiffSummary) -> None:
    """Print a diff's paired differences as rich tables (no column is ever cut)."""
    m = rec.manifest
    console.print(f"[bold]diff[/] B = {rec.b.name} minus A = {rec.a.name}: {m.samples.count:,} paired trials, seed {m.seed}, "
                  f"params {m.params}; Δ = B − A per trial: mean ± standard error, and the 5th and 95th percentiles "
                  "of the per-trial differences", highlight=False, soft_wrap=True)
    _group("By threat class", "class", rec.by_class, ("intercepted", "leaked", "impacted", "fell_outside"))
    _group("By threat type", "threat", rec.by_threat_type, ("leaked", "impacted"))
    _group("By site (hit_any: P(at least one hit))", "site", rec.by_site, ("hits", "hit_any"))
    _group("Intercepts by nation", "nation", rec.by_nation, ("intercepts",))
    _group("Intercepts by airspace of the intercept point", "airspace", rec.by_airspace, ("intercepts",))
    _group("Interceptors used (rounds; cost in US$ M)", "interceptor", rec.by_interceptor, ("rounds", "cost_usd"))
    _group("Cost (US$ M)", "side", rec.cost_usd, ("cost_usd",), money=True, skip_zero=False)
    for side, only in (("A", rec.only_in_a), ("B", rec.only_in_b)):
        if only:
            console.print(f"only in {side}: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in only.items()),
                          highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def diff(
        a: str = typer.Argument(..., help="Scenario A: built-in name, YAML file, or a stored run id (`redline runs`)."),
        b: str = typer.Argument(..., help="Scenario B, the same way; differences are B - A."),
        trials: Optional[int] = trials_option("Trials of each run (default: A's)."),
        seed: Optional[int] = seed_option("Seed of both runs (default: A's)."),
        engine: str = engine_option(),
        params: str = params_option(),
        workers: Optional[int] = workers_option(),
        as_json: bool = json_option(),
        csv: Optional[str] = csv_option(),
        xlsx: Optional[str] = xlsx_option(),
        force: bool = force_option(),
        store: Optional[str] = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Run two scenarios on common random numbers and report paired differences B - A with intervals."""
        from ..diff import diff as run_diff

        check_at_least_one("--trials", trials)
        check_engine(engine)
        if params not in ("default", "prior"):
            fail(f"--params = {params!r}: choose default (calibrated if shipped) or prior (catalog values)")
        check_export(csv, xlsx, force)
        with user_errors():
            from ..diff import resolve_side

            side = resolve_side(a, store)
            n = trials or side.trials or side.scenario.trials
            with progress_bar(2 * n, f"{a} vs {b}", enabled=not as_json) as cb:
                d = run_diff(side.scenario if side.source == "object" else a, b, trials=n, seed=seed, params=params,
                             engine=engine, workers=workers, store=store, progress=cb)
        rec = d.record()
        if as_json:
            print_json(rec.to_json())
        else:
            render_diff(rec)
        export_after(d, csv, xlsx, force)
        save_after(rec, store, no_store)
