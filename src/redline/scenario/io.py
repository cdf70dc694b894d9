"""Reading scenarios: YAML text -> validated :class:`Scenario`.

``parse_scenario(text)`` builds objects from text; ``read_scenario(path)``
opens a file; ``load_scenario(name_or_path)`` also knows the built-in
names. Every problem raises :class:`redline.errors.InputError` naming the
file, the field, the value and the fix.

Sites may come from the shipped gazetteer (:mod:`redline.geo.gazetteer`): a site name that
the scenario uses (salvo ``launch``, ``aim``, ``waypoints`` and aircraft ``base``; sensor and
fire-unit ``site``; patrol ``site``) and does not define under ``sites`` is looked up there and
added with the gazetteer's position, kind and radius and value 0 (not defended). An entry under
``sites`` that gives neither ``lat`` nor ``lon`` is a gazetteer site too, named by its key or by
``gazetteer: KEY``, whose other fields override the gazetteer's (``nevatim: {value: 10}``,
``base-area: {gazetteer: nevatim, radius_km: 5}``). Sites the scenario defines win. A
scenario that names no gazetteer site is left exactly as written (its hash does not change).

A scenario may start with ``extends: NAME`` (a built-in name or a path):
mappings are merged recursively over the base, lists replace the base's
(in the ``campaign`` block a key set to null also removes the base's key),
and ``exclude_owners: [nation, ...]`` drops those nations' fire units and
sensors (for what-if variants), ``exclude_units: [name, ...]`` drops fire
units and sensors by name and ``override_units: {name: {field: value}}``
changes fields of inherited ones. The edits are the transforms of
:mod:`redline.scenario.transforms`.

Relative ``catalog:`` paths are relative to the file that names them (in an
``extends`` chain, to the parent file for the parent's list); the scenario
keeps them as written (its hash does not depend on where it lies) and
remembers the directory, which :func:`scenario_catalog` uses.
"""
from __future__ import annotations

import os
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
from ..geo.gazetteer import close_names, lookup, scenario_site_fields, site_names
from ..geo.sphere import distance_m
from ..hashing import scenario_sha256  # re-exported: its home is redline.hashing
from .campaign import CampaignFieldError
from .schema import Scenario
from .transforms import exclude_owners, exclude_units, merge_documents, override_units

__all__ = [
    "parse_scenario",
    "read_scenario",
    "load_scenario",
    "builtin_scenarios",
    "scenario_catalog",
    "scenario_sha256",
    "resolve_sites",
]

_BUILTIN_DIR = "scenarios"


