"""Design points and sensitivity indices.

Sobol (Saltelli sampling) and Morris designs and their indices come from
SALib; Latin hypercube sampling too. For a Latin hypercube the importance
of a parameter is its standardised regression coefficient and Spearman
rank correlation with the output; for a grid it is the main effect (the
spread of the output's mean over the parameter's levels).

References
----------
Saltelli, A. et al. (2010), "Variance based sensitivity analysis of model
output", Computer Physics Communications 181, sections 3-4.
Campolongo, F., Cariboni, J., Saltelli, A. (2007), "An effective screening
design for sensitivity analysis of large models", Environmental Modelling &
Software 22, section 2 (Morris mu*).
Herman, J., Usher, W. (2017), "SALib: an open-source Python library for
sensitivity analysis", JOSS 2(9).
"""
from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from .spec import SweepSpec

__all__ = ["design_matrix", "problem", "sensitivity", "IMPORTANCE"]

IMPORTANCE = {"sobol": "ST", "morris": "mu_star", "lhs": "abs_src", "grid": "main_effect"}
"""The index each method ranks parameters by."""


def problem(spec: SweepSpec) -> dict:
    """The SALib problem dictionary of a spec."""
    return {
        "num_vars": len(spec.parameters),
        "names": [p.name for p in spec.parameters],
        "bounds": [list(p.range) if p.range is not None else [min(p.values or (0.0,)), max(p.values or (0.0,))]
                   for p in spec.parameters],
    }


def _grid_values(p) -> list[float]:
    if p.values is not None:
        return [float(v) for v in p.values]
    return [float(v) for v in np.linspace(p.range[0], p.range[1], p.levels or 3)]


def design_matrix(spec: SweepSpec) -> np.ndarray:
    """The (points, parameters) matrix of design points, deterministic given the spec (and SALib's version)."""
    d = spec.design
    prob = problem(spec)
    if d.method == "grid":
        return np.array(list(itertools.product(*(_grid_values(p) for p in spec.parameters))), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's note that n is not a power of 2
        if d.method == "lhs":
            from SALib.sample import latin

            return np.asarray(latin.sample(prob, d.n, seed=spec.seed), dtype=float)
        if d.method == "sobol":
            from SALib.sample import sobol

            return np.asarray(sobol.sample(prob, d.n, calc_second_order=d.second_order, seed=spec.seed), dtype=float)
        from SALib.sample import morris

        return np.asarray(morris.sample(prob, d.n, num_levels=d.levels, seed=spec.seed), dtype=float)


def _clean(x) -> list[float | None]:
    return [None if not math.isfinite(float(v)) else round(float(v), 6) for v in np.ravel(x)]


def sensitivity(spec: SweepSpec, X: np.ndarray, Y: np.ndarray) -> dict:
    """Sensitivity indices of one output ``Y`` (points,) over the design ``X``.

    Returns a mapping with ``method``, ``importance`` (the name of the index
    parameters are ranked by), ``names`` and index arrays (lists, one value
    per parameter). Sobol and Morris need the complete design.
    """
    prob = problem(spec)
    method = spec.design.method
    out: dict = {"method": method, "importance": IMPORTANCE[method], "names": prob["names"]}
    Y = np.asarray(Y, dtype=float)
    if method == "sobol":
        from SALib.analyze import sobol

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = sobol.analyze(prob, Y, calc_second_order=spec.design.second_order, seed=spec.seed)
        for k in ("S1", "S1_conf", "ST", "ST_conf"):
            out[k] = _clean(r[k])
        if spec.design.second_order:
            out["S2"] = [_clean(row) for row in r["S2"]]
    elif method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(prob, X, Y, num_levels=spec.design.levels, seed=spec.seed)
        for k in ("mu", "mu_star", "sigma", "mu_star_conf"):
            out[k] = _clean(r[k])
    elif method == "lhs":
        from scipy.stats import spearmanr

        sx = X.std(axis=0)
        sy = Y.std()
        if sy == 0:
            src = np.zeros(X.shape[1])
        else:
            A = np.column_stack([np.ones(len(Y)), (X - X.mean(axis=0)) / np.where(sx > 0, sx, 1)])
            coef = np.linalg.lstsq(A, (Y - Y.mean()) / sy, rcond=None)[0][1:]
            src = coef
        rho = [spearmanr(X[:, j], Y).statistic if sx[j] > 0 and sy > 0 else 0.0 for j in range(X.shape[1])]
        out["src"] = _clean(src)
        out["abs_src"] = _clean(np.abs(src))
        out["spearman"] = _clean(rho)
    else:
        effects, curves = [], []
        for j in range(X.shape[1]):
            levels = np.unique(X[:, j])
            means = [float(Y[X[:, j] == v].mean()) for v in levels]
            effects.append(max(means) - min(means))
            curves.append({"x": _clean(levels), "mean": _clean(means)})
        out["main_effect"] = _clean(effects)
        out["curves"] = curves
    return out
