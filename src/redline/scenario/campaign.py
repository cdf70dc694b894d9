"""The scenario's ``campaign`` block: a schedule of waves over days, stocks and how they change.

A campaign file is a scenario file with a ``campaign:`` block (read by
:mod:`redline.campaign`; :class:`~redline.scenario.schema.Scenario` carries it
typed). The block's model lives beside the scenario's so that the data model
does not depend on the campaign runner; :mod:`redline.campaign.schema`
re-exports it.

The scenario's ``raid`` is one *wave*; the block says how many waves are flown
each day, how their size changes (launcher attrition, missile stocks), what
the defence holds beyond its ready magazines, what it receives, and how its
doctrine adapts to falling stocks. Friendly units as named (``_per_day``);
stocks are counted in rounds (interceptors) or missiles (threats).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, model_validator

from .. import limits as L

__all__ = ["Campaign", "MissileStock", "Resupply", "Conserve", "Adapt", "planned_wave_sizes"]


class _Frozen(BaseModel):
    # every number is physical: inf and nan are refused everywhere
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


Stock = Annotated[int, L.NOT_BOOL, Field(ge=0),
                  L.capped("MAX_STOCK", "missiles or rounds in one stock", "give a stock of a plausible size")]
PerDay = Annotated[NonNegativeFloat,
                   L.capped("MAX_PRODUCTION_PER_DAY", "made per day", "give a plausible production rate")]
Days = Annotated[int, L.NOT_BOOL, Field(ge=1), L.capped("MAX_CAMPAIGN_DAYS", "days", "model a shorter campaign")]
Waves = Annotated[int, L.NOT_BOOL, Field(ge=1),
                  L.capped("MAX_WAVES_PER_DAY", "waves a day", "merge waves (a wave is the scenario's whole raid)")]
Name = Annotated[str, Field(min_length=1)]


class MissileStock(_Frozen):
    """The attacker's stock of one threat type: missiles (or drones) on hand and made per day."""

    initial: Stock
    production_per_day: PerDay = 0.0


class Resupply(_Frozen):
    """A one-off delivery of interceptor rounds to a nation's depot at the start of a day."""

    day: Days
    owner: Name
    type: Name
    rounds: Stock
    note: str = ""


class Conserve(_Frozen):
    """Ration an interceptor type once its stock falls below ``below`` x its starting stock.

    While rationed, each wave may commit only ``commit`` x the rounds held above
    reserve (rounded up); threats the rationed layer does not take fall to the next layers
    (usually cheaper ones).
    """

    below: float = Field(gt=0, le=1)
    commit: float = Field(ge=0, le=1)


class Adapt(_Frozen):
    """Doctrine that adapts to stocks.

    ``reserve`` maps an interceptor type to the fraction of each nation's
    starting stock of it that is never fired in the campaign; ``conserve``
    maps a type to a rationing rule.
    """

    reserve: dict[str, float] = Field(default_factory=dict)
    conserve: dict[str, Conserve] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> "Adapt":
        for k, v in self.reserve.items():
            if not 0.0 <= v < 1.0:
                raise ValueError(f"reserve for {k} must be a fraction in [0, 1), got {v}")
        return self


class Campaign(_Frozen):
    """A schedule of raids over days with stocks carried from raid to raid.

    Attributes
    ----------
    days : int
        Length of the campaign [days].
    waves_per_day : int
        Waves flown each day; each wave is the scenario's raid.
    wave_scale : float
        Multiplier on every salvo count of the scenario's raid.
    day_scale : tuple of float, optional
        Per-day multiplier (length ``days``), e.g. a heavy opening day.
    launcher_attrition_per_day : float
        Fraction of the attacker's launchers destroyed each day; day ``d``
        (1-based) launches ``(1 - a) ** (d - 1)`` of the planned salvo.
    missile_stocks : dict
        Threat type -> :class:`MissileStock`. Types not listed are unlimited.
    depot : dict
        Nation -> interceptor type -> spare rounds beyond the ready
        magazines of its fire units at the start.
    production_per_day : dict
        Nation -> interceptor type -> rounds made per day (fractions
        accumulate); rounds made on day ``d`` are usable from day ``d + 1``.
    resupply : tuple of Resupply
        One-off deliveries, usable from the start of their day.
    adapt : Adapt
        Reserve thresholds and rationing.
    """

    days: Days = 7
    waves_per_day: Waves = 1
    wave_scale: NonNegativeFloat = 1.0
    day_scale: tuple[NonNegativeFloat, ...] | None = None
    launcher_attrition_per_day: float = Field(default=0.0, ge=0.0, lt=1.0)
    missile_stocks: dict[str, MissileStock] = Field(default_factory=dict)
    depot: dict[str, dict[str, Stock]] = Field(default_factory=dict)
    production_per_day: dict[str, dict[str, PerDay]] = Field(default_factory=dict)
    resupply: tuple[Resupply, ...] = ()
    adapt: Adapt = Field(default_factory=Adapt)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "Campaign":
        if self.days * self.waves_per_day > L.MAX_CAMPAIGN_WAVES:
            raise ValueError(L.cap_message("MAX_CAMPAIGN_WAVES", f"waves in a campaign ({self.days} days x {self.waves_per_day} a day)",
                                           "model fewer days or fewer waves a day"))
        if self.day_scale is not None and len(self.day_scale) != self.days:
            raise ValueError(f"day_scale must give one multiplier per day ({self.days}), got {len(self.day_scale)}")
        for r in self.resupply:
            if r.day > self.days:
                raise ValueError(f"resupply on day {r.day} is after the campaign's last day ({self.days})")
        self._check_totals()
        return self

    def _check_totals(self) -> None:
        """Each stock's total over the campaign (start, resupply, production) stays under ``MAX_STOCK``."""
        total: dict[tuple[str, str], int] = {}
        for owner, rounds in self.depot.items():
            for t, n in rounds.items():
                total[owner, t] = total.get((owner, t), 0) + n
        for r in self.resupply:
            total[r.owner, r.type] = total.get((r.owner, r.type), 0) + r.rounds
        for owner, rates in self.production_per_day.items():
            for t, rate in rates.items():
                total[owner, t] = total.get((owner, t), 0) + math.ceil(rate * self.days)
        for t, ms in self.missile_stocks.items():
            total["attacker", t] = ms.initial + math.ceil(ms.production_per_day * self.days)
        for (owner, t), held in sorted(total.items()):
            if held > L.MAX_STOCK:
                raise ValueError(L.cap_message("MAX_STOCK", f"{t} of {owner} over the campaign (start, resupply and "
                                               f"production: {held:,})", "give smaller stocks or production"))


def planned_wave_sizes(counts: Sequence[int], camp: Campaign) -> float:
    """An upper bound on the threats of any one wave of ``camp`` flying a raid of salvo ``counts``.

    Each salvo flies ``round(count x wave_scale x day_scale[d] x (1 - a) ** (d - 1))``
    (:func:`redline.campaign.stocks.plan_waves`); attrition only shrinks it, so
    the bound takes the largest ``day_scale``.
    """
    f = camp.wave_scale * max(camp.day_scale or (1.0,))
    return float(sum(c * f + 0.5 for c in counts))     # floats: a huge scale gives inf, never an overflow
