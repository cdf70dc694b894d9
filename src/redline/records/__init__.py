"""Typed results: one summary model per kind of run, each with the same :class:`~redline.manifest.Manifest`.

The library produces these records; the store, the reports, the web app and the CLI read them.
Nothing downstream guesses at shapes: :func:`parse_summary` turns a JSON object back into its
record (by the manifest's ``kind``) or raises :class:`RecordError` naming the kind and the field.

=============  ===========================  ====================================
kind           model                        produced by
=============  ===========================  ====================================
run            :class:`RunSummary`          :meth:`redline.results.Result.record`
campaign       :class:`CampaignSummary`     :meth:`redline.campaign.CampaignResult.record`
crisis         :class:`CrisisSummary`       :func:`redline.escalation.run_crisis`
compare        :class:`CompareSummary`      :func:`redline.escalation.compare_policies`
backtest       :class:`BacktestSummary`     :func:`redline.escalation.backtest`
validate       :class:`ValidateSummary`     :func:`redline.calibration.validate`
calibrate      :class:`CalibrateSummary`    ``redline calibrate --json``
sweep          :class:`SweepSummary`        :meth:`redline.sweep.SweepResult.record`
diff           :class:`DiffSummary`         :func:`redline.diff.diff`
sweep-point    :class:`RunSummary` or       a sweep's worker (``details.of`` says which)
               :class:`CampaignSummary`
=============  ===========================  ====================================
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import ValidationError

from ..manifest import Manifest
from .base import Interval, Record, RecordError, Stats

if TYPE_CHECKING:  # the models below load with their module on first use (a run's summary needs only .engagement)
    from .diff import DiffSide, DiffSummary, PairedDelta
    from .engagement import CalibrateSummary, CampaignSummary, RunSummary, SweepSummary, ValidateSummary
    from .escalation import BacktestSummary, CompareSummary, CrisisSummary, Delta, PolicyRow, TopPath
    from .maintenance import EffectsTableSummary, EscalationFitSummary

    SUMMARIES: dict[str, type[Record]]

_LAZY = {name: module for module, names in (
    ("diff", ("DiffSide", "DiffSummary", "PairedDelta")),
    ("engagement", ("CalibrateSummary", "CampaignSummary", "RunSummary", "SweepSummary", "ValidateSummary")),
    ("maintenance", ("EffectsTableSummary", "EscalationFitSummary")),
    ("escalation", ("BacktestSummary", "CompareSummary", "CrisisSummary", "Delta", "PolicyRow", "TopPath")),
) for name in names}

__all__ = [
    "BacktestSummary",
    "CalibrateSummary",
    "CampaignSummary",
    "CompareSummary",
    "CrisisSummary",
    "Delta",
    "DiffSide",
    "DiffSummary",
    "EffectsTableSummary",
    "EscalationFitSummary",
    "Interval",
    "PairedDelta",
    "PolicyRow",
    "Record",
    "RecordError",
    "RunSummary",
    "SUMMARIES",
    "Stats",
    "SweepSummary",
    "TopPath",
    "ValidateSummary",
    "parse_summary",
    "summary_model",
]

_KINDS = {"run": "RunSummary", "campaign": "CampaignSummary", "crisis": "CrisisSummary", "compare": "CompareSummary",
          "backtest": "BacktestSummary", "validate": "ValidateSummary", "calibrate": "CalibrateSummary",
          "sweep": "SweepSummary", "diff": "DiffSummary", "rebuild-effects": "EffectsTableSummary",
          "fit-escalation": "EscalationFitSummary"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    elif name == "SUMMARIES":   # kind -> summary model (all record modules loaded)
        value = {kind: __getattr__(model) for kind, model in _KINDS.items()}
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def summary_model(manifest: Manifest) -> type[Record]:
    """The summary model of a manifest's kind (a sweep point names its own in ``details.of``)."""
    if manifest.kind == "sweep-point":
        of = manifest.details.get("of")
        if of not in ("run", "campaign"):
            raise RecordError(f"a sweep-point manifest names what the point ran in details.of ('run' or "
                              f"'campaign'); it has {of!r}")
        return __getattr__(_KINDS[of])
    return __getattr__(_KINDS[manifest.kind])


def _where(exc: ValidationError) -> str:
    err = exc.errors()[0]
    path = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{path}: {err['msg']}"


def parse_summary(data: Mapping[str, Any], what: str = "summary") -> Record:
    """The typed record of a JSON summary (with its ``manifest``); :class:`RecordError` if it has another shape."""
    if not isinstance(data, Mapping) or "manifest" not in data:
        raise RecordError(f"{what}: a summary is a JSON object with a top-level 'manifest'; got "
                          f"{type(data).__name__} with keys {sorted(data)[:8] if isinstance(data, Mapping) else '-'}")
    try:
        manifest = Manifest.model_validate(data["manifest"])
    except ValidationError as exc:
        raise RecordError(f"{what}: manifest.{_where(exc)}") from None
    model = summary_model(manifest)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(f"{what}: not a {manifest.kind} summary ({model.__name__}): {_where(exc)}") from None
