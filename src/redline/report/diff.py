"""The report view of a :class:`~redline.records.DiffSummary` (``redline report --diff A B``).

Keys: ``kind`` ("diff"); ``title``; ``a``, ``b`` (name, source, ref); ``groups`` (one per
dimension, in a fixed order: ``key``, ``title``, ``dim``, ``rows`` of ``label, metric, a, b, mean,
p05, p95, se``; rows where both runs are zero are left out); ``only_in_a``, ``only_in_b``;
``manifest``. ``static/diff.js`` draws it: a table per group and a chart of the mean differences
with their 5-95% per-trial range.
"""
from __future__ import annotations

import math
from typing import Any

from ..records import DiffSummary

__all__ = ["diff_view", "GROUPS"]

#: (record field, title, dimension, metrics shown)
GROUPS = (
    ("by_class", "By threat class", "class", ("launched", "failed", "intercepted", "leaked", "impacted", "fell_outside")),
    ("by_threat_type", "By threat type", "threat type", ("leaked", "impacted", "intercepted")),
    ("by_site", "By site (hits; hit_any is P(at least one hit))", "site", ("hits", "hit_any")),
    ("by_nation", "Intercepts by nation", "nation", ("intercepts",)),
    ("by_airspace", "Intercepts by airspace of the intercept point", "airspace", ("intercepts",)),
    ("by_interceptor", "Interceptors used (rounds) and their cost (US$)", "interceptor", ("rounds", "cost_usd")),
    ("cost_usd", "Cost (US$)", "side", ("cost_usd",)),
)


def _f(x: float) -> float | None:
    return x if math.isfinite(x) else None


def diff_view(rec: DiffSummary) -> dict[str, Any]:
    """The JSON view of a diff (see the module docstring)."""
    groups = []
    for fld, title, dim, metrics in GROUPS:
        rows = []
        for lab, ms in getattr(rec, fld).items():
            for m in metrics:
                d = ms.get(m)
                if d is None or (d.a == 0 and d.b == 0 and fld != "cost_usd"):
                    continue
                rows.append({"label": lab, "metric": m, **{k: _f(v) for k, v in d.model_dump().items()}})
        if rows:
            groups.append({"key": fld, "title": title, "dim": dim, "rows": rows})
    return {
        "kind": "diff",
        "title": f"{rec.b.name} minus {rec.a.name}",
        "a": rec.a.model_dump(mode="json"),
        "b": rec.b.model_dump(mode="json"),
        "groups": groups,
        "only_in_a": rec.only_in_a,
        "only_in_b": rec.only_in_b,
        "manifest": rec.manifest.model_dump(mode="json"),
    }
