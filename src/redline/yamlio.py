"""Reading input files at the edge: text, YAML documents and pydantic field paths.

Every YAML document Redline reads (scenarios, catalogs, event files, the escalation
game and its priors, campaigns, sweeps, web uploads, the titles of built-in files)
is parsed by :func:`parse_yaml`, the one choke point: a missing file or a YAML
syntax error reads the same everywhere, one line naming the file, the place and the
fix (:class:`redline.errors.InputError`), and limits on what a document may hold
belong here and nowhere else.

The parser is PyYAML's libyaml-backed ``CSafeLoader`` (safe tags only), with the
pure-Python ``SafeLoader`` as a fallback when PyYAML was built without libyaml. Both
share the resolver and the constructor, so they build the same Python objects from
the same document (a test checks this for every shipped YAML file); only the
wording and the position of some syntax-error messages differ.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

__all__ = ["LOADER", "read_text", "parse_yaml", "load_mapping", "field_path"]

#: The loader class every read uses: libyaml's safe loader when compiled in.
LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of ``path``; an unreadable file is an :class:`InputError`."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "<file>", None, f"cannot read {what} ({exc.strerror}); check the path") from None


def parse_yaml(text: str, file: str = "<string>") -> Any:
    """Parse one YAML document with the safe loader; the only YAML reader in Redline.

    Parameters
    ----------
    text : str
        The document.
    file : str
        Name used in error messages.

    Returns
    -------
    Any
        The document's value (``None`` for an empty document).

    Raises
    ------
    InputError
        The document is not valid YAML; the field names the line and column.
    """
    try:
        return yaml.load(text, Loader=LOADER)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(file, where, None, f"malformed YAML ({problem}); fix the syntax there") from None


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
    raw = parse_yaml(text, file)
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
