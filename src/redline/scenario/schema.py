"""Scenario data model: sites, sensors, fire units, raid, doctrine, campaign block.

Scenarios are frozen pydantic models with no behaviour. Files use friendly
units whose names say so (``_km``, ``_min``, ``_deg``); the engine converts
them to SI once, in :mod:`redline.engagement.compile`. Edits of a scenario
(variants, knobs, sweep points) are the pure functions of
:mod:`redline.scenario.transforms`.
"""
from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    NonNegativeFloat,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from .. import limits as L
from ..catalog import ThreatClass
from .campaign import Campaign, CampaignFieldError, planned_wave_sizes

__all__ = [
    "Site",
    "Point",
    "SensorPlacement",
    "Patrol",
    "FireUnit",
    "Salvo",
    "Doctrine",
    "Scenario",
    "Campaign",
    "LAYERS",
]

LAYERS = ("exo", "upper_endo", "middle", "lower", "naval", "air_to_air")
Layer = Literal["exo", "upper_endo", "middle", "lower", "naval", "air_to_air"]
_DEFAULT_SHOTS: dict[Layer, int] = {"exo": 1, "upper_endo": 2, "middle": 2, "lower": 2, "naval": 2, "air_to_air": 1}


class _Frozen(BaseModel):
    # every number in a scenario is physical: inf and nan are refused everywhere
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


Name = Annotated[str, Field(min_length=1)]
SalvoCount = Annotated[int, L.NOT_BOOL, Field(ge=0),
                       L.capped("MAX_SALVO_COUNT", "threats in one salvo", "split it into several salvos or model fewer threats")]
Rounds = Annotated[int, L.NOT_BOOL, Field(ge=0),
                   L.capped("MAX_MAGAZINE", "rounds in one fire unit", "split the unit or model fewer rounds")]
Aircraft = Annotated[int, L.NOT_BOOL, Field(ge=0),
                     L.capped("MAX_AIRCRAFT", "aircraft in one patrol", "split the patrol into several fire units")]
MissilesEach = Annotated[int, L.NOT_BOOL, Field(ge=0),
                         L.capped("MAX_MISSILES_EACH", "missiles per aircraft", "give the load of one aircraft")]
Channels = Annotated[int, L.NOT_BOOL, Field(ge=1),
                     L.capped("MAX_CHANNELS", "engagement channels", "give the engagements it starts per decision interval")]
Shots = Annotated[int, L.NOT_BOOL, Field(ge=1), L.capped("MAX_SHOTS", "shots, engagements or salvos", "give a small whole number")]
Trials = Annotated[int, L.NOT_BOOL, Field(ge=1),
                   L.capped("MAX_TRIALS", "trials", "run fewer trials (the error of a mean falls as 1/sqrt(trials))")]
Seed = Annotated[int, L.NOT_BOOL, Field(ge=0), L.capped("MAX_SEED", "(int64)", "give a smaller seed")]
RadiusKm = Annotated[float, Field(gt=0), L.capped("MAX_RADIUS_KM", "km", "give the radius in km")]
TimeS = Annotated[float, Field(ge=0), L.capped("MAX_TIME_S", "seconds", "give the time in seconds")]
WindowMin = Annotated[float, Field(ge=0),
                      L.capped("MAX_WINDOW_MIN", "minutes", "give launch times within a week of time zero")]


