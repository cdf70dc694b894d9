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

A ``schedule`` replaces the one multiplier per day (``day_scale``) by counts
per day and wave, per salvo (by its ``name`` or its index in the raid) or per
threat class, so that a campaign can replay a day log
(:class:`ScheduleEntry`).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, SerializerFunctionWrapHandler, model_serializer, model_validator

from .. import limits as L
from ..catalog import THREAT_CLASSES

__all__ = ["Campaign", "MissileStock", "Resupply", "Conserve", "Plan", "Adapt", "ScheduleEntry", "CampaignFieldError",
           "planned_wave_sizes"]


class CampaignFieldError(ValueError):
    """A campaign check that names its field inside the block (e.g. ``schedule[3].day``).

    Raised inside the model's validators; pydantic keeps the exception in the error's
    ``ctx``, and :func:`redline.campaign.io.parse_campaign` reports ``campaign.<field>``.
    """

    def __init__(self, field: str, value: object, fix: str):
        super().__init__(f"{field} = {value!r}: {fix}")
        self.field, self.value, self.fix = field, value, fix


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
Count = Annotated[int, L.NOT_BOOL, Field(ge=0),
                  L.capped("MAX_SALVO_COUNT", "threats in one scheduled salvo or class", "split the wave or model fewer threats")]
SalvoKey = Annotated[int, L.NOT_BOOL, Field(ge=0)] | Name


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


class ScheduleEntry(_Frozen):
    """What one wave of one day flies: counts per salvo and per threat class.

    ``salvos`` maps a salvo of the scenario's raid, by its ``name`` or its
    0-based index, to the count it flies in this wave; ``classes`` maps a
    threat class (``drone``, ``cruise``, ``ballistic``, ...) to a count shared
    among that class's salvos not named in ``salvos``, in proportion to their
    counts in the raid (largest remainder; equally when those are all 0).
    Every salvo neither named nor of a listed class flies nothing in this wave.
    """

    day: Days
    wave: Waves = 1
    salvos: dict[SalvoKey, Count] = Field(default_factory=dict)
    classes: dict[str, Count] = Field(default_factory=dict)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "ScheduleEntry":
        for k in self.classes:
            if k not in THREAT_CLASSES:
                raise CampaignFieldError(f"classes.{k}", k, f"unknown threat class; use one of {', '.join(THREAT_CLASSES)}")
        return self


class Conserve(_Frozen):
    """Ration an interceptor type once its stock falls below ``below`` x its starting stock.

    While rationed, each wave may commit only ``commit`` x the rounds held above
    reserve (rounded up); threats the rationed layer does not take fall to the next layers
    (usually cheaper ones).
    """

    below: float = Field(gt=0, le=1)
    commit: float = Field(ge=0, le=1)


class Plan(_Frozen):
    """Ration an interceptor type's campaign stock wave by wave, by a plan fixed before the campaign.

    The defence plans for a war of ``horizon_days`` days: each nation's stock of the
    type (its starting stock less its reserve) is shared evenly over the waves of
    those days, and a delivery (production, resupply) evenly over the waves from its
    day to the horizon's end; wave ``i`` may fire at most ``floor(A_i) - floor(A_(i-1))``
    rounds, ``A_i`` the allowance of waves 1..i (exact fractions). The ration depends
    only on the stock and deliveries up to the wave's day, never on what was fired or
    on later nights, so a campaign's first nights fly the same whatever follows. A
    round a wave leaves unfired stays in the stock but is not added to a later wave's
    ration; after the horizon the plan no longer applies (what is left may be fired
    as without a plan) (:func:`redline.campaign.stocks.wave_rations`).
    """

    horizon_days: Days


class Adapt(_Frozen):
    """Doctrine that adapts to stocks.

    ``reserve`` maps an interceptor type to the fraction of each nation's
    starting stock of it that is never fired in the campaign; ``conserve``
    maps a type to a rationing rule; ``plan`` maps a type to an even ration per
    wave over a planning horizon, fixed before the campaign (:class:`Plan`;
    default: none, each wave may fire the whole stock above reserve).
    """

    reserve: dict[str, float] = Field(default_factory=dict)
    conserve: dict[str, Conserve] = Field(default_factory=dict)
    plan: dict[str, Plan] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _leave_out_unset_plan(self, handler: SerializerFunctionWrapHandler) -> dict:
        # ``plan`` came after campaign hashes were recorded: empty, it is left out so they hold
        out = handler(self)
        if isinstance(out, dict) and not self.plan:
            out.pop("plan", None)
        return out

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
    schedule : tuple of ScheduleEntry, optional
        Counts per day and wave, per salvo or per threat class (instead of
        ``day_scale``); a wave without an entry flies nothing. ``wave_scale``,
        launcher attrition and missile stocks still apply to the scheduled
        counts (:func:`redline.campaign.stocks.plan_waves`).
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
    schedule: tuple[ScheduleEntry, ...] | None = None
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
        self._check_schedule()
        self._check_totals()
        return self

    def _check_schedule(self) -> None:
        """Entries within the campaign's days and waves, one per (day, wave), not beside ``day_scale``."""
        if self.schedule is None:
            return
        if self.day_scale is not None:
            raise CampaignFieldError("day_scale", list(self.day_scale),
                                     "give either day_scale or schedule, not both (a schedule gives the counts of every day)")
        seen: dict[tuple[int, int], int] = {}
        for i, e in enumerate(self.schedule):
            if e.day > self.days:
                raise CampaignFieldError(f"schedule[{i}].day", e.day,
                                         f"after the campaign's last day ({self.days}); raise days or drop the entry")
            if e.wave > self.waves_per_day:
                raise CampaignFieldError(f"schedule[{i}].wave", e.wave,
                                         f"the campaign flies {self.waves_per_day} wave(s) a day; raise waves_per_day or "
                                         "give a lower wave")
            if (e.day, e.wave) in seen:
                raise CampaignFieldError(f"schedule[{i}]", {"day": e.day, "wave": e.wave},
                                         f"day {e.day} wave {e.wave} is already given by schedule[{seen[e.day, e.wave]}]; "
                                         "merge the two entries")
            seen[e.day, e.wave] = i

    @model_serializer(mode="wrap")
    def _leave_out_unset_schedule(self, handler: SerializerFunctionWrapHandler) -> dict:
        # ``schedule`` came after campaign hashes were recorded: unset, it is left out so they hold
        out = handler(self)
        if isinstance(out, dict) and self.schedule is None:
            out.pop("schedule", None)
        return out

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
    the bound takes the largest ``day_scale``. With a ``schedule`` the counts are
    the entries' own (salvo counts plus class counts, which add up to the wave's).
    """
    if camp.schedule is not None:
        f = camp.wave_scale
        return float(max((sum(e.salvos.values()) + sum(e.classes.values()) for e in camp.schedule), default=0)
                     * f + 0.5 * len(counts))
    f = camp.wave_scale * max(camp.day_scale or (1.0,))
    return float(sum(c * f + 0.5 for c in counts))     # floats: a huge scale gives inf, never an overflow
