"""Small typed records for store tests (any kind works; validate records are the smallest)."""
from __future__ import annotations

from redline.manifest import make_manifest
from redline.records import ValidateSummary


def tiny_record(seed: int, coverage: float = 0.5) -> ValidateSummary:
    """A validate record with no events: enough for the store's own tests."""
    return ValidateSummary(manifest=make_manifest("validate", "tiny", seed=seed, samples=10, unit="trials"),
                           events=[], coverage=coverage, mean_crps=1.0)
