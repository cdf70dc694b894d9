"""Start-up benchmark (issue 14): fresh `redline` processes, CPU and wall seconds.

Targets: `redline --help` under 0.3 s; `redline run april-2024 --trials 1000` under 1.5 s as a fresh
process with warm caches (one untimed run warms them first): numba's compile cache and Python's
bytecode cache, as an installed package has them (pip writes the .pyc files at install). The
children run without PYTHONDONTWRITEBYTECODE, so the warm-up writes the .pyc files of the tree's
modules into their __pycache__ (git ignores them); where that variable is set and no .pyc exists,
every process compiles the tree's modules from source, about 0.1 s of CPU more per run. Each command runs REPEAT
times (REPEAT_RUN for the runs); the figures are the fastest and the median run, CPU (user + system of the child, from
``resource.getrusage``) beside wall, with the load average, because other processes on a shared
machine stretch wall time much more than CPU time. Prints the figures and one JSON line; never
fails on a time.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CLI = [sys.executable, "-m", "redline.cli.main"]
REPEAT = 5          # light commands
REPEAT_RUN = 3      # the 1,000-trial runs

# (key, label, arguments, target CPU seconds or None)
COMMANDS = [
    ("help", "redline --help", ["--help"], 0.3),
    ("version", "redline --version", ["--version"], None),
    ("scenarios", "redline scenarios", ["scenarios"], None),
    ("catalog", "redline catalog", ["catalog"], None),
    ("runs", "redline runs", ["runs"], None),
    ("run1000", "redline run april-2024 --trials 1000 (warm caches)",
     ["run", "april-2024", "--trials", "1000", "--seed", "1", "--json", "--no-store"], 1.5),
    ("run1000_stored", "the same, saved in the run store", ["run", "april-2024", "--trials", "1000", "--seed", "1", "--json"],
     None),
]


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([*CLI, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, REDLINE_STORE=os.path.join(tmp, "runs.duckdb"), XDG_DATA_HOME=tmp)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _once(["run", "april-2024", "--trials", "100", "--no-store"], env)   # warm numba's and Python's caches, untimed
        out["startup_load_start"] = round(os.getloadavg()[0], 2)
        print(f"fresh processes, best and median of {REPEAT} ({REPEAT_RUN} for the runs); load average {out['startup_load_start']:.2f} at start")
        for key, label, args, target in COMMANDS:
            runs = [_once(args, env) for _ in range(REPEAT_RUN if key.startswith("run") else REPEAT)]
            cpu = sorted(c for c, _ in runs)
            wall = sorted(w for _, w in runs)
            out |= {f"startup_{key}_cpu_s": round(cpu[0], 3), f"startup_{key}_wall_s": round(wall[0], 3),
                    f"startup_{key}_cpu_median_s": round(statistics.median(cpu), 3),
                    f"startup_{key}_wall_median_s": round(statistics.median(wall), 3)}
            if target:
                out[f"startup_{key}_target_s"] = target
            goal = f"  [target < {target} s]" if target else ""
            print(f"  {label:<52} {cpu[0]:5.2f} s CPU ({statistics.median(cpu):5.2f} median)  "
                  f"{wall[0]:5.2f} s wall ({statistics.median(wall):5.2f}){goal}", flush=True)
    out["startup_load_end"] = round(os.getloadavg()[0], 2)
    print(f"load average {out['startup_load_end']:.2f} at end")
    print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
