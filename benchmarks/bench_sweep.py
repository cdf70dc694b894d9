"""Sweep throughput (issue 6, DESIGN section 6: near-linear speed-up with workers).

Run: `make bench` or `python benchmarks/bench_sweep.py [POINTS] [TRIALS]`.

Runs the same Latin-hypercube sweep of April 2024 (five kill probabilities and
reliabilities, POINTS points of TRIALS trials, default 48 x 2,000) on 1 and 2
local worker processes and on a loopback Dask LocalCluster of 2 workers, each
into a fresh folder, and prints wall time (including starting the workers),
points per second and the speed-up over one worker. Because other processes on
a shared machine change the time a point takes from one run to the next, it also
prints the *concurrency*: the time spent inside points divided by the wall time,
i.e. how many points were running on average (ideal: the number of workers,
less the start-up of the worker processes), with the load average. It also checks that the three runs produced the same
numbers.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

SPEC = """
name: bench-lhs
scenario: april-2024
trials: {trials}
seed: 3
params: prior
design: {{method: lhs, n: {points}}}
parameters:
  - {{name: pk.arrow-3.ballistic,  range: [0.5, 0.95]}}
  - {{name: pk.arrow-2.ballistic,  range: [0.5, 0.95]}}
  - {{name: pk.sm-3.ballistic,     range: [0.5, 0.95]}}
  - {{name: pk.fighter-aam.drone,  range: [0.5, 0.95]}}
  - {{name: reliability.ballistic, range: [0.4, 0.95]}}
outputs: [by_class.ballistic.leaked]
"""


def main(argv: list[str]) -> None:
    from redline.sweep import parse_sweep_spec, run_sweep

    points = int(argv[0]) if argv else 48
    trials = int(argv[1]) if len(argv) > 1 else 2000
    os.environ["REDLINE_NO_STORE"] = "1"
    spec = parse_sweep_spec(SPEC.format(points=points, trials=trials))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_sweep(spec.model_copy(update={"design": spec.design.model_copy(update={"n": 2})}), Path(tmp) / "warm",
                  workers=1, plots=False)  # numba cache warm
        for label, kw in (("local x1", {"workers": 1}), ("local x2", {"workers": 2}), ("dask local:2", {"cluster": "local:2"})):
            t0 = time.perf_counter()
            res = run_sweep(spec, Path(tmp) / label.replace(" ", "_").replace(":", ""), plots=False, **kw)
            dt = time.perf_counter() - t0
            results[label] = (dt, res.outputs("by_class.ballistic.leaked"))
            base = results["local x1"][0]
            busy = sum(r["timing"]["elapsed_s"] for r in res.records.values())
            print(f"sweep {points} points x {trials:,} trials on {label:<12}: {dt:6.1f} s, {points / dt:5.2f} points/s, "
                  f"speed-up {base / dt:4.2f}x, concurrency {busy / dt:4.2f} (time in points / wall; "
                  f"mean {busy / points:.3f} s a point; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
                  flush=True)
    same = all((v[1] == results["local x1"][1]).all() for v in results.values())
    print(f"identical outputs on all back ends: {same}")


if __name__ == "__main__":
    main(sys.argv[1:])
