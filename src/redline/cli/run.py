"""`redline run`, `redline scenarios`, `redline catalog`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

if TYPE_CHECKING:
    from ..records import RunSummary

from ._common import (check_at_least_one, check_engine, console, engine_option, fail, json_option, no_store_option,
                      params_option, print_json, print_table, progress_bar, save_after, seed_option, store_option,
                      trials_option, user_errors, workers_option)
from ._export import check_export, csv_option, export_after, force_option, xlsx_option


def _fmt(s: dict, money: bool = False) -> str:
    if money:
        return f"{s['mean'] / 1e6:,.1f}  [{s['p05'] / 1e6:,.1f}–{s['p95'] / 1e6:,.1f}]"
    return f"{s['mean']:,.1f}  [{s['p05']:,.0f}–{s['p95']:,.0f}]"


def render_summary(rec: RunSummary) -> None:
    """Print a run summary as rich tables."""
    m = rec.manifest
    elapsed = "" if m.elapsed_s is None else f"  {m.elapsed_s:.2f} s"
    console.print(f"[bold]{m.subject}[/]  trials={m.samples.count:,} seed={m.seed} engine={m.details['engine']} "
                  f"params={m.params} ({m.details['param_draws']} draws){elapsed}")
    summary = rec.model_dump(mode="json")
    cols = ("launched", "failed", "intercepted", "leaked", "impacted", "fell_outside")
    for title, key in (("class", "by_class"), ("threat type", "by_type")):
        if not summary.get(key):
            continue
        t = Table(title=f"Threats by {title}: mean [5%–95%]")
        t.add_column(title)
        for col in cols:
            t.add_column(col.replace("_", " "), justify="right")
        for k, row in summary[key].items():
            t.add_row(k, *(_fmt(row[c]) if c in row else "" for c in cols))
        print_table(t)
    t = Table(title="Intercepts by nation")
    t.add_column("nation")
    t.add_column("intercepts", justify="right")
    t.add_column("by airspace (mean)")
    kna = summary.get("kills_by_nation_airspace") or {}
    for k, v in sorted(summary["intercepts_by_nation"].items(), key=lambda kv: -kv[1]["mean"]):
        air = sorted(kna.get(k, {}).items(), key=lambda kv: -kv[1]["mean"])
        t.add_row(k, _fmt(v), ", ".join(f"{a} {s['mean']:,.1f}" for a, s in air))
    print_table(t)
    t = Table(title="Interceptors used")
    t.add_column("type")
    t.add_column("rounds", justify="right")
    for k, v in summary["interceptors_used"].items():
        t.add_row(k, _fmt(v))
    print_table(t)
    t = Table(title="Hits on sites")
    t.add_column("site")
    t.add_column("hits", justify="right")
    t.add_column("P(hit)", justify="right")
    p_hit = summary.get("p_hit_by_site") or {}
    for k, v in summary["hits_by_site"].items():
        t.add_row(k, _fmt(v), f"{p_hit[k]:.2f}" if k in p_hit else "")
    print_table(t)
    c = summary["cost_usd"]
    console.print(f"Defence cost US$ M: {_fmt(c['defender'], True)}   attack cost US$ M: {_fmt(c['attacker'], True)}   "
                  f"exchange ratio (defence/attack): {c['exchange_ratio']:.2f}")


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        scenario: str = typer.Argument(..., help="Built-in scenario name (see `redline scenarios`) or a YAML file."),
        trials: Optional[int] = trials_option("Monte Carlo trials (default: the scenario's)."),
        seed: Optional[int] = seed_option("Random seed (default: the scenario's)."),
        engine: str = engine_option(),
        params: str = params_option("default (calibrated if shipped), prior (catalog values), or a shipped fit: "
                                    "posterior-hierarchical, posterior-april-2024."),
        workers: Optional[int] = workers_option(),
        as_json: bool = json_option(),
        csv: Optional[str] = csv_option(),
        xlsx: Optional[str] = xlsx_option(),
        force: bool = force_option(),
        store: Optional[str] = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Run a raid against a defence posture and summarise what leaks through."""
        from ..api import run as api_run
        from ..scenario import load_scenario

        check_at_least_one("--trials", trials)
        check_engine(engine)
        if params not in ("default", "prior", "posterior", "posterior-hierarchical", "posterior-april-2024"):
            fail(f"--params = {params!r}: choose default (calibrated if shipped), prior (catalog values), "
                 "posterior-hierarchical or posterior-april-2024 (a named shipped fit)")
        check_export(csv, xlsx, force)
        with user_errors():
            sc = load_scenario(scenario)
            if sc.campaign is not None:  # never one wave of a campaign (the API refuses it the same way)
                from ..api import campaign_refusal

                raise campaign_refusal(sc, scenario)
            n = trials or sc.trials
            with progress_bar(n, f"{sc.name}", enabled=not as_json) as cb:
                res = api_run(sc, trials=n, seed=seed, engine=engine, params=params, workers=workers, progress=cb)
        if as_json:
            print_json(res.summary())
        else:
            render_summary(res.record())
        export_after(res, csv, xlsx, force)
        save_after(res, store, no_store)

    @app.command()
    def scenarios(as_json: bool = typer.Option(False, "--json")) -> None:
        """List the built-in scenarios."""
        from ..scenario import builtin_scenarios

        items = builtin_scenarios()
        if as_json:
            print_json(items)
            return
        t = Table(title="Built-in scenarios")
        t.add_column("name")
        t.add_column("title")
        for k, v in items.items():
            t.add_row(k, v)
        print_table(t)

    @app.command()
    def catalog(
        entry: Optional[str] = typer.Argument(None, help="An entry id, e.g. arrow-3, to show with its sources."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """List the catalog of threats, interceptors and sensors, or show one entry with sources."""
        from ..catalog import load_catalog

        cat = load_catalog()
        if entry is None:
            if as_json:
                print_json(cat.model_dump(mode="json", by_alias=True))
                return
            for title, table, cols in (
                ("Threats", cat.threats, ("klass", "range_km", "reliability", "cep_m", "cost_usd")),
                ("Interceptors", cat.interceptors, ("layer", "max_range_km", "cost_usd")),
                ("Sensors", cat.sensors, ("kind", "range_km", "pd")),
            ):
                t = Table(title=title)
                t.add_column("id")
                t.add_column("name")
                for col in cols:
                    t.add_column(col.replace("klass", "class"), justify="left" if col in ("klass", "layer", "kind") else "right")
                for k, v in table.items():
                    cells = []
                    for col in cols:
                        val = getattr(v, col)
                        cells.append(f"{val.value:g}" if hasattr(val, "value") else str(val))
                    t.add_row(k, v.name, *cells)
                print_table(t)
            return
        with user_errors():
            try:
                item = cat.entry(entry)
            except KeyError as exc:
                fail(exc.args[0])
        data = item.model_dump(mode="json", by_alias=True)
        if as_json:
            print_json({"id": entry, **data})
            return
        t = Table(title=f"{entry}: {item.name}")
        for col in ("field", "value", "range", "confidence", "source", "note"):
            t.add_column(col, justify="right" if col == "value" else "left")
        for k, v in data.items():
            if isinstance(v, dict) and "confidence" in v:
                t.add_row(k, f"{v['value']:g}", str(v.get("range") or ""), v["confidence"], v.get("source") or "", v.get("note") or "")
            elif isinstance(v, dict):
                for kk, vv in v.items():
                    t.add_row(f"{k}.{kk}", f"{vv['value']:g}", str(vv.get("range") or ""), vv["confidence"], vv.get("source") or "", vv.get("note") or "")
            else:
                t.add_row(k, str(v), "", "", "", "")
        print_table(t)
