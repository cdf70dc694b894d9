"""Records of the two maintenance commands (``redline maintain rebuild-effects`` and ``fit-escalation``)."""
from __future__ import annotations

from typing import Any

from .base import Record

__all__ = ["EffectsTableSummary", "EscalationFitSummary"]


class EffectsTableSummary(Record):
    """``redline maintain rebuild-effects --json``: the raid effects table written and its provenance."""

    kinds = ("rebuild-effects",)

    path: str
    templates: int
    entries: int
    provenance: dict[str, Any]

    def headline(self) -> str:
        return f"{self.entries} effects of {self.templates} raid templates -> {self.path}"


class EscalationFitSummary(Record):
    """``redline maintain fit-escalation --json``: the posterior file written, its diagnostics and summary."""

    kinds = ("fit-escalation",)

    path: str
    method: str
    moves: int
    diagnostics: dict[str, Any]   # acceptance per chain, R-hat max, ESS min
    summary: dict[str, dict[str, float]]

    def headline(self) -> str:
        d = self.diagnostics
        return f"{self.moves} moves, R-hat max {d.get('rhat_max', float('nan')):.3f} -> {self.path}"
