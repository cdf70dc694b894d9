"""Sweeps: run a scenario over a design of parameter values, in parallel, resumably.

    from redline.sweep import load_sweep_spec, run_sweep
    spec = load_sweep_spec("april-2024-pk-sobol")
    res = run_sweep(spec, "sweeps/april-2024-pk-sobol", workers=2)
    res.ranking("by_class.ballistic.leaked")

Designs: grid, Latin hypercube, Sobol and Morris (SALib) with sensitivity
indices. Back ends: local processes (default) or Dask (``cluster=``).
See docs/sweeps.md.
"""
from .backends import DaskBackend, LocalBackend, make_backend
from .design import design_matrix, sensitivity
from .runner import SweepResult, run_sweep
from .spec import DesignSpec, ParameterSpec, SweepSpec, builtin_sweeps, load_sweep_spec, parse_sweep_spec, read_sweep_spec
from .store import SweepDir, SweepError
from .worker import Point, SweepBase, point_seed, run_point

__all__ = [
    "SweepSpec",
    "ParameterSpec",
    "DesignSpec",
    "parse_sweep_spec",
    "read_sweep_spec",
    "load_sweep_spec",
    "builtin_sweeps",
    "design_matrix",
    "sensitivity",
    "run_sweep",
    "SweepResult",
    "SweepDir",
    "SweepError",
    "LocalBackend",
    "DaskBackend",
    "make_backend",
    "SweepBase",
    "Point",
    "run_point",
    "point_seed",
]
