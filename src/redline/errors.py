"""Error types raised at Redline's input boundary.

Every error names the file, the field, the offending value and the fix, in
one line, so that a user can correct the input without reading code.
"""
from __future__ import annotations

from typing import Any

__all__ = ["RedlineError", "InputError"]


class RedlineError(ValueError):
    """Base class of Redline's own errors (a ``ValueError``)."""


class InputError(RedlineError):
    """A scenario, catalog or event file that cannot be used as written.

    Parameters
    ----------
    file : str
        Path or built-in name of the file ("<string>" for text).
    field : str
        Dotted path of the offending field, e.g. ``raid.salvos[2].count``.
    value : Any
        The offending value (``None`` when the field is missing).
    fix : str
        What the user should do instead.
    """

    def __init__(self, file: str, field: str, value: Any, fix: str):
        self.file = str(file)
        self.field = field
        self.value = value
        self.fix = fix
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        if field == "<file>" and value in (None, self.file):  # the file itself: no field or value to show
            super().__init__(f"{self.file}: {fix}")
        elif self.file == f"<{field}>":  # an option, not a file (e.g. "<policy>"): no file to name
            super().__init__(f"{field} = {shown}: {fix}")
        else:
            super().__init__(f"{self.file}: {field} = {shown}: {fix}")
