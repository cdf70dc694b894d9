"""The `redline` command. Each command group lives in its own module with a
``register(app)`` function; this module only assembles them."""
from __future__ import annotations

import importlib

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
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
