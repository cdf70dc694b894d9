"""Calibration to observed exchanges and the validation harness.

- :mod:`~redline.calibration.events`: event files (observed figures as data);
- :mod:`~redline.calibration.metrics`: per-trial values of ``redline run --json`` metric paths;
- :mod:`~redline.calibration.priors`: PERT priors from the catalog ranges;
- :mod:`~redline.calibration.fit`: ABC by adaptive importance sampling;
- :mod:`~redline.calibration.pipeline`: events -> :class:`Posterior`;
- :mod:`~redline.calibration.posterior`: posterior files and the shipped April 2024 fit;
- :mod:`~redline.calibration.scoring`: coverage and CRPS of predictions against events.

Names are imported lazily, so that ``redline run`` (which only needs the
shipped posterior) does not load the fitting machinery. See
``docs/calibration.md``.
"""
from __future__ import annotations

import importlib

__all__ = [
    "calibrate",
    "validate",
    "crps_sample",
    "load_event",
    "read_events",
    "parse_events",
    "Event",
    "Observation",
    "LoadedEvent",
    "FitSettings",
    "Posterior",
    "read_posterior",
    "shipped_posterior",
    "DEFAULT_SEED",
]

_WHERE = {
    "calibrate": "pipeline", "DEFAULT_SEED": "pipeline",
    "validate": "scoring", "crps_sample": "scoring",
    "load_event": "events", "read_events": "events", "parse_events": "events",
    "Event": "events", "Observation": "events", "LoadedEvent": "events",
    "FitSettings": "fit",
    "Posterior": "posterior", "read_posterior": "posterior", "shipped_posterior": "posterior",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