class Point(_Frozen):
    """A position given by latitude and longitude [deg]."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Site(Point):
    """A named place: launch area, air base, city area, ship station, facility or air-launch point.

    ``value`` is the defended value (0 = not defended); ``radius_km`` is the
    area a warhead must fall in to count as a hit on the site. ``energy``,
    ``nuclear``, ``radar`` and ``naval_base`` are facilities (the gazetteer's
    categories); ``air_launch`` is a point in the air from which aircraft
    release their weapons (a salvo launched there may name its ``aircraft``
    and ``base``). The kind is descriptive: the engine treats every kind alike.
    """

    kind: Literal["launch_area", "air_base", "city", "ship_station", "point",
                  "energy", "nuclear", "radar", "naval_base", "air_launch"] = "point"
    radius_km: RadiusKm = 5.0
    value: NonNegativeFloat = 0.0
    note: str = ""


class SensorPlacement(_Frozen):
    """A sensor of a catalog type at a site or point."""

    name: Name
    type: Name
    owner: Name
    site: str | None = None
    at: Point | None = None
    note: str = ""

    @model_validator(mode="after")
    def _where(self) -> "SensorPlacement":
        if (self.site is None) == (self.at is None):
            raise ValueError("give exactly one of site or at")
        return self


class Patrol(_Frozen):
    """A fighter combat air patrol: a circle flown during an on-station window."""

    site: str | None = None
    at: Point | None = None
    radius_km: RadiusKm
    on_station_min: tuple[float, float] = (0.0, 1e9)

    @model_validator(mode="after")
    def _check(self) -> "Patrol":
        if (self.site is None) == (self.at is None):
            raise ValueError("give exactly one of site or at")
        if self.on_station_min[1] <= self.on_station_min[0]:
            raise ValueError("on_station_min must be [start, end] with end > start")
        return self


class FireUnit(_Frozen):
    """A battery, a ship or a fighter patrol.

    For fighters the magazine is ``aircraft * missiles_each`` unless
    ``magazine`` is given.
    """

    name: Name
    kind: Literal["battery", "ship", "fighter"]
    type: Name                                 # interceptor type id from the catalog
    owner: Name                                # nation slug, e.g. israel, united-states
    site: str | None = None
    at: Point | None = None
    patrol: Patrol | None = None
    magazine: Rounds | None = None
    aircraft: Aircraft | None = None
    missiles_each: MissilesEach | None = None
    channels: Channels = 4                     # engagements it can start per decision interval
    reaction_s: TimeS = 30.0
    note: str = ""
    # threat class -> share of the magazine planned for it (overrides doctrine.magazine_plan; unset: the
    # doctrine's, or none; semantics in redline.engagement.magazine_plan)
    magazine_plan: dict[ThreatClass, Annotated[float, Field(ge=0.0, le=1.0)]] | None = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_unset(handler(self), ("magazine_plan",))

    @model_validator(mode="after")
    def _check(self) -> "FireUnit":
        if self.magazine_plan is not None:
            _check_plan(self.magazine_plan, f"magazine_plan of {self.name}")
        if self.kind == "fighter":
            if self.patrol is None:
                raise ValueError("a fighter unit needs a patrol (site or at, radius_km, on_station_min)")
            if self.magazine is None and (self.aircraft is None or self.missiles_each is None):
                raise ValueError("a fighter unit needs aircraft and missiles_each (or magazine)")
        else:
            if (self.site is None) == (self.at is None):
                raise ValueError(f"a {self.kind} needs exactly one of site or at")
            if self.magazine is None:
                raise ValueError(f"a {self.kind} needs a magazine (interceptors ready to fire)")
        return self

    @property
    def rounds(self) -> int:
        if self.magazine is not None:
            return self.magazine
        return int(self.aircraft or 0) * int(self.missiles_each or 0)


class Salvo(_Frozen):
    """Threats of one type launched from one area in a time window."""

    threat: Name                               # threat type id from the catalog
    count: SalvoCount
    launch: Name                               # site name (launch area)
    window_min: tuple[WindowMin, WindowMin] = (0.0, 0.0)
    aim: dict[str, NonNegativeFloat]           # site name -> weight
    waypoints: tuple[str | Point, ...] = ()
    aircraft: Name | None = None               # carrier aircraft type (catalog `aircraft`), air launch only
    base: Name | None = None                   # site the aircraft flies from (needs aircraft)
    note: str = ""
    name: Name | None = Field(default=None, exclude_if=lambda v: v is None)  # label for campaign schedules (unset: not dumped, hashes hold)

    @model_validator(mode="after")
    def _check(self) -> "Salvo":
        if self.window_min[1] < self.window_min[0]:
            raise ValueError("window_min must be [start, end] with end >= start")
        if (self.aircraft is None) != (self.base is None):
            raise ValueError("an air-launched salvo gives both aircraft (a catalog aircraft type) and base "
                             "(the site it flies from), or neither")
        if not self.aim or sum(self.aim.values()) <= 0:
            raise ValueError("aim needs at least one site with a positive weight")
        return self

    @model_serializer(mode="wrap")
    def _omit_no_aircraft(self, handler: SerializerFunctionWrapHandler) -> Any:
        # a salvo that no aircraft carries dumps as it did before the air-launch fields existed,
        # so that scenario dumps and hashes (the effects table's keys) do not change
        out = handler(self)
        if isinstance(out, dict):
            for key in ("aircraft", "base"):
                if key in out and out[key] is None:
                    del out[key]
        return out


def _check_plan(plan: dict[Any, float], where: str) -> None:
    """A magazine plan's shares must sum to 1 (every round is planned for some class)."""
    total = sum(plan.values())
    if not plan or abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where}: the shares must sum to 1 (got {total:g} over {sorted(plan)}); "
                         "list every class the unit may engage, e.g. {cruise: 0.6, drone: 0.4}")


