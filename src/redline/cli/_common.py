"""Helpers shared by CLI commands: error reporting, JSON output, progress."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..errors import RedlineError

console = Console()
err_console = Console(stderr=True)


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
    except (KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""))


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
