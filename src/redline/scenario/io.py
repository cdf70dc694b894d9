"""Reading scenarios: YAML text -> validated :class:`Scenario`.

``parse_scenario(text)`` builds objects from text; ``read_scenario(path)``
opens a file; ``load_scenario(name_or_path)`` also knows the built-in
names. Every problem raises :class:`redline.errors.InputError` naming the
file, the field, the value and the fix.

A scenario may start with ``extends: NAME`` (a built-in name or a path):
mappings are merged recursively over the base, lists replace the base's
(in the ``campaign`` block a key set to null also removes the base's key),
and ``exclude_owners: [nation, ...]`` drops those nations' fire units and
sensors (for what-if variants). Both edits are the transforms of
:mod:`redline.scenario.transforms`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from ..catalog import Catalog, load_catalog
from .. import limits as L
from ..errors import InputError
from ..yamlio import field_path as _field_path
from ..yamlio import load_mapping, parse_yaml, read_text
from ..geo.sphere import distance_m
from ..hashing import scenario_sha256  # re-exported: its home is redline.hashing
from .campaign import CampaignFieldError
from .schema import Scenario
from .transforms import exclude_owners, merge_documents

__all__ = [
    "parse_scenario",
    "read_scenario",
    "load_scenario",
    "builtin_scenarios",
    "scenario_catalog",
    "scenario_sha256",
]

_BUILTIN_DIR = "scenarios"


def _builtin_root():
    return resources.files("redline") / "data" / _BUILTIN_DIR


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario names mapped to their one-line titles."""
    return dict(_builtin_titles())


@lru_cache(maxsize=1)
def _builtin_titles() -> tuple[tuple[str, str], ...]:
    out = {}
    for entry in sorted(_builtin_root().iterdir(), key=lambda p: p.name.rsplit(".", 1)[0]):
        if entry.name.endswith(".yaml"):
            out[entry.name[:-5]] = _read_title(entry.read_text(encoding="utf-8"), entry.name)
    return tuple(out.items())


_OPENS_BLOCK = re.compile(r":\s*([|>][-+0-9]*)?\s*(#.*)?$")  # `raid:`, `title: >-`: the value is on later lines


def _read_title(text: str, file: str) -> str:
    """A scenario file's ``title``, parsing only the header of one-line top-level scalars when it is there.

    The header ends at the first indented line or block key (``raid:``); a title written in
    any other way (folded, multi-line) falls back to parsing the whole file, so the answer is
    always what the full parse gives.
    """
    header = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t", "-") or (not line.startswith("#") and _OPENS_BLOCK.search(line)):
            break
        header.append(line)
    try:
        raw = parse_yaml("\n".join(header), file) or {}
    except InputError:
        raw = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("title"), str):
        raw = parse_yaml(text, file) or {}
    return str(raw.get("title", ""))


_FIXES = {
    "missing": "required field is missing; add it",
    "extra_forbidden": "unknown field; remove it or check its spelling",
    "finite_number": "must be a finite number (not inf or nan); give a number",
    "float_parsing": "must be a number; give a number",
    "float_type": "must be a number; give a number",
    "int_parsing": "must be a whole number; give one",
    "int_type": "must be a whole number; give one",
    "int_from_float": "must be a whole number, not a fraction; round it",
    "int_parsing_size": "is far too large a whole number; give a plausible count",
    "string_type": "must be a text string; quote it",
    "string_too_short": "must not be empty; give a name",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "dict_type": "must be a mapping (key: value); write it as one",
    "list_type": "must be a list ([a, b, ...]); write it as one",
    "tuple_type": "must be a list ([a, b, ...]); write it as one",
    "model_type": "must be a mapping of its fields; write it as one",
    "model_attributes_type": "must be a mapping of its fields; write it as one",
}


