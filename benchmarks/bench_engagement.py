"""Engagement benchmarks (DESIGN section 6). Run: `make bench` or `python benchmarks/bench_engagement.py`.

Prints:
* April 2024 at 100,000 trials, fast engine, all cores (target < 5 s on 2 cores);
* fast vs reference engine on the same trials (target >= 100x);
* 1,000,000 trials: time and peak resident memory, in a fresh process (target < 4 GiB);
* geometry: compiling 2,000 threats x 100 fire units (target < 1 s, CPU seconds).

``--quick`` (what ``make bench`` runs) leaves out the million trials, times the 100,000 trials once
(``redline.run``, summary included; not the kernel alone) and runs the reference engine on 512 trials; ``--million`` runs only the million (``make bench`` with ``--all``).

Times are CPU seconds of this process (``time.process_time``) where one thread
runs, wall seconds beside them; the machine may be shared (see the load average).
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

import redline
from redline.engagement.compile import compile_scenario
from redline.engagement.params import catalog_params
from redline.engagement.runner import run_compiled
from redline.scenario.io import scenario_catalog


def _best(fn, repeat=3):
    """Best wall seconds of ``repeat`` calls."""
    return _best_cpu_wall(fn, repeat)[1]


def _best_cpu_wall(fn, repeat=3):
    """(best CPU seconds, best wall seconds) of ``repeat`` calls."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return min(cpu), min(wall)


def bench_april(trials=100_000, repeat=3):
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    ps = redline.default_params(cat)
    comp = compile_scenario(sc, cat, ps)
    run_compiled(comp, ps, 2048, 0)  # warm up (numba cache)
    out = {}
    if repeat:
        c_run, t_run = _best_cpu_wall(lambda: run_compiled(comp, ps, trials, 1), repeat=repeat)
        out = {"april_kernel_s": round(t_run, 3), "april_kernel_cpu_s": round(c_run, 3)}
    c_total, t_total = _best_cpu_wall(lambda: redline.run(sc, trials=trials, seed=1).summary(), repeat=1)
    return {"april_trials": trials, **out, "april_total_s": round(t_total, 3), "april_total_cpu_s": round(c_total, 3),
            "threats": comp.n_threats, "fire_units": comp.n_units, "events": int(comp.ev_L.size), "cores": os.cpu_count(),
            "april_total_load": round(os.getloadavg()[0], 2)}


def bench_reference_ratio(trials=2048):
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    ps = redline.default_params(cat)
    comp = compile_scenario(sc, cat, ps)
    t_fast, w_fast = _best_cpu_wall(lambda: run_compiled(comp, ps, trials, 3, workers=1), repeat=3)
    t_ref, w_ref = _best_cpu_wall(lambda: run_compiled(comp, ps, trials, 3, engine="reference"), repeat=1)
    return {"ratio_trials": trials, "fast_1core_cpu_s": round(t_fast, 4), "fast_1core_wall_s": round(w_fast, 4),
            "reference_cpu_s": round(t_ref, 2), "reference_wall_s": round(w_ref, 2),
            "speedup_single_core": round(t_ref / t_fast, 1), "load": round(os.getloadavg()[0], 2)}


def bench_million():
    code = ("import resource,time,redline;t=time.perf_counter();r=redline.run('april-2024',trials=1_000_000,seed=1);"
            "s=r.summary();print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return {"million_s": round(float(out[0]), 2), "million_peak_rss_gib": round(int(out[1]) / 2**20, 3)}


def geometry_scenario(n_threats=2000, n_units=100, seed=0):
    """Every threat from its own launch point (so 2,000 distinct tracks) against 100 batteries."""
    rng = np.random.default_rng(seed)
    sites = {"t": {"lat": 31.21, "lon": 35.01, "kind": "air_base", "radius_km": 3, "value": 1}}
    for j in range(n_threats):
        sites[f"l{j}"] = {"lat": float(rng.uniform(30, 36)), "lon": float(rng.uniform(45, 50)), "kind": "launch_area"}
    for j in range(n_units):
        sites[f"u{j}"] = {"lat": float(rng.uniform(29.5, 33.5)), "lon": float(rng.uniform(34.2, 39)), "kind": "point"}
    types = ["shahed-136", "paveh", "kheibar-shekan"]
    raid = [{"threat": types[j % 3], "count": 1, "launch": f"l{j}", "window_min": [j / 40, j / 40], "aim": {"t": 1}}
            for j in range(n_threats)]
    ints = ["arrow-3", "arrow-2", "davids-sling", "iron-dome", "patriot-pac-3"]
    units = [{"name": f"u{j}", "kind": "battery", "type": ints[j % 5], "owner": "israel", "site": f"u{j}", "magazine": 40}
             for j in range(n_units)]
    sc = redline.Scenario.model_validate({"name": "geometry-bench", "sites": sites, "raid": raid, "fire_units": units,
                                          "sensors": [{"name": "s", "type": "sbirs", "owner": "united-states", "at": {"lat": 0, "lon": 45}}]})
    cat = redline.load_catalog()
    return sc, cat, catalog_params(cat)


def bench_geometry(n_threats=2000, n_units=100, seed=0):
    sc, cat, ps = geometry_scenario(n_threats, n_units, seed)
    t, w = _best_cpu_wall(lambda: compile_scenario(sc, cat, ps), repeat=2)
    comp = compile_scenario(sc, cat, ps)
    return {"geometry_threats": comp.n_threats, "geometry_units": comp.n_units, "geometry_tracks": len(comp.tracks),
            "geometry_pairs": comp.n_pairs, "geometry_compile_cpu_s": round(t, 3), "geometry_compile_wall_s": round(w, 3),
            "geometry_target_s": 1.0, "load": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> dict:
    """``--quick``: all but one million trials, the reference engine on 512 trials; ``--million``: only
    one million trials; neither: everything."""
    argv = sys.argv[1:] if argv is None else argv
    if "--million" in argv:
        fns = (bench_million,)
    elif "--quick" in argv:
        fns = (lambda: bench_april(repeat=0), lambda: bench_reference_ratio(512), bench_geometry)
    else:
        fns = (bench_april, bench_reference_ratio, bench_million, bench_geometry)
    out = {}
    for fn in fns:
        r = fn()
        print(json.dumps(r), flush=True)
        out.update(r)
    return out


if __name__ == "__main__":
    main()
