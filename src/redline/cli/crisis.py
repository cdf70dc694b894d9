"""`redline crisis`, `redline compare`, `redline backtest`: the escalation model.

The commands parse options, call :mod:`redline.escalation` and format; no model logic here.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

if TYPE_CHECKING:
    from ..records import BacktestSummary, CompareSummary, CrisisSummary, Delta, Interval, Stats

from ._common import (check_at_least_one, console, fail, json_option, no_store_option, print_json, print_table,
                      progress_bar, save_after, store_option, user_errors)
from ._export import check_export, csv_option, export_after, force_option, xlsx_option

__all__ = ["register", "render_backtest", "render_backtest_origin", "render_compare", "render_crisis"]


def _p(x: Interval | Stats, pct: bool = True) -> str:
    if pct:
        return f"{100 * x.mean:.2f}%  [{100 * x.p05:.2f}–{100 * x.p95:.2f}]"
    return f"{x.mean:,.1f}  [{x.p05:,.1f}–{x.p95:,.1f}]"


def _dp(x: Delta) -> str:
    return f"{100 * x.mean:+.2f}  [{100 * x.p05:+.2f}, {100 * x.p95:+.2f}]"


def render_crisis(s: CrisisSummary) -> None:
    """Print a ``run_crisis`` summary as rich tables."""
    console.print(f"[bold]crisis[/] from {s.start}, policy [bold]{s.policy}[/], horizon {s.horizon_days:g} days, "
                  f"{s.paths:,} paths over {s.draws} posterior draws, seed {s.manifest.seed}")
    t = Table(title="Outcome within the horizon: mean [90% interval over parameter uncertainty]")
    t.add_column("outcome")
    t.add_column("probability", justify="right")
    for x, label in ((s.p_regional_war, "regional war"), (s.p_deescalation, "durable de-escalation"),
                     (s.p_neither, "neither (still contested)"), (s.p_major_strike, "a major strike (rung >= 5)"),
                     (s.p_direct_strike, "a direct strike (rung >= 4)")):
        t.add_row(label, _p(x))
    if s.p_breakout is not None:
        t.add_row("Iran's nuclear breakout", _p(s.p_breakout))
    print_table(t)
    _mc_line(s)
    if s.war_rule:
        w = s.war_rule
        console.print(f"regional war (reported): a rung-8 move, or {w['count']:g} moves on rung >= {w['min_rung']:g} "
                      f"within {w['window_days']:g} days")
    t = Table(title="Most likely paths (first three moves and the end)")
    t.add_column("moves")
    t.add_column("end")
    t.add_column("share", justify="right")
    for p in s.top_paths:
        t.add_row(" → ".join(p.moves) or "(no move)", p.end, f"{100 * p.probability:.2f}%")
    print_table(t)
    t = Table(title="Losses suffered (loss points: contained 0.2, damaging 1, severe 4)")
    for c in ("actor", "loss points", "P(severe hit)", "defence cost US$ bn"):
        t.add_column(c, justify="right" if c != "actor" else "left")
    for a, v in s.losses.items():
        t.add_row(a, _p(v.loss_points, pct=False), f"{100 * v.p_severe_hit:.1f}%", f"{v.defender_cost_usd_bn:.2f}")
    print_table(t)
    t = Table(title="Interceptors used and stocks at the end")
    t.add_column("interceptor / stock")
    t.add_column("mean [5%–95%]", justify="right")
    for k, st in s.interceptors_used.items():
        t.add_row(k, _p(st, pct=False))
    for k, st in s.stocks_end.items():
        t.add_row(f"stock {k}", _p(st, pct=False))
    print_table(t)


def _mc_line(s) -> None:
    mc = getattr(s, "monte_carlo", None)
    if mc is None:
        return
    rel = ", ".join(f"{k.removeprefix('p_').replace('_', ' ')} {'—' if v is None else f'{100 * v:.0f}%'}" for k, v in mc.rel_se.items())
    console.print(f"Monte Carlo: {mc.paths_run:,} paths run ({mc.batches} batch(es) of {mc.paths_requested:,}; "
                  f"{mc.paths_per_draw} per draw); relative error {rel} (target {100 * mc.target_rel_se:.0f}%"
                  f"{'' if mc.met else ', not reached: raise --max-paths'})")


def render_compare(s: CompareSummary) -> None:
    """Print a ``compare_policies`` summary as a rich table."""
    console.print(f"[bold]compare[/] from {s.start}, horizon {s.horizon_days:g} days, {s.paths:,} paths per "
                  f"package over {s.draws} posterior draws, common random numbers")
    t = Table(title="Policy packages: probability within the horizon, mean [90% interval]; differences in points vs status-quo")
    for c in ("package", "P(regional war)", "Δ war vs status quo", "P(major strike)", "Δ major strike",
              "P(de-escalation)", "P(breakout)"):
        t.add_column(c, justify="left" if c == "package" else "right")
    for r in s.policies:
        t.add_row(r.name, _p(r.p_regional_war), _dp(r.delta_vs_status_quo), _p(r.p_major_strike),
                  _dp(r.delta_major_strike_vs_status_quo), _p(r.p_deescalation),
                  _p(r.p_breakout) if r.p_breakout is not None else "")
    print_table(t)
    console.print("ranked by P(regional war): " + " < ".join(s.ranking))
    _mc_line(s)


def render_backtest(s: BacktestSummary) -> None:
    """Print a ``backtest`` summary."""
    console.print(f"[bold]backtest[/] {s.file}: {s.moves} moves ({s.in_sample} in the calibration window, "
                  f"{s.out_of_sample} after it)")
    t = Table(title="Mean scores per move (log score: higher is better; Brier: lower is better)")
    for c in ("prediction of", "log score", "uniform", "Brier", "uniform "):
        t.add_column(c, justify="left" if c == "prediction of" else "right")
    t.add_row("action", f"{s.log_score.model:.3f}", f"{s.log_score.uniform:.3f}",
              f"{s.brier.model:.3f}", f"{s.brier.uniform:.3f}")
    t.add_row("rung", f"{s.rung_log_score.model:.3f}", f"{s.rung_log_score.uniform:.3f}",
              f"{s.rung_brier.model:.3f}", f"{s.rung_brier.uniform:.3f}")
    t.add_row("who moves", f"{s.mover_log_score.model:.3f}", f"{s.mover_log_score.uniform:.3f}", "", "")
    print_table(t)
    t = Table(title="Moves given the lowest probability")
    for c in ("date", "actor", "action", "P(action)", "model's top choice"):
        t.add_column(c, justify="right" if c == "P(action)" else "left")
    for r in sorted(s.per_move, key=lambda r: r.p)[:8]:
        t.add_row(r.date, r.actor, r.action, f"{r.p:.3f}", f"{r.top[0][0]} ({r.top[0][1]:.2f})")
    print_table(t)


def _is_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def render_backtest_origin(r: dict) -> None:
    """Print one origin of the rolling-origin backtest."""
    console.print(f"[bold]backtest[/] from origin {r['origin']}: fit on {r['moves_fitted']} moves ({r['fit']['source']}, "
                  f"R-hat {r['fit']['rhat_max']}), {r['moves_scored']} moves scored to {r['scored_until']}")
    t = Table(title="Mean scores per scored move (log scores: higher is better; Brier and RPS: lower is better)")
    for c in ("forecaster", "log score (action)", "Brier (action)", "RPS (rung)", "log score (who moves)"):
        t.add_column(c, justify="left" if c == "forecaster" else "right")
    rows = [("model", r["model"])] + list(r["baselines"].items())
    for name, v in rows:
        t.add_row(name, f"{v['log_score']:.3f}", f"{v['brier']:.3f}", f"{v['rung_rps']:.3f}", f"{v['mover_log_score']:.3f}")
    print_table(t)
    if "end_states" in r:
        t = Table(title="Within 90 / 365 days of the origin: model mean [90% interval] vs the coded record")
        for c in ("event", "90 days", "record", "365 days", "record "):
            t.add_column(c, justify="left" if c == "event" else "right")
        es = r["end_states"]
        for key, ev in (("p_major_strike", "major_strike"), ("p_regional_war", "regional_war"), ("p_deescalation", "deescalation")):
            cells = []
            for h in ("90d", "365d"):
                x = es["model"][h][key]
                ob = es["observed"][h]
                seen = ob[ev] or ("no" + (f" (to {ob['observed_to']})" if ob["censored"] else ""))
                cells += [f"{100 * x['mean']:.1f}%  [{100 * x['p05']:.1f}–{100 * x['p95']:.1f}]", seen]
            t.add_row(ev.replace("_", " "), *cells)
        print_table(t)
    t = Table(title="Scored moves given the lowest probability by the model")
    for c in ("date", "actor", "action", "model", "tit-for-tat", "base rate"):
        t.add_column(c, justify="left" if c in ("date", "actor", "action") else "right")
    for m in sorted(r["per_move"], key=lambda m: m["p_model"])[:8]:
        t.add_row(m["date"], m["actor"], m["action"], f"{m['p_model']:.4f}", f"{m['p_tit_for_tat']:.3f}", f"{m['p_base_rate']:.3f}")
    print_table(t)


def _all_packages() -> list[str]:
    """The policy packages `compare` runs when none are named (for its progress count)."""
    from ..escalation.io import load_levers

    return list(load_levers().packages)


# ---- the model options `crisis` and `compare` share
def _horizon_option():
    return typer.Option(365.0, "--horizon", help="Horizon in days.")


def _draws_option():
    return typer.Option(None, "--draws", help="Use at most this many posterior draws.")


def _game_option():
    return typer.Option(None, "--game", help="Game file overriding the shipped game.yaml (same schema).")


def _levers_option():
    return typer.Option(None, "--levers", help="Levers file overriding the shipped levers.yaml (same schema).")


def _war_rule_option():
    return typer.Option(None, "--war-rule", help="Reported war rule, e.g. count=3,window=90,min-rung=5 (a report: no choice reads it).")


def _model(game: Path | None, levers_file: Path | None, war_rule: str | None):
    """The escalation model of ``--game``, ``--levers`` and ``--war-rule`` (the shipped files where not given)."""
    from ..escalation.compile import model_from_files

    return model_from_files(str(game) if game else None, str(levers_file) if levers_file else None, war_rule)


def register(app: typer.Typer) -> None:
    """Add ``crisis``, ``compare`` and ``backtest`` to the ``redline`` command."""

    @app.command()
    def crisis(
        start: str = typer.Option("april-2024", "--start", help="Start state (see docs/escalation.md): april-2024, june-2025, pre-october-2023."),
        policy: str = typer.Option("status-quo", "--policy", help="Policy package: status-quo, deter-and-pause, diplomacy-first, combined, arms-race-drift."),
        horizon: float = _horizon_option(),
        paths: int = typer.Option(20_000, "--paths", "-n", help="Simulated crisis paths (at least 50 per posterior draw are used)."),
        seed: int = typer.Option(1, "--seed", "-s", help="Random seed."),
        draws: int | None = _draws_option(),
        max_paths: int | None = typer.Option(None, "--max-paths", help="Adaptive paths: run up to this many paths for rare events (default 4 x --paths; 0: no extension)."),
        game: Path | None = _game_option(),
        levers_file: Path | None = _levers_option(),
        war_rule: str | None = _war_rule_option(),
        as_json: bool = json_option(),
        csv: str | None = csv_option(),
        xlsx: str | None = xlsx_option(),
        force: bool = force_option(),
        store: str | None = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Simulate the confrontation from a start state: P(regional war), paths, losses, interceptors."""
        from ..escalation import run_crisis

        check_at_least_one("--paths", paths)
        if horizon <= 0:
            fail(f"--horizon = {horizon}: give a positive number of days")
        check_export(csv, xlsx, force)
        with user_errors():
            with progress_bar(None, f"crisis: {paths:,} paths under {policy}, {horizon:g} days", enabled=not as_json):
                model = _model(game, levers_file, war_rule)
                s = run_crisis(start=start, policy=policy, horizon_days=horizon, paths=paths, seed=seed, draws=draws,
                               model=model, max_paths=max_paths)
        if as_json:
            print_json(s.to_json())
        else:
            render_crisis(s)
        export_after(s, csv, xlsx, force)
        save_after(s, store, no_store)

    @app.command()
    def compare(
        policies: str | None = typer.Option(None, "--policies", help="Comma-separated packages (default: all)."),
        start: str = typer.Option("april-2024", "--start", help="Start state: april-2024, june-2025, pre-october-2023."),
        horizon: float = _horizon_option(),
        paths: int = typer.Option(20_000, "--paths", "-n", help="Paths per package."),
        seed: int = typer.Option(1, "--seed", "-s", help="Random seed (the same streams for every package)."),
        draws: int | None = _draws_option(),
        max_paths: int | None = typer.Option(None, "--max-paths", help="Adaptive paths per package (default 4 x --paths; 0: no extension)."),
        game: Path | None = _game_option(),
        levers_file: Path | None = _levers_option(),
        war_rule: str | None = _war_rule_option(),
        as_json: bool = json_option("Print one JSON object instead of a table."),
        csv: str | None = csv_option(),
        xlsx: str | None = xlsx_option(),
        force: bool = force_option(),
        store: str | None = store_option(),
        no_store: bool = no_store_option(),
    ) -> None:
        """Compare policy packages side by side on common random numbers, with intervals."""
        from ..escalation import compare_policies

        names = [p.strip() for p in policies.split(",") if p.strip()] if policies else None
        check_at_least_one("--paths", paths)
        check_export(csv, xlsx, force)
        with user_errors():
            n_packages = len(names or _all_packages()) + (names is not None and "status-quo" not in names)
            with progress_bar(n_packages, f"compare: {paths:,} paths per package", enabled=not as_json) as cb:
                model = _model(game, levers_file, war_rule)
                s = compare_policies(names, start=start, horizon_days=horizon, paths=paths, seed=seed, draws=draws,
                                     progress=cb, model=model, max_paths=max_paths)
        if as_json:
            print_json(s.to_json())
        else:
            render_compare(s)
        export_after(s, csv, xlsx, force)
        save_after(s, store, no_store)

    @app.command()
    def backtest(
        moves: Path | None = typer.Argument(None, help="Moves file (schema redline-moves/1); default: the coded history (history.yaml)."),  # noqa: B008
        origin: list[str] | None = typer.Option(None, "--origin", help="Origin date YYYY-MM-DD (repeatable); default 2024-07-01, 2024-10-01 and 2025-06-01."),  # noqa: B008
        as_json: bool = json_option(),
        paths: int = typer.Option(4000, "--paths", "-n", help="Paths for the end-state probabilities at each origin."),
        refit: bool = typer.Option(False, "--refit", help="Refit at every origin even if a cached fit matches."),
        no_refit: bool = typer.Option(False, "--no-refit", help="Refuse (with the refit command) when no cached fit matches."),
        into_package: bool = typer.Option(False, "--into-package", help="With --refit: write the shipped per-origin fits (developers)."),
        in_sample: bool = typer.Option(False, "--in-sample", help="Score the whole file with the shipped posterior (no refit)."),
        draws: int | None = typer.Option(None, "--draws", help="With --in-sample: use at most this many posterior draws."),
    ) -> None:
        """Rolling-origin backtest: refit before each origin and score later moves against four reference forecasters."""
        import datetime as dt
        import sys

        from ..escalation import backtest as run_backtest
        from ..escalation.backtest import ORIGINS_DIR, backtest_origin, backtest_summary
        from ..escalation.io import data_path

        if in_sample:
            with user_errors():
                s = run_backtest(moves, draws=draws)
            if as_json:
                print_json(s.to_json())
            else:
                render_backtest(s)
            return
        if draws is not None:
            fail("--draws applies to --in-sample (the rolling origins use every draw of their fits)")
        if into_package and not refit:
            fail("--into-package writes refitted fits: give it with --refit")
        if refit and no_refit:
            fail("--refit and --no-refit exclude each other")
        if paths < 100:
            fail(f"--paths = {paths}: give at least 100")
        def say(line: str) -> None:
            print(line, file=sys.stderr)

        with user_errors():
            for o in origin or []:
                if not _is_date(o):
                    fail(f"--origin = {o}: give a date YYYY-MM-DD")
            days = [dt.date.fromisoformat(o) for o in (origin or [])]
            from ..escalation.backtest import DEFAULT_ORIGINS

            results = [backtest_origin(d, moves_path=moves, paths=paths,
                                       refit="always" if refit else "never" if no_refit else "auto",
                                       progress=say, write_dir=data_path(ORIGINS_DIR) if into_package else None)
                       for d in (days or list(DEFAULT_ORIGINS))]
        if as_json:
            print_json(results[0] if len(results) == 1 else backtest_summary(results))
        else:
            for r in results:
                render_backtest_origin(r)
