"""Views of escalation results: a :class:`~redline.records.CrisisSummary` or a
:class:`~redline.records.CompareSummary`, read field by field (no guessing at shapes).
"""
from __future__ import annotations

import math
from typing import Any

from ..records import CompareSummary, CrisisSummary, Interval, Stats

__all__ = ["escalation_view"]


def _finite(x: float | None) -> float | None:
    return x if x is None or math.isfinite(x) else None


def _interval(p: Interval | Stats) -> dict[str, float | None]:
    return {"mean": _finite(p.mean), "p05": _finite(p.p05), "p95": _finite(p.p95)}


def _row(name: str, p: Interval, outcomes: dict[str, Interval], description: str = "",
         delta: Interval | None = None) -> dict[str, Any]:
    d = _interval(delta) if delta is not None else {"mean": None, "p05": None, "p95": None}
    return {"name": name, **_interval(p), "delta": d["mean"], "delta_p05": d["p05"], "delta_p95": d["p95"],
            "description": description, "outcomes": {k: _interval(v) for k, v in outcomes.items()}}


def _table(key: str, rows: dict[str, Stats]) -> dict[str, Any]:
    return {"key": key, "rows": [{"name": k, **_interval(v)} for k, v in rows.items()]}


def _crisis(s: CrisisSummary) -> dict[str, Any]:
    outcomes = s.outcomes()
    paths = [{"policy": None, "path": " → ".join(p.moves), "end": p.end, "p": p.probability} for p in s.top_paths]
    stocks = [{"name": k, "t": list(s.stocks.day), "y": list(v.mean), "lo": list(v.p05), "hi": list(v.p95)}
              for k, v in s.stocks.series.items()]
    scalars = {"moves": s.moves, **({"days_to_war": s.days_to_war} if s.days_to_war is not None else {})}
    tables = [_table("summary statistics", scalars), _table("interceptors_used", s.interceptors_used),
              _table("stocks_end", s.stocks_end),
              _table("loss_points", {a: v.loss_points for a, v in s.losses.items()})]
    other = {"start": s.start, "levers": s.levers, "horizon_days": s.horizon_days, "draws": s.draws,
             "first_move": s.first_move,
             "losses": {a: {"p_severe_hit": v.p_severe_hit, "defender_cost_usd_bn": v.defender_cost_usd_bn}
                        for a, v in s.losses.items()}}
    return {"kind": "crisis", "title": f"from {s.start}, horizon {s.horizon_days:g} days",
            "p_war": [_row(s.policy, s.p_regional_war, outcomes)], "outcomes": {k: _interval(v) for k, v in outcomes.items()},
            "paths": paths, "stocks": stocks, "tables": tables, "other": other}


def _compare(s: CompareSummary) -> dict[str, Any]:
    rows = [_row(p.name, p.p_regional_war, p.outcomes(), p.description, p.delta_vs_status_quo) for p in s.policies]
    other: dict[str, Any] = {p.name: {"levers": p.levers} for p in s.policies}
    other.update({"start": s.start, "horizon_days": s.horizon_days, "draws": s.draws, "ranking": s.ranking})
    return {"kind": "compare", "title": f"from {s.start}, horizon {s.horizon_days:g} days", "p_war": rows,
            "outcomes": {}, "paths": [], "stocks": [], "tables": [], "other": other}


def escalation_view(record: CrisisSummary | CompareSummary) -> dict[str, Any]:
    """The JSON view of a crisis or compare result.

    Keys: ``kind``; ``title``; ``p_war`` (one row per policy: name, mean, p05, p95, the difference
    to the status quo with its interval, description, other outcome probabilities); ``outcomes``
    (a crisis's other probabilities); ``paths`` (a crisis's most likely paths); ``stocks`` (a
    crisis's stock levels by day, mean with the 5-95% band); ``tables`` (statistics with mean and
    interval: moves, days to war, interceptors used, stocks at the horizon, loss points);
    ``other``; ``manifest``.
    """
    if isinstance(record, CrisisSummary):
        view = _crisis(record)
    elif isinstance(record, CompareSummary):
        view = _compare(record)
    else:
        raise TypeError(f"escalation_view draws a CrisisSummary or a CompareSummary, not a {type(record).__name__}")
    view["manifest"] = record.manifest.model_dump(mode="json")
    return view