def _pydantic_to_input_error(exc: ValidationError, file: str) -> InputError:
    err = exc.errors()[0]
    loc = err["loc"]
    field = _field_path(loc)
    fix = _FIXES.get(err["type"])
    if fix is None:
        msg = err["msg"].removeprefix("Value error, ")
        fix = f"{msg[0].lower()}{msg[1:]}" + ("" if "; " in msg else "; correct the value")
    value = None if err["type"] == "missing" else err.get("input")
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, CampaignFieldError):  # a campaign check that names its own field inside the block
        field, value, fix = (inner.field if field == "<top>" else f"{field}.{inner.field}"), inner.value, inner.fix
    return InputError(file, field, value, fix)


def _load_yaml(text: str, file: str) -> dict:
    return load_mapping(text, file, "a scenario file is a YAML mapping with name, sites and raid")


class _Resolved(NamedTuple):
    """A document with its ``extends`` chain merged in, and the owners its chain excludes."""

    raw: dict
    drop_units: frozenset[str]      # owners whose fire units are removed
    drop_sensors: frozenset[str]    # owners whose sensors are removed


def _resolve_raw(raw: dict, file: str, base_dir: Path | None, depth: int = 0) -> _Resolved:
    parent = raw.pop("extends", None)
    if parent is None:
        if "exclude_owners" in raw:
            raise InputError(file, "exclude_owners", raw["exclude_owners"],
                             "exclude_owners edits the scenario a file extends; add extends: NAME, or leave those "
                             "nations' fire units and sensors out of this file")
        return _Resolved(raw, frozenset(), frozenset())
    if depth > 5:
        raise InputError(file, "extends", parent, "chain of extends is too deep (more than 5); flatten it")
    _check_extends(parent, file)
    ptext, pfile, pdir = _locate(parent, base_dir, file, "extends")
    base = _resolve_raw(_load_yaml(ptext, pfile), pfile, pdir, depth + 1)
    exclude = _exclude_list(raw.pop("exclude_owners", None), merge_documents(base.raw, raw), file)
    # a level's exclude_owners applies to the lists in force at that level: a list the child
    # gives itself replaces the parent's, and with it the exclusions the parent's chain made
    units = frozenset() if "fire_units" in raw else base.drop_units
    sensors = frozenset() if "sensors" in raw else base.drop_sensors
    merged = merge_documents(base.raw, raw)
    if isinstance(base.raw.get("campaign"), dict) and isinstance(raw.get("campaign"), dict):
        merged["campaign"] = _merge_campaign(base.raw["campaign"], raw["campaign"])
    return _Resolved(merged, units | exclude, sensors | exclude)


def _merge_campaign(base: dict, over: dict) -> dict:
    """A child's ``campaign`` block over its parent's: mappings merged key by key (recursively),
    lists and values replaced, and a key the child sets to null removed (so that a child can drop
    a parent's missile stock, depot or reserve entry; ``campaign: null`` drops the whole block)."""
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(base.get(k), dict):
            out[k] = _merge_campaign(base[k], v)
        else:
            out[k] = v
    return out


