"""Data model of the escalation game: frozen, validated, no behaviour.

The game (``game.yaml``), the policy levers and packages (``levers.yaml``), the start states
(``states.yaml``) and files of coded moves (``history.yaml`` and any file of the same schema)
are parsed into these models by :mod:`redline.escalation.io`, which turns pydantic errors into
one-line :class:`~redline.errors.InputError` messages. Cross-references (an action's target is an
actor, a move's action exists, a source key is defined) are checked there, where the file name
is known.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "MAX_ACTORS",
    "MAX_PARTNERS",
    "MAX_STOCKS",
    "OUTCOMES",
    "RUNGS",
    "THREAT_CLASSES",
    "Action",
    "Actor",
    "Assumed",
    "ContextChange",
    "ContextRow",
    "Dynamics",
    "Front",
    "Game",
    "Lever",
    "LeverBook",
    "LeverEffect",
    "Move",
    "MovesFile",
    "MovesStart",
    "Package",
    "Raid",
    "Retarget",
    "Rung",
    "Source",
    "StartState",
    "StockDef",
    "StockInit",
    "Variant",
]

MAX_ACTORS = 10         # the kernel's fixed state layout holds at most this many actors
MAX_PARTNERS = 2        # partner actors that defend (airspace and defensive participation slots)
MAX_STOCKS = 8
RUNGS = 9               # rungs 0..8
OUTCOMES = ("contained", "damaging", "severe")
THREAT_CLASSES = ("drone", "cruise", "ballistic", "rocket")



_PRECEDENT: dict[Literal["half_life_days"], float] = {"half_life_days": 365.0}
_SEVERITY_THRESHOLDS: dict[Literal["military", "infrastructure", "cities"], tuple[float, float]] = {
    "military": (10, 40), "infrastructure": (3, 15), "cities": (1, 8)}

NonNegative = Annotated[float, Field(ge=0)]


class _Frozen(BaseModel):
    # every number of the game is a finite constant, probability or count: inf and nan are refused
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _prob3(v: tuple[float, float, float] | None) -> tuple[float, float, float] | None:
    if v is None:
        return v
    if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
        raise ValueError(f"outcome probabilities [contained, damaging, severe] must be >= 0 and sum to 1, got {list(v)}")
    return v


# --------------------------------------------------------------------------- game
class Rung(_Frozen):
    """One rung of the escalation ladder."""

    rung: int = Field(ge=0, le=RUNGS - 1)
    id: str
    name: str
    description: str = ""


class Front(_Frozen):
    """A proxy's standing front: ongoing fire while its latest move is at rung 3 or above."""

    target: str
    loss_per_day: float = Field(ge=0)                       # loss points a day on the target
    interceptors_per_day: dict[str, NonNegative] = Field(default_factory=dict)


class Actor(_Frozen):
    """An actor: decides (Iran, Israel, US), a proxy acting for a patron, or a partner."""

    role: Literal["decide", "proxy", "partner"]
    description: str = ""
    resolve: float = Field(default=1.0, gt=0)               # scale of the cost of climbing
    war_cost: float = Field(default=8.0, ge=0)              # utility units of a regional war
    gaza_motive: float = Field(default=0.0, ge=0)
    oil_sensitivity: float = Field(default=0.0, ge=0)
    patron: str | None = None
    autonomy: float = Field(default=1.0, ge=0, le=1)
    front: Front | None = None
    participation_logit: float = 0.0                        # partners only
    gaza_sensitivity: float = Field(default=0.0, ge=0)      # partners only
    absent_variant: str | None = None                       # partners only: engine variant if absent
    defends: bool = True                                    # partners only: has a participation slot (airspace, interception)
    hosts: tuple[str, ...] = ()                             # partners only: actors on its territory (hits on them aggrieve it)
    influenced_by: str | None = None                        # partners only: an actor whose grievance it partly shares
    influence: float = Field(default=0.0, ge=0, le=1)       # that share

    @model_validator(mode="after")
    def _check(self) -> Actor:
        if self.role == "proxy" and not self.patron:
            raise ValueError("a proxy needs a patron (the deciding actor it acts for)")
        if self.role != "proxy" and self.patron:
            raise ValueError("only a proxy has a patron")
        return self


