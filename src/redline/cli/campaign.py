"""`redline campaign`: waves over days with stocks carried between them."""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from ._common import (check_at_least_one, console, json_option, no_store_option, params_option, print_json, print_table,
                      progress_bar, save_after, seed_option, store_option, trials_option, user_errors)
from ._export import check_export, csv_option, export_after, force_option, xlsx_option


def _fmt(s: dict) -> str:
    return f"{s['mean']:,.1f} [{s['p05']:,.0f}–{s['p95']:,.0f}]"


def _fmt0(s: dict) -> str:
    return f"{s['mean']:,.0f} [{s['p05']:,.0f}–{s['p95']:,.0f}]"


def render_campaign(res) -> None:
    """Print a campaign's per-day outcome, stock curve and days to reserve."""
    from ..campaign.plot import sparkline

    s = res.record()
    m = s.manifest
    if s.hypothetical:
        console.print("[bold yellow]HYPOTHETICAL scenario[/] (assumed stocks and rates; see its file)")
    elapsed = "" if m.elapsed_s is None else f"  {m.elapsed_s:.1f} s"
    console.print(f"[bold]{m.subject}[/]  {s.days} days x {s.waves_per_day} waves  trials={m.samples.count:,} "
                  f"seed={m.seed} params={m.params} ({m.details['param_draws']} draws){elapsed}")
    t = Table(title="Per day: mean [5%–95%] over trials")
    for col in ("day", "launched", "leaked", "impacted", "impacts to date", "defence US$ M"):
        t.add_column(col, justify="right")
    for d in s.daily:
        t.add_row(str(d.day), str(sum(d.launched.values())), _fmt(d.leaked), _fmt(d.impacted),
                  _fmt(d.impacted_cumulative), f"{d.defender_cost_usd_mean / 1e6:,.0f}",
                  end_section=d.day == s.days)
    if s.totals is not None:
        cost = sum(d.defender_cost_usd_mean for d in s.daily)
        t.add_row("total", str(sum(s.totals.launched.values())), _fmt(s.totals.leaked), _fmt(s.totals.impacted),
                  "", f"{cost / 1e6:,.0f}")
    print_table(t)
    if s.totals is not None:
        t = Table(title="Campaign totals by class (per trial, summed over days): mean [5%–95%]")
        t.add_column("class")
        for col in ("launched", "failed", "intercepted", "leaked", "impacted"):
            t.add_column(col, justify="right")
        for k, row in s.totals.by_class.items():
            t.add_row(k, *(_fmt(row[c]) for c in ("launched", "failed", "intercepted", "leaked", "impacted")))
        print_table(t)
    curve = res.stock_curve("type")
    start = {k: sum(v.initial for v in s.stocks.values() if v.type == k) for k in curve}
    t = Table(title="Interceptor stock left at the end of each day, by type: mean [5%–95%]")
    t.add_column("day", justify="right")
    for k in curve:
        t.add_column(k, justify="right")
    t.add_row("start", *(f"{start[k]:,}" for k in curve), end_section=True)
    for i in range(s.days):
        t.add_row(str(i + 1), *(_fmt0(curve[k][i]) for k in curve))
    print_table(t)
    console.print("[bold]Stock curve[/] (mean stock left / starting stock, one character per day)")
    width = max(len(k) for k in curve)
    for k, days in curve.items():
        line = sparkline([x["mean"] for x in days], start[k])
        console.print(f"  {k:<{width}} |{line}| {days[-1]['mean'] / max(start[k], 1):4.0%} left", highlight=False)
    t = Table(title="Day each stock first falls to its reserve (owner/type)")
    t.add_column("stock", no_wrap=True)
    for col in ("start", "reserve", "P(by end)", "day p05", "p50", "p95"):
        t.add_column(col, justify="right")
    for lab, r in s.reserve_reached.items():
        day = r.day
        cell = lambda v: "—" if v is None else f"{v:g}"  # noqa: E731
        t.add_row(lab, f"{s.stocks[lab].initial:,}", str(r.reserve_level), f"{r.p_within:.0%}",
                  cell(day["p05"]), cell(day["p50"]), cell(day["p95"]))
    print_table(t)
    console.print("'—': not within the campaign for that share of trials.")


def register(app: typer.Typer) -> None:
    @app.command()
    def campaign(
        scenario: str = typer.Argument(..., help="Built-in campaign or scenario name (e.g. twelve-day-campaign) or a YAML file."),
        trials: Optional[int] = trials_option("Monte Carlo trials (default: the scenario's)."),
        seed: Optional[int] = seed_option("Random seed (default: the scenario's)."),
        days: Optional[int] = typer.Option(None, "--days", help="Override the campaign's number of days."),
        params: str = params_option(),
        png: Optional[str] = typer.Option(None, "--png", help="Also save the stock curve and daily leakers as a PNG here."),
        as_json: bool = json_option(),
        csv: Optional[str] = csv_option(),
        xlsx: Optional[str] = xlsx_option(),
        force: bool = force_option(),
        per_trial: bool = typer.Option(False, "--per-trial", help="With --json: add every trial's totals and per-day "
                                       "counts by class and interceptor type (for scoring)."),
        store: Optional[str] = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Fly a campaign of raids over days, carrying interceptor and missile stocks, and print the stock curve."""
        from ..campaign import load_campaign, run_campaign

        check_at_least_one("--trials", trials)
        check_at_least_one("--days", days)
        check_export(csv, xlsx, force)
        with user_errors():
            sc, camp = load_campaign(scenario)
            if days is not None:
                upd = {"days": days, "day_scale": None if camp.day_scale is None else (camp.day_scale + (1.0,) * days)[:days],
                       "resupply": tuple(r for r in camp.resupply if r.day <= days),
                       "schedule": None if camp.schedule is None else tuple(e for e in camp.schedule if e.day <= days)}
                camp = _with_days(camp, upd, scenario)
            n = trials or sc.trials
            total = camp.days * camp.waves_per_day
            with progress_bar(total, f"{sc.name}", enabled=not as_json) as cb:
                res = run_campaign(sc, camp, trials=n, seed=seed, params=params, progress=lambda k, tot: cb(k * total // tot),
                                   keep_daily=per_trial)
        if as_json:
            print_json(res.summary(per_trial=per_trial))
        else:
            render_campaign(res)
        if png:
            from ..campaign.plot import plot_campaign

            out = plot_campaign(res, png)
            if not as_json:
                console.print(f"saved {out}")
        export_after(res, csv, xlsx, force)
        save_after(res.record(), store, no_store)


def _with_days(camp, update: dict, file: str):
    """The campaign with ``--days`` applied, validated again (so the caps of docs/limits.md hold)."""
    from pydantic import ValidationError

    from ..scenario.io import _pydantic_to_input_error

    try:
        return type(camp).model_validate({**camp.model_dump(), **update})
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, f"{file} (with --days)") from None
