"""The user data folder: where maintenance commands write what they regenerate.

Rebuilt tables and refitted posteriors (``redline maintain rebuild-effects``,
``redline maintain fit-escalation``) go to a folder the user owns, never into the
installed package. The folder is, first match wins:

1. ``$REDLINE_DATA_HOME`` (the folder itself);
2. ``$XDG_DATA_HOME/redline``, i.e. ``~/.local/share/redline`` when ``XDG_DATA_HOME``
   is unset (the folder that also holds the default run store, see
   :mod:`redline.store.paths`).

An explicit path (``--out PATH``, ``path=`` in Python) wins over both. A path inside
the installed ``redline`` package is refused unless the caller says
``into_package=True`` (``--into-package``), which developers use to regenerate the
shipped data files.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

__all__ = ["ENV_DATA_HOME", "data_home", "user_data_path", "package_root", "inside_package", "output_path"]

ENV_DATA_HOME = "REDLINE_DATA_HOME"


def data_home() -> Path:
    """The user data folder: ``$REDLINE_DATA_HOME``, else ``$XDG_DATA_HOME/redline`` (``~/.local/share/redline``)."""
    own = os.environ.get(ENV_DATA_HOME)
    if own:
        return Path(own).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "redline"


def user_data_path(*parts: str) -> Path:
    """A path inside the user data folder, e.g. ``user_data_path("escalation", "effects.json")``."""
    return data_home().joinpath(*parts)


def package_root() -> Path:
    """The folder of the installed ``redline`` package (``.../site-packages/redline`` or ``src/redline``)."""
    return Path(__file__).resolve().parent


def inside_package(path: str | os.PathLike) -> bool:
    """True when ``path`` (existing or not, symlinks resolved) lies inside the installed package."""
    return Path(path).expanduser().resolve().is_relative_to(package_root())


def output_path(path: str | os.PathLike | None, default: tuple[str, ...], shipped: Path,
                into_package: bool = False, what: str = "file") -> Path:
    """Where a maintenance command writes: the path given, else the user data folder.

    Parameters
    ----------
    path : path-like or None
        The path the user asked for (``--out``); ``None`` for the default.
    default : tuple of str
        Parts of the default path inside the user data folder, e.g. ``("escalation", "effects.json")``.
    shipped : Path
        The shipped file inside the package, written when ``into_package`` is set and no path is given.
    into_package : bool
        Allow writing inside the installed package (developers regenerating shipped data).
    what : str
        What is written, for the error message.

    Raises
    ------
    InputError
        The target lies inside the installed package and ``into_package`` is not set.
    """
    if path is None and into_package:
        return Path(shipped)
    out = Path(path).expanduser() if path is not None else user_data_path(*default)
    if not into_package and inside_package(out):
        raise InputError("<output>", "path", str(out),
                         f"that is inside the installed redline package ({package_root()}); write the {what} "
                         "elsewhere (--out PATH, default the user data folder), or add --into-package to "
                         "overwrite shipped data on purpose (developers)")
    return out