class Action(_Frozen):
    """A concrete action of one actor, on one rung of the ladder."""

    rung: int = Field(ge=0, le=RUNGS - 1)
    target: str | None = None
    description: str = ""
    outcome: tuple[float, float, float] | None = None      # [contained, damaging, severe]
    raid: str | None = None
    capability: float = Field(default=0.0, ge=0, le=1)
    nuclear: bool = False
    oil_usd_bn: float = Field(default=0.0, ge=0)
    cost_usd_bn: float = Field(default=0.0, ge=0)
    third_party: float = 0.0
    # what a non-standard action does to the state (docs/escalation.md, "Actors that decide"):
    # join-defence / stay-out / restrict-basing (partners), breakout (Iran: nuclear status 1 -> 2),
    # press-us-exit (Iraq), defend-partners (US missile defence for Israel and partners)
    effect: Literal["join-defence", "stay-out", "restrict-basing", "breakout", "press-us-exit", "defend-partners"] | None = None
    uses_bases: bool = False                                # flown from regional bases: restricted basing and Iraqi pressure cost it

    @field_validator("outcome")
    @classmethod
    def _p(cls, v):
        return _prob3(v)

    @model_validator(mode="after")
    def _check(self) -> Action:
        if self.effect is not None and self.rung >= 2:
            raise ValueError("an action with an effect (join-defence, breakout, ...) lies on rung 0 or 1")
        if self.rung >= 2:
            if self.target is None:
                raise ValueError("a hostile action (rung >= 2) needs a target")
            if (self.outcome is None) == (self.raid is None):
                raise ValueError("a hostile action needs exactly one of outcome [contained, damaging, severe] or raid")
        elif self.outcome is not None or self.raid is not None:
            raise ValueError("actions on rungs 0-1 have no outcome or raid")
        return self


class Retarget(_Frozen):
    """A new aim point for a raid template (salvos in range are re-aimed at it)."""

    site: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: Literal["city", "air_base", "point"] = "city"
    radius_km: float = Field(default=5.0, gt=0)
    value: float = Field(default=10.0, ge=0)


class Assumed(_Frozen):
    """The effect of a raid the engine cannot evaluate yet (no scenario of that defence)."""

    outcome: tuple[float, float, float]
    launched: dict[Literal["drone", "cruise", "ballistic", "rocket"], NonNegative] = Field(default_factory=dict)
    interceptors: dict[str, NonNegative] = Field(default_factory=dict)
    cost_usd_bn: float = Field(default=0.0, ge=0)

    @field_validator("outcome")
    @classmethod
    def _p(cls, v):
        return _prob3(v)


class ForwardLaunch(_Frozen):
    site: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    fraction: float = Field(gt=0, le=1)
    # launch_area (ground launchers) or air_launch (a release point for air-launched munitions)
    kind: Literal["launch_area", "air_launch"] = "launch_area"


class Variant(_Frozen):
    """An engagement-level transform applied to `via_partners` raid templates."""

    exclude_owners: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    close_airspace: str | None = None
    scale_fighters: dict[str, NonNegative] = Field(default_factory=dict)
    scale_magazines: dict[str, NonNegative] = Field(default_factory=dict)
    scale: dict[Literal["drone", "cruise", "ballistic", "rocket"], NonNegative] = Field(default_factory=dict)
    forward_launch: ForwardLaunch | None = None
    # evaluated only for these raid templates (via_partners or not); None: every via_partners template
    templates: tuple[Annotated[str, Field(min_length=1)], ...] | None = None
    note: str = ""


class Raid(_Frozen):
    """A raid template: an engagement scenario with transforms, or an assumed effect."""

    base: str | None = None
    scale: dict[Literal["drone", "cruise", "ballistic", "rocket"], float] = Field(default_factory=dict)
    aim: Literal["military", "infrastructure", "cities"] = "military"
    via_partners: bool = False
    retarget: Retarget | None = None
    assumed: Assumed | None = None
    # an engagement-level transform always applied to this template, before the partner and lever
    # variants: e.g. the warned defence of a strike pre-notified through intermediaries
    posture: Variant | None = None
    # a campaign base (a scenario with a ``campaign:`` block): the effect is that of its first
    # ``days`` days (None: the whole campaign); docs/escalation.md, "Campaign templates"
    days: Annotated[int, Field(ge=1)] | None = None
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Raid:
        if (self.base is None) == (self.assumed is None):
            raise ValueError("a raid template needs exactly one of base (an engagement scenario) or assumed (its effect)")
        if self.days is not None and self.base is None:
            raise ValueError("days (the first days of a campaign base) needs a base scenario")
        if any(v < 0 for v in self.scale.values()):
            raise ValueError("scale factors must be >= 0")
        return self


