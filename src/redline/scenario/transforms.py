"""Scenario transforms: pure functions from a scenario to an edited scenario.

Every edit of a scenario that Redline makes lives here, and every caller uses
these functions: ``extends`` and ``exclude_owners`` when a file is read
(:mod:`redline.scenario.io`), the web app's knobs (:mod:`redline.web.knobs`),
the escalation model's raid templates and variants
(:mod:`redline.escalation.effects`) and sweep points
(:mod:`redline.sweep.apply`; the path setter :func:`set_paths` is written in
:mod:`redline.scenario.paths` and belongs to this surface).

Each function takes a :class:`~redline.scenario.schema.Scenario` and returns
a new one (scenarios are frozen); nothing here opens a file or computes
physics. Edited parts are validated again by their models. Whether a threat
reaches a place uses the great-circle distance of :mod:`redline.geo.sphere`
against the top of the catalog's range interval, as the check of a file's
routes does.

Transforms that take user input (``file``) raise
:class:`~redline.errors.InputError` naming the file, the field, the value and
the fix.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..catalog import Catalog, ThreatClass
from ..errors import InputError
from ..geo.sphere import distance_m
from .paths import set_paths
from .schema import Doctrine, FireUnit, Point, Salvo, Scenario, SensorPlacement, Site

__all__ = [
    "merge_documents",
    "exclude_owners",
    "exclude_units",
    "override_units",
    "check_owners",
    "scale_classes",
    "set_class_totals",
    "retarget",
    "forward_launch",
    "scale_magazines",
    "scale_fighters",
    "close_airspace",
    "set_doctrine",
    "set_paths",
    "reaches",
]

M = TypeVar("M", bound=BaseModel)


def _replace(model: M, **changes: Any) -> M:
    """``model`` with ``changes``: the changed model is validated, the rest is kept as it is."""
    checked = type(model).model_validate({**model.__dict__, **changes})
    return model.model_copy(update={k: getattr(checked, k) for k in changes})


# ------------------------------------------------------------------------------ documents
def merge_documents(base: Any, over: Any) -> Any:
    """Merge a scenario document over the one it ``extends``.

    Parameters
    ----------
    base, over : Any
        Parsed YAML documents (the parent and the child).

    Returns
    -------
    Any
        Mappings merged recursively, key by key; anything else in ``over``
        (values, lists) replaces the base's. The inputs are not changed.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge_documents(base[k], v) if k in base else v
        return out
    return over


# ------------------------------------------------------------------------------ who takes part
def exclude_owners(sc: Scenario, owners: Iterable[str], sensor_owners: Iterable[str] | None = None) -> Scenario:
    """Remove the fire units and sensors of some nations.

    Parameters
    ----------
    sc : Scenario
    owners : iterable of str
        Nation slugs whose fire units (and, by default, sensors) are removed;
        names that own nothing are ignored (see :func:`check_owners`).
    sensor_owners : iterable of str, optional
        Nations whose sensors are removed, when that differs from ``owners``.
    """
    units = set(owners)
    sensors = units if sensor_owners is None else set(sensor_owners)
    if not units and not sensors:
        return sc
    return _replace(sc, fire_units=tuple(u for u in sc.fire_units if u.owner not in units),
                    sensors=tuple(s for s in sc.sensors if s.owner not in sensors))


def check_owners(sc: Scenario, owners: Iterable[str], file: str, field: str = "exclude_owners") -> None:
    """Raise :class:`InputError` for a name in ``owners`` that owns no fire unit or sensor of ``sc``."""
    known = sorted({u.owner for u in sc.fire_units} | {s.owner for s in sc.sensors})
    for o in owners:
        if o not in known:
            raise InputError(file, field, o, f"no fire unit or sensor has this owner; owners are: {', '.join(known)}")


