"""The base of every typed summary: a manifest, the kind's own fields, a one-line headline."""
from __future__ import annotations

from typing import Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from ..manifest import Manifest

__all__ = ["Num", "Record", "RecordError", "Stats", "Interval"]

#: A number that keeps its JSON type (an int stays an int, a float a float).
Num = Union[int, float]


class RecordError(ValueError):
    """A summary does not have the shape of its kind; the message names the kind and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stats(_Frozen):
    """Mean and 5th/50th/95th percentiles over samples."""

    mean: float
    p05: float
    p50: float
    p95: float


class Interval(_Frozen):
    """A probability's mean and 90% interval over parameter uncertainty, with its Monte Carlo error."""

    mean: float
    p05: float
    p95: float
    mc_se: float
    param_sd: float


class Record(_Frozen):
    """A result of one kind of run: the :class:`~redline.manifest.Manifest` and the kind's fields.

    Subclasses set :attr:`kinds` (the manifest kinds they may carry) and implement
    :meth:`headline`. :meth:`to_json` gives the object that ``--json`` prints and the store saves;
    fields named in :attr:`omit_if_none` are left out of it when unset (a crisis without a war
    has no ``days_to_war``).
    """

    kinds: ClassVar[tuple[str, ...]] = ()
    omit_if_none: ClassVar[tuple[str, ...]] = ()

    manifest: Manifest

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        for k in self.omit_if_none:
            if out.get(k, 0) is None:
                del out[k]
        return out

    def model_post_init(self, __context: Any) -> None:
        if self.kinds and self.manifest.kind not in self.kinds:
            raise RecordError(f"{type(self).__name__} carries a manifest of kind {self.manifest.kind!r}; "
                              f"expected {' or '.join(self.kinds)}")

    @property
    def kind(self) -> str:
        return self.manifest.kind

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this result (``--json`` output; what the store saves)."""
        return self.model_dump(mode="json")

    def headline(self) -> str:
        """One line for run listings."""
        raise NotImplementedError
