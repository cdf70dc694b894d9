"""The `redline` command. Each command group lives in its own module with a
``register(app)`` function; this module only assembles them."""
from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Redline: strikes against layered air and missile defence, and the escalation they feed.")

# Command modules, in help order; each has a ``register(app)``.
_COMMAND_MODULES = ("run", "diff", "calibration", "scoreboard", "crisis", "store", "report", "web", "sweep", "campaign", "maintain",
                    "schema")


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(f"redline.cli.{name}").register(app)


_register_all()
importlib.import_module("redline.cli.examples").add_examples(app)   # an example in every --help


def _print_version(value: bool) -> None:
    # An option callback runs while the arguments are parsed, before click checks for a command,
    # so `redline --version` prints the version instead of "Missing command.".
    if value:
        from .. import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_print_version, expose_value=False),
) -> None:
    """Redline: strikes against layered air and missile defence, and the escalation they feed."""


def main() -> None:
    """Run the command, then exit without the interpreter's teardown.

    Every ``atexit`` handler runs and the output is flushed, as at a normal exit; only the final
    collection of the modules' objects is skipped, which after ``redline run`` (numba, pydantic,
    numpy) costs 0.2-0.5 s of CPU and does nothing the command needs (issue 14: start-up). When
    another non-daemon thread is still alive, Python's own exit waits for it as usual.

    The cyclic garbage collector runs every 10,000 net allocations instead of 700: a command imports
    numba, pydantic's models and the catalog, hundreds of thousands of objects that all live to the
    end, and the default collected them young ~340 times (~30 of them the middle generation), 0.13-0.18 s
    of CPU of a 1,000-trial run, for garbage it did not find. Reference counting frees everything
    else as before; only cycles wait a little longer (issue 14: start-up).
    """
    gc.set_threshold(10_000, 10, 10)
    try:
        app()
        code: str | int | None = 0
    except SystemExit as exc:                  # typer (click) always ends with SystemExit
        code = exc.code
    _exit(code)


def _exit(code: str | int | None) -> None:
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):            # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:                    # e.g. `redline runs | head`: the reader left, as Python's exit would
        code = code or 120
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
