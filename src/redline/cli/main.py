"""The `redline` command. Each command group lives in its own module with a
``register(app)`` function; this module only assembles them."""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Redline: strikes against layered air and missile defence, and the escalation they feed.")

# Command modules, in help order; each has a ``register(app)``.
_COMMAND_MODULES = ("run", "calibration", "crisis", "store", "report", "web", "sweep", "campaign", "maintain")


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(f"redline.cli.{name}").register(app)


_register_all()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True)) -> None:
    if version:
        from .. import __version__
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
