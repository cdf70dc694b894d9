"""The catalog of threat, interceptor and sensor types, with sources.

Every number in the shipped catalog is a :class:`Quantity`: a best value,
optionally a range, the source keys it was read from (see
``docs/sources.md``) and a confidence tag:

``W`` well sourced, ``S`` single source, ``E`` estimate, ``C`` belligerent
claim, ``D`` disputed, ``assumption`` no public figure found (then a range
and a one-line reason are required), ``derived`` computed from sourced
figures (the note says how).

Friendly units are used in the file (km, km/h, min); the field names say
which. Conversion to SI happens once, in :mod:`redline.scenario`.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from .errors import InputError
from .yamlio import field_path as _field_path
from .yamlio import load_mapping, read_text

__all__ = [
    "Quantity",
    "ThreatType",
    "InterceptorType",
    "SensorType",
    "Catalog",
    "load_catalog",
    "THREAT_CLASSES",
]

ThreatClass = Literal["drone", "cruise", "ballistic"]
THREAT_CLASSES: tuple[ThreatClass, ...] = ("drone", "cruise", "ballistic")
Confidence = Literal["W", "S", "E", "C", "D", "assumption", "derived"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # every figure is finite


class Quantity(_Frozen):
    """A sourced number: best value, range, sources, confidence."""

    value: float
    range: tuple[float, float] | None = None
    source: str | None = None
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "Quantity":
        if self.range is not None:
            lo, hi = self.range
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        if self.confidence == "assumption":
            if self.range is None or not self.note:
                raise ValueError("an assumption needs a range and a one-line note giving the reason")
        elif self.confidence != "derived" and not self.source:
            raise ValueError("a sourced quantity needs source keys such as '[A09]'")
        return self

    @property
    def low(self) -> float:
        return self.range[0] if self.range else self.value

    @property
    def high(self) -> float:
        return self.range[1] if self.range else self.value


def _bounded(q: Quantity | None, what: str, low: float, high: float | None = None, low_open: bool = False) -> None:
    """Raise ``ValueError`` unless the value and range of ``q`` lie in ``[low, high]`` (``(low, ...`` if ``low_open``)."""
    if q is None:
        return
    for x in (q.value, *(q.range or ())):
        if (x <= low if low_open else x < low) or (high is not None and x > high):
            where = (f"[{low:g}, {high:g}]" if not low_open else f"({low:g}, {high:g}]") if high is not None else \
                (f"above {low:g}" if low_open else f"at least {low:g}")
            got = f"range {list(q.range)}" if q.range is not None and x != q.value else f"value {q.value}"
            raise ValueError(f"{what} must be {'in ' if high is not None else ''}{where}, got {got}")


_BOUNDS: dict[str, tuple[float, float | None, bool]] = {
    # field -> (low, high or None, low excluded); fields not listed are >= 0
    "reliability": (0.0, 1.0, False), "boost_failure_share": (0.0, 1.0, False), "pd": (0.0, 1.0, False),
    "manoeuvre_pk_factor": (0.0, 1.0, False),
    "range_km": (0.0, None, True), "speed_kmh": (0.0, None, True), "flyout_speed_mps": (0.0, None, True),
}


def _ordered(a: Quantity, b: Quantity, what: str) -> None:
    if a.value > b.value:
        raise ValueError(f"{what}: the minimum ({a.value}) is above the maximum ({b.value}); swap them")


class Submunitions(_Frozen):
    """A cluster warhead: ``count`` submunitions spread over a circle of ``footprint_radius_km``."""

    count: Quantity
    footprint_radius_km: Quantity


class ThreatType(_Frozen):
    """An attacking weapon type (drone, cruise or ballistic missile)."""

    name: str
    klass: Literal["drone", "cruise", "ballistic"] = Field(alias="class")
    manoeuvring: bool = False
    speed_kmh: Quantity | None = None          # drone, cruise: mean ground speed
    altitude_m: Quantity | None = None         # drone, cruise: cruise altitude
    range_km: Quantity
    reliability: Quantity                      # P(launch and flight succeed)
    cep_m: Quantity
    warhead_kg: Quantity
    cost_usd: Quantity
    boost_s: Quantity | None = None            # ballistic: boost-phase duration
    boost_failure_share: Quantity | None = None  # ballistic: share of failures during boost
    manoeuvre_pk_factor: Quantity | None = None  # multiplier on every single-shot Pk against this threat
    submunitions: Submunitions | None = None     # cluster warhead
    description: str = ""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> "ThreatType":
        if self.klass in ("drone", "cruise") and (self.speed_kmh is None or self.altitude_m is None):
            raise ValueError(f"a {self.klass} needs speed_kmh and altitude_m")
        if self.klass == "ballistic" and self.boost_s is None:
            raise ValueError("a ballistic missile needs boost_s (boost-phase duration)")
        return self

    @field_validator("reliability", "boost_failure_share", "range_km", "speed_kmh", "altitude_m", "cep_m",
                     "warhead_kg", "cost_usd", "boost_s", "manoeuvre_pk_factor")
    @classmethod
    def _bounds(cls, q: Quantity | None, info: ValidationInfo) -> Quantity | None:
        _bounded(q, str(info.field_name), *_BOUNDS.get(str(info.field_name), (0.0, None, False)))
        return q


class InterceptorType(_Frozen):
    """A defensive weapon: a surface-to-air interceptor or a fighter's air-to-air load."""

    name: str
    layer: Literal["exo", "upper_endo", "middle", "lower", "naval", "air_to_air"]
    min_range_km: Quantity
    max_range_km: Quantity
    min_alt_km: Quantity
    max_alt_km: Quantity
    flyout_speed_mps: Quantity
    pk: dict[Literal["drone", "cruise", "ballistic"], Quantity]
    cost_usd: Quantity
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> "InterceptorType":
        missing = [c for c in THREAT_CLASSES if c not in self.pk]
        if missing:
            raise ValueError(f"pk lacks classes {missing}; give 0 for classes it cannot engage")
        _ordered(self.min_range_km, self.max_range_km, "min_range_km and max_range_km")
        _ordered(self.min_alt_km, self.max_alt_km, "min_alt_km and max_alt_km")
        return self

    @field_validator("pk")
    @classmethod
    def _pk(cls, pk: dict[str, Quantity]) -> dict[str, Quantity]:
        for klass, q in pk.items():
            _bounded(q, f"pk of {klass} (a probability)", 0.0, 1.0)
        return pk

    @field_validator("min_range_km", "max_range_km", "min_alt_km", "max_alt_km", "cost_usd", "flyout_speed_mps")
    @classmethod
    def _bounds(cls, q: Quantity, info: ValidationInfo) -> Quantity:
        _bounded(q, str(info.field_name), *_BOUNDS.get(str(info.field_name), (0.0, None, False)))
        return q


class SensorType(_Frozen):
    """A sensor type: radar, airborne early warning or space-based launch warning."""

    name: str
    kind: Literal["ground_radar", "ship_radar", "aew", "space"]
    range_km: Quantity
    antenna_height_m: Quantity
    pd: Quantity                                 # per-threat detection probability
    latency_s: Quantity                          # detection to usable track
    detects: tuple[Literal["drone", "cruise", "ballistic"], ...]
    description: str = ""

    @field_validator("pd", "range_km", "antenna_height_m", "latency_s")
    @classmethod
    def _bounds(cls, q: Quantity, info: ValidationInfo) -> Quantity:
        _bounded(q, str(info.field_name), *_BOUNDS.get(str(info.field_name), (0.0, None, False)))
        return q


class Catalog(_Frozen):
    """All types known to a run, by id."""

    threats: dict[str, ThreatType]
    interceptors: dict[str, InterceptorType]
    sensors: dict[str, SensorType]

    def merged(self, other: "Catalog") -> "Catalog":
        """Return this catalog with ``other``'s entries added or replacing ours."""
        return Catalog(
            threats={**self.threats, **other.threats},
            interceptors={**self.interceptors, **other.interceptors},
            sensors={**self.sensors, **other.sensors},
        )

    def entry(self, key: str) -> ThreatType | InterceptorType | SensorType:
        for table in (self.threats, self.interceptors, self.sensors):
            if key in table:
                return table[key]
        known = sorted([*self.threats, *self.interceptors, *self.sensors])
        raise KeyError(f"unknown catalog entry {key!r}; known: {', '.join(known)}")


def parse_catalog(text: str, file: str = "<string>") -> Catalog:
    """Build a :class:`Catalog` from YAML text (keys ``threats``, ``interceptors``, ``sensors``)."""
    raw = load_mapping(text, file, "a catalog is a mapping with threats, interceptors, sensors", allow_empty=True)
    raw = {k: raw.get(k) or {} for k in ("threats", "interceptors", "sensors")}
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        fix = err["msg"].removeprefix("Value error, ")
        raise InputError(file, _field_path(err["loc"]), err.get("input"), f"{fix}; correct the catalog entry") from None


@lru_cache(maxsize=1)
def _builtin() -> Catalog:
    root = resources.files("redline") / "data" / "catalog"
    cat = Catalog(threats={}, interceptors={}, sensors={})
    for name in sorted(p.name for p in root.iterdir() if p.name.endswith(".yaml")):
        cat = cat.merged(parse_catalog((root / name).read_text(encoding="utf-8"), f"catalog/{name}"))
    return cat


def load_catalog(*overrides: Path | str) -> Catalog:
    """Return the shipped catalog, with entries from user files added or replacing ours."""
    cat = _builtin()
    for path in overrides:
        cat = cat.merged(parse_catalog(read_text(path, "catalog file"), str(path)))
    return cat
