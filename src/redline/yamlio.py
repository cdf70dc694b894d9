"""Reading input files at the edge: text, YAML mappings and pydantic field paths.

Every reader of user files (scenarios, catalogs, event files, the escalation
game, campaigns, sweeps, posteriors) goes through these helpers, so a
missing file or a YAML syntax error reads the same everywhere: one line
naming the file, the place and the fix (:class:`redline.errors.InputError`).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError

__all__ = ["read_text", "load_mapping", "field_path"]


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of ``path``; an unreadable file is an :class:`InputError`."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "<file>", None, f"cannot read {what} ({exc.strerror}); check the path") from None


def load_mapping(text: str, file: str, expect: str, allow_empty: bool = False) -> dict:
    """Parse YAML ``text`` that must hold a mapping.

    Parameters
    ----------
    text : str
        The document.
    file : str
        Name used in error messages.
    expect : str
        The fix shown when the document is not a mapping, e.g. "a scenario file
        is a YAML mapping with name, sites and raid".
    allow_empty : bool
        Treat an empty document as an empty mapping.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(file, where, None, f"malformed YAML ({problem}); fix the syntax there") from None
    if raw is None and allow_empty:
        return {}
    if not isinstance(raw, dict):
        raise InputError(file, "<top>", type(raw).__name__, expect)
    return raw


def field_path(loc: tuple) -> str:
    """A pydantic error location as a dotted path, e.g. ``raid[2].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "<top>"
