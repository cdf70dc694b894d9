"""Uncertain model parameters as arrays of parameter sets.

A :class:`ParamSet` holds ``P`` joint draws of the parameters the engine
treats as uncertain: single-shot kill probability per interceptor type and
threat class, reliability and CEP per threat type, and detection
probability per sensor type. Trial ``j`` of a run uses draw ``j % P``, so a
run over posterior draws carries parameter uncertainty into its intervals.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..catalog import THREAT_CLASSES, Catalog

__all__ = ["ParamSet", "catalog_params"]


@dataclass(frozen=True)
class ParamSet:
    """Parameter draws keyed by catalog ids; every array has shape (P,)."""

    pk: dict[tuple[str, str], np.ndarray]          # (interceptor, class) -> Pk
    reliability: dict[str, np.ndarray]             # threat -> P(launch and flight succeed)
    cep_m: dict[str, np.ndarray]                   # threat -> CEP [m]
    pd: dict[str, np.ndarray]                      # sensor -> detection probability
    label: str = "catalog"
    meta: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        for table in (self.pk, self.reliability, self.cep_m, self.pd):
            for v in table.values():
                return int(np.asarray(v).shape[0])
        return 1

    def with_values(self, **tables) -> "ParamSet":
        """A copy with some entries replaced, e.g. ``with_values(pk={("arrow-3", "ballistic"): arr})``."""
        new = {k: dict(getattr(self, k)) for k in ("pk", "reliability", "cep_m", "pd")}
        for name, updates in tables.items():
            for key, val in updates.items():
                new[name][key] = np.atleast_1d(np.asarray(val, dtype=float))
        return ParamSet(**new, label=self.label + "+override", meta=dict(self.meta))


def catalog_params(cat: Catalog) -> ParamSet:
    """One parameter set: the catalog's best values (the uncalibrated prior means)."""
    one = lambda q: np.array([q.value], dtype=float)  # noqa: E731
    return ParamSet(
        pk={(k, c): one(t.pk[c]) for k, t in cat.interceptors.items() for c in THREAT_CLASSES},
        reliability={k: one(t.reliability) for k, t in cat.threats.items()},
        cep_m={k: one(t.cep_m) for k, t in cat.threats.items()},
        pd={k: one(s.pd) for k, s in cat.sensors.items()},
        label="catalog",
    )
