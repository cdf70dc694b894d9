"""The shipped gazetteer: named sites of the theatre, usable from any scenario by key.

The sites live in ``redline/data/gazetteer/sites.yaml``: cities (as city areas), air bases,
US and partner bases, Gulf energy infrastructure, Iranian nuclear and military sites and
launch areas, each with a position, a footprint radius, an ISO 3166-1 alpha-3 country,
the public source of the position and a confidence tag (see the file's header and
``docs/gazetteer.md``). The file is read once, validated, and cached::

    from redline.geo.gazetteer import site, to_scenario_site
    site("al-udeid").lat                 # 25.117
    site("Al Udeid").radius_m            # 3300.0  (names are normalised)
    to_scenario_site("nevatim", value=10)  # a redline.scenario.Site

An unknown name is an :class:`redline.errors.InputError` that lists the close names.

Notes
-----
Positions are in decimal degrees (WGS84), as in scenario files; radii are kept in km in
the file, as ``radius_km``, and offered in SI as :attr:`GazetteerSite.radius_m`.

References
----------
.. [1] OurAirports, runways.csv, 2025-06-24 data update (public domain).
.. [2] GeoNames gazetteer, cities500 extract (CC BY 4.0).
.. [3] ISO 3166-1, country codes (alpha-3 and numeric).
"""
from __future__ import annotations

import difflib
import re
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError
from ..yamlio import field_path, load_mapping, read_text

if TYPE_CHECKING:  # imported lazily at run time: scenario loading may come to use this module
    from ..scenario.schema import Site

__all__ = [
    "Confidence",
    "Category",
    "GazetteerSource",
    "GazetteerSite",
    "Gazetteer",
    "ISO_ALPHA3_TO_NUMERIC",
    "GAZETTEER_FILE",
    "parse_gazetteer",
    "read_gazetteer",
    "gazetteer",
    "site",
    "site_names",
    "lookup",
    "close_names",
    "to_scenario_site",
    "scenario_site_fields",
    "country_slug",
]

GAZETTEER_FILE = "gazetteer/sites.yaml"
_RESOURCE = ("data", "gazetteer", "sites.yaml")

Confidence = Literal["W", "S", "E", "C", "D", "assumption"]
Category = Literal[
    "air_base", "airport", "city_area", "energy", "nuclear", "launch_area", "radar",
    "naval_base", "military_base", "military_industry",
]
SiteKind = Literal["launch_area", "air_base", "city", "ship_station", "point",
                   "energy", "nuclear", "radar", "naval_base", "air_launch"]

#: ISO 3166-1 alpha-3 -> numeric code, for the countries a gazetteer entry may name.
#: The numeric code is the ``iso_n3`` property of the shipped Natural Earth outlines,
#: which is how :func:`country_slug` finds a country's boundary.
ISO_ALPHA3_TO_NUMERIC: dict[str, str] = {
    "ARE": "784", "BHR": "048", "CYP": "196", "EGY": "818", "IRN": "364", "IRQ": "368",
    "ISR": "376", "JOR": "400", "KWT": "414", "LBN": "422", "OMN": "512", "PSE": "275",
    "QAT": "634", "SAU": "682", "SYR": "760", "TUR": "792", "YEM": "887",
}