def exclude_units(sc: Scenario, names: Iterable[str], file: str = "<scenario>", field: str = "exclude_units") -> Scenario:
    """Remove single fire units and sensors by name.

    Parameters
    ----------
    sc : Scenario
    names : iterable of str
        Names of fire units or sensors.
    file, field : str
        Where the names came from, for the error of a name that matches nothing.
    """
    drop = list(dict.fromkeys(names))
    known = {u.name for u in sc.fire_units} | {s.name for s in sc.sensors}
    for n in drop:
        if n not in known:
            raise InputError(file, field, n, f"no fire unit or sensor has this name; names are: {', '.join(sorted(known))}")
    if not drop:
        return sc
    return _replace(sc, fire_units=tuple(u for u in sc.fire_units if u.name not in drop),
                    sensors=tuple(s for s in sc.sensors if s.name not in drop))


def override_units(sc: Scenario, changes: Mapping[str, Mapping[str, Any]], file: str = "<scenario>",
                   field: str = "override_units") -> Scenario:
    """Change fields of single fire units and sensors by name.

    Parameters
    ----------
    sc : Scenario
    changes : {name: {field: value}}
        For each fire unit or sensor name, the fields to change, as a scenario
        file writes them (``{"magazine": 8, "channels": 2}``). Mappings merge
        into the unit's (``{"patrol": {"radius_km": 200}}`` keeps the patrol's
        other fields); anything else replaces. A unit's ``name`` cannot change.
    file, field : str
        Where the changes came from, for errors: an unknown name (listing the
        known ones), an unknown field, or a value the unit's model refuses,
        each as ``field.NAME.FIELD``.
    """
    if not changes:
        return sc
    models: dict[str, type[BaseModel]] = {u.name: FireUnit for u in sc.fire_units}
    models.update({s.name: SensorPlacement for s in sc.sensors if s.name not in models})
    for name, upd in changes.items():
        if name not in models:
            raise InputError(file, field, name,
                             f"no fire unit or sensor has this name; names are: {', '.join(sorted(models))}")
        if not isinstance(upd, Mapping):
            raise InputError(file, f"{field}.{name}", upd, "give a mapping of the fields to change, e.g. {magazine: 8}")
        allowed = sorted(set(models[name].model_fields) - {"name"})
        for k in upd:
            if k not in allowed:
                raise InputError(file, f"{field}.{name}.{k}", upd[k],
                                 ("a unit's name cannot change; exclude it and add a new unit" if k == "name" else
                                  f"not a field of this {'fire unit' if models[name] is FireUnit else 'sensor'}; "
                                  f"fields are: {', '.join(allowed)}"))

    def one(item: M) -> M:
        upd = changes.get(item.name)  # type: ignore[attr-defined]
        if upd is None:
            return item
        doc = merge_documents(item.model_dump(exclude_unset=True), dict(upd))
        try:
            return type(item).model_validate(doc)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join([field, item.name, *map(str, err["loc"])])  # type: ignore[attr-defined]
            msg = err["msg"].removeprefix("Value error, ")
            raise InputError(file, where, err.get("input"), f"{msg[0].lower()}{msg[1:]}; correct the value") from None

    return _replace(sc, fire_units=tuple(one(u) for u in sc.fire_units), sensors=tuple(one(s) for s in sc.sensors))


# ------------------------------------------------------------------------------ the raid
def reaches(threat: str, a: Point, b: Point, catalog: Catalog) -> bool:
    """Whether ``threat`` flies from ``a`` to ``b`` on the great circle (top of its catalog range interval)."""
    return float(distance_m(a.lat, a.lon, b.lat, b.lon)) <= catalog.threats[threat].range_km.high * 1e3