def _builtin_root():
    return resources.files("redline") / "data" / _BUILTIN_DIR


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario names mapped to their one-line titles.

    Titles are read from each file's header (:func:`_read_title`), not from a full parse, and
    kept per file by its size and modification time, so a long-running process (the web app)
    sees a changed, added or removed scenario file at its next listing.
    """
    return dict(_builtin_titles())


def _builtin_titles() -> tuple[tuple[str, str], ...]:
    out = {}
    for entry in sorted(_builtin_root().iterdir(), key=lambda p: p.name.rsplit(".", 1)[0]):
        if entry.name.endswith(".yaml"):
            try:
                st = os.stat(entry)
                stamp: tuple = (st.st_size, st.st_mtime_ns)
            except (OSError, TypeError):            # a resource that is not a plain file: read it every time
                stamp = (None, object())
            out[entry.name[:-5]] = _title_of(entry, stamp)
    return tuple(out.items())


@lru_cache(maxsize=256)
def _title_of(entry, stamp: tuple) -> str:
    return _read_title(entry.read_text(encoding="utf-8"), entry.name)


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
    """A document with its ``extends`` chain merged in, and the owners and units its chain excludes or edits."""

    raw: dict
    drop_units: frozenset[str]      # owners whose fire units are removed
    drop_sensors: frozenset[str]    # owners whose sensors are removed
    drop_unit_names: frozenset[str] = frozenset()     # fire units removed by name
    drop_sensor_names: frozenset[str] = frozenset()   # sensors removed by name
    unit_edits: tuple[tuple[str, dict, str], ...] = ()     # (fire unit name, changes, file), in chain order
    sensor_edits: tuple[tuple[str, dict, str], ...] = ()   # (sensor name, changes, file)


def _resolve_raw(raw: dict, file: str, base_dir: Path | None, depth: int = 0) -> _Resolved:
    parent = raw.pop("extends", None)
    if parent is None:
        if "exclude_owners" in raw:
            raise InputError(file, "exclude_owners", raw["exclude_owners"],
                             "exclude_owners edits the scenario a file extends; add extends: NAME, or leave those "
                             "nations' fire units and sensors out of this file")
        for key in ("exclude_units", "override_units"):
            if key in raw:
                raise InputError(file, key, raw[key], f"{key} edits the scenario a file extends; add extends: NAME, "
                                 "or write the units as you want them in this file")
        return _Resolved(raw, frozenset(), frozenset())
    if depth > 5:
        raise InputError(file, "extends", parent, "chain of extends is too deep (more than 5); flatten it")
    _check_extends(parent, file)
    ptext, pfile, pdir = _locate(parent, base_dir, file, "extends")
    base = _resolve_raw(_load_yaml(ptext, pfile), pfile, pdir, depth + 1)
    base = base._replace(raw=_rebase_catalog(base.raw, pdir, base_dir))
    exclude = _exclude_list(raw.pop("exclude_owners", None), merge_documents(base.raw, raw), file)
    drop_names = raw.pop("exclude_units", None)
    edits = raw.pop("override_units", None)
    # a level's exclusions and edits apply to the lists in force at that level: a list the child
    # gives itself replaces the parent's, and with it the exclusions and edits the parent's chain made
    own_units, own_sensors = "fire_units" in raw, "sensors" in raw
    merged = merge_documents(base.raw, raw)
    if isinstance(base.raw.get("campaign"), dict) and isinstance(raw.get("campaign"), dict):
        merged["campaign"] = _merge_campaign(base.raw["campaign"], raw["campaign"])
    res = _Resolved(merged, (frozenset() if own_units else base.drop_units) | exclude,
                    (frozenset() if own_sensors else base.drop_sensors) | exclude,
                    frozenset() if own_units else base.drop_unit_names,
                    frozenset() if own_sensors else base.drop_sensor_names,
                    () if own_units else base.unit_edits, () if own_sensors else base.sensor_edits)
    return _unit_edits(res, drop_names, edits, file)


def _in_force(res: _Resolved) -> tuple[list[str], list[str]]:
    """Names of the fire units and sensors of a resolved level that its exclusions leave."""
    def names(key: str, owners: frozenset[str], dropped: frozenset[str]) -> list[str]:
        items = res.raw.get(key)
        return [it["name"] for it in (items if isinstance(items, list) else ())
                if isinstance(it, dict) and isinstance(it.get("name"), str)
                and it.get("owner") not in owners and it["name"] not in dropped]

    return (names("fire_units", res.drop_units, res.drop_unit_names),
            names("sensors", res.drop_sensors, res.drop_sensor_names))


def _unit_edits(res: _Resolved, drop: object, edits: object, file: str) -> _Resolved:
    """``res`` with a level's ``exclude_units`` and ``override_units``, each name checked against the units in force."""
    if drop is None and edits is None:
        return res
    units, sensors = _in_force(res)
    listing = ", ".join(sorted(set(units) | set(sensors))) or "none"
    if drop is not None:
        if not isinstance(drop, list):
            raise InputError(file, "exclude_units", drop, f"give a list of fire unit or sensor names; names are: {listing}")
        for i, n in enumerate(drop):
            if not isinstance(n, str) or (n not in units and n not in sensors):
                raise InputError(file, f"exclude_units[{i}]", n, f"no fire unit or sensor has this name; names are: {listing}")
        res = res._replace(drop_unit_names=res.drop_unit_names | {n for n in drop if n in units},
                           drop_sensor_names=res.drop_sensor_names | {n for n in drop if n in sensors})
        units, sensors = _in_force(res)
        listing = ", ".join(sorted(set(units) | set(sensors))) or "none"
    if edits is not None:
        if not isinstance(edits, dict):
            raise InputError(file, "override_units", edits,
                             "give a mapping of unit names to the fields to change, e.g. {arrow3-central: {magazine: 8}}")
        for n, upd in edits.items():
            if n not in units and n not in sensors:
                raise InputError(file, f"override_units.{n}", n, f"no fire unit or sensor has this name; names are: {listing}")
            if not isinstance(upd, dict):
                raise InputError(file, f"override_units.{n}", upd, "give a mapping of the fields to change, e.g. {magazine: 8}")
        res = res._replace(unit_edits=res.unit_edits + tuple((n, u, file) for n, u in edits.items() if n in units),
                           sensor_edits=res.sensor_edits + tuple((n, u, file) for n, u in edits.items() if n not in units))
    return res


