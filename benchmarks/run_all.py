"""Run every benchmark script in this folder, in order, and print their figures.

`make bench` calls this. Benchmarks measure; they never fail on a time.
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    rc = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        rc = rc or proc.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
