"""Apply the web app's knobs to a scenario, and describe a scenario's knobs.

Knobs edit the scenario's data only, with the transforms of
:mod:`redline.scenario.transforms` (the same edits a scenario file makes
with ``extends``); nothing here computes physics. Excluding owners
matches ``exclude_owners`` in a scenario file exactly, so a run with
``exclude_owners: [jordan]`` here equals ``redline run`` of a file that
``extends`` the scenario with ``exclude_owners: [jordan]``.
"""
from __future__ import annotations

from typing import Any

from ..catalog import THREAT_CLASSES
from ..errors import InputError
from ..scenario import transforms as T
from ..scenario.io import scenario_catalog
from ..scenario.schema import LAYERS, Scenario
from .models import Knobs

__all__ = ["apply_knobs", "scenario_knobs", "class_totals"]


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
    if knobs.raid:
        sc = T.set_class_totals(sc, knobs.raid, scenario_catalog(sc), file)
    if knobs.exclude_owners:
        T.check_owners(sc, knobs.exclude_owners, file)
        sc = T.exclude_owners(sc, knobs.exclude_owners)
    if knobs.closed_airspace:
        known = set(_countries()) | {"sea"}
        for c in knobs.closed_airspace:
            if c not in known:
                raise InputError(file, "closed_airspace", c, "unknown country; use a slug such as jordan, iraq, "
                                 "saudi-arabia, syria, or 'sea'")
        sc = T.close_airspace(sc, knobs.closed_airspace, everywhere=sorted(known))
    doctrine: dict[str, Any] = {}
    if knobs.shoot_look_shoot is not None:
        doctrine["shoot_look_shoot"] = knobs.shoot_look_shoot
    if knobs.shots:
        doctrine["shots"] = knobs.shots
    if knobs.impact_prediction is not None:
        doctrine["impact_prediction"] = tuple(knobs.impact_prediction)
    return T.set_doctrine(sc, doctrine, file)


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
        "all_threat_classes": list(THREAT_CLASSES),
    }
