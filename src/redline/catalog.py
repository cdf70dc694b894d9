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
    "Submunitions",
    "AircraftType",
    "Catalog",
    "load_catalog",
    "reference_markdown",
    "THREAT_CLASSES",
]

ThreatClass = Literal["drone", "cruise", "ballistic", "rocket"]
THREAT_CLASSES: tuple[ThreatClass, ...] = ("drone", "cruise", "ballistic", "rocket")
"""Threat classes in their fixed order. ``rocket`` is an unguided artillery rocket: it flies the
same ballistic (Keplerian, drag-free) profile as a ballistic missile, so it needs ``boost_s``."""
BALLISTIC_CLASSES: tuple[ThreatClass, ...] = ("ballistic", "rocket")
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
# fields of nested or new tables (submunitions, aircraft); a factor of 0 would make a threat invulnerable
_BOUNDS_NEW: dict[str, tuple[float, float | None, bool]] = {
    "manoeuvre_pk_factor": (0.0, 1.0, True), "count": (1.0, None, False), "footprint_radius_km": (0.0, None, True),
    "combat_radius_km": (0.0, None, True),
}


def _ordered(a: Quantity, b: Quantity, what: str) -> None:
    if a.value > b.value:
        raise ValueError(f"{what}: the minimum ({a.value}) is above the maximum ({b.value}); swap them")


class Submunitions(_Frozen):
    """A cluster warhead: ``count`` submunitions spread over a circle of ``footprint_radius_km``."""

    count: Quantity
    footprint_radius_km: Quantity


class ThreatType(_Frozen):
    """An attacking weapon type (drone, cruise or ballistic missile, or unguided rocket)."""

    name: str
    klass: ThreatClass = Field(alias="class")
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
        if self.klass in BALLISTIC_CLASSES and self.boost_s is None:
            what = "a ballistic missile" if self.klass == "ballistic" else "a rocket (it flies a ballistic profile)"
            raise ValueError(f"{what} needs boost_s (boost-phase duration)")
        if self.manoeuvring and self.manoeuvre_pk_factor is None:
            raise ValueError("manoeuvring: true needs manoeuvre_pk_factor, a multiplier in (0, 1] on single-shot Pk "
                             "(an assumption with a range if no public figure exists)")
        if not self.manoeuvring and self.manoeuvre_pk_factor is not None:
            raise ValueError("manoeuvre_pk_factor applies only to manoeuvring threats; set manoeuvring: true or remove it")
        return self

    @field_validator("reliability", "boost_failure_share", "range_km", "speed_kmh", "altitude_m", "cep_m",
                     "warhead_kg", "cost_usd", "boost_s", "manoeuvre_pk_factor")
    @classmethod
    def _bounds(cls, q: Quantity | None, info: ValidationInfo) -> Quantity | None:
        name = str(info.field_name)
        _bounded(q, name, *_BOUNDS_NEW.get(name, _BOUNDS.get(name, (0.0, None, False))))
        return q

    @field_validator("submunitions")
    @classmethod
    def _submunitions(cls, sub: Submunitions | None) -> Submunitions | None:
        if sub is not None:
            _bounded(sub.count, "submunitions.count", *_BOUNDS_NEW["count"])
            _bounded(sub.footprint_radius_km, "submunitions.footprint_radius_km", *_BOUNDS_NEW["footprint_radius_km"])
        return sub


class InterceptorType(_Frozen):
    """A defensive weapon: a surface-to-air interceptor or a fighter's air-to-air load."""

    name: str
    layer: Literal["exo", "upper_endo", "middle", "lower", "naval", "air_to_air"]
    min_range_km: Quantity
    max_range_km: Quantity
    min_alt_km: Quantity
    max_alt_km: Quantity
    flyout_speed_mps: Quantity
    pk: dict[ThreatClass, Quantity]
    cost_usd: Quantity
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> "InterceptorType":
        _ordered(self.min_range_km, self.max_range_km, "min_range_km and max_range_km")
        _ordered(self.min_alt_km, self.max_alt_km, "min_alt_km and max_alt_km")
        return self

    @field_validator("pk")
    @classmethod
    def _pk(cls, pk: dict[str, Quantity]) -> dict[str, Quantity]:
        missing = [c for c in THREAT_CLASSES if c not in pk]
        if missing:
            raise ValueError(f"pk lacks classes {missing}; give 0 for classes it cannot engage "
                             f"(pk needs all of {', '.join(THREAT_CLASSES)})")
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
    detects: tuple[ThreatClass, ...]
    description: str = ""

    @field_validator("pd", "range_km", "antenna_height_m", "latency_s")
    @classmethod
    def _bounds(cls, q: Quantity, info: ValidationInfo) -> Quantity:
        _bounded(q, str(info.field_name), *_BOUNDS.get(str(info.field_name), (0.0, None, False)))
        return q