def _drop_unset(out: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Leave fields added after scenarios were recorded out of a dump while unset, so that dumps,
    hashes and the effects table keyed by them stay as they were."""
    for k in names:
        if k in out and out[k] is None:
            del out[k]
    return out


class Doctrine(_Frozen):
    """How the defence fights: salvo sizes, shoot-look-shoot, priorities, partner rules."""

    shots: dict[Layer, Shots] = Field(default_factory=lambda: dict(_DEFAULT_SHOTS))
    shoot_look_shoot: bool = True
    max_engagements: Shots = 2                 # per threat and fire unit
    salvos_in_flight: Shots = 1                # per threat, across all units (network shoot-look-shoot)
    look_s: TimeS = 20.0                       # time to assess a kill before re-engaging
    impact_prediction: tuple[ThreatClass, ...] = ("ballistic",)
    reserve: dict[str, float] = Field(default_factory=dict)  # interceptor type -> fraction kept back
    allocation: Literal["greedy", "exact"] = "greedy"
    decision_interval_s: Annotated[TimeS, Field(gt=0)] = 30.0
    airspace: dict[str, tuple[str, ...]] | None = None  # nation -> countries (or "sea") it may engage over
    airspace_ceiling_km: float = Field(default=100.0, gt=0)  # above this, intercepts are in no state's airspace
    # nation -> interceptor type -> threat classes it is kept back from while a cheaper unit can engage
    # (unset: nothing withheld; semantics in redline.engagement.compile)
    withhold: dict[str, dict[str, tuple[ThreatClass, ...]]] | None = None
    # nation -> interceptor type -> threat class -> share of each such unit's magazine planned for that
    # class before the raid (unset: no plan; semantics in redline.engagement.magazine_plan)
    magazine_plan: dict[str, dict[str, dict[ThreatClass, Annotated[float, Field(ge=0.0, le=1.0)]]]] | None = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_unset(handler(self), ("withhold", "magazine_plan"))

    @model_validator(mode="after")
    def _check(self) -> "Doctrine":
        for k, v in self.reserve.items():
            if not 0.0 <= v < 1.0:
                raise ValueError(f"reserve for {k} must be a fraction in [0, 1), got {v}")
        for nation, types in (self.magazine_plan or {}).items():
            for t, plan in types.items():
                _check_plan(plan, f"magazine_plan.{nation}.{t}")
        return self


class Scenario(_Frozen):
    """A raid against a defence posture, with everything needed to run it.

    ``campaign`` is the optional schedule over days read by
    :mod:`redline.campaign` (a plain run flies the raid once).

    Notes
    -----
    The campaign block is typed (:class:`~redline.scenario.campaign.Campaign`),
    but it serialises as it was written (the mapping the file gave, numbers
    as the file wrote them), so that scenario hashes, which were taken over
    the written block when it was an untyped mapping, do not change. A block
    replaced in code (``model_copy(update={"campaign": ...})``) or built as a
    ``Campaign`` object serialises from the model.
    """

    name: Name
    title: str = ""
    description: str = ""
    hypothetical: bool = False
    sources: tuple[str, ...] = ()
    catalog: tuple[str, ...] = ()              # extra catalog files, relative to the scenario file
    sites: dict[str, Site]
    sensors: tuple[SensorPlacement, ...] = ()
    fire_units: tuple[FireUnit, ...] = ()
    raid: tuple[Salvo, ...]
    doctrine: Doctrine = Field(default_factory=Doctrine)
    trials: Trials = 10_000
    seed: Seed = 0
    campaign: Campaign | None = None           # schedule over days, read by redline.campaign (one wave otherwise)
    # nation -> probability it takes part in this raid (unset or absent nation: it always does)
    participation: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = None
    _campaign_as_written: tuple[Campaign, dict] | None = PrivateAttr(default=None)
    _base_dir: Path | None = PrivateAttr(default=None)  # the directory relative catalog paths refer to (io sets it)

    @field_validator("raid")
    @classmethod
    def _raid_size(cls, raid: tuple[Salvo, ...]) -> tuple[Salvo, ...]:
        total = sum(s.count for s in raid)
        if total > L.MAX_RAID_THREATS:
            raise ValueError(L.cap_message("MAX_RAID_THREATS", f"threats in one raid (this raid has {total:,})",
                                           "model fewer threats or split the raid into campaign waves"))
        return raid

    @field_validator("campaign")
    @classmethod
    def _wave_size(cls, camp: Campaign | None, info: ValidationInfo) -> Campaign | None:
        if camp is not None and "raid" in info.data:
            check_wave_sizes(info.data["raid"], camp)
        return camp

    @model_validator(mode="wrap")
    @classmethod
    def _keep_campaign_as_written(cls, data: Any, handler: ModelWrapValidatorHandler["Scenario"]) -> "Scenario":
        sc = handler(data)
        block = data.get("campaign") if isinstance(data, dict) else None
        if isinstance(block, dict) and sc.campaign is not None:
            sc._campaign_as_written = (sc.campaign, deepcopy(block))
        return sc

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _drop_unset(handler(self), ("participation",))

    @field_serializer("campaign", mode="wrap")
    def _campaign_as_read(self, camp: Campaign | None, handler: SerializerFunctionWrapHandler) -> Any:
        written = self._campaign_as_written
        if camp is not None and written is not None and written[0] is camp:
            return deepcopy(written[1])
        return handler(camp)


def check_wave_sizes(raid: tuple[Salvo, ...], camp: Campaign) -> None:
    """Raise ``ValueError`` when a campaign wave would fly more than :data:`redline.limits.MAX_RAID_THREATS` threats.

    The largest wave is the raid scaled by ``wave_scale`` and the largest
    ``day_scale`` (attrition only shrinks it), so the check costs one sum.
    """
    biggest = planned_wave_sizes([s.count for s in raid], camp)
    if biggest > L.MAX_RAID_THREATS:
        raise CampaignFieldError("wave_scale", camp.wave_scale, L.cap_message(  # names campaign.wave_scale
            "MAX_RAID_THREATS", f"threats in one wave (the largest wave has about {biggest:,.0f})", "lower wave_scale or day_scale"))
