"""The report view of a campaign (:class:`~redline.records.CampaignSummary`): day by day, with charts.

What the page draws: the campaign totals, a table of each day (threats launched, leaked and
impacted with their 5-95 % intervals, defence cost), a chart of impacts per day by threat class
with cumulative impacts, a chart of interceptor stock left at the end of each day by type (mean
and 5-95 % band, the reserve level as a dashed line), and the day each stock reached its reserve.
"""
from __future__ import annotations

from typing import Any

from ..records import CampaignSummary

__all__ = ["campaign_view"]


def _s(st: dict[str, Any]) -> dict[str, Any]:
    return {k: st.get(k) for k in ("mean", "p05", "p95")}


def campaign_view(rec: CampaignSummary) -> dict[str, Any]:
    """JSON-ready view of kind ``campaign`` (see the module notes)."""
    days = [d.day for d in rec.daily]
    classes = sorted({c for d in rec.daily for c in d.by_class})
    impacted_by_class = {c: [(d.by_class.get(c, {}).get("impacted") or {}).get("mean", 0.0) for d in rec.daily]
                         for c in classes}
    types = sorted({t for d in rec.daily for t in d.remaining_by_type})
    reserve_by_type: dict[str, int] = {}
    for st in rec.stocks.values():
        reserve_by_type[st.type] = reserve_by_type.get(st.type, 0) + st.reserve_level
    stocks = {t: {"mean": [d.remaining_by_type[t]["mean"] for d in rec.daily if t in d.remaining_by_type],
                  "p05": [d.remaining_by_type[t]["p05"] for d in rec.daily if t in d.remaining_by_type],
                  "p95": [d.remaining_by_type[t]["p95"] for d in rec.daily if t in d.remaining_by_type],
                  "reserve": reserve_by_type.get(t, 0)} for t in types}
    rows = [{"day": d.day, "launched": sum(d.launched.values()), "leaked": _s(d.leaked), "impacted": _s(d.impacted),
             "impacted_cumulative": _s(d.impacted_cumulative), "defender_cost_usd": d.defender_cost_usd_mean}
            for d in rec.daily]
    totals = None
    if rec.totals is not None:
        totals = {"launched": sum(rec.totals.launched.values()), "leaked": _s(rec.totals.leaked),
                  "impacted": _s(rec.totals.impacted),
                  "by_class": {c: {k: _s(v) for k, v in row.items()} for c, row in rec.totals.by_class.items()}}
    reserve = [{"stock": k, "reserve_level": r.reserve_level, "p_within": r.p_within,
                "day": {q: r.day.get(q) for q in ("p05", "p50", "p95", "mean") if q in r.day}}
               for k, r in rec.reserve_reached.items()]
    return {"kind": "campaign", "title": rec.title, "campaign": rec.campaign, "hypothetical": rec.hypothetical,
            "days": days, "waves_per_day": rec.waves_per_day, "daily": rows, "impacted_by_class": impacted_by_class,
            "impacted_cumulative": [d.impacted_cumulative.get("mean") for d in rec.daily],
            "stocks": stocks, "reserve": reserve, "totals": totals,
            "summary": {"totals": totals} if totals else {},
            "manifest": rec.manifest.model_dump(mode="json")}