class AircraftType(_Frozen):
    """A strike aircraft type: its reach and the catalog threats (weapons) it can carry."""

    name: str
    role: Literal["strike_fighter", "multirole_fighter", "bomber"]
    combat_radius_km: Quantity                    # unrefuelled radius with a typical strike load
    payload: str = ""                             # a note on the weapons load (not used by the engine)
    cost_per_flight_hour_usd: Quantity | None = None
    weapons: tuple[str, ...] = ()                 # threat ids of the weapons it carries
    description: str = ""

    @field_validator("combat_radius_km", "cost_per_flight_hour_usd")
    @classmethod
    def _bounds(cls, q: Quantity | None, info: ValidationInfo) -> Quantity | None:
        _bounded(q, str(info.field_name), *_BOUNDS_NEW.get(str(info.field_name), (0.0, None, False)))
        return q


class Catalog(_Frozen):
    """All types known to a run, by id. ``aircraft`` may be absent from a file (empty table)."""

    threats: dict[str, ThreatType]
    interceptors: dict[str, InterceptorType]
    sensors: dict[str, SensorType]
    aircraft: dict[str, AircraftType] = Field(default_factory=dict)

    def merged(self, other: "Catalog") -> "Catalog":
        """Return this catalog with ``other``'s entries added or replacing ours."""
        return Catalog(
            threats={**self.threats, **other.threats},
            interceptors={**self.interceptors, **other.interceptors},
            sensors={**self.sensors, **other.sensors},
            aircraft={**self.aircraft, **other.aircraft},
        )

    def entry(self, key: str) -> ThreatType | InterceptorType | SensorType | AircraftType:
        for table in (self.threats, self.interceptors, self.sensors, self.aircraft):
            if key in table:
                return table[key]
        known = sorted([*self.threats, *self.interceptors, *self.sensors, *self.aircraft])
        raise KeyError(f"unknown catalog entry {key!r}; known: {', '.join(known)}")


TABLES = ("threats", "interceptors", "sensors", "aircraft")


def _check_weapons(cat: Catalog, file: str) -> Catalog:
    """Raise :class:`InputError` if an aircraft names a weapon that is not a threat of ``cat``."""
    for key, ac in cat.aircraft.items():
        for i, w in enumerate(ac.weapons):
            if w not in cat.threats:
                raise InputError(file, f"aircraft.{key}.weapons.{i}", w,
                                 f"weapon {w!r} is not a threat id; use one of the catalog's threats "
                                 f"(e.g. {', '.join(sorted(cat.threats)[:4])}) or add it under threats:")
    return cat


def parse_catalog(text: str, file: str = "<string>") -> Catalog:
    """Build a :class:`Catalog` from YAML text (keys ``threats``, ``interceptors``, ``sensors``, ``aircraft``;
    each optional). Aircraft weapons are checked against threats once files are merged (:func:`load_catalog`)."""
    raw = load_mapping(text, file, "a catalog is a mapping with threats, interceptors, sensors, aircraft",
                       allow_empty=True)
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise InputError(file, str(unknown[0]), None,
                         f"unknown catalog table; use {', '.join(TABLES)}")
    raw = {k: raw.get(k) or {} for k in TABLES}
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
    return _check_weapons(cat, "catalog/aircraft.yaml")


def load_catalog(*overrides: Path | str) -> Catalog:
    """Return the shipped catalog, with entries from user files added or replacing ours."""
    cat = _builtin()
    for path in overrides:
        cat = _check_weapons(cat.merged(parse_catalog(read_text(path, "catalog file"), str(path))), str(path))
    return cat


def _fmt(x: float) -> str:
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _rows(prefix: str, model: BaseModel) -> list[tuple[str, Quantity]]:
    out: list[tuple[str, Quantity]] = []
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, Quantity):
            out.append((f"{prefix}{name}", v))
        elif isinstance(v, dict):
            out += [(f"{prefix}{name}.{k}", q) for k, q in v.items() if isinstance(q, Quantity)]
        elif isinstance(v, BaseModel):
            out += _rows(f"{prefix}{name}.", v)
    return out


