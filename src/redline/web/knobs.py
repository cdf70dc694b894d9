"""Apply the web app's knobs to a scenario, and describe a scenario's knobs.

Knobs edit the scenario's data only (the same edits a scenario file can
make with ``extends``); nothing here computes physics. Excluding owners
matches ``exclude_owners`` in a scenario file exactly, so a run with
``exclude_owners: [jordan]`` here equals ``redline run`` of a file that
``extends`` the scenario with ``exclude_owners: [jordan]``.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..catalog import THREAT_CLASSES
from ..errors import InputError
from ..scenario.io import scenario_catalog
from ..scenario.schema import LAYERS, Scenario
from .models import Knobs

__all__ = ["apply_knobs", "scenario_knobs", "class_totals"]


def _largest_remainder(weights: list[int], total: int) -> list[int]:
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def class_totals(sc: Scenario) -> dict[str, int]:
    """Threats per class in the scenario's raid."""
    cat = scenario_catalog(sc)
    out: dict[str, int] = {c: 0 for c in THREAT_CLASSES}
    for s in sc.raid:
        out[cat.threats[s.threat].klass] += s.count
    return out


def _countries() -> list[str]:
    from ..geo.countries import country_names

    return sorted(country_names())


def apply_knobs(sc: Scenario, knobs: Knobs, file: str = "knobs") -> Scenario:
    """The scenario with ``knobs`` applied; :class:`~redline.errors.InputError` for a knob that does not fit it."""
    d: dict[str, Any] = sc.model_dump(mode="python")
    cat = scenario_catalog(sc)

    if knobs.raid:
        salvos = [dict(s) for s in d["raid"]]
        for klass, total in knobs.raid.items():
            idx = [i for i, s in enumerate(salvos) if cat.threats[s["threat"]].klass == klass]
            current = [salvos[i]["count"] for i in idx]
            if total == sum(current):
                continue
            if not idx or sum(current) == 0:
                if total == 0:
                    continue
                raise InputError(file, f"raid.{klass}", total,
                                 f"the scenario has no {klass} salvo to scale; upload a scenario with one")
            for i, n in zip(idx, _largest_remainder(current, total)):
                salvos[i]["count"] = n
        d["raid"] = tuple(salvos)

    if knobs.exclude_owners:
        owners = sorted({u.owner for u in sc.fire_units} | {s.owner for s in sc.sensors})
        for o in knobs.exclude_owners:
            if o not in owners:
                raise InputError(file, "exclude_owners", o, f"no fire unit or sensor has this owner; owners are: {', '.join(owners)}")
        drop = set(knobs.exclude_owners)
        d["fire_units"] = tuple(u for u in d["fire_units"] if u["owner"] not in drop)
        d["sensors"] = tuple(s for s in d["sensors"] if s["owner"] not in drop)

    doc = dict(d["doctrine"])
    if knobs.closed_airspace:
        known = set(_countries()) | {"sea"}
        for c in knobs.closed_airspace:
            if c not in known:
                raise InputError(file, "closed_airspace", c, "unknown country; use a slug such as jordan, iraq, "
                                 "saudi-arabia, syria, or 'sea'")
        closed = set(knobs.closed_airspace)
        nations = sorted({u["owner"] for u in d["fire_units"]})
        airspace = doc.get("airspace")
        if airspace is None:
            everywhere = tuple(sorted(known))
            airspace = {n: everywhere for n in nations}
        doc["airspace"] = {n: tuple(c for c in allowed if c not in closed) for n, allowed in airspace.items()}
    if knobs.shoot_look_shoot is not None:
        doc["shoot_look_shoot"] = knobs.shoot_look_shoot
    if knobs.shots:
        doc["shots"] = {**doc["shots"], **knobs.shots}
    if knobs.impact_prediction is not None:
        doc["impact_prediction"] = tuple(knobs.impact_prediction)
    d["doctrine"] = doc
    try:
        return Scenario.model_validate(d)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(file, ".".join(str(p) for p in err["loc"]), err.get("input"), err["msg"]) from None


def scenario_knobs(sc: Scenario) -> dict[str, Any]:
    """What the knobs of ``sc`` can be set to, and their current values."""
    cat = scenario_catalog(sc)
    totals = class_totals(sc)
    layers = sorted({cat.interceptors[u.type].layer for u in sc.fire_units}, key=LAYERS.index)
    owners = sorted({u.owner for u in sc.fire_units} | {s.owner for s in sc.sensors})
    airspace = sc.doctrine.airspace
    engaged_over = sorted({c for v in (airspace or {}).values() for c in v})
    return {
        "name": sc.name, "title": sc.title, "description": sc.description, "hypothetical": sc.hypothetical,
        "trials": sc.trials, "seed": sc.seed,
        "raid": {k: v for k, v in totals.items() if v > 0},
        "owners": owners,
        "units_by_owner": {o: [u.name for u in sc.fire_units if u.owner == o] for o in owners},
        "airspace": {k: list(v) for k, v in airspace.items()} if airspace is not None else None,
        "airspace_countries": engaged_over or ["iraq", "jordan", "saudi-arabia", "syria", "sea"],
        "shoot_look_shoot": sc.doctrine.shoot_look_shoot,
        "shots": {k: v for k, v in sc.doctrine.shots.items() if k in layers},
        "layers": layers,
        "impact_prediction": list(sc.doctrine.impact_prediction),
        "threat_classes": [c for c in THREAT_CLASSES if totals[c] > 0],
    }
