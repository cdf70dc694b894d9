"""Calibration and validation benchmarks. Run: `make bench` or `python benchmarks/bench_calibration.py`.

Prints:
* `redline validate` on the April 2024 event file with the shipped posterior, 20,000 trials
  (target < 60 s from a fresh process, including start-up);
* the likelihood estimate's cost: simulated trials per second with 1,000 parameter draws at once;
* a reduced April 2024 fit (1/10 of the shipped sizes) and the projected time of the full fit
  (target <= ~5 minutes on 2 cores). `--full` times the full, shipped fit instead.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from redline.calibration.fit import FitSettings
from redline.calibration.pipeline import calibrate, default_settings, prepare_targets
from redline.calibration.events import load_event
from redline.calibration.priors import build_prior
from redline.engagement.runner import run_compiled


def bench_validate() -> dict:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "redline.cli.main", "validate",
                        "src/redline/data/events/april-2024.yaml", "--json"], capture_output=True, text=True)
    out = json.loads(p.stdout)
    return {"validate_april_s": round(time.perf_counter() - t0, 2), "coverage": out["coverage"],
            "mean_crps": out["mean_crps"]}


def bench_likelihood(draws=1000, trials_each=32) -> dict:
    evs = [load_event("april-2024")]
    cat, targets, _ = prepare_targets(evs)
    prior = build_prior(cat, [t.compiled for t in targets])
    ps = prior.paramset(np.random.default_rng(0).random((draws, prior.dim)))
    run_compiled(targets[0].compiled, ps, trials=2048, seed=0)      # warm the JIT cache
    t0 = time.perf_counter()
    run_compiled(targets[0].compiled, ps, trials=draws * trials_each, seed=1)
    dt = time.perf_counter() - t0
    return {"likelihood_trials_per_s": round(draws * trials_each / dt)}


def bench_fit(full: bool = False) -> dict:
    full_s = default_settings(1000)
    s = full_s if full else FitSettings(particles=full_s.particles // 10, rounds=full_s.rounds, trials=full_s.trials)
    t0 = time.perf_counter()
    post = calibrate(["april-2024"], draws=1000 if full else 100, seed=20240413, settings=s)
    dt = time.perf_counter() - t0
    out = {"fit_s": round(dt, 1), "fit_particles": s.particles * s.rounds, "fit_trials": s.particles * s.rounds * s.trials,
           "ess": post.manifest["diagnostics"]["ess"]}
    if not full:
        out["projected_full_fit_s"] = round(dt * 10, 0)
    return out


if __name__ == "__main__":
    res = {}
    res.update(bench_validate())
    res.update(bench_likelihood())
    res.update(bench_fit(full="--full" in sys.argv))
    for k, v in res.items():
        print(f"{k:28s} {v}")
    print(json.dumps(res), flush=True)
