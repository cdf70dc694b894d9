"""Helpers shared by CLI commands: error reporting, JSON output, progress, tables, the run store's options."""
from __future__ import annotations

import json
import re
import sys
import textwrap
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..errors import RedlineError

console = Console()
err_console = Console(stderr=True)

STORE_HELP = ("Run store (DuckDB file). Default: $REDLINE_STORE, else ~/.local/share/redline/runs.duckdb "
              "(or $XDG_DATA_HOME/redline/runs.duckdb).")
NO_STORE_HELP = "Do not save this run in the run store (also: REDLINE_NO_STORE=1)."


def fail(message: str, code: int = 2) -> None:
    """Print one line to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn Redline's input errors into one-line messages and exit code 2."""
    try:
        yield
    except RedlineError as exc:
        fail(str(exc))
    except KeyError as exc:  # str() of a KeyError is the repr of its message: show the message
        fail(str(exc.args[0]) if exc.args else str(exc))
    except ValueError as exc:
        fail(str(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=False, default=float) + "\n")


def stderr_is_tty() -> bool:
    """Whether stderr is a terminal (progress is shown only then)."""
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int | None, label: str, enabled: bool = True):
    """A rich progress bar on stderr, only when it is a terminal; yields a callback taking the number of items done.

    With ``total=None`` the work has no count (one long call): a spinner with the elapsed time.
    The callback may also give a corrected total (``cb(done, total)``).
    """
    if not enabled or not stderr_is_tty():
        yield lambda done, total=None: None
        return
    if total is None:
        columns: tuple = (SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn())
    else:
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                   TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as prog:
        task = prog.add_task(label, total=total)
        yield lambda done, total=None: prog.update(task, completed=done, total=total)


def print_table(table: Table, con: Console | None = None) -> None:
    """Print a rich table without ever cutting a number, whatever the width.

    Right-aligned columns hold numbers: they never wrap. If the table does not fit the console,
    the interval of each ``mean  [low–high]`` cell goes on its own line; if it still does not
    fit, the table is printed wider than the console (a terminal wraps the long lines, a pipe
    keeps them) rather than cut. Other columns (names) may wrap.
    """
    con = con or console
    nums = [c for c in table.columns if c.justify == "right"]
    if not nums:
        con.print(table)
        return
    opts = con.options

    def widest(c) -> int:
        return max((Measurement.get(con, opts, cell).maximum for cell in c.cells), default=0)

    def words(c) -> int:
        return max((Measurement.get(con, opts, cell).minimum for cell in c.cells), default=0)

    pad = table.padding[1] + table.padding[3] if len(table.padding) == 4 else 2
    n = len(table.columns)
    overhead = n * pad + ((n - 1) + (2 if table.show_edge else 0) if table.box else 0)
    labels = sum(min(words(c), 12) for c in table.columns if c not in nums)

    def need() -> int:
        return overhead + labels + sum(max(widest(c), _longest_word(c.header)) for c in nums)

    if overhead + labels + sum(widest(c) for c in nums) > con.width:
        for c in nums:   # the interval on a line of its own
            c._cells = [_split_interval(cell) for cell in c.cells]
    for c in nums:
        c.no_wrap = True
        if isinstance(c.header, str):
            c.header = _wrap_header(c.header, widest(c))
    total = need()
    if total > con.width:   # wider than the console (rich would cut it to fit): a console as wide as the table
        wide = Console(file=con.file, width=total, force_terminal=con.is_terminal, no_color=con.no_color,
                       color_system=None if con.color_system is None else "auto")
        wide.print(table, crop=False)
    else:
        con.print(table)


_INTERVAL = re.compile(r"^(\S+)\s+(\[.*\])$")


def _split_interval(cell: Any) -> Any:
    if isinstance(cell, str) and "\n" not in cell:
        m = _INTERVAL.match(cell.strip())
        if m:
            return f"{m.group(1)}\n{m.group(2)}"
    return cell


def _longest_word(text: Any) -> int:
    return max((len(w) for w in str(text).split()), default=0)


def _wrap_header(header: str, width: int) -> str:
    """A numeric column's header wrapped at spaces to the width of its numbers (never narrower than a word)."""
    width = max(width, _longest_word(header))
    return textwrap.fill(header, width=width, break_long_words=False) if len(header) > width else header


def store_option() -> Any:
    """The ``--store PATH`` option, for commands that save runs."""
    return typer.Option(None, "--store", help=STORE_HELP, show_default=False)


def no_store_option() -> Any:
    """The ``--no-store`` flag, for commands that save runs."""
    return typer.Option(False, "--no-store", help=NO_STORE_HELP)


def save_after(result_or_record: Any, store: Optional[str], no_store: bool) -> Optional[str]:
    """Save a finished command's result (a ``Result`` or a typed record); say where on stderr.
    Exit 1 with a message if saving fails.

    Call it after printing the results, so a store problem never hides them::

        run_id = save_after(res, store, no_store)
    """
    if no_store:          # what maybe_store returns for it, without importing the store (DuckDB, Arrow)
        return None
    from ..store import StoreError, maybe_store, resolve_store_path

    try:
        run_id = maybe_store(result_or_record, store, no_store)
    except (StoreError, OSError) as exc:
        fail(f"results were not saved: {exc}", code=1)
        return None
    if run_id is not None:
        err_console.print(f"saved as run [bold]{run_id}[/] in {resolve_store_path(store)}", highlight=False)
    return run_id


# ---- options that several commands share (each command gives its own help where the meaning differs)
ENGINE_HELP = "fast (numba) or reference (plain event loop)."
WORKERS_HELP = "Threads; results do not depend on it."
JSON_HELP = "Print one JSON object instead of tables."
PARAMS_HELP = "default (calibrated if shipped), prior (catalog values)."


def trials_option(help: str) -> Any:
    """``--trials/-n N`` (default: none given, the command's own default applies)."""
    return typer.Option(None, "--trials", "-n", help=help)


def seed_option(help: str) -> Any:
    """``--seed/-s N`` (default: none given, the command's own default applies)."""
    return typer.Option(None, "--seed", "-s", help=help)


def engine_option() -> Any:
    """``--engine fast|reference``, checked by :func:`check_engine`."""
    return typer.Option("fast", "--engine", help=ENGINE_HELP)


def params_option(help: str = PARAMS_HELP) -> Any:
    """``--params NAME``, default ``default`` (each command checks the names it takes)."""
    return typer.Option("default", "--params", help=help)


def workers_option() -> Any:
    """``--workers N``: threads of one engine run."""
    return typer.Option(None, "--workers", help=WORKERS_HELP)


def json_option(help: str = JSON_HELP) -> Any:
    """``--json``: one JSON object on stdout instead of tables."""
    return typer.Option(False, "--json", help=help)


def check_at_least_one(option: str, value: Optional[int]) -> None:
    """Exit 2 with one line when a count option is given below 1 (``None``: not given, fine)."""
    if value is not None and value < 1:
        fail(f"{option} = {value}: must be at least 1")


def check_engine(engine: str) -> None:
    """Exit 2 with one line unless ``engine`` is fast or reference."""
    if engine not in ("fast", "reference"):
        fail(f"--engine = {engine!r}: choose fast or reference")
