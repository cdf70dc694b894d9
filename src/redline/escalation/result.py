"""Typed results of ``run_crisis`` and ``compare_policies``: the records, with data out and displays.

:class:`CrisisResult` and :class:`CompareResult` are the typed records
(:class:`~redline.records.CrisisSummary`, :class:`~redline.records.CompareSummary`) with a few
methods more: ``to_frame()`` (one long pandas table), ``tables()`` (named tables for CSV and
Excel), ``to_csv(dir)``, ``to_xlsx(file)``, a short ``repr`` and ``_repr_html_``. They compare
equal to the plain record with the same content (a stored run read back is a plain record), and
``result["p_regional_war"]`` still gives the JSON value, as the dicts of earlier versions did.
"""
from __future__ import annotations

from typing import Any, ClassVar

from ..records import CompareSummary, CrisisSummary

__all__ = ["CompareResult", "CrisisResult"]


class _DataOut:
    """Shared methods; the record's fields come from the pydantic base."""

    frame_function: ClassVar[str] = ""
    html_tables: ClassVar[tuple[str, ...]] = ()
    repr_hint: ClassVar[str] = "to_frame(), tables(), to_csv(dir), to_xlsx(file), to_json()"

    @classmethod
    def of(cls, record):
        """The result object of a plain record (for example one read back from the run store)."""
        return cls.model_validate(record.model_dump())  # type: ignore[attr-defined]

    def to_frame(self):
        from .. import frames

        return getattr(frames, self.frame_function)(self)

    def tables(self) -> dict:
        from ..frames import tables

        return tables(self)

    def to_csv(self, directory, force: bool = False) -> list:
        from ..frames import write_csv

        return write_csv(self.tables(), directory, force=force)

    def to_xlsx(self, path):
        from ..frames import write_xlsx

        return write_xlsx(self.tables(), path)

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        base = type(self).__mro__[2]            # CrisisSummary or CompareSummary
        if isinstance(other, base):
            return self.model_dump() == other.model_dump()  # type: ignore[attr-defined]
        return NotImplemented

    def __repr__(self) -> str:
        from ..frames import short_repr

        return short_repr(self, self.repr_hint)

    def _repr_html_(self) -> str:
        from ..frames import html_repr

        return html_repr(self, show=self.html_tables)


class CrisisResult(_DataOut, CrisisSummary):
    """What :func:`~redline.escalation.run_crisis` returns: a :class:`~redline.records.CrisisSummary`
    with ``to_frame()`` (:func:`redline.frames.crisis_frame`) and the data-out methods."""

    frame_function: ClassVar[str] = "crisis_frame"
    html_tables: ClassVar[tuple[str, ...]] = ("outcomes", "top_paths", "interceptors_used")
    __hash__ = CrisisSummary.__hash__


class CompareResult(_DataOut, CompareSummary):
    """What :func:`~redline.escalation.compare_policies` returns: a :class:`~redline.records.CompareSummary`
    with ``to_frame()`` (:func:`redline.frames.compare_frame`) and the data-out methods."""

    frame_function: ClassVar[str] = "compare_frame"
    html_tables: ClassVar[tuple[str, ...]] = ("policies",)
    __hash__ = CompareSummary.__hash__