def reference_markdown(cat: Catalog) -> str:
    """A Markdown reference of every entry of ``cat`` with its figures and sources (docs/catalog.md)."""
    heads = {"threats": ("Threats", "klass", "class"), "interceptors": ("Interceptors", "layer", "layer"),
             "sensors": ("Sensors", "kind", "kind"), "aircraft": ("Aircraft", "role", "role")}
    lines = ["# Catalog reference", "",
             "Generated from the shipped catalog (`src/redline/data/catalog/*.yaml`) by",
             "`redline.catalog.reference_markdown`; `tests/test_catalog.py` fails if this file is stale.",
             "Regenerate with:", "",
             "```", "PYTHONPATH=src python -c \"from redline.catalog import load_catalog, reference_markdown; "
             "open('docs/catalog.md', 'w').write(reference_markdown(load_catalog()))\"", "```", "",
             "Source keys are listed in `docs/sources.md`. Tags: W well sourced, S single source, E estimate,",
             "C belligerent claim, D disputed, `assumption` (no public figure: range and reason given),",
             "`derived` (arithmetic on sourced figures, in the note). Units are in the field names",
             "(km, km/h, m, s, kg, USD, m/s).", "",
             "## Rules a user catalog file must follow", "",
             "- Tables: `threats`, `interceptors`, `sensors`, `aircraft`; each is optional (a file written before",
             "  the `aircraft` table existed still loads) and any other top-level key is refused.",
             "- Threat classes: " + ", ".join(f"`{c}`" for c in THREAT_CLASSES) + ". A `rocket` is an unguided",
             "  artillery rocket: it flies the same drag-free ballistic profile as a ballistic missile and needs",
             "  `boost_s`. Drag is neglected, so short-range flight times are the vacuum minimum-energy ones",
             "  (apogee about a quarter of the range) and terminal speeds are too high.",
             "- Every interceptor's `pk` gives all four classes. A file written before `rocket` existed is refused",
             "  with one line naming `interceptors.<id>.pk` and the fix (give `rocket`, 0 if it cannot engage).",
             "- `manoeuvring: true` requires `manoeuvre_pk_factor`, a multiplier in (0, 1] on every single-shot Pk",
             "  against that threat; the factor is refused on a threat that is not manoeuvring.",
             "- `submunitions: {count, footprint_radius_km}` describes a cluster warhead (count at least 1).",
             "- An aircraft's `weapons` must be threat ids of the merged catalog (shipped plus user files).",
             "- A sensor only cues interceptors against the classes in its `detects` list.", ""]
    counts = {t: 0 for t in ("W", "S", "E", "C", "D", "assumption", "derived")}
    for table, (title, attr, label) in heads.items():
        entries = getattr(cat, table)
        lines += [f"## {title} ({len(entries)})", ""]
        for key in sorted(entries):
            e = entries[key]
            kind = getattr(e, attr)
            extra = ""
            if isinstance(e, ThreatType) and e.manoeuvring:
                extra = ", manoeuvring"
            if isinstance(e, SensorType):
                extra = f", detects {', '.join(e.detects)}"
            if isinstance(e, AircraftType):
                extra = f", weapons {', '.join(e.weapons) or 'none'}"
            lines += [f"### `{key}`: {e.name}", "", f"*{label} {kind}{extra}*", ""]
            if e.description:
                lines += [" ".join(e.description.split()), ""]
            if isinstance(e, AircraftType) and e.payload:
                lines += [f"Payload: {e.payload}", ""]
            lines += ["| field | value | range | tag | sources | note |", "|---|---|---|---|---|---|"]
            for name, q in _rows("", e):
                counts[q.confidence] += 1
                rng = f"{_fmt(q.range[0])} to {_fmt(q.range[1])}" if q.range else ""
                note = " ".join((q.note or "").split()).replace("|", "/")
                lines.append(f"| {name} | {_fmt(q.value)} | {rng} | {q.confidence} | {q.source or ''} | {note} |")
            lines.append("")
    total = sum(counts.values())
    lines += ["## Tally", "", f"{total} figures: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v) + ".", ""]
    return "\n".join(lines)