class Dynamics(_Frozen):
    """Documented constants of the state dynamics (docs/escalation.md, "State")."""

    loss_points: dict[Literal["contained", "damaging", "severe"], float]
    grievance: dict[Literal["per_rung", "per_loss_point", "half_life_days"], float]
    deficit: dict[Literal["half_life_days"], float]
    war: dict[Literal["window_days", "count", "min_rung"], float]
    deescalation: dict[Literal["quiet_rounds"], int]
    duration_bins_days: tuple[float, ...]
    misperception: dict[Literal["down_share"], float]
    nuclear: dict[Literal["hazard_per_day", "value_per_status", "breakout_value", "per_programme_damage",
                          "breakout_third_party"], float]
    depletion: dict[Literal["max_shift"], float]
    partner_retaliation: float = 0.5
    # actors that decide (docs/escalation.md, "Actors that decide"); ASSUMPTIONS, see game.yaml
    partner_stance: dict[Literal["logit"], float] = {"logit": 1.5}
    basing: dict[Literal["cost"], float] = {"cost": 1.0}
    iraq_pressure: dict[Literal["cost"], float] = {"cost": 0.8}
    us_defence: dict[Literal["partner_logit"], float] = {"partner_logit": 1.0}
    # a major Israeli ground offensive in Gaza (Rafah, from 6-7 May 2024): the Gaza war's weight in
    # every Gaza term while it lasts (1 = the war as usual); ASSUMPTION, see game.yaml
    gaza_offensive: dict[Literal["intensity"], float] = {"intensity": 1.5}
    precedent: dict[Literal["half_life_days"], float] = Field(default_factory=lambda: dict(_PRECEDENT))
    # chance that a reply on rung r (1..7) turns the exchange into a regional war, weighed by the
    # actors with their war cost (rung 8 is always 1); none: only a rung-8 reply counts. ASSUMPTION
    war_risk: dict[int, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Dynamics:
        if len(self.duration_bins_days) != 8 or any(b <= 0 for b in self.duration_bins_days):
            raise ValueError("duration_bins_days needs exactly 8 positive values")
        if list(self.duration_bins_days) != sorted(self.duration_bins_days):
            raise ValueError("duration_bins_days must be increasing")
        w = self.war
        if not (1 <= w["count"] <= 5 and w["window_days"] > 0 and 1 <= w["min_rung"] <= 8):
            raise ValueError("war needs 1 <= count <= 5, window_days > 0 and 1 <= min_rung <= 8")
        if self.deescalation["quiet_rounds"] < 1:
            raise ValueError("deescalation.quiet_rounds must be >= 1")
        for r, p in self.war_risk.items():
            if not (1 <= r <= 7 and 0.0 <= p <= 1.0):
                raise ValueError(f"war_risk: rung {r}: {p}: give rungs 1..7 (rung 8 is always 1) and chances in [0, 1]")
        return self


class StockDef(_Frozen):
    owner: str
    description: str = ""


class Game(_Frozen):
    """The whole game as data."""

    version: int = 1
    ladder: tuple[Rung, ...]
    actors: dict[str, Actor]
    actions: dict[str, dict[str, Action]]
    raids: dict[str, Raid] = Field(default_factory=dict)
    variants: dict[str, Variant] = Field(default_factory=dict)
    severity_thresholds: dict[Literal["military", "infrastructure", "cities"], tuple[float, float]] = Field(
        default_factory=lambda: dict(_SEVERITY_THRESHOLDS))
    stocks: dict[str, StockDef] = Field(default_factory=dict)
    interceptors: dict[str, str] = Field(default_factory=dict)
    dynamics: Dynamics

    @property
    def actor_names(self) -> tuple[str, ...]:
        return tuple(self.actors)

    @property
    def movers(self) -> tuple[str, ...]:
        """Actors that move: deciders, proxies, and partners with actions of their own."""
        return tuple(a for a, x in self.actors.items() if x.role != "partner" or self.actions.get(a))

    @property
    def partners(self) -> tuple[str, ...]:
        """Partners with a participation slot (they may defend against raids over their airspace)."""
        return tuple(a for a, x in self.actors.items() if x.role == "partner" and x.defends)


# --------------------------------------------------------------------------- levers
class UtilityEffect(_Frozen):
    type: Literal["utility"]
    actors: tuple[str, ...]
    rungs: tuple[int, int]
    targets: tuple[str, ...] | None = None
    actions: tuple[str, ...] | None = None      # only these action ids of the actors (e.g. breakout)
    delta: float
    scale_by_credibility: str | None = None


class CommitmentEffect(_Frozen):
    type: Literal["commitment"]
    actor: str
    protects: tuple[str, ...]
    weight: float = Field(gt=0, le=1)


class MisperceptionEffect(_Frozen):
    type: Literal["misperception"]
    pairs: tuple[tuple[str, str], ...]
    reduction: float = Field(ge=0, le=1)


class PartnersEffect(_Frozen):
    type: Literal["partners"]
    logit: float
    partners: tuple[str, ...] | None = None     # only these partners (default: every partner with a slot)


class VariantEffect(_Frozen):
    type: Literal["variant"]
    variant: str


class GazaEffect(_Frozen):
    type: Literal["gaza"]
    half_life_days: dict[Literal["full", "pause"], float]


class StocksEffect(_Frozen):
    type: Literal["stocks"]
    level: dict[str, float] = Field(default_factory=dict)
    production: dict[str, float] = Field(default_factory=dict)


class NuclearEffect(_Frozen):
    type: Literal["nuclear"]
    multiplier: float = Field(gt=0)


class WarCostEffect(_Frozen):
    type: Literal["war_cost"]
    multiplier: float = Field(gt=0)


LeverEffect = Annotated[
    UtilityEffect | CommitmentEffect | MisperceptionEffect | PartnersEffect | VariantEffect | GazaEffect | StocksEffect | NuclearEffect | WarCostEffect,
    Field(discriminator="type"),
]


class Lever(_Frozen):
    essay: Literal["first", "second", "both"]
    argument: str
    effects: tuple[LeverEffect, ...]


class Package(_Frozen):
    description: str = ""
    levers: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)


