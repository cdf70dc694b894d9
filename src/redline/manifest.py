"""The one manifest every result carries, whatever kind of run produced it.

Every ``--json`` output, stored run and report names where it came from with the same fields:
what kind of run it was, the Redline version, when it was made, what was run (``subject``), the
seed, how many samples it drew and of what (trials, paths, points, draws), the SHA-256 of each
input, the parameter set, and the wall time. Anything that only one kind of run has (an engine
name, a number of posterior draws, a sweep point's values) goes under ``details``.

``created`` and ``elapsed_s`` are the only fields that change between two runs of the same input
and seed; :meth:`Manifest.reproducible` leaves them out for comparisons.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._version import __version__

__all__ = ["KINDS", "UNITS", "Kind", "Manifest", "Samples", "make_manifest"]

Kind = Literal["run", "campaign", "crisis", "compare", "validate", "backtest", "sweep", "sweep-point", "calibrate",
               "rebuild-effects", "fit-escalation", "diff"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

Unit = Literal["trials", "paths", "points", "draws", "moves", "observations"]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]

#: Fields that differ between two runs of the same input and seed.
VOLATILE = ("created", "elapsed_s")


class Samples(BaseModel):
    """How many Monte Carlo samples a run drew, and what one sample is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(ge=0)
    unit: Unit


class Manifest(BaseModel):
    """Where a result came from: the same fields for every kind of run.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    version : str
        The Redline version that produced the result.
    created : str
        When the result was made, ISO 8601 in UTC to the second.
    subject : str
        What was run: a scenario name, a start state, an events or moves file, a sweep name.
    seed : int or None
        The root seed (None where the run draws no random numbers).
    samples : Samples
        Number of samples and their unit.
    inputs : dict of str to str
        SHA-256 (hex) of each input, by role (``scenario``, ``campaign``, ``params``, ``model``,
        ``moves``, ``events``, ``spec``...).
    params : str or None
        Label of the parameter set (``posterior:april-2024``, ``prior``...).
    elapsed_s : float or None
        Wall time [s].
    details : dict
        Fields specific to one kind of run.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind
    version: str
    created: str
    subject: str
    seed: int | None
    samples: Samples
    inputs: dict[str, str] = Field(default_factory=dict)
    params: str | None = None
    elapsed_s: float | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    def reproducible(self) -> dict[str, Any]:
        """The manifest as JSON data without the fields that change from run to run."""
        return self.model_dump(mode="json", exclude=set(VOLATILE))

    def replace(self, **changes: Any) -> "Manifest":
        """A copy with some fields changed (validated)."""
        return Manifest.model_validate({**self.model_dump(), **changes})


def now_utc() -> str:
    """The current time, ISO 8601 in UTC to the second (the only clock read for manifests)."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def make_manifest(kind: str, subject: str, *, seed: int | None, samples: int, unit: str,
                  inputs: dict[str, str] | None = None, params: str | None = None,
                  elapsed_s: float | None = None, details: dict[str, Any] | None = None,
                  created: str | None = None) -> Manifest:
    """Build a :class:`Manifest` with the current version and time filled in."""
    return Manifest(kind=kind, version=__version__, created=created or now_utc(), subject=str(subject),  # type: ignore[arg-type]
                    seed=None if seed is None else int(seed), samples=Samples(count=int(samples), unit=unit),  # type: ignore[arg-type]
                    inputs=dict(inputs or {}), params=params,
                    elapsed_s=None if elapsed_s is None else round(float(elapsed_s), 3), details=dict(details or {}))
