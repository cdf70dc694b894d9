"""The Python API: load a scenario, run it, get a :class:`~redline.results.Result`."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from . import _blas_probe, limits
from .errors import InputError
from .catalog import Catalog

_blas_probe.install()   # before numba builds its CPU target: its BLAS check without importing scipy.linalg
from .engagement.compile import compile_scenario
from .engagement.params import ParamSet, catalog_params
from .engagement.runner import run_compiled
from .hashing import scenario_sha256
from .manifest import make_manifest
from .results import Result
from .scenario.io import load_scenario, scenario_catalog
from .scenario.schema import Scenario

__all__ = ["load_scenario", "run", "default_params"]


def default_params(catalog: Catalog) -> ParamSet:
    """The parameter set ``run`` uses when none is given.

    The shipped April 2024 posterior when one is installed (see
    :mod:`redline.calibration`), else the catalog's best values.
    """
    from .calibration.posterior import shipped_posterior  # here, not at the top: it needs scipy, `redline --help` does not

    post = shipped_posterior(catalog)
    return post if post is not None else catalog_params(catalog)


def campaign_refusal(sc: Scenario, name: str, file: str | None = None) -> InputError:
    """The error of ``run`` on a campaign scenario: it points at ``redline campaign`` (a run never flies one wave of a campaign).

    ``name`` is what to give ``redline campaign``; ``file`` names the input in the message (default ``name``;
    the web app says ``upload`` for an uploaded text, which has no name on the server's disk).
    """
    camp = sc.campaign
    assert camp is not None, "campaign_refusal is for campaign scenarios"
    what = f"{camp.days} days x {camp.waves_per_day} wave(s) a day"
    return InputError(file or name, "campaign", what,
                      f"this scenario is a campaign; run the whole campaign with `redline campaign {name}` (Python: "
                      f"redline.campaign.run_campaign(*redline.campaign.load_campaign({name!r}))); `redline run` flies one "
                      "raid, never one wave of a campaign")


def run(scenario: Scenario | str | Path, trials: int | None = None, seed: int | None = None,
        engine: str = "fast", params: ParamSet | str | None = None, workers: int | None = None,
        progress: Callable[[int], None] | None = None, magazines=None) -> Result:
    """Run a scenario's Monte Carlo trials.

    Parameters
    ----------
    scenario : Scenario or str or Path
        A scenario object, a built-in name (``"april-2024"``) or a file path.
    trials, seed : int, optional
        Override the scenario's own ``trials`` and ``seed``.
    engine : {"fast", "reference"}
    params : ParamSet or {"default", "prior", "posterior", "posterior-hierarchical", "posterior-april-2024"}, optional
        Parameter draws; "prior" uses the catalog's best values.
    workers : int, optional
        Threads for the fast engine; results do not depend on it.
    progress : callable, optional
        Called with the number of finished trials.
    magazines : (trials, units) int array, optional
        Starting rounds per fire unit and trial (campaigns carry stocks this way).

    Raises
    ------
    InputError
        For a scenario with a ``campaign`` block (its own or inherited through
        ``extends``): campaigns run with :func:`redline.campaign.run_campaign`
        (``redline campaign NAME``), never as one wave. To fly one wave on
        purpose, pass ``sc.model_copy(update={"campaign": None})``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if sc.campaign is not None:
        raise campaign_refusal(sc, str(scenario) if not isinstance(scenario, Scenario) else sc.name)
    cat = scenario_catalog(sc)
    if params is None or params == "default":
        ps = default_params(cat)
    elif params == "prior":
        ps = catalog_params(cat)
    elif isinstance(params, ParamSet):
        ps = params
    elif isinstance(params, str) and params.startswith("posterior"):
        from .calibration.posterior import NAMED, shipped_posterior

        if params != "posterior" and params not in NAMED:
            raise ValueError(f"params: no shipped fit {params!r}; choose posterior, {', '.join(NAMED)}")
        named = shipped_posterior(cat, params)
        if named is None:
            raise ValueError(f"params: the shipped fit {params!r} is not installed")
        ps = named
    else:
        raise ValueError(f"params must be a ParamSet, 'default', 'prior' or a shipped fit's name, got {params!r}")
    n = int(trials if trials is not None else sc.trials)
    s = int(seed if seed is not None else sc.seed)
    if not 1 <= n <= limits.MAX_TRIALS:
        raise InputError(sc.name, "trials", n, "give at least 1 trial" if n < 1 else
                         limits.cap_message("MAX_TRIALS", "trials", "run fewer trials, or split the run over seeds"))
    t0 = time.perf_counter()
    comp = compile_scenario(sc, cat, ps)
    raw = run_compiled(comp, ps, n, s, engine=engine, workers=workers, progress=progress, magazines=magazines)
    elapsed = time.perf_counter() - t0
    manifest = make_manifest("run", sc.name, seed=s, samples=n, unit="trials",
                             inputs={"scenario": scenario_sha256(sc, cat)}, params=ps.label, elapsed_s=elapsed,
                             details={"engine": engine, "param_draws": ps.size})
    return Result(comp, raw, manifest)
