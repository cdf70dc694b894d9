"""Start-up benchmark (issue 14): fresh `redline` processes, CPU and wall seconds.

Targets: `redline --help` under 0.3 s; `redline run april-2024 --trials 1000` under 1.5 s as a fresh
process with warm compile caches (one untimed run warms them first). Each command runs five
times; the figure is the fastest run, CPU (user + system of the child) beside wall, with the load
average, because other processes on a shared machine stretch wall time but hardly CPU time.
Prints the figures; never fails on a time.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

CLI = [sys.executable, "-m", "redline.cli.main"]
REPEAT = 5

COMMANDS = [
    ("redline --help", ["--help"], 0.3),
    ("redline --version", ["--version"], None),
    ("redline scenarios", ["scenarios"], None),
    ("redline catalog", ["catalog"], None),
    ("redline runs", ["runs"], None),
    ("redline run april-2024 --trials 1000 (warm caches)", ["run", "april-2024", "--trials", "1000", "--seed", "1",
                                                             "--json", "--no-store"], 1.5),
    ("the same, saved in the run store", ["run", "april-2024", "--trials", "1000", "--seed", "1", "--json"], None),
]


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([*CLI, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, REDLINE_STORE=os.path.join(tmp, "runs.duckdb"), XDG_DATA_HOME=tmp)
        _once(["run", "april-2024", "--trials", "100", "--no-store"], env)   # warm the compile caches, untimed
        print(f"fresh processes, best of {REPEAT}; load average {os.getloadavg()[0]:.2f} at start")
        for label, args, target in COMMANDS:
            runs = [_once(args, env) for _ in range(REPEAT)]
            cpu = min(c for c, _ in runs)
            wall = min(w for _, w in runs)
            goal = f"  [target < {target} s]" if target else ""
            print(f"  {label:<52} {cpu:5.2f} s CPU  {wall:5.2f} s wall{goal}", flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
