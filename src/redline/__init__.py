"""Redline: strikes against layered air and missile defence, and the escalation they feed.

The curated public surface::

    import redline
    sc = redline.load_scenario("april-2024")
    res = redline.run(sc, trials=10_000, seed=1)
    res.summary()          # the JSON object of `redline run --json`
    res.to_frame()         # per-trial pandas table

    redline.validate([...]), redline.calibrate([...])       # calibration and scoring
    redline.run_crisis(...), redline.compare_policies(...)  # escalation
    redline.run_campaign(...), redline.run_sweep(...)       # campaigns and sweeps
"""
from typing import TYPE_CHECKING

from ._version import __version__
from .errors import InputError, RedlineError

if TYPE_CHECKING:  # the names below, for type checkers; at run time they load on first use
    from .api import default_params, run
    from .calibration import calibrate, validate
    from .campaign import run_campaign
    from .catalog import Catalog, load_catalog
    from .engagement.params import ParamSet, catalog_params
    from .escalation import compare_policies, run_crisis
    from .results import Result
    from .scenario import Scenario, builtin_scenarios, load_scenario, parse_scenario, read_scenario
    from .sweep import run_sweep

__all__ = [
    "__version__",
    "load_scenario",
    "read_scenario",
    "parse_scenario",
    "builtin_scenarios",
    "run",
    "Result",
    "Scenario",
    "Catalog",
    "load_catalog",
    "ParamSet",
    "catalog_params",
    "default_params",
    "InputError",
    "RedlineError",
    "validate",
    "calibrate",
    "run_crisis",
    "compare_policies",
    "run_campaign",
    "run_sweep",
]

# Everything else is imported on first use, so `import redline` (and with it `redline --help`) stays
# light: the engagement layer pulls in numba, calibration scipy. tests/test_startup.py checks this.
_LAZY = {
    "run": "redline.api", "default_params": "redline.api",
    "Result": "redline.results",
    "Catalog": "redline.catalog", "load_catalog": "redline.catalog",
    "ParamSet": "redline.engagement.params", "catalog_params": "redline.engagement.params",
    "Scenario": "redline.scenario", "builtin_scenarios": "redline.scenario", "load_scenario": "redline.scenario",
    "parse_scenario": "redline.scenario", "read_scenario": "redline.scenario",
    "validate": "redline.calibration", "calibrate": "redline.calibration",
    "run_crisis": "redline.escalation", "compare_policies": "redline.escalation",
    "run_campaign": "redline.campaign", "run_sweep": "redline.sweep",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'redline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
