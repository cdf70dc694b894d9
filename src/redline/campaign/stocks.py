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
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scenario.schema import Scenario
from .schema import Campaign

__all__ = ["WavePlan", "plan_waves", "StockGroups", "stock_groups", "reload", "release", "apportion"]


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


def plan_waves(sc: Scenario, camp: Campaign) -> tuple[list[WavePlan], list[dict[str, int]]]:
    """The attacker's waves and its missile stocks at the end of each day's waves.

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
    for d in range(1, camp.days + 1):
        f = camp.wave_scale * (camp.day_scale[d - 1] if camp.day_scale else 1.0) * keep ** (d - 1)
        for w in range(1, camp.waves_per_day + 1):
            want = [int(math.floor(s.count * f + 0.5)) for s in sc.raid]
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

    @property
    def labels(self) -> list[str]:
        return [f"{o}/{t}" for o, t in self.keys]


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
    return StockGroups(keys, members, capacity, depot0, initial, reserve, below, commit, deliveries)


def reload(g: StockGroups, rounds: np.ndarray, depot: np.ndarray) -> None:
    """Refill units from their group's depot up to capacity, in scenario order (in place).

    ``rounds`` is (trials, units) and ``depot`` (trials, groups).
    """
    for k, members in enumerate(g.members):
        for u in members:
            take = np.minimum(g.capacity[u] - rounds[:, u], depot[:, k])
            rounds[:, u] += take
            depot[:, k] -= take


def release(g: StockGroups, rounds: np.ndarray, depot: np.ndarray) -> np.ndarray:
    """Rounds each unit may fire in the next wave, (trials, units), under reserve and rationing."""
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
        share = (rel[:, None] * ready) // np.maximum(loaded, 1)[:, None]
        left = rel - share.sum(axis=1)
        for j in range(len(members)):
            add = np.minimum(left, ready[:, j] - share[:, j])
            share[:, j] += add
            left -= add
        mags[:, members] = share
    return mags
