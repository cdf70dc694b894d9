"""Where the engagement kernel's time goes, line by line (issue 14): perf samples mapped to kernel lines.

numba's compiled code has no symbols perf can read, so this maps each sample
itself: the kernel is compiled with debug line tables (``NUMBA_DEBUGINFO=1``,
in a fresh cache directory so a cached build without them is not loaded), its
object code and run-time address are saved, and each sampled instruction
address is turned into a kernel line with ``addr2line``. Two steps::

    perf record -e cpu-clock -F 4000 -o /tmp/kernel.perf \\
        env NUMBA_DEBUGINFO=1 NUMBA_CACHE_DIR=/tmp/redline-prof-cache PYTHONPATH=src \\
        python benchmarks/profile_kernel.py run april          # or: april-x4, layered
    python benchmarks/profile_kernel.py report /tmp/kernel.perf [--lines 40]

``report`` prints the share of the kernel's samples in each of its sections
(the ``# ---`` comments of :mod:`redline.engagement.kernel`) and its hottest
lines. Needs ``perf`` and binutils' ``addr2line``; measures, never fails on a
time. Samples land on the instruction after a slow one, so read a hot line as
"around here"; ``?`` is code without a line (loop control, spills).
"""
from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

OBJ = Path(os.environ.get("TMPDIR", "/tmp")) / "redline-kernel.o"
ADDR = OBJ.with_suffix(".addr")


def run(which: str, trials: int = 4000, repeat: int = 10) -> None:
    """Run the kernel ``repeat`` times on ``trials`` trials of April 2024 or the layered raid, and save
    its object code and address for :func:`report`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import redline
    from bench_bound import _scaled, layered_scenario
    from redline.engagement import kernel
    from redline.engagement.compile import compile_scenario
    from redline.engagement.runner import run_compiled
    from redline.scenario.io import scenario_catalog

    if os.environ.get("NUMBA_DEBUGINFO") != "1":
        raise SystemExit("set NUMBA_DEBUGINFO=1 (and a fresh NUMBA_CACHE_DIR): see the module notes")
    if which in ("april", "april-x4"):
        sc = redline.load_scenario("april-2024")
        cat = scenario_catalog(sc)
        ps = redline.default_params(cat)
        if which == "april-x4":                  # bench_bound's scaling case: salvos and magazines x4
            sc = _scaled(sc, 4)
            trials //= 4
    elif which == "layered":
        sc, cat, ps = layered_scenario()
    else:
        raise SystemExit(f"unknown case {which!r}; use april, april-x4 or layered")
    comp = compile_scenario(sc, cat, ps)
    run_compiled(comp, ps, 64, 1, workers=1)
    cres = kernel.simulate_chunk.overloads[kernel.simulate_chunk.signatures[0]]
    OBJ.write_bytes(cres.library._get_compiled_object())
    ADDR.write_text(str(cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)))
    t = time.process_time()
    for _ in range(repeat):
        run_compiled(comp, ps, trials, 1, workers=1)
    print(f"{which}: {(time.process_time() - t) / repeat / trials * 1e6:.1f} us CPU per trial (with profiling); "
          f"load {os.getloadavg()[0]:.2f}")


def report(perf_data: str, n_lines: int = 40) -> None:
    """The kernel's samples by section and by line."""
    base = int(ADDR.read_text())
    size = max(int(line.split()[0], 16) for line in subprocess.run(
        ["nm", str(OBJ)], capture_output=True, text=True, check=True).stdout.splitlines() if line[:1].strip())
    ips = [int(x, 16) for x in subprocess.run(["perf", "script", "-i", perf_data, "-F", "ip"],
                                              capture_output=True, text=True, check=True).stdout.split()]
    offs = [ip - base for ip in ips if 0 <= ip - base < size]
    if not offs:
        raise SystemExit("no samples in the kernel: was it run under perf with this object file?")
    uniq = sorted(set(offs))
    names = subprocess.run(["addr2line", "-e", str(OBJ)] + [hex(o) for o in uniq],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    line_of = {}
    for o, name in zip(uniq, names):
        tail = name.rsplit(":", 1)[-1].split()[0]
        line_of[o] = int(tail) if tail.isdigit() and name.split(":")[0].endswith("kernel.py") else None
    src = (Path(__file__).resolve().parents[1] / "src/redline/engagement/kernel.py").read_text().splitlines()
    marks = [(i + 1, s.strip()[6:60]) for i, s in enumerate(src) if s.strip().startswith("# ---")]
    by_line = collections.Counter(line_of[o] for o in offs)
    by_sec: collections.Counter = collections.Counter()
    for ln, k in by_line.items():
        sec = "?" if ln is None else next((t for a, t in reversed(marks) if ln >= a), "set-up")
        by_sec[sec] += k
    n = len(offs)
    print(f"{n} samples in the kernel ({len(ips)} in all)")
    for sec, k in by_sec.most_common():
        print(f"{100 * k / n:5.1f}%  {sec}")
    print()
    for ln, k in by_line.most_common(n_lines):
        text = src[ln - 1].strip()[:100] if ln else "(no line)"
        print(f"{100 * k / n:5.1f}%  {ln or '?':>4}  {text}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        run(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2], int(sys.argv[sys.argv.index("--lines") + 1]) if "--lines" in sys.argv else 40)
    else:
        raise SystemExit(__doc__)
