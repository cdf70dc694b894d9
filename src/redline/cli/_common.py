"""Helpers shared by CLI commands: error reporting, JSON output, progress, the run store's options."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

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


@contextmanager
def progress_bar(total: int, label: str, enabled: bool = True):
    """A rich progress bar; yields a callback taking the number of items done."""
    if not enabled or not sys.stderr.isatty():
        yield lambda done: None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True) as prog:
        task = prog.add_task(label, total=total)
        yield lambda done: prog.update(task, completed=done)


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
    from ..store import StoreError, maybe_store, resolve_store_path

    try:
        run_id = maybe_store(result_or_record, store, no_store)
    except (StoreError, OSError) as exc:
        fail(f"results were not saved: {exc}", code=1)
        return None
    if run_id is not None:
        err_console.print(f"saved as run [bold]{run_id}[/] in {resolve_store_path(store)}", highlight=False)
    return run_id