def _rebase_catalog(raw: dict, parent_dir: Path | None, child_dir: Path | None) -> dict:
    """A parent document whose relative ``catalog`` paths (relative to the parent's file) are made relative to the child's."""
    cats = raw.get("catalog")
    if not isinstance(cats, list) or parent_dir is None or parent_dir == child_dir:
        return raw
    out = []
    for c in cats:
        if isinstance(c, str) and not Path(c).is_absolute():
            p = parent_dir / c
            c = os.path.relpath(p, child_dir) if child_dir is not None else str(p.absolute())
        out.append(c)
    return {**raw, "catalog": out}


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


# ------------------------------------------------------------------------------ gazetteer sites
#: The field naming a gazetteer entry in a ``sites`` entry that takes its position from the gazetteer.
GAZETTEER_FIELD = "gazetteer"


def _site_references(doc: dict):
    """``(name, field)`` of every site name a (merged, not yet validated) scenario document uses.

    Only well-shaped parts are read; anything else is left for validation to report.
    """
    raid = doc.get("raid")
    for i, s in enumerate(raid if isinstance(raid, list) else ()):
        if not isinstance(s, dict):
            continue
        for key in ("launch", "base"):
            if isinstance(s.get(key), str):
                yield s[key], f"raid[{i}].{key}"
        aim = s.get("aim")
        for k in aim if isinstance(aim, dict) else ():
            if isinstance(k, str):
                yield k, f"raid[{i}].aim.{k}"
        wps = s.get("waypoints")
        for w, wp in enumerate(wps if isinstance(wps, list) else ()):
            if isinstance(wp, str):
                yield wp, f"raid[{i}].waypoints[{w}]"
    for key in ("sensors", "fire_units"):
        items = doc.get(key)
        for i, u in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(u, dict):
                continue
            if isinstance(u.get("site"), str):
                yield u["site"], f"{key}[{i}].site"
            p = u.get("patrol")
            if isinstance(p, dict) and isinstance(p.get("site"), str):
                yield p["site"], f"{key}[{i}].patrol.site"


def _unknown_site_fix(name: object, defined: tuple[str, ...] = ()) -> str:
    close = close_names(name, defined) if isinstance(name, str) else []
    hint = f"did you mean {', '.join(close)}?" if close else "no gazetteer or scenario site name is close"
    return (f"unknown site; {hint} Define it under sites with lat and lon, or use a gazetteer key "
            f"(all {len(site_names())} keys: docs/gazetteer.md)")


def _is_gazetteer_entry(entry: object) -> bool:
    return entry is None or (isinstance(entry, dict) and (GAZETTEER_FIELD in entry or ("lat" not in entry and "lon" not in entry)))


def resolve_sites(doc: dict, file: str) -> dict:
    """The document with its gazetteer sites filled in (see the module notes); ``doc`` is not changed.

    Raises
    ------
    InputError
        A ``sites`` entry without a position whose name (or ``gazetteer:`` key) is no gazetteer site.
    """
    sites = doc.get("sites")
    if not isinstance(sites, dict):
        return doc
    out = dict(sites)
    changed = False
    for name, entry in sites.items():
        if not _is_gazetteer_entry(entry):
            continue
        over = dict(entry or {})
        key = over.pop(GAZETTEER_FIELD, name)
        found = lookup(key) if isinstance(key, str) else None
        if found is None:
            field = f"sites.{name}.{GAZETTEER_FIELD}" if isinstance(entry, dict) and GAZETTEER_FIELD in entry else f"sites.{name}"
            raise InputError(file, field, key, _unknown_site_fix(key).replace(
                "unknown site;", "a site without lat and lon comes from the gazetteer, which has no such site;", 1))
        fields = scenario_site_fields(found)
        if isinstance(over.get("note"), str):
            over["note"] = f"{fields['note']}; {over['note']}"
        out[name] = {**fields, **over}
        changed = True
    for name, _field in _site_references(doc):
        if name not in out:
            found = lookup(name)
            if found is not None:
                out[name] = scenario_site_fields(found)
                changed = True
    return {**doc, "sites": out} if changed else doc


def scenario_catalog(scenario: Scenario, base_dir: Path | None = None) -> Catalog:
    """The shipped catalog plus the scenario's own catalog files.

    Relative paths are relative to ``base_dir``, else to the directory of the
    file the scenario was read from (:func:`read_scenario` records it), else
    to the working directory.
    """
    base = base_dir if base_dir is not None else scenario._base_dir
    paths = [Path(p) if base is None or Path(p).is_absolute() else base / p for p in scenario.catalog]
    return load_catalog(*paths)


#: Shortest route a salvo may fly [m]: a flight needs a distance (a ballistic profile of zero range has none).
MIN_ROUTE_M = 1_000.0


