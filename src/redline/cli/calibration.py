"""`redline calibrate` and `redline validate`."""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from ..records import ValidateSummary

from ._common import (check_at_least_one, console, fail, json_option, no_store_option, print_json, print_table,
                      progress_bar, save_after, seed_option, store_option, trials_option, user_errors)


def _wide() -> Console:
    """The shared console, or a 120-column one when output is not a terminal (pipes, logs)."""
    return console if console.is_terminal else Console(width=120)


def _num(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.0f} M"
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.1f}"


def render_validation(report: ValidateSummary, ranges: Sequence[Sequence[tuple[float, float] | None]]) -> None:
    """Print a validation report as rich tables (``ranges[i][j]``: the range of event i's observation j).

    Scenario inputs are shown dimmed and marked "input" (not in coverage or CRPS); a campaign
    night's rows name their day.
    """
    con = _wide()
    for ev, ev_ranges in zip(report.events, ranges):
        t = Table(title=f"{ev.name}  (params: {report.manifest.params})")
        nightly = any(o.day is not None for o in ev.observations)
        if nightly:
            t.add_column("day", justify="right")
        t.add_column("metric", no_wrap=True)
        for col in ("observed", "mean", "5%–95%"):
            t.add_column(col, justify="right")
        t.add_column("in", justify="center")
        t.add_column("CRPS", justify="right")
        for o, rng in zip(ev.observations, ev_ranges):
            obs = _num(o.observed) + (f" [{_num(rng[0])}–{_num(rng[1])}]" if rng else "")
            mark = "input" if o.input else ("[green]✓[/]" if o.inside else "[red]✗[/]")
            cells = [o.metric, obs, _num(o.mean), f"{_num(o.p05)}–{_num(o.p95)}", mark, _num(o.crps)]
            if nightly:
                cells.insert(0, "" if o.day is None else f"{o.day} ({o.night})")
            t.add_row(*cells, style="dim" if o.input else None)
        print_table(t, con)
    n = sum(1 for ev in report.events for o in ev.observations if not o.input)
    k = sum(1 for ev in report.events for o in ev.observations if o.input)
    con.print(f"coverage of the 5–95% intervals: [bold]{report.coverage:.0%}[/] of {n} observations   "
              f"mean CRPS (count metrics): [bold]{report.mean_crps:.3f}[/]")
    if k:
        con.print(f"{k} scenario inputs (launch counts) shown, not scored")


def render_posterior(post) -> None:
    """Print a posterior's diagnostics and parameter summary."""
    console = _wide()
    m = post.manifest
    d = m["diagnostics"]
    t = Table(title=f"{post.label}: adaptive importance sampling, seed {m['seed']}")
    for col in ("round", "particles", "proposal", "ESS (round)", "ESS (pooled)", "max weight", "log evidence", "alpha next"):
        t.add_column(col, justify="right")
    for r in d["rounds"]:
        t.add_row(str(r["round"]), f"{r['particles']:,}", r["proposal"], f"{r['ess_round']:,.0f}",
                  f"{r['ess_pooled']:,.0f}", f"{r['max_weight']:.4f}", f"{r['log_evidence']:.3f}",
                  f"{r['alpha_next']:.3f}" if "alpha_next" in r else "")
    print_table(t, console)
    console.print(f"pooled ESS {d['ess']:,.0f} ({d['ess_fraction']:.1%} of particles); {m['draws']:,} draws, "
                  f"{d['unique_draws']:,} distinct; largest mean shift in the last round "
                  f"{max(d['last_round_mean_shift'].values(), default=0):.3f} prior sd")
    t = Table(title="Fitted parameters: prior and posterior mean [5%–95%]")
    for col in ("parameter", "shares coordinate"):
        t.add_column(col)
    for col in ("prior", "posterior", "contraction"):
        t.add_column(col, justify="right")
    for p in m["parameters"]:
        if p["status"] != "fitted":
            continue
        lo, hi = p["prior"]["range"]
        q = p["posterior"]
        bound = {"low": " [yellow]◀ at range floor[/]", "high": " [yellow]▶ at range ceiling[/]"}.get(p.get("against_bound"), "")
        t.add_row(p["name"], p["group"] if p["group"] != p["name"] else "", f"{_num(p['prior_mean'])} [{_num(lo)}–{_num(hi)}]",
                  f"{_num(q['mean'])} [{_num(q['p05'])}–{_num(q['p95'])}]{bound}",
                  f"{p['contraction']:.2f}" if p["contraction"] is not None else "")
    print_table(t, console)
    n_free = sum(p["status"] != "fitted" for p in m["parameters"])
    console.print(f"{n_free} parameters of types absent from the events keep their priors. Contraction = "
                  f"1 - (posterior sd / prior sd)^2: near 0 means the events say little about it. "
                  f"'At range floor/ceiling': the data pull beyond the catalog range, which the prior cannot leave.")