_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SOURCE_KEY = re.compile(r"^[A-Z][0-9]{2}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _FieldProblem(ValueError):
    """A cross-field check that failed, naming the field and value for the InputError."""

    def __init__(self, field: str, value: Any, message: str):
        self.field = field
        self.value = value
        super().__init__(message)


class GazetteerSource(_Frozen):
    """One public source named in the gazetteer's header.

    ``published`` is the publication date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    where it is not known, ``date_note`` says what is known instead.
    """

    key: str
    url: str
    outlet: str
    published: str | None = None
    date_note: str = ""
    note: str = ""

    @field_validator("published", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    @model_validator(mode="after")
    def _check(self) -> "GazetteerSource":
        if not _SOURCE_KEY.match(self.key):
            raise _FieldProblem("key", self.key, "a source key is a letter and two digits, e.g. G20")
        if self.published is not None and not _DATE.match(self.published):
            raise _FieldProblem("published", self.published, "write the date as YYYY, YYYY-MM or YYYY-MM-DD")
        if self.published is None and not self.date_note:
            raise _FieldProblem("published", None, "give published (YYYY-MM-DD) or a date_note saying what is "
                                "known of the date")
        return self


class GazetteerSite(_Frozen):
    """A named site: position [deg], footprint, country and where the position comes from.

    Attributes
    ----------
    key : str
        Kebab-case name used by scenarios, e.g. ``"ain-al-asad"``.
    lat, lon : float
        Position [deg], WGS84, north and east positive.
    kind : str
        The scenario ``Site`` kind this entry maps to.
    category : str
        Finer class (``air_base``, ``city_area``, ``energy``, ``nuclear``, ...).
    country : str
        ISO 3166-1 alpha-3 code.
    radius_km : float
        Footprint radius [km]; ``radius_note`` gives its source or the ASSUMPTION.
    coords_from : tuple of str
        Source keys the position was read from (empty only for assumptions).
    confidence : str
        Tag for the position: W, S, E, C, D or ``assumption``.
    sources : tuple of str
        Reporting that makes the site relevant.
    coastal : bool
        On a coast or island that the 1:50m outline may leave in the sea.
    aliases : tuple of str
        Other keys that resolve to this site.
    """

    key: str
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: SiteKind
    category: Category
    country: str
    radius_km: float = Field(gt=0)
    radius_note: str = Field(min_length=1)
    coords_from: tuple[str, ...] = ()
    confidence: Confidence
    sources: tuple[str, ...] = ()
    coastal: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def radius_m(self) -> float:
        """Footprint radius [m]."""
        return self.radius_km * 1e3

    @property
    def source_keys(self) -> tuple[str, ...]:
        """Every source key the entry cites: position sources first, then reporting."""
        return tuple(dict.fromkeys(self.coords_from + self.sources))

    @model_validator(mode="after")
    def _check(self) -> "GazetteerSite":
        for name in (self.key, *self.aliases):
            if not _KEY.match(name):
                raise _FieldProblem("key" if name == self.key else "aliases", name,
                                    "not a kebab-case key; use lowercase letters, digits and '-'")
        if self.country not in ISO_ALPHA3_TO_NUMERIC:
            raise _FieldProblem("country", self.country,
                                f"not a known ISO 3166-1 alpha-3 code; use one of "
                                f"{', '.join(sorted(ISO_ALPHA3_TO_NUMERIC))} or add it to ISO_ALPHA3_TO_NUMERIC")
        if self.confidence == "assumption":
            if not self.note.startswith("ASSUMPTION"):
                raise _FieldProblem("note", self.note, "an assumed position needs a note starting 'ASSUMPTION:' "
                                    "with the reason")
        elif not self.coords_from:
            raise _FieldProblem("coords_from", [], "give the source keys of the position, or tag it "
                                "confidence: assumption with an ASSUMPTION note")
        if not self.source_keys:
            raise _FieldProblem("sources", [], "cite at least one source key in coords_from or sources")
        return self


class Gazetteer(_Frozen):
    """The whole gazetteer: its sources and its sites, keyed and sorted by key."""

    version: int
    window_end: str
    sources: tuple[GazetteerSource, ...]
    sites: dict[str, GazetteerSite]

    @field_validator("window_end", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    @model_validator(mode="after")
    def _check(self) -> "Gazetteer":
        keys = [s.key for s in self.sources]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise _FieldProblem("sources", doubled, f"source keys listed twice: {', '.join(doubled)}; keep one of each")
        known = set(keys)
        for s in self.sources:
            if s.published is not None and s.published > self.window_end[:len(s.published)]:
                raise _FieldProblem(f"sources.{s.key}.published", s.published,
                                    f"published after the calibration window's end ({self.window_end}); "
                                    "use only sources published on or before it")
        names: dict[str, str] = {}
        for key, entry in self.sites.items():
            missing = [k for k in entry.source_keys if k not in known]
            if missing:
                where = "coords_from" if missing[0] in entry.coords_from else "sources"
                raise _FieldProblem(f"sites.{key}.{where}", missing[0],
                                    "source key not in the sources list; add it there with its URL and date")
            for name in (key, *entry.aliases):
                if name in names:
                    raise _FieldProblem(f"sites.{key}.aliases", name,
                                        f"name already used by site {names[name]!r}; choose another")
                names[name] = key
        return self

    @property
    def names(self) -> dict[str, str]:
        """Every accepted name (keys and aliases) -> site key."""
        out = {key: key for key in self.sites}
        for key, entry in self.sites.items():
            out.update({alias: key for alias in entry.aliases})
        return out

    def source(self, key: str) -> GazetteerSource:
        """The header entry of source ``key``."""
        for s in self.sources:
            if s.key == key:
                return s
        raise InputError(GAZETTEER_FILE, "sources", key, "unknown source key; see the file's sources list")


def parse_gazetteer(text: str, file: str = "<string>") -> Gazetteer:
    """Build a :class:`Gazetteer` from YAML text.

    Parameters
    ----------
    text : str
        The document: ``version``, ``window_end``, ``sources`` (list) and ``sites``
        (mapping of key to entry).
    file : str
        Name used in error messages.

    Raises
    ------
    InputError
        Malformed YAML or an entry that does not validate; the message names the field.
    """
    raw = load_mapping(text, file, "a gazetteer file is a YAML mapping with version, window_end, sources and sites")
    sites = raw.get("sites")
    if isinstance(sites, dict):
        raw = dict(raw)
        raw["sites"] = {
            str(k): ({"key": str(k), **v} if isinstance(v, dict) else v) for k, v in sorted(sites.items())
        }
    try:
        return Gazetteer.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        problem = (err.get("ctx") or {}).get("error")
        if isinstance(problem, _FieldProblem):
            where = field_path(err["loc"]) if err["loc"] else ""
            field = f"{where}.{problem.field}" if where else problem.field
            raise InputError(file, field, problem.value, str(problem)) from None
        raise InputError(file, field_path(err["loc"]), err.get("input"), err["msg"]) from None


def read_gazetteer(path: str) -> Gazetteer:
    """Read and validate a gazetteer file at ``path`` (see :func:`parse_gazetteer`)."""
    return parse_gazetteer(read_text(path, "gazetteer file"), file=str(path))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, read and validated once and cached.

    Returns
    -------
    Gazetteer
        Sources and sites of ``redline/data/gazetteer/sites.yaml``.
    """
    text = resources.files("redline").joinpath(*_RESOURCE).read_text(encoding="utf-8")
    return parse_gazetteer(text, file=GAZETTEER_FILE)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def site_names() -> tuple[str, ...]:
    """Keys of every shipped site, sorted (aliases not included)."""
    return tuple(gazetteer().sites)


def lookup(name: str) -> GazetteerSite | None:
    """The shipped site called ``name`` (key or alias, forgiving case, spaces and ``_``), or ``None``."""
    g = gazetteer()
    key = g.names.get(_normalise(name)) if isinstance(name, str) else None
    return g.sites[key] if key is not None else None


def close_names(name: str, extra: tuple[str, ...] = (), n: int = 5) -> list[str]:
    """Up to ``n`` accepted names close to ``name``: gazetteer keys and aliases, and ``extra`` names.

    ``extra`` are names defined elsewhere (a scenario's own sites) that are offered too.
    """
    names = sorted(set(gazetteer().names) | set(extra))
    wanted = _normalise(name) if isinstance(name, str) else ""
    close = difflib.get_close_matches(wanted, names, n=n, cutoff=0.6)
    close += [m for m in names if wanted and wanted in m and m not in close][:n - len(close)]
    return close


def site(name: str) -> GazetteerSite:
    """The shipped site called ``name`` (a key or alias; case, spaces and ``_`` are forgiven).

    Raises
    ------
    InputError
        No site has that name; the message lists the closest names.

    Examples
    --------
    >>> site("Ain al-Asad").country
    'IRQ'
    """
    g = gazetteer()
    found = lookup(name)
    if found is not None:
        return found
    close = close_names(name)
    hint = f"did you mean {', '.join(close)}?" if close else "no name is close"
    raise InputError(GAZETTEER_FILE, "site", name,
                     f"unknown site; {hint} (all {len(g.sites)} keys: redline.geo.gazetteer.site_names())")


def to_scenario_site(name: str, *, value: float = 0.0, radius_km: float | None = None) -> "Site":
    """The shipped site ``name`` as a scenario :class:`redline.scenario.Site`.

    Parameters
    ----------
    name : str
        Site key or alias.
    value : float
        Defended value of the site in the scenario (0 = not defended).
    radius_km : float, optional
        Footprint [km] to use instead of the gazetteer's.

    Returns
    -------
    redline.scenario.Site
        Position, kind and radius from the gazetteer; the note names the entry, its
        position sources and confidence, e.g. ``"gazetteer nevatim [G20] (W)"``.
    """
    from ..scenario.schema import Site

    fields = scenario_site_fields(site(name))
    fields["value"] = value
    if radius_km is not None:
        fields["radius_km"] = radius_km
    return Site(**fields)


def scenario_site_fields(entry: GazetteerSite) -> dict[str, Any]:
    """The fields of a scenario ``Site`` taken from a gazetteer entry (value 0: not defended).

    The note names the entry, its position sources and confidence, e.g.
    ``"gazetteer nevatim [G20] (W)"``, so that a scenario built from it stays sourced.
    """
    cited = "".join(f"[{k}]" for k in entry.coords_from) or "ASSUMPTION"
    return {"lat": entry.lat, "lon": entry.lon, "kind": entry.kind, "radius_km": entry.radius_km,
            "value": 0.0, "note": f"gazetteer {entry.key} {cited} ({entry.confidence})"}


@lru_cache(maxsize=None)
def country_slug(alpha3: str) -> str:
    """Slug of the shipped Natural Earth outline for ISO alpha-3 code ``alpha3``.

    Examples
    --------
    >>> country_slug("SAU")
    'saudi-arabia'
    """
    from .countries import boundaries_geojson

    numeric = ISO_ALPHA3_TO_NUMERIC.get(alpha3)
    for feature in boundaries_geojson()["features"]:
        if numeric is not None and feature["properties"]["iso_n3"] == numeric:
            return str(feature["properties"]["key"])
    raise InputError(GAZETTEER_FILE, "country", alpha3,
                     f"no shipped outline for this code; use one of {', '.join(sorted(ISO_ALPHA3_TO_NUMERIC))}")
