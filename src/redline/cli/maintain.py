"""`redline maintain`: rebuild the raid effects table, refit the escalation posterior, warm the compile caches.

The first two write to ``--out`` if given, else to the user data folder (``$REDLINE_DATA_HOME``, else
``$XDG_DATA_HOME/redline``, i.e. ``~/.local/share/redline``), and refuse a path inside the
installed package unless ``--into-package`` is given (see :mod:`redline.userdata`).
"""
from __future__ import annotations

import time

from collections.abc import Callable
from typing import Optional

import typer

from ._common import check_at_least_one, console, err_console, fail, print_json, user_errors

__all__ = ["register"]

_INTO_PACKAGE_HELP = ("Allow writing inside the installed package; without --out, overwrite the shipped file "
                      "(developers regenerating shipped data).")

_EFFECTS_EPILOG = """\
Examples:

  redline maintain rebuild-effects                  (to the user data folder)

  redline maintain rebuild-effects --out effects.json --trials 1000

  REDLINE_EFFECTS_TABLE=effects.json redline crisis (read that table)

  redline maintain rebuild-effects --into-package   (developers: shipped file)
"""

_FIT_EPILOG = """\
Examples:

  redline maintain fit-escalation                   (to the user data folder)

  redline maintain fit-escalation --effects effects.json --out posterior.json

  REDLINE_ESCALATION_POSTERIOR=posterior.json redline crisis

  redline maintain fit-escalation --into-package    (developers: shipped file)
"""


_WARM_EPILOG = """\
Examples:

  redline maintain warm                             (after install; make demo runs it)

  redline maintain warm --json
"""


def _progress(prefix: str, quiet: bool) -> Callable[[str], None]:
    """A progress callback printing one indented line per stage on stderr (silent with --json)."""
    if quiet:
        return lambda line: None
    return lambda line: err_console.print(f"  {prefix}{line}", highlight=False, soft_wrap=True)


def _check_positive(**values: int) -> None:
    for name, v in values.items():
        check_at_least_one(f"--{name}", v)