def _check_extends(name: object, file: str) -> None:
    """``extends`` is a built-in name or a path the file system can hold."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(file, "extends", name, "give a built-in scenario name or a path to a scenario file")
    if "\0" in name or len(name) > 16 * L.MAX_NAME_CHARS or any(len(p) > L.MAX_NAME_CHARS for p in Path(name).parts):
        raise InputError(file, "extends", name, f"not a usable file name (a name longer than {L.MAX_NAME_CHARS} "
                         "characters or a NUL byte); give a built-in scenario name or a shorter path")


def _exists(p: Path, test: str = "exists") -> bool:
    """``p.exists()`` (or ``p.is_file()``), false for a name the file system cannot hold (too long, NUL)."""
    try:
        return bool(getattr(p, test)())
    except (OSError, ValueError):
        return False


def _owners(doc: dict) -> set[str]:
    """Owners of the fire units and sensors of a (merged, not yet validated) scenario document."""
    out = set()
    for key in ("fire_units", "sensors"):
        items = doc.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("owner"), str):
                out.add(item["owner"])
    return out


def _exclude_list(value: object, doc: dict, file: str) -> frozenset[str]:
    """The owners an ``exclude_owners`` entry names, each the owner of a fire unit or sensor of ``doc``."""
    if value is None:
        return frozenset()
    known = _owners(doc)
    listing = ", ".join(sorted(known)) or "none"
    if not isinstance(value, list):
        raise InputError(file, "exclude_owners", value, f"give a list of nations, e.g. [jordan]; owners are: {listing}")
    for i, owner in enumerate(value):
        if not isinstance(owner, str) or owner not in known:
            raise InputError(file, f"exclude_owners[{i}]", owner,
                             f"no fire unit or sensor has this owner; owners are: {listing}")
    return frozenset(value)


def _locate(name: str, base_dir: Path | None, file: str, field: str) -> tuple[str, str, Path | None]:
    root = _builtin_root()
    cand = root / f"{name}.yaml"
    if "/" not in name and not name.endswith((".yaml", ".yml")) and _exists(cand, "is_file"):
        return cand.read_text(encoding="utf-8"), name, None
    path = Path(name)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if _exists(path, "is_file"):
        return read_text(path, "scenario file"), str(path), path.parent
    known = ", ".join(builtin_scenarios())
    raise InputError(file, field, name, f"no such built-in scenario or file; built-ins are: {known}")


def scenario_catalog(scenario: Scenario, base_dir: Path | None = None) -> Catalog:
    """The shipped catalog plus the scenario's own catalog files."""
    paths = [Path(p) if base_dir is None or Path(p).is_absolute() else base_dir / p for p in scenario.catalog]
    return load_catalog(*paths)


#: Shortest route a salvo may fly [m]: a flight needs a distance (a ballistic profile of zero range has none).
MIN_ROUTE_M = 1_000.0


def _check_references(sc: Scenario, cat: Catalog, file: str, owners: frozenset[str] = frozenset()) -> None:
    """Check every name against the sites, the catalog and the owners (``owners``: those of the
    document before ``exclude_owners``, which doctrine and participation may still name)."""
    def site_or_fail(name: str, field: str) -> None:
        if name not in sc.sites:
            raise InputError(file, field, name, f"unknown site; define it under sites (known: {', '.join(sorted(sc.sites))})")

    def known(table: dict, name: str, field: str, what: str) -> None:
        if name not in table:
            raise InputError(file, field, name, f"unknown {what}; use one of {', '.join(sorted(table))} (see `redline catalog`)")

    names = set()
    for i, s in enumerate(sc.sensors):
        known(cat.sensors, s.type, f"sensors[{i}].type", "sensor type")
        if s.site is not None:
            site_or_fail(s.site, f"sensors[{i}].site")
    for i, u in enumerate(sc.fire_units):
        if u.name in names:
            raise InputError(file, f"fire_units[{i}].name", u.name, "fire unit names must be unique; rename one")
        names.add(u.name)
        known(cat.interceptors, u.type, f"fire_units[{i}].type", "interceptor type")
        layer = cat.interceptors[u.type].layer
        if (u.kind == "fighter") != (layer == "air_to_air"):
            raise InputError(file, f"fire_units[{i}].type", u.type,
                             "fighters carry an air_to_air type and batteries or ships a surface-to-air type; change kind or type")
        if u.site is not None:
            site_or_fail(u.site, f"fire_units[{i}].site")
        if u.patrol is not None and u.patrol.site is not None:
            site_or_fail(u.patrol.site, f"fire_units[{i}].patrol.site")
    for k in sc.doctrine.reserve:
        known(cat.interceptors, k, f"doctrine.reserve.{k}", "interceptor type")
    nations = {u.owner for u in sc.fire_units} | {s.owner for s in sc.sensors} | set(owners)
    for field, table in (("doctrine.withhold", sc.doctrine.withhold or {}), ("participation", sc.participation or {})):
        for nation in table:
            if nation not in nations:
                raise InputError(file, f"{field}.{nation}", nation,
                                 f"no fire unit or sensor has this owner; owners are: {', '.join(sorted(nations)) or 'none'}")
    for nation, types in (sc.doctrine.withhold or {}).items():
        for k in types:
            known(cat.interceptors, k, f"doctrine.withhold.{nation}.{k}", "interceptor type")
    if sc.doctrine.airspace is not None:
        from ..geo.countries import country_names

        places = {**country_names(), "sea": "sea"}
        for nation, allowed in sc.doctrine.airspace.items():
            for j, place in enumerate(allowed):
                if place not in places:
                    raise InputError(file, f"doctrine.airspace.{nation}[{j}]", place,
                                     "unknown country; use a slug such as israel, jordan, iraq, syria, saudi-arabia or 'sea' "
                                     "(all: redline.geo.countries.country_names())")
    for i, salvo in enumerate(sc.raid):
        known(cat.threats, salvo.threat, f"raid[{i}].threat", "threat type")
        site_or_fail(salvo.launch, f"raid[{i}].launch")
        for w, wp in enumerate(salvo.waypoints):
            if isinstance(wp, str):
                site_or_fail(wp, f"raid[{i}].waypoints[{w}]")
        reach_m = cat.threats[salvo.threat].range_km.high * 1e3
        for aim in salvo.aim:
            site_or_fail(aim, f"raid[{i}].aim.{aim}")
            pts = [sc.sites[salvo.launch]] + [sc.sites[w] if isinstance(w, str) else w for w in salvo.waypoints] + [sc.sites[aim]]
            length = sum(float(distance_m(a.lat, a.lon, b.lat, b.lon)) for a, b in zip(pts, pts[1:]))
            if length < MIN_ROUTE_M:
                raise InputError(file, f"raid[{i}].aim.{aim}", aim,
                                 f"the route from {salvo.launch} is {length:.0f} m long; aim at a site at least "
                                 f"{MIN_ROUTE_M / 1e3:.0f} km from the launch area")
            if length > reach_m:
                raise InputError(
                    file, f"raid[{i}].aim.{aim}", aim,
                    f"route from {salvo.launch} is {length / 1e3:.0f} km but {salvo.threat} reaches at most "
                    f"{reach_m / 1e3:.0f} km; choose a nearer launch site or aim point, or another threat type",
                )


