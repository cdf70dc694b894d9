"""Posterior parameter files: writing, reading, and the shipped default.

A posterior file is JSON::

    {
      "format": "redline-posterior/1",
      "label": "posterior:april-2024",
      "manifest": {...},          # events and their SHA-256, seed, method, settings, diagnostics,
                                  # and per parameter: prior, group, posterior summary
      "draws": {"pk.arrow-3.ballistic": [0.81, ...], "reliability.emad": [...], ...}
    }

``draws`` holds ``P`` joint draws of every uncertain catalog parameter
(fixed ones are left out). :meth:`Posterior.paramset` turns them into a
:class:`~redline.engagement.params.ParamSet` for a catalog: a parameter
whose catalog prior differs from the one the fit used (an edited or
overriding catalog) or that the file lacks takes the catalog's value, and
is listed in ``ParamSet.meta["from_catalog"]``.

:func:`shipped_posterior` is the fit that ``redline run`` uses by default:
the hierarchical fit to every built-in event (``posterior-hierarchical.json``,
draws for a new exchange) when it is installed, else the April 2024 fit. Both
ship under their names (:data:`NAMED`), e.g. ``--params posterior-april-2024``
(see ``docs/calibration.md`` for how they were produced).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..catalog import Catalog
from ..engagement.params import ParamSet
from ..errors import InputError
from ..yamlio import read_text
from .priors import catalog_specs

__all__ = ["Posterior", "read_posterior", "shipped_posterior", "named_posterior", "SHIPPED_FILE", "APRIL_FILE",
           "HIERARCHICAL_FILE", "NAMED", "FORMAT"]

FORMAT = "redline-posterior/1"
APRIL_FILE = "posterior-april-2024.json"
HIERARCHICAL_FILE = "posterior-hierarchical.json"
NAMED = {"posterior-hierarchical": HIERARCHICAL_FILE, "posterior-april-2024": APRIL_FILE}
"""Shipped fits by name (``--params NAME``); ``posterior`` is the default among them."""


def _installed(file: str) -> bool:
    return (resources.files("redline") / "data" / "calibration" / file).is_file()


SHIPPED_FILE = HIERARCHICAL_FILE if _installed(HIERARCHICAL_FILE) else APRIL_FILE
"""The default fit's file: the hierarchical fit when installed, else April 2024's."""


@dataclass(frozen=True)
class Posterior:
    """Joint parameter draws with their manifest."""

    label: str
    manifest: dict
    draws: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(next(iter(self.draws.values())).shape[0]) if self.draws else 1

    def to_json(self) -> str:
        """Deterministic JSON text (one line per parameter's draws)."""
        head = json.dumps({"format": FORMAT, "label": self.label, "manifest": self.manifest}, indent=2,
                          ensure_ascii=False)
        lines = [f"    {json.dumps(k)}: {json.dumps([float(x) for x in v], separators=(',', ':'))}"
                 for k, v in self.draws.items()]
        return head[:-2] + ',\n  "draws": {\n' + ",\n".join(lines) + "\n  }\n}\n"

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str, file: str = "<string>") -> "Posterior":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON ({exc.msg}); "
                                                               "write it with `redline calibrate --out`") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise InputError(file, "format", raw.get("format") if isinstance(raw, dict) else None,
                             f"not a posterior file (expected format {FORMAT!r}); write one with `redline calibrate`")
        draws = {}
        sizes = set()
        for k, v in (raw.get("draws") or {}).items():
            arr = np.asarray(v, dtype=float)
            if arr.ndim != 1 or arr.size == 0:
                raise InputError(file, f"draws.{k}", None, "each parameter needs a non-empty list of draws")
            draws[k] = arr
            sizes.add(arr.size)
        if len(sizes) > 1:
            raise InputError(file, "draws", sorted(sizes), "every parameter needs the same number of draws")
        return cls(str(raw.get("label", "posterior")), dict(raw.get("manifest") or {}), draws)

    def paramset(self, cat: Catalog) -> ParamSet:
        """The draws as a ParamSet covering every parameter of ``cat`` (see module notes)."""
        P = self.size
        priors = {p["name"]: p for p in self.manifest.get("parameters", [])}
        tables: dict[str, dict] = {"pk": {}, "reliability": {}, "cep_m": {}, "pd": {}}
        from_catalog = []
        for s in catalog_specs(cat):
            rec = priors.get(s.name)
            same = rec is not None and rec.get("prior") == s.spec()
            if s.name in self.draws and same:
                x = self.draws[s.name]
            else:
                if not s.fixed:
                    from_catalog.append(s.name)
                x = np.full(P, s.value)
            tables[s.table][s.key] = x
        return ParamSet(**tables, label=self.label, meta={"from_catalog": from_catalog, "draws": P})


def read_posterior(path: str | Path) -> Posterior:
    """Read a posterior file written by ``redline calibrate``."""
    p = Path(path)
    text = read_text(p, "posterior file")
    return Posterior.from_json(text, str(p))


@lru_cache(maxsize=4)
def _shipped(file: str = SHIPPED_FILE) -> Posterior | None:
    entry = resources.files("redline") / "data" / "calibration" / file
    if not entry.is_file():
        return None
    return Posterior.from_json(entry.read_text(encoding="utf-8"), f"calibration/{file}")


def named_posterior(name: str) -> Posterior | None:
    """A shipped fit by name: ``posterior`` (the default), ``posterior-hierarchical`` or ``posterior-april-2024``.

    None when that file is not installed; KeyError for an unknown name.
    """
    if name == "posterior":
        return _shipped(SHIPPED_FILE)
    return _shipped(NAMED[name])


def shipped_posterior(cat: Catalog, name: str = "posterior") -> ParamSet | None:
    """The shipped default posterior (or the named one) as a ParamSet for ``cat``, or None if not installed."""
    post = named_posterior(name)
    return None if post is None else post.paramset(cat)
