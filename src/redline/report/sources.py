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

__all__ = ["catalog_sources", "source_urls", "SOURCE_KEY"]

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


def catalog_sources(catalog, threats: Iterable[str] = (), interceptors: Iterable[str] = (),
                    sensors: Iterable[str] = ()) -> list[dict[str, Any]]:
    """One row per catalog quantity of the given entries: entry, field, value, range, confidence, source, note."""
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
