"""Stocks over a campaign: the attacker's deterministic wave plan and the
defence's per-trial magazines and depots.

Attacker side (the same in every trial): day ``d`` (1-based) flies each
salvo of the scenario's raid at ``round(count x wave_scale x day_scale[d] x
(1 - a) ** (d - 1))`` where ``a`` is the launcher attrition per day, then
cuts each threat type down to the missiles left in its stock (largest
remainder over that type's salvos). Production made on day ``d`` is usable
from day ``d + 1``.

Defence side (per trial): every fire unit holds ready rounds up to its
scenario magazine; a depot per (nation, interceptor type) holds the spare
rounds. Before each wave units reload from their depot, in scenario order.
The *stock* of a (nation, type) group is its depot plus its ready rounds.
Each wave the group releases ``max(0, stock - reserve_level)`` rounds (times
``commit``, rounded up, while its stock is below ``below`` x its starting stock), shared
among its units in proportion to their ready rounds; the engine may fire
only released rounds.

A *stock plan* (``adapt.plan``, :class:`~redline.scenario.campaign.Plan`)
caps a group's release in each wave by an even ration over a planning
horizon, fixed before the campaign from the group's stock and deliveries,
never from what was fired: with it, what one night leaves unfired is not
spent on a later night, so a change that saves rounds early cannot buy kills
late (the monotonicity property, issue 10).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..catalog import Catalog
from ..errors import InputError
from ..scenario.schema import Scenario
from .schema import Campaign

__all__ = ["WavePlan", "plan_waves", "schedule_counts", "salvo_index", "StockGroups", "stock_groups", "reload", "release",
           "apportion", "wave_rations", "unit_demand"]


@dataclass(frozen=True)
class WavePlan:
    """One wave: its day (1-based), its number within the day (1-based) and the count of each salvo."""

    day: int
    wave: int
    counts: tuple[int, ...]


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` (<= sum(weights)) in proportion to ``weights`` by largest remainder; ties go to the first."""
    s = sum(weights)
    if s == 0 or total <= 0:
        return [0] * len(weights)
    quota = [total * w / s for w in weights]
    out = [int(math.floor(q)) for q in quota]
    order = sorted(range(len(weights)), key=lambda i: (-(quota[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _made_on(rate: float, day: int) -> int:
    """Whole units made on ``day`` at ``rate`` per day, fractions carried over."""
    return int(math.floor(rate * day + 1e-9)) - int(math.floor(rate * (day - 1) + 1e-9))


def salvo_index(sc: Scenario, key: int | str, file: str = "<campaign>", field: str = "schedule") -> int:
    """The raid index of the salvo a schedule names: by ``name``, or by its 0-based index."""
    names = [s.name for s in sc.raid]
    if isinstance(key, str) and key in names:
        if names.count(key) > 1:
            raise InputError(file, field, key, "two salvos of the raid have this name; give each salvo its own name")
        return names.index(key)
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        i = int(key)
        if i < len(sc.raid):
            return i
        raise InputError(file, field, key, f"the raid has {len(sc.raid)} salvos (indices 0-{len(sc.raid) - 1}); "
                         "give a salvo's index or name")
    known = ", ".join(n for n in names if n) or "none; add name: to the salvos, or use their indices"
    raise InputError(file, field, key, f"no salvo of the raid has this name; named salvos: {known}")


def schedule_counts(sc: Scenario, camp: Campaign, catalog: Catalog | None = None,
                    file: str = "<campaign>") -> dict[tuple[int, int], tuple[int, ...]]:
    """The scheduled count of every salvo in each (day, wave) the ``schedule`` gives (before scaling).

    A salvo named in an entry flies its count; a class count is shared among the
    class's salvos not named in the entry, in proportion to their raid counts (largest
    remainder, ties to the earlier salvo; equally when those counts are all 0); every
    other salvo flies 0. Unknown salvos, a class the raid has no salvo of (or only named
    ones) raise :class:`InputError` naming ``campaign.schedule[i]...``.
    """
    if camp.schedule is None:
        return {}
    if catalog is None and any(e.classes for e in camp.schedule):
        from ..scenario.io import scenario_catalog

        catalog = scenario_catalog(sc)
    out: dict[tuple[int, int], tuple[int, ...]] = {}
    for i, e in enumerate(camp.schedule):
        counts = [0] * len(sc.raid)
        named: set[int] = set()
        for key, n in e.salvos.items():
            j = salvo_index(sc, key, file, f"campaign.schedule[{i}].salvos.{key}")
            if j in named:
                raise InputError(file, f"campaign.schedule[{i}].salvos.{key}", key,
                                 f"salvo {j} is named twice in this entry (by index and by name); give it once")
            named.add(j)
            counts[j] = n
        for klass, n in e.classes.items():
            assert catalog is not None           # loaded above whenever an entry has classes
            idx = [j for j, s in enumerate(sc.raid) if catalog.threats[s.threat].klass == klass and j not in named]
            if not idx:
                raise InputError(file, f"campaign.schedule[{i}].classes.{klass}", n,
                                 f"the raid has no {klass} salvo left to share this among (none, or all named in salvos); "
                                 f"add a {klass} salvo to the raid")
            weights = [sc.raid[j].count for j in idx]
            if sum(weights) == 0:
                weights = [1] * len(idx)
            for j, c in zip(idx, apportion(n, weights)):
                counts[j] = c
        out[e.day, e.wave] = tuple(counts)
    return out


def plan_waves(sc: Scenario, camp: Campaign, catalog: Catalog | None = None) -> tuple[list[WavePlan], list[dict[str, int]]]:
    """The attacker's waves and its missile stocks at the end of each day's waves.

    Without a ``schedule`` salvo ``s`` flies ``round(count_s x wave_scale x day_scale[d]
    x (1 - a) ** (d - 1))`` on day ``d``; with one, ``round(scheduled_s x wave_scale x
    (1 - a) ** (d - 1))`` (a wave without an entry flies nothing). Either way a stocked
    threat type's salvos are then cut in proportion to what is left of its stock.

    Returns
    -------
    plans : list of WavePlan
        ``days x waves_per_day`` waves in time order.
    stocks : list of dict
        Per day, missiles left of each stocked threat type after that day's waves.
    """
    stocked = sorted(camp.missile_stocks)
    stock = {t: camp.missile_stocks[t].initial for t in stocked}
    plans: list[WavePlan] = []
    curve: list[dict[str, int]] = []
    keep = 1.0 - camp.launcher_attrition_per_day
    sched = schedule_counts(sc, camp, catalog) if camp.schedule is not None else None
    quiet = (0,) * len(sc.raid)
    for d in range(1, camp.days + 1):
        f = camp.wave_scale * (camp.day_scale[d - 1] if camp.day_scale else 1.0) * keep ** (d - 1)
        for w in range(1, camp.waves_per_day + 1):
            base = [s.count for s in sc.raid] if sched is None else sched.get((d, w), quiet)
            want = [int(math.floor(c * f + 0.5)) for c in base]
            for t in stocked:
                idx = [i for i, s in enumerate(sc.raid) if s.threat == t]
                asked = sum(want[i] for i in idx)
                if asked > stock[t]:
                    for i, n in zip(idx, apportion(stock[t], [want[i] for i in idx])):
                        want[i] = n
                stock[t] -= sum(want[i] for i in idx)
            plans.append(WavePlan(d, w, tuple(want)))
        curve.append(dict(stock))
        for t in stocked:
            stock[t] += _made_on(camp.missile_stocks[t].production_per_day, d)
    return plans, curve


@dataclass(frozen=True)
class StockGroups:
    """Interceptor stocks grouped by (nation, type), in sorted order.

    Attributes
    ----------
    keys : tuple of (owner, type)
    members : tuple of int arrays
        Fire-unit indices (scenario order) of each group.
    capacity : (units,) int array
        Ready rounds a unit holds when full (its scenario magazine).
    depot0 : (groups,) int array
        Spare rounds at the start.
    initial : (groups,) int array
        Starting stock: full magazines plus depot.
    reserve_level : (groups,) int array
        Rounds never released: ``floor(reserve x initial)``.
    ration_below : (groups,) float array
        Stock under which the group is rationed (-1: never).
    ration_commit : (groups,) float array
    deliveries : (days, groups) int array
        Rounds added to the depot at the start of each day (production of
        the day before, plus resupply).
    ration : (waves, groups) int array, optional
        Most rounds a group may release in each wave under its stock plan
        (-1: no plan); ``None`` when no group has a plan (:func:`wave_rations`).
    """

    keys: tuple[tuple[str, str], ...]
    members: tuple[np.ndarray, ...]
    capacity: np.ndarray
    depot0: np.ndarray
    initial: np.ndarray
    reserve_level: np.ndarray
    ration_below: np.ndarray
    ration_commit: np.ndarray
    deliveries: np.ndarray
    ration: np.ndarray | None = None

    @property
    def labels(self) -> list[str]:
        return [f"{o}/{t}" for o, t in self.keys]


def wave_rations(camp: Campaign, keys: tuple[tuple[str, str], ...], initial: np.ndarray, reserve_level: np.ndarray,
                 deliveries: np.ndarray) -> np.ndarray:
    """The stock plan: (waves, groups) rounds each group may release per wave, -1 where no plan applies.

    A group ``(nation, type)`` whose type has a :class:`~redline.scenario.campaign.Plan` of
    ``H`` days plans ``N = H x waves_per_day`` waves. Its starting stock less its reserve is
    shared evenly over them, and a delivery arriving on day ``d <= H`` evenly over the waves
    from day ``d``'s first to wave ``N``: the allowance ``a_i`` of wave ``i`` is the sum of those
    shares, and wave ``i`` may release ``floor(A_i) - floor(A_(i-1))`` rounds with ``A_i =
    a_1 + ... + a_i`` (exact fractions, so the rations of the horizon add up to what was planned).
    A wave's ration depends only on the stock and the deliveries up to its own day (so a
    campaign cut to its first nights rations them alike), never on what was fired. Waves
    after the horizon get -1 (no plan).
    """
    from fractions import Fraction

    W = camp.waves_per_day
    n_waves = camp.days * W
    out = np.full((n_waves, len(keys)), -1, dtype=np.int64)
    for g, (_, t) in enumerate(keys):
        rule = camp.adapt.plan.get(t)
        if rule is None:
            continue
        N = rule.horizon_days * W
        alloc = [Fraction(max(int(initial[g]) - int(reserve_level[g]), 0), N)] * N
        for d in range(1, min(camp.days, rule.horizon_days) + 1):
            r = int(deliveries[d - 1, g])
            first = (d - 1) * W
            if r:
                share = Fraction(r, N - first)
                alloc[first:] = [x + share for x in alloc[first:]]
        cum, prev = Fraction(0), 0
        for i in range(min(N, n_waves)):
            cum += alloc[i]
            now = math.floor(cum)
            out[i, g] = now - prev
            prev = now
    return out


def stock_groups(sc: Scenario, camp: Campaign) -> StockGroups:
    """Group the scenario's fire units by (nation, type) and set up the campaign's stock rules."""
    units = list(sc.fire_units)
    keys = tuple(sorted({(u.owner, u.type) for u in units}))
    members = tuple(np.array([i for i, u in enumerate(units) if (u.owner, u.type) == k], dtype=np.int64) for k in keys)
    capacity = np.array([u.rounds for u in units], dtype=np.int64)
    depot0 = np.array([camp.depot.get(o, {}).get(t, 0) for o, t in keys], dtype=np.int64)
    initial = np.array([capacity[m].sum() for m in members], dtype=np.int64) + depot0
    reserve = np.array([math.floor(camp.adapt.reserve.get(t, 0.0) * initial[g]) for g, (_, t) in enumerate(keys)], dtype=np.int64)
    below = np.array([camp.adapt.conserve[t].below * initial[g] if t in camp.adapt.conserve else -1.0
                      for g, (_, t) in enumerate(keys)])
    commit = np.array([camp.adapt.conserve[t].commit if t in camp.adapt.conserve else 1.0 for _, t in keys])
    deliveries = np.zeros((camp.days, len(keys)), dtype=np.int64)
    for g, (o, t) in enumerate(keys):
        rate = camp.production_per_day.get(o, {}).get(t, 0.0)
        for d in range(2, camp.days + 1):
            deliveries[d - 1, g] += _made_on(rate, d - 1)
    for r in camp.resupply:
        deliveries[r.day - 1, keys.index((r.owner, r.type))] += r.rounds
    ration = wave_rations(camp, keys, initial, reserve, deliveries) if any(t in camp.adapt.plan for _, t in keys) else None
    return StockGroups(keys, members, capacity, depot0, initial, reserve, below, commit, deliveries, ration)


def reload(g: StockGroups, rounds: np.ndarray, depot: np.ndarray) -> None:
    """Refill units from their group's depot up to capacity, in scenario order (in place).

    ``rounds`` is (trials, units) and ``depot`` (trials, groups).
    """
    for k, members in enumerate(g.members):
        for u in members:
            take = np.minimum(g.capacity[u] - rounds[:, u], depot[:, k])
            rounds[:, u] += take
            depot[:, k] -= take


def unit_demand(comp) -> np.ndarray:
    """(units,) threats each fire unit of a compiled wave has an engagement opportunity on.

    Known before the wave is fought (it is the compile step's geometry and doctrine, not
    what was fired); a stock plan shares a group's ration among its units by it.
    """
    k = len(comp.unit_names)
    if comp.ev_unit.size == 0:
        return np.zeros(k, dtype=np.int64)
    pairs = np.unique(comp.ev_threat.astype(np.int64) * k + comp.ev_unit.astype(np.int64))
    return np.bincount(pairs % k, minlength=k).astype(np.int64)


def release(g: StockGroups, rounds: np.ndarray, depot: np.ndarray, wave: int | None = None,
            demand: np.ndarray | None = None) -> np.ndarray:
    """Rounds each unit may fire in the next wave, (trials, units), under reserve and rationing.

    ``wave`` (0-based, in time order) applies the stock plan's ration of that wave
    (:attr:`StockGroups.ration`); without it no plan applies. A planned group's ration
    is shared among its units in proportion to ``demand`` (:func:`unit_demand`), each
    capped at its ready rounds, what is left going to units with room in scenario order;
    otherwise (and for every unplanned group) in proportion to ready rounds.
    """
    mags = np.zeros_like(rounds)
    for k, members in enumerate(g.members):
        ready = rounds[:, members]
        loaded = ready.sum(axis=1)
        stock = loaded + depot[:, k]
        free = np.maximum(stock - g.reserve_level[k], 0)
        if g.ration_below[k] >= 0:
            rationed = stock < g.ration_below[k]
            free = np.where(rationed, np.ceil(free * g.ration_commit[k]).astype(free.dtype), free)
        rel = np.minimum(free, loaded)
        ration = g.ration
        planned = wave is not None and ration is not None and ration[wave, k] >= 0
        if planned:
            assert ration is not None and wave is not None
            rel = np.minimum(rel, ration[wave, k])
        d = demand[members] if (planned and demand is not None) else None
        if d is not None and d.sum() > 0:
            share = np.minimum((rel[:, None] * d[None, :]) // d.sum(), ready)
        else:
            share = (rel[:, None] * ready) // np.maximum(loaded, 1)[:, None]
        left = rel - share.sum(axis=1)
        for j in range(len(members)):
            add = np.minimum(left, ready[:, j] - share[:, j])
            share[:, j] += add
            left -= add
        mags[:, members] = share
    return mags
