"""The examples every ``redline`` command shows at the end of its ``--help`` (its epilog).

One table, :data:`EXAMPLES`, keyed by the command's path (``"run"``, ``"runs show"``); a
command that sets its own epilog (``schema``, ``maintain rebuild-effects``) keeps it.
``tests/test_cli_help.py`` checks that every command has examples and that each one parses.
"""
from __future__ import annotations

import typer

__all__ = ["EXAMPLES", "epilog", "add_examples"]

#: Command path -> [(command line, what it does)].
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "run": [("redline run april-2024 --trials 10000 --seed 1", "tables of what leaked, who intercepted, cost"),
            ("redline run examples/small-raid.yaml --json", "your own scenario file, one JSON object"),
            ("redline run april-2024 --params prior --no-store", "catalog values, not saved")],
    "diff": [("redline diff april-2024 april-2024-jordan-closed --trials 5000", "paired deltas, B minus A"),
             ("redline diff april-2024 april-2024-no-partners --json", "the same as JSON"),
             ("redline diff april-2024 my-variant.yaml --csv out/", "your variant, tables as CSV files")],
    "scenarios": [("redline scenarios", "the built-in scenarios"), ("redline scenarios --json", "as JSON")],
    "catalog": [("redline catalog", "every threat, interceptor and sensor"),
                ("redline catalog arrow-3", "one entry with its sources"),
                ("redline catalog arrow-3 --json", "the same as JSON")],
    "calibrate": [("redline calibrate april-2024 --draws 200 --out posterior.json", "a quick fit"),
                  ("redline calibrate src/redline/data/events/april-2024.yaml --draws 1000 --seed 20240413",
                   "the shipped fit")],
    "validate": [("redline validate april-2024", "coverage and CRPS of the shipped posterior"),
                 ("redline validate april-2024 --params prior --json", "of the catalog values, as JSON")],
    "scoreboard": [("redline scoreboard", "model vs constant-rate and prior at three origins"),
                   ("redline scoreboard --origins 2025-06-13 --json", "one origin, as JSON"),
                   ("redline scoreboard --refit", "refit stale origin fits first")],
    "crisis": [("redline crisis --policy status-quo --horizon 365", "P(regional war), paths, losses"),
               ("redline crisis --policy diplomacy-first --paths 5000 --json", "another package, as JSON")],
    "compare": [("redline compare", "every package against the status quo"),
                ("redline compare --policies status-quo,diplomacy-first --paths 5000 --json", "two, as JSON")],
    "backtest": [("redline backtest --origin 2024-10-01", "refit before the origin, score the later moves"),
                 ("redline backtest examples/moves-template.yaml --origin 2024-05-21 --json", "your moves file, as JSON")],
    "report": [("redline report april-2024 --trials 20000 --seed 1 -o april-2024.html", "run now and report"),
               ("redline report latest -o latest.html --png", "the last saved run, with PNG figures"),
               ("redline report --diff april-2024 april-2024-jordan-closed -o diff.html", "a paired comparison"),
               ("redline report scoreboard -o scoreboard.html", "the rolling-origin scoreboard")],
    "serve": [("redline serve", "http://127.0.0.1:8000/"),
              ("redline serve --port 8080 --max-trials 50000", "another port, smaller runs")],
    "sweep": [("redline sweep april-2024-pk-morris", "a shipped sweep, 48 points"),
              ("redline sweep april-2024-pk-sobol --workers 2 --out sweeps/sobol", "two processes, own folder")],
    "campaign": [("redline campaign twelve-day-campaign", "stock curve and days to reserve"),
                 ("redline campaign twelve-day-campaign --days 6 --png stocks.png", "six days, with a figure")],
    "runs": [("redline runs", "the newest saved runs"), ("redline runs --kind crisis --limit 10", "crisis runs only"),
             ("redline runs --check", "leftovers of killed runs")],
    "runs show": [("redline runs show latest", "summary and manifest"), ("redline runs show latest --json", "as JSON")],
    "runs export": [("redline runs export latest --parquet runs-export", "run.parquet and its arrays")],
    "runs delete": [("redline runs delete 3f2a", "by id or unique prefix")],
    "maintain": [("redline maintain rebuild-effects", "raid effects, to the user data folder"),
                 ("redline maintain fit-escalation", "then refit the escalation posterior")],
}


def epilog(path: str) -> str:
    """The epilog text of command ``path``: ``Examples:`` and one line per example."""
    rows = EXAMPLES[path]
    short = [cmd for cmd, what in rows if len(cmd) + len(what) < 70]     # one line each at 80 columns
    width = max((len(cmd) for cmd in short), default=0)
    lines = [f"  {cmd:<{width}}  ({what})" if cmd in short else f"  {cmd}\n\n      ({what})" for cmd, what in rows]
    return "Examples:\n\n" + "\n\n".join(lines) + "\n"


def _needs(value: object) -> bool:
    return value is None or isinstance(value, typer.models.DefaultPlaceholder)


def add_examples(app: typer.Typer, prefix: str = "") -> None:
    """Give every command and group of ``app`` without an epilog the one :data:`EXAMPLES` has for it."""
    for c in app.registered_commands:
        name = c.name or c.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        path = f"{prefix}{name}"
        if _needs(c.epilog) and path in EXAMPLES:
            c.epilog = epilog(path)
    for g in app.registered_groups:
        path = f"{prefix}{g.name}"
        if _needs(g.epilog) and path in EXAMPLES:
            g.epilog = epilog(path)
        if g.typer_instance is not None:
            add_examples(g.typer_instance, f"{path} ")