def scale_classes(sc: Scenario, factors: Mapping[ThreatClass, float], catalog: Catalog) -> Scenario:
    """Multiply salvo counts by a factor per threat class, rounding to whole munitions.

    Parameters
    ----------
    sc : Scenario
    factors : {class: float}
        Factor per threat class (``drone``, ``cruise``, ``ballistic``); classes
        not given keep their counts.
    catalog : Catalog
        Gives each threat type's class.

    Returns
    -------
    Scenario
        Each salvo's count is ``round(count * factor)`` (Python's rounding, half
        to even); salvos left with no munitions are dropped. The raid may end up
        empty: callers that need munitions check.
    """
    raid = []
    for s in sc.raid:
        n = round(s.count * factors.get(catalog.threats[s.threat].klass, 1.0))
        if n > 0:
            raid.append(s if n == s.count else _replace(s, count=n))
    return _replace(sc, raid=tuple(raid))


def _largest_remainder(weights: list[int], total: int) -> list[int]:
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def set_class_totals(sc: Scenario, totals: Mapping[ThreatClass, int], catalog: Catalog, file: str = "<scenario>") -> Scenario:
    """Set the number of threats per class, sharing it among the class's salvos.

    Parameters
    ----------
    sc : Scenario
    totals : {class: int}
        Threats wanted per class.
    catalog : Catalog
        Gives each threat type's class.
    file : str
        Name for the error of a class the raid has no salvo of.

    Notes
    -----
    A class's salvos keep their launch areas, windows and aims; the total is
    shared in proportion to their current counts by largest remainders
    (Hamilton's method; ties go to the earlier salvo). Salvos keep zero
    counts rather than being dropped.
    """
    salvos = list(sc.raid)
    for klass, total in totals.items():
        idx = [i for i, s in enumerate(salvos) if catalog.threats[s.threat].klass == klass]
        current = [salvos[i].count for i in idx]
        if total == sum(current):
            continue
        if not idx or sum(current) == 0:
            if total == 0:
                continue
            raise InputError(file, f"raid.{klass}", total,
                             f"the scenario has no {klass} salvo to scale; use a scenario with one")
        for i, n in zip(idx, _largest_remainder(current, total)):
            salvos[i] = _replace(salvos[i], count=n)
    return _replace(sc, raid=tuple(salvos)) if salvos != list(sc.raid) else sc


def retarget(sc: Scenario, name: str, site: Site, catalog: Catalog) -> Scenario:
    """Aim every salvo that can reach a new site at it.

    Parameters
    ----------
    sc : Scenario
    name : str
        Name of the aim point (added to ``sites``, replacing a site of that name).
    site : Site
    catalog : Catalog
        Threat ranges (see :func:`reaches`).

    Returns
    -------
    Scenario
        Salvos whose launch area is within range of ``site`` aim only at it,
        on the direct route (waypoints dropped); the others are unchanged.
    """
    sites = {**sc.sites, name: site}
    raid = tuple(_replace(s, aim={name: 1.0}, waypoints=()) if reaches(s.threat, sites[s.launch], site, catalog) else s
                 for s in sc.raid)
    return _replace(sc, sites=sites, raid=raid)


def forward_launch(sc: Scenario, name: str, site: Site, fraction: float, catalog: Catalog) -> Scenario:
    """Launch a share of each salvo from a forward site.

    Parameters
    ----------
    sc : Scenario
    name : str
        Name of the forward launch area (added to ``sites``).
    site : Site
    fraction : float
        Share of each salvo launched forward, in (0, 1]; ``round(count * fraction)``
        munitions (half to even).
    catalog : Catalog
        Threat ranges (see :func:`reaches`).

    Returns
    -------
    Scenario
        A salvo all of whose aim points are in range of ``site`` is split: the
        forward part (direct route, no waypoints) then the rest from the old
        launch area, each only if it has munitions. Other salvos are unchanged.
    """
    sites = {**sc.sites, name: site}
    raid: list[Salvo] = []
    for s in sc.raid:
        nf = round(s.count * fraction)
        if nf > 0 and all(reaches(s.threat, site, sites[a], catalog) for a in s.aim):
            raid.append(_replace(s, count=nf, launch=name, waypoints=()))
            if s.count - nf > 0:
                raid.append(_replace(s, count=s.count - nf))
        else:
            raid.append(s)
    return _replace(sc, sites=sites, raid=tuple(raid))


