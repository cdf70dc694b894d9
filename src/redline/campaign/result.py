"""What a campaign produced: per-day distributions, stock curves, days to reserve."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..manifest import Manifest
from ..records import CampaignSummary
from ..catalog import THREAT_CLASSES
from ..results import COUNTS
from ..scenario.schema import Scenario
from .histogram import IntHistogram
from .schema import Campaign
from .stocks import StockGroups, WavePlan

__all__ = ["CampaignResult"]


def _stats(values: np.ndarray) -> dict[str, float]:
    """Mean and 5/50/95th percentiles of per-trial counts, exactly as the per-day histograms give them."""
    h = IntHistogram()
    h.add(values)
    return h.stats()


@dataclass
class CampaignResult:
    """A campaign's outcome.

    Attributes
    ----------
    histograms : list of dict
        Per day (index ``day - 1``), metric name -> :class:`IntHistogram` over
        trials. Metrics: ``<class>.<count>`` (day totals over the day's
        waves), ``all.leaked``, ``all.impacted``, ``all.impacted_cumulative``,
        ``used.<owner>/<type>``, ``remaining.<owner>/<type>`` (after the day's
        waves, before the next day's deliveries), ``used_type.<type>``,
        ``remaining_type.<type>``, ``hits.<site>``.
    reached : dict
        ``<owner>/<type>`` -> histogram of the first day whose remaining stock
        is at or below its reserve level (``days + 1``: not within the campaign).
    final_remaining, used_total : (trials, groups) int arrays
        Per trial, stock left at the end and rounds used in all.
    trial_totals : dict
        Per trial, sums over the campaign: ``"cls"`` (trials, classes, counts) over
        :data:`redline.catalog.THREAT_CLASSES` x :data:`redline.results.COUNTS`, and
        ``"used_type"`` (trials, types) rounds fired by interceptor type (``types`` order).
    trial_daily : dict or None
        The same per day, ``"cls"`` (trials, days, classes, counts) and ``"used_type"``
        (trials, days, types), when the run kept them (``run_campaign(keep_daily=True)``).
    """

    scenario: Scenario
    campaign: Campaign
    groups: StockGroups
    plans: list[WavePlan]
    missile_stocks: list[dict[str, int]]
    classes: list[str]
    sites: list[str]
    types: list[str]
    histograms: list[dict[str, IntHistogram]]
    reached: dict[str, IntHistogram]
    final_remaining: np.ndarray
    used_total: np.ndarray
    unit_cost_usd: dict[str, float]
    manifest: Manifest
    trial_totals: dict[str, np.ndarray] = field(default_factory=dict)
    trial_daily: dict[str, np.ndarray] | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def days(self) -> int:
        return self.campaign.days

    def stat(self, day: int, metric: str) -> dict[str, float]:
        """Mean and 5/50/95th percentiles over trials of ``metric`` on ``day`` (1-based)."""
        return self.histograms[day - 1][metric].stats()

    def launched(self, day: int) -> dict[str, int]:
        """Threats launched on ``day`` by threat type (the same in every trial)."""
        out: dict[str, int] = {}
        for p in self.plans:
            if p.day == day:
                for salvo, c in zip(self.scenario.raid, p.counts):
                    out[salvo.threat] = out.get(salvo.threat, 0) + c
        return out

    def reserve_day(self, label: str) -> dict[str, Any]:
        """When the stock ``owner/type`` first reaches its reserve level: probability within the
        campaign and the 5/50/95th percentile day (``None``: not within the campaign)."""
        h = self.reached[label]
        D = self.days
        q = {k: h.quantile(p) for k, p in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))}
        return {
            "reserve_level": int(self.groups.reserve_level[self.groups.labels.index(label)]),
            "p_within": round(h.share_at_most(D), 6),
            "day": {k: (None if v > D else round(v, 6)) for k, v in q.items()},
        }

    def samples(self, metric: str, day: int | None = None) -> np.ndarray:
        """Per-trial values of ``<class>.<count>`` (e.g. ``ballistic.impacted``), ``all.<count>`` or
        ``used_type.<type>``: the campaign total (``day=None``) or one day's (needs ``trial_daily``).

        These are what scoring uses: one value per trial, in trial order.
        """
        src = self.trial_totals if day is None else self.trial_daily
        if src is None:
            raise ValueError("per-day per-trial values were not kept; run with keep_daily=True (CLI: --per-trial)")
        head, _, tail = metric.partition(".")
        sel = (slice(None),) if day is None else (slice(None), day - 1)
        if head == "used_type":
            return src["used_type"][sel + (self.types.index(tail),)].astype(np.int64)
        w = COUNTS.index(tail)
        if head == "all":
            return src["cls"][sel + (slice(None), w)].sum(axis=-1).astype(np.int64)
        return src["cls"][sel + (THREAT_CLASSES.index(head), w)].astype(np.int64)

    def summary(self, per_trial: bool = False) -> dict[str, Any]:
        """The JSON-ready summary printed by ``redline campaign --json`` (:meth:`record` as JSON)."""
        key = ("summary", per_trial)
        if key not in self._cache:
            self._cache[key] = self.record(per_trial).to_json()
        return self._cache[key]

    def _totals(self) -> dict[str, Any] | None:
        if not self.trial_totals:
            return None
        st = lambda v: _stats(v)  # noqa: E731
        launched: dict[str, int] = {}
        for d in range(1, self.days + 1):
            for k, v in self.launched(d).items():
                launched[k] = launched.get(k, 0) + v
        return {
            "launched": launched,
            "by_class": {c: {w: st(self.samples(f"{c}.{w}")) for w in COUNTS} for c in self.classes},
            "leaked": st(self.samples("all.leaked")),
            "impacted": st(self.samples("all.impacted")),
            "interceptors_used_by_type": {t: st(self.samples(f"used_type.{t}")) for t in self.types},
        }

    def _per_trial(self) -> dict[str, Any]:
        def counts(day: int | None) -> dict[str, Any]:
            return {"by_class": {c: {w: self.samples(f"{c}.{w}", day).tolist() for w in COUNTS} for c in self.classes},
                    "interceptors_used_by_type": {t: self.samples(f"used_type.{t}", day).tolist() for t in self.types}}

        n = int(self.trial_totals["cls"].shape[0])
        daily = None if self.trial_daily is None else [counts(d) for d in range(1, self.days + 1)]
        return {"trials": n, "totals": counts(None), "daily": daily}

    def record(self, per_trial: bool = False) -> CampaignSummary:
        """The typed summary: per-day outcomes, campaign totals, stocks, the day each stock reaches its reserve.

        ``per_trial`` adds every trial's campaign totals (and per-day counts when the run kept
        them) under ``per_trial``.
        """
        key = ("record", per_trial)
        if key in self._cache:
            return self._cache[key]
        g = self.groups
        daily = []
        for d in range(1, self.days + 1):
            h = self.histograms[d - 1]
            used_type = {t: h[f"used_type.{t}"].stats() for t in self.types}
            daily.append({
                "day": d,
                "launched": self.launched(d),
                "missile_stocks": self.missile_stocks[d - 1],
                "delivered": {lab: int(g.deliveries[d - 1, k]) for k, lab in enumerate(g.labels) if g.deliveries[d - 1, k]},
                "by_class": {c: {w: h[f"{c}.{w}"].stats() for w in COUNTS} for c in self.classes},
                "leaked": h["all.leaked"].stats(),
                "impacted": h["all.impacted"].stats(),
                "impacted_cumulative": h["all.impacted_cumulative"].stats(),
                "interceptors_used": {lab: h[f"used.{lab}"].stats(p50=False) for lab in g.labels},
                "remaining": {lab: h[f"remaining.{lab}"].stats() for lab in g.labels},
                "interceptors_used_by_type": used_type,
                "remaining_by_type": {t: h[f"remaining_type.{t}"].stats() for t in self.types},
                "hits_by_site": {s: h[f"hits.{s}"].stats(p50=False) for s in self.sites},
                "defender_cost_usd_mean": round(sum(v["mean"] * self.unit_cost_usd[t] for t, v in used_type.items()), 2),
            })
        out = {
            "campaign": self.scenario.name,
            "title": self.scenario.title,
            "hypothetical": self.scenario.hypothetical,
            "days": self.days,
            "waves_per_day": self.campaign.waves_per_day,
            "stocks": {lab: {"owner": o, "type": t, "initial": int(g.initial[k]), "depot": int(g.depot0[k]),
                             "reserve_level": int(g.reserve_level[k]), "delivered": int(g.deliveries[:, k].sum())}
                       for k, (lab, (o, t)) in enumerate(zip(g.labels, g.keys))},
            "daily": daily,
            "reserve_reached": {lab: self.reserve_day(lab) for lab in g.labels},
            "totals": self._totals(),
            "per_trial": self._per_trial() if per_trial and self.trial_totals else None,
            "manifest": self.manifest,
        }
        rec = CampaignSummary.model_validate(out)
        self._cache[key] = rec
        return rec

    def stock_curve(self, by: str = "type") -> dict[str, list[dict[str, float]]]:
        """Remaining stock per day: ``{name: [stats of day 1, day 2, ...]}``, by ``"type"`` or ``"group"``."""
        names = self.types if by == "type" else self.groups.labels
        prefix = "remaining_type." if by == "type" else "remaining."
        return {k: [self.stat(d, prefix + k) for d in range(1, self.days + 1)] for k in names}

    def to_frame(self, tidy: bool = False):
        """Per-day outcome (pandas). ``tidy=False``: one row per day, the mean of every metric;
        ``tidy=True``: one row per day and metric with mean and 5/50/95th percentiles over trials
        (see :func:`redline.frames.campaign_frame`)."""
        from ..frames import campaign_frame

        return campaign_frame(self, tidy=tidy)

    # ---- data out and display (redline.frames)
    def tables(self) -> dict:
        """Named tables (``daily``, ``daily_means``, ``totals``, ``stocks``, ``reserve_reached``, ``manifest``)."""
        from ..frames import tables

        return tables(self)

    def to_csv(self, directory, force: bool = False) -> list:
        """Write :meth:`tables` as ``.csv`` files directly in ``directory``."""
        from ..frames import write_csv

        return write_csv(self.tables(), directory, force=force)

    def to_xlsx(self, path):
        """Write :meth:`tables` to one Excel workbook, one sheet per table (needs openpyxl)."""
        from ..frames import write_xlsx

        return write_xlsx(self.tables(), path)

    def __repr__(self) -> str:
        from ..frames import short_repr

        return short_repr(self, "summary(), record(), stock_curve(), to_frame(tidy=True), tables(), to_csv(dir), to_xlsx(file)")

    def _repr_html_(self) -> str:
        from ..frames import html_repr

        return html_repr(self, show=("daily_means", "reserve_reached"))
