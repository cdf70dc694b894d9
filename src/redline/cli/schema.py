"""`redline schema`: the JSON Schema of an input file kind, generated from its model."""
from __future__ import annotations

from typing import Optional

import typer

from ._common import fail

_EPILOG = """\
Examples:

  redline schema scenario                         (print the scenario file's JSON Schema)

  redline schema sweep --out sweep.schema.json

Name the schema in a scenario file for completion in editors with the YAML language server:

  # yaml-language-server: $schema=scenario.schema.json

The same schemas ship in redline/data/schemas/ (docs/scenarios.md).
"""


def register(app: typer.Typer) -> None:
    @app.command(epilog=_EPILOG)
    def schema(
        kind: str = typer.Argument(..., help="scenario, campaign (the campaign: block), events, moves or sweep."),
        out: Optional[str] = typer.Option(None, "--out", "-o", help="Write the schema to this file instead of printing it."),
    ) -> None:
        """Print the JSON Schema of a file Redline reads (scenario, campaign, events, moves, sweep)."""
        from pathlib import Path

        from ..scenario.reference import SCHEMA_KINDS, schema_text

        if kind not in SCHEMA_KINDS:
            fail(f"schema {kind!r}: unknown kind; use one of {', '.join(SCHEMA_KINDS)}")
        text = schema_text(kind)
        if out is None:
            typer.echo(text, nl=False)
            return
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"--out {out}: cannot write the schema ({exc.strerror or exc}); give a writable path")
        typer.echo(f"wrote {out}", err=True)
