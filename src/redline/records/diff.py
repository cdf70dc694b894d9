"""The typed summary of ``redline diff A B``: paired per-trial differences B - A of two engagement runs."""
from __future__ import annotations

from typing import Optional

from .base import Record, _Frozen

__all__ = ["DiffSide", "DiffSummary", "PairedDelta"]


class PairedDelta(_Frozen):
    """A paired difference B - A over trials.

    ``a`` and ``b`` are the two runs' means; ``mean`` is the mean of the per-trial differences
    (``b - a`` up to rounding); ``p05`` and ``p95`` the 5th and 95th percentiles of the per-trial
    differences; ``se`` the Monte Carlo standard error of ``mean`` (from the paired differences, so
    it shrinks with the pairing).
    """

    a: float
    b: float
    mean: float
    p05: float
    p95: float
    se: float


#: label -> metric -> paired difference
Group = dict[str, dict[str, PairedDelta]]


class DiffSide(_Frozen):
    """One side of a diff: the scenario run, where it came from, and its hash."""

    name: str
    source: str                  # "builtin", "file", "run" (a stored run, re-run from its saved scenario) or "object"
    ref: Optional[str] = None    # the file path or the stored run's id
    scenario_sha256: str


class DiffSummary(Record):
    """``redline diff A B --json``: per-trial differences B - A on common random numbers.

    Both runs use the same seed, trials and parameter set; draws are keyed by trial, threat, fire
    unit and salvo, so a threat's failure, aim and kill draws do not change when an unrelated unit
    or airspace does, and the differences are paired trial by trial. A label present on one side
    only (a unit removed, a site added) counts as zero on the other; ``only_in_a`` and ``only_in_b``
    list them by dimension.
    """

    kinds = ("diff",)

    a: DiffSide
    b: DiffSide
    by_class: Group
    by_threat_type: Group
    by_site: Group
    by_nation: Group
    by_airspace: Group
    by_layer: Group
    by_unit: Group
    by_interceptor: Group
    cost_usd: Group
    only_in_a: dict[str, list[str]]
    only_in_b: dict[str, list[str]]

    def headline(self) -> str:
        parts = []
        for k, v in self.by_class.items():
            d = v.get("leaked")
            if d is not None:
                parts.append(f"{k} {d.mean:+.2f}")
        cost = self.cost_usd.get("defender", {}).get("cost_usd")
        c = f"; defence cost {cost.mean / 1e6:+,.1f} M$" if cost is not None else ""
        return f"{self.b.name} - {self.a.name}: leaked " + ", ".join(parts) + c
