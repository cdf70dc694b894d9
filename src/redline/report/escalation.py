"""Views of escalation results (``redline crisis`` and ``redline compare`` summaries).

The escalation model's summaries are read liberally, so that a report can
be drawn for any of them:

* crisis: ``p_regional_war`` ({mean, p05, p95} or a number), ``top_paths``
  (items ``{"path": [...] or str, "p": ...}`` -- ``prob``, ``probability``,
  ``share``, ``frequency`` also accepted -- or ``[path, p]`` pairs), and
  stock series under ``stocks``, ``stock_depletion`` or ``depletion``;
* compare: ``policies``, a list of ``{name, p_regional_war,
  delta_vs_status_quo, ...}``, each possibly with its own paths and stocks.

Whatever is not understood is kept under ``other`` and shown as a table.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

__all__ = ["escalation_view", "is_escalation_summary"]

_P_KEYS = ("p", "prob", "probability", "share", "frequency", "weight", "count")
_STOCK_KEYS = ("stocks", "stock_depletion", "depletion", "stock")
_KNOWN = {"p_regional_war", "top_paths", "paths", "policies", "manifest", "kind", "ranking", *_STOCK_KEYS}


def is_escalation_summary(summary: Mapping[str, Any]) -> bool:
    return "p_regional_war" in summary or isinstance(summary.get("policies"), list)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, Mapping) and "mean" in x:
        return _num(x["mean"])
    return None


def _interval(p: Any) -> dict[str, float | None]:
    if isinstance(p, Mapping):
        lo = p.get("p05", p.get("lo", p.get("low")))
        hi = p.get("p95", p.get("hi", p.get("high")))
        return {"mean": _num(p.get("mean", p.get("p"))), "p05": _num(lo), "p95": _num(hi)}
    v = _num(p)
    return {"mean": v, "p05": None, "p95": None}


def _step(x: Any) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, Mapping):
        actor = x.get("actor") or x.get("who") or ""
        act = x.get("action") or x.get("move") or x.get("rung") or x.get("name") or ""
        return f"{actor}: {act}".strip(": ") if actor or act else ", ".join(f"{k}={v}" for k, v in x.items())
    return str(x)


def _paths(raw: Any, policy: str | None = None) -> list[dict[str, Any]]:
    out = []
    if isinstance(raw, Mapping):          # {path string: p}
        raw = [[k, v] for k, v in raw.items()]
    if not isinstance(raw, (list, tuple)):  # e.g. "paths": 20000, the number of simulated paths
        return []
    for item in raw:
        path: Any = None
        p = None
        end = None
        if isinstance(item, Mapping):
            path = item.get("path", item.get("moves", item.get("steps", item.get("name"))))
            end = item.get("end", item.get("outcome"))
            for k in _P_KEYS:
                if k in item:
                    p = _num(item[k])
                    break
        elif isinstance(item, (list, tuple)) and len(item) == 2 and _num(item[1]) is not None:
            path, p = item
            p = _num(p)
        else:
            path = item
        if isinstance(path, (list, tuple)):
            path = " → ".join(_step(s) for s in path)
        out.append({"policy": policy, "path": str(path), "end": None if end is None else str(end), "p": p})
    return out


def _is_stats(x: Any) -> bool:
    return isinstance(x, Mapping) and "mean" in x and all(isinstance(v, (int, float)) for v in x.values())


def _stat_tables(summary: Mapping[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    """Tables of {name: {mean, p05, p95}} entries (stocks at the end, interceptors used, ...), and the keys used."""
    tables, used = [], set()
    scalars = []
    for key, val in summary.items():
        if key in _KNOWN or key.startswith("p_"):
            continue
        if _is_stats(val):
            scalars.append({"name": key, **_interval(val)})
            used.add(key)
        elif isinstance(val, Mapping) and val and all(_is_stats(v) for v in val.values()):
            tables.append({"key": key, "rows": [{"name": str(k), **_interval(v)} for k, v in val.items()]})
            used.add(key)
    if scalars:
        tables.insert(0, {"key": "summary statistics", "rows": scalars})
    return tables, used


def _series(name: str, raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, (list, tuple)) and raw and all(_num(v) is not None for v in raw):
        ys = [_num(v) for v in raw]
        return {"name": name, "t": list(range(len(ys))), "y": ys}
    if isinstance(raw, Mapping):
        y = raw.get("mean", raw.get("y", raw.get("values")))
        if isinstance(y, (list, tuple)) and y and all(_num(v) is not None for v in y):
            ys = [_num(v) for v in y]
            t = raw.get("t", raw.get("round", raw.get("rounds", raw.get("day", list(range(len(ys)))))))
            s = {"name": name, "t": list(t)[: len(ys)], "y": ys}
            lo, hi = raw.get("p05"), raw.get("p95")
            if isinstance(lo, (list, tuple)) and isinstance(hi, (list, tuple)) and len(lo) == len(hi) == len(ys):
                s["lo"], s["hi"] = [_num(v) for v in lo], [_num(v) for v in hi]
            return s
    return None


def _stocks(raw: Any, prefix: str = "") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(raw, (list, tuple)):
        for i, item in enumerate(raw):
            if isinstance(item, Mapping):
                s = _series(prefix + str(item.get("name", i)), item)
                if s:
                    out.append(s)
        return out
    if isinstance(raw, Mapping):
        t_shared = raw.get("t", raw.get("rounds", raw.get("round")))
        series = raw.get("series", raw)
        for k, v in series.items():
            if k in ("t", "rounds", "round", "series"):
                continue
            s = _series(prefix + str(k), v)
            if s is None and isinstance(v, Mapping):
                out.extend(_stocks(v, prefix=f"{prefix}{k}: "))
                continue
            if s:
                if isinstance(t_shared, (list, tuple)) and len(t_shared) == len(s["y"]):
                    s["t"] = list(t_shared)
                out.append(s)
    return out


def _outcomes(d: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    return {k: _interval(v) for k, v in d.items()
            if k.startswith("p_") and k != "p_regional_war" and (_is_stats(v) or _num(v) is not None)}


def escalation_view(kind: str, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON view of a crisis or compare summary.

    Keys: ``kind``; ``p_war`` (one row per policy: name, mean, p05, p95, delta with its
    interval, description, other outcome probabilities); ``outcomes`` (a crisis's other
    probabilities); ``paths``; ``stocks`` (time series, when given); ``tables`` (entries
    with mean and interval, such as stocks at the horizon or interceptors used); ``other``;
    ``manifest``.
    """
    rows: list[dict[str, Any]] = []
    paths: list[dict[str, Any]] = []
    stocks: list[dict[str, Any]] = []
    other: dict[str, Any] = {}
    if isinstance(summary.get("policies"), list):
        for i, pol in enumerate(summary["policies"]):
            if not isinstance(pol, Mapping):
                continue
            name = str(pol.get("name", pol.get("policy", f"policy {i + 1}")))
            d = pol.get("delta_vs_status_quo", pol.get("delta"))
            di = _interval(d) if isinstance(d, Mapping) else {"mean": _num(d), "p05": None, "p95": None}
            rows.append({"name": name, **_interval(pol.get("p_regional_war")), "delta": di["mean"],
                         "delta_p05": di["p05"], "delta_p95": di["p95"],
                         "description": str(pol.get("description") or ""), "outcomes": _outcomes(pol)})
            paths += _paths(pol.get("top_paths", pol.get("paths")), policy=name)[:5]
            for key in _STOCK_KEYS:
                if key in pol:
                    stocks += _stocks(pol[key], prefix=f"{name}: ")
            skip = _KNOWN | {"name", "policy", "delta_vs_status_quo", "delta", "description"}
            extra = {k: v for k, v in pol.items() if k not in skip and not k.startswith("p_")
                     and not k.startswith("delta_")}
            if extra:
                other[name] = extra
    outcomes: dict[str, Any] = {}
    if "p_regional_war" in summary:
        name = str(summary.get("policy") or summary.get("name") or ("crisis" if kind == "crisis" else "overall"))
        outcomes = _outcomes(summary)
        rows.insert(0, {"name": name, **_interval(summary["p_regional_war"]), "delta": None, "delta_p05": None,
                        "delta_p95": None, "description": "", "outcomes": outcomes})
    paths = _paths(summary.get("top_paths", summary.get("paths"))) + paths
    for key in _STOCK_KEYS:
        if key in summary:
            stocks += _stocks(summary[key])
    tables, used = _stat_tables(summary)
    for k, v in summary.items():
        if k not in _KNOWN and k not in used and not k.startswith("p_") and k not in ("policy", "name", "title", "scenario"):
            other[k] = v
    for r in rows:
        for k in ("mean", "p05", "p95", "delta", "delta_p05", "delta_p95"):
            if r[k] is not None and not math.isfinite(r[k]):
                r[k] = None
    title = summary.get("title") or summary.get("scenario") or ""
    if not title and summary.get("start"):
        title = f"from {summary['start']}" + (f", horizon {summary['horizon_days']:g} days" if isinstance(
            summary.get("horizon_days"), (int, float)) else "")
    return {"kind": "compare" if kind == "compare" or (len(rows) > 1 and kind != "crisis") else kind,
            "title": title, "p_war": rows, "outcomes": outcomes, "paths": paths, "stocks": stocks,
            "tables": tables, "other": other, "manifest": dict(summary.get("manifest", {}))}