def _check_references(sc: Scenario, cat: Catalog, file: str, owners: frozenset[str] = frozenset()) -> None:
    """Check every name against the sites, the catalog and the owners (``owners``: those of the
    document before ``exclude_owners``, which doctrine and participation may still name)."""
    def site_or_fail(name: str, field: str) -> None:
        if name not in sc.sites:
            raise InputError(file, field, name, _unknown_site_fix(name, tuple(sc.sites)))

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
    for nation, plans in (sc.doctrine.magazine_plan or {}).items():
        if nation not in nations:
            raise InputError(file, f"doctrine.magazine_plan.{nation}", nation,
                             f"no fire unit or sensor has this owner; owners are: {', '.join(sorted(nations)) or 'none'}")
        for k in plans:
            known(cat.interceptors, k, f"doctrine.magazine_plan.{nation}.{k}", "interceptor type")
    if sc.campaign is not None:
        # a campaign keeps stocks per fire unit: a one-class plan (assignment and late fire) keeps the unit
        # whole and is allowed; one of several classes would split it into sections (redline.engagement.magazine_plan)
        from ..engagement.magazine_plan import unit_plan

        for i, u in enumerate(sc.fire_units):
            plan = unit_plan(sc, u)
            if plan is not None and sum(1 for v in plan.values() if v > 0) > 1:
                field = (f"fire_units[{i}].magazine_plan" if u.magazine_plan is not None
                         else f"doctrine.magazine_plan.{u.owner}.{u.type}")
                raise InputError(file, field, ", ".join(sorted(plan)),
                                 "a campaign keeps stocks per fire unit, so a plan there may give a unit one class "
                                 "only (share 1); split the unit into one fire unit per class, or run the raid alone")
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
        _check_air_launch(sc, cat, salvo, i, file, site_or_fail)
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


def _check_air_launch(sc: Scenario, cat: Catalog, salvo, i: int, file: str, site_or_fail) -> None:
    """An air-launched salvo: launch site of kind ``air_launch``, a known aircraft, within its combat radius of its base."""
    if salvo.aircraft is None:
        return
    launch = sc.sites[salvo.launch]
    if launch.kind != "air_launch":
        raise InputError(file, f"raid[{i}].aircraft", salvo.aircraft,
                         f"an aircraft carries the salvo, but launch site {salvo.launch!r} is of kind {launch.kind!r}; "
                         "launch from a site of kind air_launch, or drop aircraft and base")
    table = getattr(cat, "aircraft", None) or {}
    if salvo.aircraft not in table:
        listing = ", ".join(sorted(table)) or "none in this catalog"
        raise InputError(file, f"raid[{i}].aircraft", salvo.aircraft,
                         f"unknown aircraft type; use one of {listing} (see `redline catalog`)")
    site_or_fail(salvo.base, f"raid[{i}].base")
    base = sc.sites[salvo.base]
    radius_km = float(table[salvo.aircraft].combat_radius_km.high)
    d_km = float(distance_m(base.lat, base.lon, launch.lat, launch.lon)) / 1e3
    if d_km > radius_km:
        raise InputError(file, f"raid[{i}].launch", salvo.launch,
                         f"the launch point is {d_km:,.0f} km from the {salvo.aircraft}'s base {salvo.base} but its "
                         f"combat radius is at most {radius_km:,.0f} km; move the launch point nearer the base, "
                         "or choose an aircraft with a longer reach")


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
    doc = resolve_sites(res.raw, file)
    try:
        sc = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, file) from None
    sc = exclude_owners(sc, res.drop_units, res.drop_sensors)
    sc = _apply_unit_edits(sc, res)
    if base_dir is not None and sc.catalog:
        sc._base_dir = Path(base_dir).absolute()
    if catalog is None:
        catalog = scenario_catalog(sc, base_dir)
    _check_references(sc, catalog, file, owners)
    return sc


def _apply_unit_edits(sc: Scenario, res: _Resolved) -> Scenario:
    """The ``exclude_units`` and ``override_units`` of an ``extends`` chain, on the validated scenario.

    Names that the chain's ``exclude_owners`` already removed are skipped (they were checked at their level).
    """
    present = {u.name for u in sc.fire_units} | {s.name for s in sc.sensors}
    sc = exclude_units(sc, sorted((res.drop_unit_names | res.drop_sensor_names) & present))
    present = {u.name for u in sc.fire_units} | {s.name for s in sc.sensors}
    for name, upd, file in res.unit_edits + res.sensor_edits:
        if name in present:
            sc = override_units(sc, {name: upd}, file)
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