class LeverBook(_Frozen):
    levers: dict[str, Lever]
    packages: dict[str, Package]


# --------------------------------------------------------------------------- start states
class StockInit(_Frozen):
    level: float = Field(ge=0)
    range: tuple[float, float] | None = None
    production_per_day: float = Field(default=0.0, ge=0)
    source: str | None = None
    confidence: Literal["W", "S", "E", "C", "D", "assumption"] | None = None
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> StockInit:
        if self.source is None and self.confidence != "assumption":
            raise ValueError("a stock level needs a source key or confidence: assumption (with a note)")
        if self.range is not None and not self.range[0] <= self.level <= self.range[1]:
            raise ValueError(f"level {self.level} lies outside its range {list(self.range)}")
        return self


class StartState(_Frozen):
    description: str = ""
    history_until: dt.date
    stocks: dict[str, StockInit] = Field(default_factory=dict)


# --------------------------------------------------------------------------- moves files
class Source(_Frozen):
    url: str | None
    outlet: str = ""


class MoveFallback(_Frozen):
    """The action a move is coded with when the game has no ``actor.action`` (an older game)."""

    action: str
    rung: int = Field(ge=0, le=RUNGS - 1)


class Move(_Frozen):
    """One coded move: an actor's action on a date."""

    date: dt.date
    actor: str
    action: str
    rung: int = Field(ge=0, le=RUNGS - 1)
    outcome: Literal["contained", "damaging", "severe"] | None = None
    perceived_rung: int | None = Field(default=None, ge=0, le=RUNGS - 1)
    partners: dict[str, bool | None] | None = None
    notified: bool | None = None        # pre-notified through intermediaries (April 2024, Al Udeid 2025: yes)
    # for a game without this actor or action (escalation.io applies it before validation):
    # `skip` drops the move, {action, rung} codes it with an action the game has
    fallback: Literal["skip"] | MoveFallback | None = None
    sources: tuple[str, ...] = ()
    note: str = ""


class ContextChange(_Frozen):
    gaza_war: bool | None = None
    # a major offensive in Gaza starts (true) or ends (false): the Gaza war counts
    # dynamics.gaza_offensive.intensity times in the proxies' motives and the partners' participation
    gaza_offensive: bool | None = None
    nuclear_status: int | None = Field(default=None, ge=0, le=2)
    levers: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)


class ContextRow(_Frozen):
    """A dated change of context (Gaza war, nuclear status, lever settings): not a move."""

    date: dt.date
    context: ContextChange
    sources: tuple[str, ...] = ()
    note: str = ""


class MovesStart(_Frozen):
    date: dt.date
    gaza_war: bool = False
    nuclear_status: int = Field(default=0, ge=0, le=2)
    levers: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)


class MovesFile(_Frozen):
    """A file of coded moves (schema ``redline-moves/1``)."""

    schema_: Literal["redline-moves/1"] = Field(alias="schema")
    title: str = ""
    start: MovesStart | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    moves: tuple[Move | ContextRow, ...]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> MovesFile:
        dates = [m.date for m in self.moves]
        for k in range(1, len(dates)):
            if dates[k] < dates[k - 1]:
                raise ValueError(f"moves must be in date order; entry {k} ({dates[k]}) comes before entry {k - 1} ({dates[k - 1]})")
        return self
