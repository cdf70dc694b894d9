"""What a campaign produced: per-day distributions, stock curves, days to reserve."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..manifest import Manifest
from ..records import CampaignSummary
from ..results import COUNTS
from ..scenario.schema import Scenario
from .histogram import IntHistogram
from .schema import Campaign
from .stocks import StockGroups, WavePlan

__all__ = ["CampaignResult"]


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

    def summary(self) -> dict[str, Any]:
        """The JSON-ready summary printed by ``redline campaign --json`` (:meth:`record` as JSON)."""
        if "summary" not in self._cache:
            self._cache["summary"] = self.record().to_json()
        return self._cache["summary"]

    def record(self) -> CampaignSummary:
        """The typed summary: per-day outcomes, stocks, the day each stock reaches its reserve."""
        if "record" in self._cache:
            return self._cache["record"]
        g = self.groups
        daily = []
        for d in range(1, self.days + 1):
            h = self.histograms[d - 1]
            used_type = {t: h[f"used_type.{t}"].stats(p50=False) for t in self.types}
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
            "manifest": self.manifest,
        }
        rec = CampaignSummary.model_validate(out)
        self._cache["record"] = rec
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
        """Named tables (``daily``, ``daily_means``, ``stocks``, ``reserve_reached``, ``manifest``)."""
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
