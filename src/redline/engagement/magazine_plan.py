"""Magazine plans: each fire unit's rounds divided among threat classes before the raid.

A greedy allocator spends a unit's rounds on whatever reaches it first. Where magazines bind
across classes, that makes the defence non-monotone per class: take away a unit's
engagements on one class (close an airspace, remove a rival) and the rounds it no longer
spends there go to another class, whose impacts then *fall* (docs/engagement-realism.md §6.5:
Israel alone, its Iron Dome and fighters spent in every trial). Air-defence planning does the
opposite: interceptors are allotted to threats before the raid (fighter patrols assigned to an
axis, launchers of a battery to a sector), so that rounds meant for one threat are there when it
comes. No public plan of this kind exists for any raid modelled here: the mechanism is an
ASSUMPTION of the model, and its shares are assumptions of each scenario that sets one, stated
with a range beside the figures they lean on (april-2024-no-partners.yaml: [A09], [I09], [A37]).

Semantics (applied by :func:`redline.engagement.compile.compile_scenario`, so both engines see
the same fire units and stay bit-identical):

* A unit's plan is its own ``magazine_plan`` if set, else the doctrine's
  ``magazine_plan[owner][type]``, else none (the unit fights as before). A plan maps threat
  classes to shares summing to 1; a class the plan does not list, or lists at 0, is never
  engaged by the unit.
* A plan with one class (share 1) assigns the unit to that class. A plan with several classes
  splits the unit into *sections*, one per class of positive share, named ``unit/class``, each
  a fire unit of the same type, owner, position, patrol and reaction time, assigned to its class,
  with ``r_c`` of the unit's ``R`` rounds and ``ch_c`` of its ``CH`` channels. Both are
  apportioned by largest remainder (Hamilton): ``r_c = floor(R s_c)`` plus one for the classes
  with the largest remainders ``R s_c - floor(R s_c)`` until ``Σ r_c = R`` (ties in
  ``THREAT_CLASSES`` order); channels the same, then at least 1 each (the plan assigns
  launchers or aircraft, and each section keeps a fire channel).
* A section's random draws are keyed by its own name (:mod:`redline.engagement.draws`), so a run
  redrawn from the planned scenario it stores (``Compiled.scenario``, sections included) draws the
  same; a scenario and its variants, planned alike, stay paired.
* A planned unit (or section) whose rounds are fewer than one salvo (``doctrine.shots`` of its
  layer) for every threat of its classes in its reach *fires late*: its opportunities on each
  threat are the last ``max_engagements`` it may take (its last in-envelope chance in an
  airspace it may use, then going back one decision interval at a time). Reach is the unit's
  envelope, its reaction to the earliest track included, whatever the airspace rules, so the
  test does not move when an airspace closes; the chances are anchored at the end, so a closure
  earlier in the window does not move them, and one that takes the last chances moves the shots
  to the last chances still open (earlier: impacts rise on that account, never fall).
  Reason: with rounds for only some of the threats, a round fired early is partly spent on
  threats that would have failed on the way (about a quarter of the drones at the shipped
  posterior's mean reliability, 0.74) and on threats not headed for what the unit defends; the
  IDF engages only what is predicted to hit a defended area [C02], a late decision. ASSUMPTION
  of the model. Without it a closure that only delays a saturated unit's shots lowers impacts,
  because later shots waste fewer rounds on threats that fail anyway (docs/engagement-realism.md
  §6.6: −0.69 drones, SE 0.11, with the plan alone; −0.14, SE 0.11, with every drone and cruise
  missile reliable). Choosing the last chances on the envelope alone and then dropping those in
  a closed airspace was tried: closing Israel's airspace then silenced every planned Israeli
  unit (drones +81.6 impacts), an unreasonable reading of a closure.
* The plan does not depend on other units or on the airspace rules, so removing a unit or closing
  an airspace cannot move rounds from one class to another: per class, each section's rounds are
  fixed before the raid. Rounds a section cannot use are not used.

In campaigns (session 5, docs/engagement-realism.md §6.8): a campaign keeps its stocks per fire unit
of the scenario, so it accepts plans of **one class** only (share 1): they keep the unit whole (its
stock, depot and stock-plan ration as without a plan) and give it the class and the late-fire rule in
every wave. The late-fire test uses the unit's scenario magazine (its full ready load, the most a
wave can release), so it is fixed before the campaign and does not depend on what earlier waves
fired. A plan of several classes would split a unit's campaign stock into sections, which is not
modelled; the scenario check refuses it, naming the field.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from ..catalog import THREAT_CLASSES
from ..scenario.schema import FireUnit, Scenario

__all__ = ["unit_plan", "apportion", "planned_units", "SECTION_SEP"]

SECTION_SEP = "/"
"""Separator between a unit's name and its section's class (``iaf-east/cruise``)."""


def unit_plan(sc: Scenario, u: FireUnit) -> dict[str, float] | None:
    """The unit's plan (class -> share), its own or the doctrine's for its owner and type, or None."""
    plan = u.magazine_plan
    if plan is None:
        plan = (sc.doctrine.magazine_plan or {}).get(u.owner, {}).get(u.type)
    return None if plan is None else {str(c): float(v) for c, v in plan.items()}


def apportion(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """``total`` split by largest remainder over the classes of ``shares`` (keys in ``THREAT_CLASSES``
    order; ties to the earlier class). Returns class -> count, summing to ``total``."""
    classes: list[str] = [c for c in THREAT_CLASSES if c in shares]
    exact = {c: total * float(shares[c]) for c in classes}
    out: dict[str, int] = {c: math.floor(exact[c] + 1e-9) for c in classes}
    left = total - sum(out.values())
    order = sorted(classes, key=lambda c: (-(exact[c] - out[c]), THREAT_CLASSES.index(c)))
    for c in order[:max(left, 0)]:
        out[c] += 1
    return out


def planned_units(sc: Scenario) -> tuple[list[FireUnit], list[int], list[frozenset[str] | None]]:
    """The fire units as the plan has them: (units, the index in ``sc.fire_units`` of the unit each
    comes from, the classes each may engage or None for any).
    Units without a plan are returned unchanged."""
    units: list[FireUnit] = []
    keys: list[int] = []
    allowed: list[frozenset[str] | None] = []
    for k, u in enumerate(sc.fire_units):
        plan = unit_plan(sc, u)
        if plan is None:
            units.append(u)
            keys.append(k)
            allowed.append(None)
            continue
        live = {c: s for c, s in plan.items() if s > 0}
        if len(live) == 1:
            units.append(u)
            keys.append(k)
            allowed.append(frozenset(live))
            continue
        rounds = apportion(u.rounds, live)
        chans = apportion(u.channels, live)
        for c in (c for c in THREAT_CLASSES if c in live):
            # model_copy: a section's name carries the separator and its magazine may be 0, which the
            # file-level checks do not allow; the parent unit was checked
            units.append(u.model_copy(update={
                "name": f"{u.name}{SECTION_SEP}{c}", "magazine": rounds[c], "aircraft": None, "missiles_each": None,
                "channels": max(1, chans[c]), "magazine_plan": {c: 1.0}}))
            keys.append(k)
            allowed.append(frozenset((c,)))
    return units, keys, allowed