# ------------------------------------------------------------------------------ the defence
def scale_magazines(sc: Scenario, factors: Mapping[str, float]) -> Scenario:
    """Deepen or thin the magazines of batteries and ships by owner.

    Parameters
    ----------
    sc : Scenario
    factors : {nation: float}
        Factor per owner; a magazine becomes ``max(1, round(magazine * f))``.
        Fighters are left to :func:`scale_fighters`.
    """
    def one(u: FireUnit) -> FireUnit:
        if u.kind == "fighter" or u.owner not in factors or u.magazine is None:
            return u
        return _replace(u, magazine=max(1, round(u.magazine * factors[u.owner])))

    return _replace(sc, fire_units=tuple(one(u) for u in sc.fire_units)) if factors else sc


def scale_fighters(sc: Scenario, factors: Mapping[str, float]) -> Scenario:
    """Scale fighter patrols by owner: aircraft, magazine and engagement channels.

    Parameters
    ----------
    sc : Scenario
    factors : {nation: float}
        Factor per owner; each of ``aircraft``, ``magazine`` (where given) and
        ``channels`` becomes ``max(1, round(x * f))``.
    """
    def one(u: FireUnit) -> FireUnit:
        if u.kind != "fighter" or u.owner not in factors:
            return u
        f = factors[u.owner]
        return _replace(u, aircraft=None if u.aircraft is None else max(1, round(u.aircraft * f)),
                        magazine=None if u.magazine is None else max(1, round(u.magazine * f)),
                        channels=max(1, round(u.channels * f)))

    return _replace(sc, fire_units=tuple(one(u) for u in sc.fire_units)) if factors else sc


def close_airspace(sc: Scenario, countries: Iterable[str], everywhere: Sequence[str] | None = None,
                   stand_down: bool = False) -> Scenario:
    """Close countries' airspace to intercepts.

    Parameters
    ----------
    sc : Scenario
    countries : iterable of str
        Country slugs (or ``"sea"``) over which no one may engage.
    everywhere : sequence of str, optional
        Where each nation may engage when the scenario has no airspace rules
        (``doctrine.airspace`` unset): every owner of a fire unit is first given
        this list. Without it, a scenario without rules is returned unchanged.
    stand_down : bool
        Also drop the closing countries' own entries from the rules, so that
        their fire units engage nowhere (a country that closes its airspace and
        stays out).
    """
    closed = set(countries)
    airspace = sc.doctrine.airspace
    if not closed:
        return sc
    if airspace is None:
        if everywhere is None:
            return sc
        airspace = {n: tuple(everywhere) for n in sorted({u.owner for u in sc.fire_units})}
    rules = {n: tuple(c for c in allowed if c not in closed) for n, allowed in airspace.items()
             if not (stand_down and n in closed)}
    return _replace(sc, doctrine=_replace(sc.doctrine, airspace=rules))


def set_doctrine(sc: Scenario, changes: Mapping[str, Any], file: str = "<scenario>") -> Scenario:
    """Change fields of the doctrine (``shots`` entries are merged into the current ones).

    Parameters
    ----------
    sc : Scenario
    changes : {field: value}
        Doctrine fields, e.g. ``{"shoot_look_shoot": False, "shots": {"exo": 2}}``.
    file : str
        Name for the error of a value the doctrine does not accept.
    """
    if not changes:
        return sc
    upd = dict(changes)
    if "shots" in upd:
        upd["shots"] = {**sc.doctrine.shots, **upd["shots"]}
    try:
        doc = Doctrine.model_validate({**sc.doctrine.__dict__, **upd})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(file, ".".join(["doctrine", *map(str, err["loc"])]), err.get("input"), err["msg"]) from None
    return _replace(sc, doctrine=doc)
