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
from ._version import __version__
from .api import default_params, run
from .catalog import Catalog, load_catalog
from .engagement.params import ParamSet, catalog_params
from .errors import InputError, RedlineError
from .results import Result
from .scenario import Scenario, builtin_scenarios, load_scenario, parse_scenario, read_scenario

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

# Entry points of the other layers, imported on first use so `import redline` stays light.
_LAZY = {
    "validate": "redline.calibration", "calibrate": "redline.calibration",
    "run_crisis": "redline.escalation", "compare_policies": "redline.escalation",
    "run_campaign": "redline.campaign", "run_sweep": "redline.sweep",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'redline' has no attribute {name!r}")
