"""Run every benchmark script in this folder, in order, and print their figures.

`make bench` calls this. Benchmarks measure; they never fail on a time. Each
script's CPU seconds (user + system, from ``resource.getrusage``) are printed
beside its wall seconds and the load average, since the machine may be shared.
"""
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> int:
    rc = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name} (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)", flush=True)
        c0, w0 = _child_cpu(), time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: {_child_cpu() - c0:.1f} s CPU, {time.perf_counter() - w0:.1f} s wall, "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        rc = rc or proc.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