def register(app: typer.Typer) -> None:
    maintain = typer.Typer(help="Maintenance: rebuild the raid effects table, refit the escalation posterior, "
                           "warm the compile caches.",
                           no_args_is_help=True)

    @maintain.command("rebuild-effects", epilog=_EFFECTS_EPILOG)
    def rebuild_effects(
        out: Optional[str] = typer.Option(None, "--out", "-o", help="File to write (default: escalation/effects.json "
                                          "in the user data folder).", show_default=False),
        into_package: bool = typer.Option(False, "--into-package", help=_INTO_PACKAGE_HELP),
        trials: int = typer.Option(4000, "--trials", help="Engine trials per raid template and variant "
                                   "(4000 reproduces the shipped table)."),
        seed: int = typer.Option(20240413, "--seed", "-s", help="Seed of every engine run."),
        cache: Optional[str] = typer.Option(None, "--cache", help="JSON cache of effects by scenario hash, reused "
                                            "across rebuilds.", show_default=False),
        as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
    ) -> None:
        """Rebuild the escalation model's raid effects table with the engagement engine.

        Runs the engine on every raid template under every variant, campaign templates flown whole (about 35 s of CPU at 4000 trials).

        Run it when the engagement model, its calibration or a scenario changes; then refit.
        """
        from ..escalation.effects import load_table, regenerate

        t0 = time.perf_counter()

        _check_positive(trials=trials)
        say = _progress("engine: ", as_json)
        with user_errors():
            path = regenerate(out, trials=trials, seed=seed, cache_path=cache, progress=say, into_package=into_package)
            table = load_table(path)
        n = sum(len(v) for v in table["entries"].values())
        if as_json:
            print_json(_effects_record(path, table, trials, seed, elapsed_s=time.perf_counter() - t0).to_json())
            return
        console.print(f"wrote {path}: {n} effects of {len(table['entries'])} raid templates "
                      f"({trials:,} trials, seed {seed})", highlight=False, soft_wrap=True)
        if not into_package:
            console.print(f"use it with REDLINE_EFFECTS_TABLE={path}", highlight=False, soft_wrap=True)

    @maintain.command("fit-escalation", epilog=_FIT_EPILOG)
    def fit_escalation(
        out: Optional[str] = typer.Option(None, "--out", "-o", help="File to write (default: escalation/posterior.json "
                                          "in the user data folder).", show_default=False),
        into_package: bool = typer.Option(False, "--into-package", help=_INTO_PACKAGE_HELP),
        effects: Optional[str] = typer.Option(None, "--effects", help="Effects table to compile the model with "
                                              "(default: $REDLINE_EFFECTS_TABLE, else the shipped table).",
                                              show_default=False),
        draws: int = typer.Option(400, "--draws", "-d", help="Thinned posterior draws to keep."),
        chains: int = typer.Option(4, "--chains", help="Metropolis chains."),
        iters: int = typer.Option(8000, "--iters", help="Iterations per chain, burn-in included."),
        burn: int = typer.Option(2000, "--burn", help="Burn-in iterations per chain (step adapted during them)."),
        seed: int = typer.Option(20240419, "--seed", "-s", help="Seed of the whole fit (the defaults reproduce the "
                                 "shipped posterior)."),
        as_json: bool = typer.Option(False, "--json", help="Print the diagnostics and summary as JSON."),
    ) -> None:
        """Refit the escalation posterior to the coded history up to 19 April 2024.

        MAP, Laplace covariance, then random-walk Metropolis (10-60 s on two cores).

        Run it after rebuilding the effects or when history, priors, game or levers change.
        """
        from ..escalation.fit import refit

        t0 = time.perf_counter()

        _check_positive(draws=draws, chains=chains, iters=iters)
        if not 0 <= burn < iters:
            fail(f"--burn = {burn}: must be at least 0 and below --iters ({iters})")
        say = _progress("", as_json)
        with user_errors():
            path, doc = refit(out, into_package=into_package, effects=effects, progress=say,
                              draws=draws, chains=chains, iters=iters, burn=burn, seed=seed)
        d = doc["diagnostics"]
        if as_json:
            print_json(_fit_record(path, doc, elapsed_s=time.perf_counter() - t0).to_json())
            return
        console.print(f"wrote {path}: acceptance {d['acceptance']}, R-hat max {d['rhat_max']}, ESS min {d['ess_min']}",
                      highlight=False, soft_wrap=True)
        for name, s in doc["summary"].items():
            console.print(f"  {name:15s} {s['mean']:8.3f}  [{s['p05']:.3f}, {s['p95']:.3f}]", highlight=False, soft_wrap=True)
        if not into_package:
            console.print(f"use it with REDLINE_ESCALATION_POSTERIOR={path}", highlight=False, soft_wrap=True)

    @maintain.command("warm", epilog=_WARM_EPILOG)
    def warm(as_json: bool = typer.Option(False, "--json", help="Print the seconds of each stage as JSON.")) -> None:
        """Compile every numba function once, so that the first run, crisis or backtest starts in seconds.

        The compiled code is cached beside the installed modules; `make demo` runs this once after install.
        About 40-60 s the first time on two cores, a few seconds once warm.
        """
        from ..warm import warm_caches

        with user_errors():
            times = warm_caches(progress=_progress("", as_json))
        if as_json:
            print_json(times)
            return
        console.print(f"compile caches warm ({sum(times.values()):.1f} s)", highlight=False, soft_wrap=True)

    app.add_typer(maintain, name="maintain")


def _effects_record(path, table: dict, trials: int, seed: int, elapsed_s: float):
    """The typed record of a rebuilt effects table (its inputs: the game and levers files it was built from)."""
    from ..escalation.io import data_path
    from ..hashing import file_sha256
    from ..manifest import make_manifest
    from ..records import EffectsTableSummary

    n = sum(len(v) for v in table["entries"].values())
    inputs = {"game": file_sha256(data_path("game.yaml")), "levers": file_sha256(data_path("levers.yaml"))}
    manifest = make_manifest("rebuild-effects", "raid effects table", seed=seed, samples=trials, unit="trials",
                             inputs=inputs, params=str(table["provenance"].get("engine_params")), elapsed_s=elapsed_s,
                             details={"trials_per_effect": trials})
    return EffectsTableSummary(manifest=manifest, path=str(path), templates=len(table["entries"]), entries=n,
                               provenance=dict(table["provenance"]))


def _fit_record(path, doc: dict, elapsed_s: float):
    """The typed record of a refitted escalation posterior (its inputs: history, priors, compiled model)."""
    from ..manifest import make_manifest
    from ..records import EscalationFitSummary

    d = doc["diagnostics"]
    inputs = {k.removesuffix("_sha256"): v for k, v in doc["inputs"].items() if k.endswith("_sha256")}
    manifest = make_manifest("fit-escalation", "escalation posterior", seed=doc["seed"], samples=len(doc["draws"][next(iter(doc["draws"]))]),
                             unit="draws", inputs=inputs, params=doc["method"], elapsed_s=elapsed_s,
                             details={"calibration_window": doc["calibration_window"]})
    return EscalationFitSummary(manifest=manifest, path=str(path), method=doc["method"], moves=int(doc["moves"]),
                                diagnostics={k: d[k] for k in ("acceptance", "rhat_max", "ess_min")},
                                summary=doc["summary"])
