"""Typed summaries of the engagement layer's commands: run, campaign, validate, calibrate, sweep."""
from __future__ import annotations

import math
from typing import Any, Optional, Union

from pydantic import SerializerFunctionWrapHandler, model_serializer

from .base import Num, Record, _Frozen

__all__ = ["CalibrateSummary", "CampaignSummary", "Costs", "RunSummary", "SweepSummary", "ValidateSummary"]

#: Mean and percentiles of a per-trial count: ``mean``, ``p05``, (``p50``,) ``p95``.
StatMap = dict[str, float]


def _f(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"


class Costs(_Frozen):
    defender: StatMap
    attacker: StatMap
    exchange_ratio: float


class Route(_Frozen):
    threat: str
    launch: str
    aim: str
    via: list[Union[str, list[float]]]
    threats: int
    length_km: float
    flight_time_min: float
    apogee_km: float
    countries: list[str]


class RunSummary(Record):
    """``redline run --json``: what leaked, who intercepted, what it cost (kind ``run``, or a sweep point).

    ``by_class`` and ``by_type`` hold, per class and per threat type, the counts launched, failed,
    intercepted, leaked, impacted (leaked inside a site's hit radius) and ``fell_outside`` (leaked
    onto no site: at sea or open ground).
    """

    kinds = ("run", "sweep-point")
    omit_if_none = ("by_type", "p_hit_by_site", "kills_by_nation_airspace", "participation")

    scenario: str
    by_class: dict[str, dict[str, StatMap]]
    intercepts_by_nation: dict[str, StatMap]
    intercepts_by_layer: dict[str, StatMap]
    intercepts_by_unit: dict[str, StatMap]
    intercepts_detail: dict[str, dict[str, dict[str, StatMap]]]
    interceptors_used: dict[str, StatMap]
    cost_usd: Costs
    hits_by_site: dict[str, StatMap]
    routes: list[Route]
    # added by issue 10: unset in summaries stored before, and then left out of their JSON
    by_type: Optional[dict[str, dict[str, StatMap]]] = None
    """Per threat type: launched, failed, intercepted, leaked, impacted, fell_outside."""
    p_hit_by_site: Optional[dict[str, float]] = None
    """P(at least one hit) per site (the expected hits are ``hits_by_site[site]['mean']``)."""
    kills_by_nation_airspace: Optional[dict[str, dict[str, StatMap]]] = None
    """Kills by the killer's nation, then the airspace of the intercept point (a country, ``sea``, or
    ``exo`` above the doctrine's ``airspace_ceiling_km``); only combinations with a kill in some trial."""
    participation: Optional[dict[str, float]] = None
    """Share of trials each nation with fire units took part in (``Scenario.participation``)."""

    def headline(self) -> str:
        leaked = ", ".join(f"{k} {_f(v['leaked']['mean'])}" for k, v in self.by_class.items())
        hits = sum(v["mean"] for v in self.hits_by_site.values())
        ratio = self.cost_usd.exchange_ratio
        r = f"; cost ratio {ratio:.2f}" if math.isfinite(ratio) else ""
        return f"leaked {leaked}; site hits {hits:.1f}{r}"


class StockInfo(_Frozen):
    owner: str
    type: str
    initial: int
    depot: int
    reserve_level: int
    delivered: int


class ReserveDay(_Frozen):
    reserve_level: int
    p_within: float
    day: dict[str, Optional[float]]


NumStats = dict[str, Num]


class CampaignDay(_Frozen):
    day: int
    launched: dict[str, int]
    missile_stocks: dict[str, int]
    delivered: dict[str, int]
    by_class: dict[str, dict[str, NumStats]]
    leaked: NumStats
    impacted: NumStats
    impacted_cumulative: NumStats
    interceptors_used: dict[str, NumStats]
    remaining: dict[str, NumStats]
    interceptors_used_by_type: dict[str, NumStats]
    remaining_by_type: dict[str, NumStats]
    hits_by_site: dict[str, NumStats]
    defender_cost_usd_mean: float


class CampaignTotals(_Frozen):
    """Over the whole campaign: each trial's sums over its days, summarised over trials."""

    launched: dict[str, int]
    by_class: dict[str, dict[str, NumStats]]
    leaked: NumStats
    impacted: NumStats
    interceptors_used_by_type: dict[str, NumStats]


class TrialCounts(_Frozen):
    """One value per trial (trial order): counts by class (launched ... impacted) and rounds by type."""

    by_class: dict[str, dict[str, list[int]]]
    interceptors_used_by_type: dict[str, list[int]]


class CampaignTrials(_Frozen):
    """Per-trial counts (``redline campaign --per-trial``): campaign totals, and per day when kept."""

    trials: int
    totals: TrialCounts
    daily: Optional[list[TrialCounts]] = None


class CampaignSummary(Record):
    """``redline campaign --json``: per-day outcomes, campaign totals, stocks and the day each stock reaches its reserve."""

    kinds = ("campaign", "sweep-point")
    omit_if_none = ("totals", "per_trial")

    campaign: str
    title: str
    hypothetical: bool
    days: int
    waves_per_day: int
    stocks: dict[str, StockInfo]
    daily: list[CampaignDay]
    reserve_reached: dict[str, ReserveDay]
    totals: Optional[CampaignTotals] = None       # absent in records saved before campaign totals existed
    per_trial: Optional[CampaignTrials] = None    # only when asked for (--per-trial)

    def headline(self) -> str:
        last = self.daily[-1] if self.daily else None
        impacts = f"; impacts {_f(last.impacted_cumulative['mean'])}" if last else ""
        reached = [f"{k} {v.p_within:.0%}" for k, v in self.reserve_reached.items() if v.p_within > 0]
        res = f"; reserve reached: {', '.join(reached[:3])}{'…' if len(reached) > 3 else ''}" if reached else ""
        return f"{self.days} days x {self.waves_per_day} waves{impacts}{res}"


class ObservationScore(_Frozen):
    """One observation's score. ``input`` (a scenario input, left out of coverage and CRPS) and a
    campaign night's ``day``/``night`` appear in the JSON only when set."""

    metric: str
    observed: float
    mean: float
    p05: float
    p95: float
    inside: bool
    crps: float
    input: bool = False
    day: Optional[int] = None
    night: Optional[str] = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        if not out.get("input"):
            out.pop("input", None)
        for k in ("day", "night"):
            if out.get(k) is None:
                out.pop(k, None)
        return out


class EventScore(_Frozen):
    name: str
    observations: list[ObservationScore]


class ValidateSummary(Record):
    """``redline validate --json``: each observation's predictive interval and CRPS, coverage, mean CRPS."""

    kinds = ("validate",)

    events: list[EventScore]
    coverage: float
    mean_crps: float

    def headline(self) -> str:
        n = sum(len(e.observations) for e in self.events)
        return f"coverage {self.coverage:.0%} of {n} observations; mean CRPS {self.mean_crps:.3f}"


class CalibrateSummary(Record):
    """``redline calibrate --json``: the posterior file written, its label, and its own manifest.

    ``posterior`` is the posterior file's internal manifest (format ``redline-posterior/1``), kept
    as written so that the shipped file stays byte-identical.
    """

    kinds = ("calibrate",)

    file: str
    label: str
    posterior: dict[str, Any]

    def headline(self) -> str:
        d = self.posterior.get("diagnostics", {})
        return f"{self.label}: {self.manifest.samples.count} draws, pooled ESS {d.get('ess', float('nan')):.0f}"


class SweepSummary(Record):
    """``redline sweep --json``: the design, finished points, sensitivity indices and rankings.

    ``results`` (every point's values and outputs) is in the ``--json`` output and the sweep
    folder's ``summary.json``; the copy in the run store leaves it out.
    """

    kinds = ("sweep",)
    omit_if_none = ("results",)

    sweep: str
    title: str
    folder: str
    scenario: str
    design: dict[str, Any]
    parameters: list[str]
    outputs: list[str]
    points: int
    finished: int
    computed_now: int
    failed: dict[str, str]
    stopped: bool
    backend: str
    sensitivity: dict[str, dict[str, Any]]
    ranking: dict[str, list[str]]
    notes: list[str]
    results: Optional[dict[str, dict[str, dict[str, Optional[float]]]]] = None

    def headline(self) -> str:
        top = "; ".join(f"{o}: {r[0]}" for o, r in list(self.ranking.items())[:2] if r)
        return f"{self.finished}/{self.points} points" + (f"; most important for {top}" if top else "")


