"""The catalog values a run used, each with its source keys, confidence tag and note.

Source keys (``[A01]``) are resolved to addresses from ``docs/sources.md``
when the package runs from a source checkout; elsewhere the keys are shown
as they are.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

__all__ = ["catalog_sources", "values_used", "source_urls", "SOURCE_KEY"]

SOURCE_KEY = re.compile(r"\[([A-Z]{1,3}\d{1,3})\]")
_LINE = re.compile(r"^-\s+`\[([A-Z]{1,3}\d{1,3})\]`(?:\s*\(listed as [^)]*\))?\s+(\S+)\s*(.*)$")


def _quantities(model) -> Iterable[tuple[str, Any]]:
    from ..catalog import Quantity

    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, Quantity):
            yield name, v
        elif isinstance(v, dict):
            for k, q in v.items():
                if isinstance(q, Quantity):
                    yield f"{name}.{k}", q


def values_used(catalog, params_label: str) -> dict[tuple[str, str], dict[str, float]] | None:
    """The uncertain parameters a run used, ``(entry, field) -> {mean, p05, p95}``, from its ``params`` label.

    A run's manifest names its parameter set: ``catalog`` (the catalog's best values) or the shipped
    posterior's label, both of which are rebuilt here; any other set (an override, a user's
    posterior) is not known to the report, and the answer is ``None``.
    """
    import numpy as np

    from ..api import default_params
    from ..engagement.params import catalog_params

    ps = catalog_params(catalog) if params_label == "catalog" else default_params(catalog)
    if ps.label != params_label:
        return None

    def st(x) -> dict[str, float]:
        a = np.asarray(x, dtype=float)
        return {"mean": float(a.mean()), "p05": float(np.quantile(a, 0.05)), "p95": float(np.quantile(a, 0.95))}

    out: dict[tuple[str, str], dict[str, float]] = {}
    for (it, cl), x in ps.pk.items():
        out[(it, f"pk.{cl}")] = st(x)
    for name, field in (("reliability", "reliability"), ("cep_m", "cep_m"), ("pd", "pd")):
        for key, x in getattr(ps, name).items():
            out[(key, field)] = st(x)
    return out


def catalog_sources(catalog, threats: Iterable[str] = (), interceptors: Iterable[str] = (),
                    sensors: Iterable[str] = (), used: dict[tuple[str, str], dict[str, float]] | None = None
                    ) -> list[dict[str, Any]]:
    """One row per catalog quantity of the given entries: entry, field, value, range, confidence, source, note,
    and ``used``: the value the run used for an uncertain parameter (mean and 90 % interval of its draws), from
    :func:`values_used`, else ``None``."""
    rows = []
    for table_name, table, keys in (("threat", catalog.threats, threats), ("interceptor", catalog.interceptors, interceptors),
                                    ("sensor", catalog.sensors, sensors)):
        for key in sorted(set(keys)):
            entry = table[key]
            for field, q in _quantities(entry):
                rows.append({
                    "table": table_name, "entry": key, "name": entry.name, "field": field, "value": q.value,
                    "range": list(q.range) if q.range else None, "confidence": q.confidence,
                    "source": q.source or "",
                    "keys": list(dict.fromkeys(SOURCE_KEY.findall(q.source or "") + SOURCE_KEY.findall(q.note or ""))),
                    "note": q.note or "",
                    "used": (used or {}).get((key, field)),
                })
    return rows


def _sources_md() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "docs" / "sources.md"
        if cand.is_file():
            return cand
    return None


@lru_cache(maxsize=1)
def source_urls() -> dict[str, dict[str, str]]:
    """Source key -> {"url", "note"} from ``docs/sources.md`` (empty when not found)."""
    path = _sources_md()
    if path is None:
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m:
            out[m.group(1)] = {"url": m.group(2), "note": m.group(3).strip()}
    return out