def parse_scenario(text: str, file: str = "<string>", base_dir: Path | None = None,
                   catalog: Catalog | None = None) -> Scenario:
    """Build and check a :class:`Scenario` from YAML text.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        Name used in error messages.
    base_dir : Path, optional
        Directory that relative ``extends`` and ``catalog`` paths refer to.
    catalog : Catalog, optional
        Catalog to check type names against (default: shipped catalog plus
        the scenario's own catalog files).
    """
    return _parse_raw(_load_yaml(text, file), file, base_dir, catalog)


def _parse_raw(raw: dict, file: str, base_dir: Path | None, catalog: Catalog | None = None) -> Scenario:
    """:func:`parse_scenario` of a parsed YAML mapping (``raw`` is consumed)."""
    res = _resolve_raw(raw, file, base_dir)
    if "raid" in res.raw and not res.raw["raid"]:
        raise InputError(file, "raid", res.raw["raid"], "a scenario needs at least one salvo; add one under raid")
    owners = frozenset(_owners(res.raw))
    try:
        sc = Scenario.model_validate(res.raw)
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, file) from None
    sc = exclude_owners(sc, res.drop_units, res.drop_sensors)
    if catalog is None:
        catalog = scenario_catalog(sc, base_dir)
    _check_references(sc, catalog, file, owners)
    return sc


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file."""
    p = Path(path)
    return parse_scenario(read_text(p, "scenario file"), str(p), p.parent)


@lru_cache(maxsize=32)
def _load_builtin(name: str) -> Scenario:
    text = (_builtin_root() / f"{name}.yaml").read_text(encoding="utf-8")
    return parse_scenario(text, name, None)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name (see :func:`builtin_scenarios`) or a scenario file by path."""
    s = str(name_or_path)
    if s in builtin_scenarios():
        return _load_builtin(s)
    p = Path(s)
    if p.suffix in (".yaml", ".yml") or _exists(p):
        return read_scenario(p)
    known = ", ".join(builtin_scenarios())
    raise InputError(s, "scenario", s, f"no built-in scenario of that name and no such file; built-ins are: {known}")
