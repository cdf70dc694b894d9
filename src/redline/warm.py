"""Warm numba's compile caches: compile every numba function Redline calls, once, on this machine.

Every numba function is ``cache=True``, so its machine code is written next to its module the first
time it runs with a given signature and loaded from there afterwards (about 0.3 s instead of about
6 s for the engagement kernel and about 25 s for the escalation kernel, on the 2-core development
machine). :func:`warm_caches` runs the smallest calls that reach each of them with the signatures
the commands use, so that the first ``redline run``, ``crisis``, ``compare``, ``backtest`` or
``calibrate`` starts in seconds. ``make demo`` calls it through ``redline maintain warm``.

Nothing is written but the caches; the calls use fixed seeds and tiny sizes.
"""
from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["STAGES", "warm_caches"]


def _engagement() -> None:
    from .api import run

    run("april-2024", trials=64, seed=1, workers=1).summary()                   # calibrated draws
    run("april-2024", trials=64, seed=1, workers=1, params="prior").summary()   # one catalog draw


def _escalation_paths() -> None:
    from .escalation import run_crisis

    run_crisis(start="april-2024", paths=64, seed=1, rounds=2, draws=2, horizon_days=30.0)


def _escalation_likelihood() -> None:
    import numpy as np

    from .escalation import backtest, default_model, load_history, replay
    from .escalation import kernel as K
    from .escalation.fit import load_posterior, posterior_matrix

    backtest(draws=2)                                                            # predictive, predictive_movers
    model = default_model()
    rp = replay(model, load_history())
    th = np.ascontiguousarray(posterior_matrix(load_posterior(), model)[0])
    om, oa = np.zeros(len(rp.movers)), np.zeros(len(rp.movers))
    K.move_logprobs(rp.states, rp.movers, rp.actions, th, model.tables, om, oa)   # the escalation fit's likelihood


#: (name, what it compiles, function), in the order they run.
STAGES: tuple[tuple[str, str, Callable[[], None]], ...] = (
    ("engagement", "geometry, keyed draws and the engagement kernel (redline run, calibrate, diff)", _engagement),
    ("escalation-paths", "the crisis path sampler (redline crisis, compare)", _escalation_paths),
    ("escalation-likelihood", "the move likelihood and predictions (backtest, fit-escalation)", _escalation_likelihood),
)


def warm_caches(progress: Callable[[str], None] | None = None) -> dict[str, float]:
    """Compile (or load from the cache) every numba function Redline uses.

    Parameters
    ----------
    progress : callable, optional
        Called with one line per stage after it ran.

    Returns
    -------
    dict
        Wall seconds of each stage, by name (long the first time, about a second once warm).
    """
    out = {}
    for name, what, fn in STAGES:
        t0 = time.perf_counter()
        fn()
        out[name] = round(time.perf_counter() - t0, 2)
        if progress is not None:
            progress(f"{name}: {out[name]:.1f} s ({what})")
    return out