def render_hierarchical(post) -> None:
    """Print a hierarchical fit's hyperparameters and diagnostics."""
    from rich.markup import escape

    con = _wide()
    m = post.manifest
    d = m["diagnostics"]
    t = Table(title=escape(f"{post.label}: hyperparameters (seed {m['seed']}; {d['computed_by']})"))
    for col in ("hyperparameter", "mean [5%–95%]", "population median value", "R-hat", "ESS bulk"):
        t.add_column(col, justify="left" if col == "hyperparameter" else "right")
    per = d["per_hyperparameter"]
    for name, h in m["hyperparameters"].items():
        key = name if name in per else name.replace("tau[", "log_tau[")
        pv = h.get("population_median_value")
        t.add_row(escape(name), f"{h['mean']:.3f} [{h['p05']:.3f}–{h['p95']:.3f}]",
                  escape(f"{pv['parameter']} {pv['p50']:.3f} [{pv['p05']:.3f}–{pv['p95']:.3f}]") if pv else "",
                  f"{per[key]['rhat']:.3f}", f"{per[key]['ess_bulk']:,.0f}")
    print_table(t, con)
    t = Table(title="Per-event designs (importance ESS of the design at the posterior's hyperparameters)")
    for col in ("event", "design points", "design ESS", "log evidence", "importance ESS median", "min"):
        t.add_column(col, justify="left" if col == "event" else "right")
    for e in d["design"]:
        t.add_row(e["event"], f"{e['design_points']:,}", f"{e['design_ess']:,.0f}", f"{e['design_log_evidence']:.3f}",
                  f"{e['importance_ess_at_posterior']['median']:,.0f}", f"{e['importance_ess_at_posterior']['min']:,.0f}")
    print_table(t, con)
    for x in m.get("excluded", []):
        con.print(f"left out: {x['file']} ({x['reason']})")
    con.print(f"acceptance {d['acceptance']:.2f}; largest R-hat {d['max_rhat']:.3f}, smallest bulk ESS "
              f"{d['min_ess_bulk']:,.0f}; {m['draws']:,} draws for a new exchange")


