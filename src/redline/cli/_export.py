"""``--csv DIR``, ``--xlsx FILE`` and ``--force``: the data-out options of run, campaign, crisis, compare and diff.

The tables are those of :func:`redline.frames.tables`; the command prints its usual output first,
then writes the files and names them on stderr.
"""
from __future__ import annotations

from typing import Any, Optional

import typer

from ._common import err_console, fail

__all__ = ["csv_option", "export_after", "force_option", "xlsx_option"]

CSV_HELP = ("Also write the result's tables as .csv files directly in this folder (created if missing; "
            "refused if it already holds .csv files, unless --force).")
XLSX_HELP = "Also write the result's tables to this Excel workbook, one sheet per table (needs openpyxl)."
FORCE_HELP = "With --csv or --xlsx: overwrite existing files of the same names."


def csv_option() -> Any:
    return typer.Option(None, "--csv", help=CSV_HELP, show_default=False, metavar="DIR")


def xlsx_option() -> Any:
    return typer.Option(None, "--xlsx", help=XLSX_HELP, show_default=False, metavar="FILE")


def force_option() -> Any:
    return typer.Option(False, "--force", help=FORCE_HELP)


def check_export(csv: Optional[str], xlsx: Optional[str], force: bool) -> None:
    """Refuse before the run what would be refused after it (existing files, a wrong suffix)."""
    from pathlib import Path

    if xlsx is not None:
        p = Path(xlsx)
        if p.suffix.lower() != ".xlsx":
            fail(f"--xlsx {xlsx}: give a file name ending in .xlsx")
        if p.exists() and not force:
            fail(f"--xlsx {xlsx}: the file exists; use another name or --force")
    if csv is not None:
        from ..frames import ExportError, check_csv_dir

        try:
            check_csv_dir(csv, force)
        except ExportError as exc:
            fail(str(exc))


def export_after(obj: Any, csv: Optional[str], xlsx: Optional[str], force: bool) -> None:
    """Write ``obj``'s tables where asked; one error line and exit 2 if that fails."""
    if csv is None and xlsx is None:
        return
    from ..frames import ExportError, tables, write_csv, write_xlsx

    try:
        tabs = tables(obj)
        if csv is not None:
            paths = write_csv(tabs, csv, force=force)
            err_console.print(f"wrote {len(paths)} .csv files in {csv}: {', '.join(p.name for p in paths)}", highlight=False)
        if xlsx is not None:
            out = write_xlsx(tabs, xlsx, force=force)
            err_console.print(f"wrote {out} ({len(tabs)} sheets)", highlight=False, soft_wrap=True)
    except ExportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"could not write the tables: {exc}")