def register(app: typer.Typer) -> None:
    @app.command()
    def calibrate(
        events: Optional[List[str]] = typer.Argument(None, help="Event files (YAML) or built-in event names, e.g. april-2024 "
                                                                "(--hierarchical without any: every built-in event of the window)."),
        draws: int = typer.Option(1000, "--draws", "-d", help="Joint posterior draws to keep."),
        seed: int = typer.Option(20240413, "--seed", "-s", help="Seed of the whole fit (same seed, same file)."),
        out: Optional[str] = typer.Option(None, "--out", "-o", help="Posterior file to write (default posterior-EVENT.json)."),
        particles: Optional[int] = typer.Option(None, "--particles", help="Particles per round (default 4 x draws, at least 200)."),
        rounds: Optional[int] = typer.Option(None, "--rounds", help="Rounds of adaptive importance sampling (default 8)."),
        trials: Optional[int] = typer.Option(None, "--trials", help="Trials per particle in the likelihood estimate (default 32)."),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object (manifest, file, label and the posterior's own manifest) instead of tables."),
        hierarchical: bool = typer.Option(False, "--hierarchical/--single",
                                          help="Hierarchical fit (exchange-level effects; draws for a new exchange) or "
                                               "one set of constants fitted to all events (default)."),
        reduced: bool = typer.Option(False, "--reduced", help="Hierarchical: the small test settings (HierSettings.reduced())."),
        workers: int = typer.Option(1, "--workers", help="Hierarchical: processes for the per-event designs; results do not depend on it."),
        cache: Optional[str] = typer.Option(None, "--cache", help="Hierarchical: design cache directory (default ~/.cache/redline/calibration or $REDLINE_CACHE_DIR/calibration)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Hierarchical: run every design afresh and keep none."),
    ) -> None:
        """Fit the uncertain parameters to observed events; write posterior draws with a manifest."""
        import dataclasses
        import time
        from pathlib import Path

        from ..calibration.events import load_event
        from ..calibration.pipeline import calibrate as fit_events, calibrate_record, default_settings, prepare_targets

        for name, v in (("--draws", draws), ("--particles", particles), ("--rounds", rounds), ("--trials", trials),
                        ("--workers", workers)):
            check_at_least_one(name, v)
        if not events and not hierarchical:
            fail("give at least one event file or built-in event name (or --hierarchical for every built-in event)")
        if hierarchical:
            from ..calibration.hierarchical import HierSettings, builtin_fit_events, fit_hierarchical, total_units

            events = list(events or builtin_fit_events())
            with user_errors():
                evs = [load_event(e) for e in events]
                hs = HierSettings.reduced() if reduced else HierSettings()
                design = dataclasses.replace(hs.design, **{k: v for k, v in (("particles", particles), ("rounds", rounds),
                                                                            ("trials", trials)) if v is not None})
                hs = dataclasses.replace(hs, design=design, draws=draws, workers=workers)
                t0 = time.perf_counter()
                with progress_bar(total_units(evs, hs), "hierarchical fit (design particles, then MCMC steps)",
                                  enabled=not as_json) as cb:
                    post = fit_hierarchical(evs, seed=seed, settings=hs, progress=cb,
                                            cache=None if no_cache else (cache or True))
                path = Path(out) if out else Path("posterior-hierarchical.json")
                post.write(path)
            if as_json:
                fitted = [le for le in evs if Path(le.file).name in {r["file"] for r in post.manifest["events"]}]
                print_json(calibrate_record(post, fitted, path, elapsed_s=time.perf_counter() - t0).to_json())
                return
            render_hierarchical(post)
            console.print(f"wrote [bold]{path}[/]")
            return
        assert events
        with user_errors():
            evs = [load_event(e) for e in events]
            base = default_settings(draws)
            s = dataclasses.replace(base, **{k: v for k, v in (("particles", particles), ("rounds", rounds),
                                                               ("trials", trials)) if v is not None})
            prepared = prepare_targets(evs)
            total = s.particles * s.rounds
            t0 = time.perf_counter()
            with progress_bar(total, "calibrating (particles)", enabled=not as_json) as cb:
                post = fit_events(evs, draws=draws, seed=seed, settings=s, progress=cb, prepared=prepared)
            path = Path(out) if out else Path(f"posterior-{evs[0].stem}.json")
            post.write(path)
        if as_json:
            print_json(calibrate_record(post, evs, path, elapsed_s=time.perf_counter() - t0).to_json())
            return
        render_posterior(post)
        console.print(f"wrote [bold]{path}[/]")

    @app.command()
    def validate(
        events: List[str] = typer.Argument(..., help="Event files (YAML) or built-in event names, e.g. april-2024."),
        params: str = typer.Option("posterior", "--params",
                                   help="posterior (shipped fit), prior (catalog values), prior-draws (PERT priors) "
                                        "or a posterior file from `redline calibrate`."),
        trials: Optional[int] = trials_option("Monte Carlo trials per event (default 20,000; a campaign event "
                                              "2,000 whole campaigns)."),
        seed: Optional[int] = seed_option("Seed (default: each event scenario's own)."),
        as_json: bool = json_option(),
        store: Optional[str] = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Score the model against observed events: intervals, coverage and CRPS.

        A campaign event is scored by running the whole campaign, per night and in total.
        Scenario inputs (launch counts) are shown but not scored.
        """
        from ..calibration.events import load_event
        from ..calibration.scoring import default_trials
        from ..calibration.scoring import validate as score

        check_at_least_one("--trials", trials)
        with user_errors():
            evs = [load_event(e) for e in events]
            total = sum(trials if trials is not None else default_trials(le) for le in evs)
            with progress_bar(total, "validating (trials)", enabled=not as_json) as cb:
                report = score(evs, params=params, trials=trials, seed=seed, progress=cb)
        if as_json:
            print_json(report.to_json())
        else:
            render_validation(report, [[o.range for o in le.event.observations] for le in evs])
        save_after(report, store, no_store)
