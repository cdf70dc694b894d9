"""`make bench`: every speed figure of issue 14 and DESIGN section 6, measured here and now.

Runs each benchmark script in a fresh process, in order, streams what it prints, and collects the
figures it prints as JSON lines; then prints the random-number bound, a table of every target with
its measured value and pass or miss, and writes everything to ``benchmarks/results/latest.json``
(not committed: it differs from run to run and machine to machine).

Benchmarks measure; they never fail on a time (the exit status is non-zero only when a script
fails). Each script's CPU seconds (user + system of the child, ``resource.getrusage``) are printed
beside its wall seconds and the load average, since the machine may be shared: CPU seconds are
the figures to compare, and the targets are on CPU seconds where the issue says so.

Usage: ``python benchmarks/run_all.py [--all] [--only NAME ...] [--json PATH]``. Without ``--all``
it runs the issue-14 set (about 3-5 minutes on the 2-core development machine); ``--all`` adds one
million trials, calibration, the campaign and the sweep back ends (several minutes more).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"

# (name, script, arguments, in the default set, what it measures)
SUITES = [
    ("bound", "bench_bound.py", [], True,
     "numpy's draw rates, the draws of an April trial, the engine against that bound; layered raid against a "
     "plain-Python loop; raid-size scaling; paired draws"),
    ("startup", "bench_startup.py", [], True, "fresh `redline` processes: --help, listings, a 1,000-trial run"),
    ("escalation", "bench_escalation.py", [], True, "100,000 crisis paths x 20 rounds"),
    ("engagement", "bench_engagement.py", ["--quick"], True,
     "April 2024 at 100,000 trials on every core; fast against reference engine; geometry 2,000 x 100"),
    ("million", "bench_engagement.py", ["--million"], False, "1,000,000 trials: time and peak memory"),
    ("calibration", "bench_calibration.py", [], False, "validate, likelihood throughput, a reduced fit"),
    ("campaign", "bench_campaign.py", [], False, "the twelve-day campaign, bounded memory"),
    ("sweep", "bench_sweep.py", [], False, "sweep back ends: 1 and 2 workers, Dask"),
]

# (label, figure key, "<"/"<="/">=" (None: a figure shown beside the target above), target, unit,
#  key of the wall seconds shown beside it or None)
TARGETS = [
    ("April 2024 CPU per trial, x the random-number bound", "april_x_bound", "<=", 3.0, "x", None),
    ("layered raid: speed-up over the plain loop", "layered_speedup_vs_plain", ">=", 5.0, "x", None),
    ("layered raid: x the draws it needs", "layered_x_needed_draws", "<=", 3.0, "x", None),
    ("raid-size scaling exponent", "scaling_exponent", "<=", 1.05, "", None),
    ("paired draws: impacts unchanged, unit removed", "paired_share_unchanged", ">=", 1.0, "", None),
    ("`redline --help`, CPU", "startup_help_cpu_s", "<", 0.3, "s", "startup_help_wall_s"),
    ("`redline run april-2024 --trials 1000`, CPU", "startup_run1000_cpu_s", "<", 1.5, "s", "startup_run1000_wall_s"),
    ("escalation 100,000 paths x 20 rounds, CPU", "escalation_cpu_s", "<", 3.0, "s", "escalation_wall_s"),
    ("geometry 2,000 threats x 100 units, CPU", "geometry_compile_cpu_s", "<", 1.0, "s", "geometry_compile_wall_s"),
    ("April 2024 100,000 trials, all cores, wall", "april_total_s", "<", 5.0, "s", None),
    ("  the same, CPU (all threads)", "april_total_cpu_s", None, None, "s", "april_total_s"),
    ("fast vs reference engine, one core", "speedup_single_core", ">=", 100.0, "x", None),
    ("1,000,000 trials, peak memory", "million_peak_rss_gib", "<", 4.0, "GiB", "million_s"),
    ("`redline validate` April 2024, wall", "validate_april_s", "<", 60.0, "s", None),
]

_OPS = {"<": lambda v, t: v < t, "<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t}


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def run_suite(script: str, args: list[str]) -> tuple[int, dict, float, float]:
    """Run one script, echoing its output; return (status, figures from its JSON lines, CPU s, wall s)."""
    figures: dict = {}
    c0, w0 = _child_cpu(), time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], cwd=HERE.parent, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        text = line.strip()
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                continue
            if isinstance(obj, dict):
                figures.update(obj)
    rc = proc.wait()
    return rc, figures, _child_cpu() - c0, time.perf_counter() - w0


def target_rows(figures: dict) -> list[dict]:
    rows = []
    for label, key, op, target, unit, wall_key in TARGETS:
        value = figures.get(key)
        row = {"target": label, "key": key, "goal": f"{op} {target:g}{unit}" if op else "-", "value": value,
               "wall_s": figures.get(wall_key) if wall_key else None, "load": figures.get(f"_load_of_{key}")}
        if value is None:
            row["result"] = "not run"
        elif op is None:                                   # a figure shown beside a target, not one itself
            row["result"] = "(figure)"
        else:
            row["result"] = "pass" if _OPS[op](float(value), target) else "miss"
        rows.append(row)
    return rows


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def print_bound(f: dict) -> None:
    """The random-number bound of an April 2024 trial, from bench_bound's figures."""
    if "april_us_per_trial" not in f:
        return
    print("\n== how far from the random-number limit (one thread, CPU seconds)")
    print(f"  numpy draws: {_fmt(f.get('numpy_uniform_ns'))} ns a uniform, {_fmt(f.get('numpy_normal_ns'))} ns a normal; "
          f"keyed draws: {_fmt(f.get('keyed_uniforms_ns'))} ns a uniform, {_fmt(f.get('keyed_aim_errors_ns'))} ns an aim error")
    print(f"  an April 2024 trial needs {_fmt(f.get('april_draws_per_trial'))} draws "
          f"({_fmt(f.get('april_threats'))} threats): bound {_fmt(f.get('april_bound_us'))} us keyed, "
          f"{_fmt(f.get('april_numpy_bound_us'))} us from numpy")
    print(f"  the engine: {_fmt(f.get('april_us_per_trial'))} us a trial (redline.run, 20,000 trials) = "
          f"{_fmt(f.get('april_x_bound'))}x the bound; the kernel alone {_fmt(f.get('april_kernel_us_per_trial'))} us = "
          f"{_fmt(f.get('april_kernel_x_bound'))}x")
    if "layered_engine_ns_per_threat_trial" in f:
        print(f"  layered raid: {_fmt(f.get('layered_engine_ns_per_threat_trial'))} ns a threat-trial against the plain "
              f"loop's {_fmt(f.get('layered_plain_ns_per_threat_trial'))} ns = {_fmt(f.get('layered_speedup_vs_plain'))}x "
              f"faster; leaks {_fmt(f.get('layered_engine_leaks'))} against the closed form's "
              f"{_fmt(f.get('layered_closed_form_leaks'))}; {_fmt(f.get('layered_x_needed_draws'))}x the draws it needs")


def print_table(rows: list[dict]) -> None:
    print("\n== targets (CPU seconds where the target is CPU; wall and load average beside)")
    w = max(len(r["target"]) for r in rows)
    print(f"  {'target':<{w}}  {'goal':>10}  {'measured':>10}  {'wall s':>7}  {'load':>5}  result")
    for r in rows:
        print(f"  {r['target']:<{w}}  {r['goal']:>10}  {_fmt(r['value']):>10}  {_fmt(r['wall_s']):>7}  "
              f"{_fmt(r['load']):>5}  {r['result']}")
    met = sum(r["result"] == "pass" for r in rows)
    ran = sum(r["result"] in ("pass", "miss") for r in rows)
    print(f"  {met} of {ran} measured targets met")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="also one million trials, calibration, campaign and sweep")
    ap.add_argument("--only", nargs="+", metavar="NAME", help=f"only these: {', '.join(s[0] for s in SUITES)}")
    ap.add_argument("--json", default=str(RESULTS), help=f"where to write the figures (default {RESULTS})")
    a = ap.parse_args(argv)
    chosen = [s for s in SUITES if (s[0] in a.only if a.only else (s[3] or a.all))]
    report: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform(), "load_start": [round(x, 2) for x in os.getloadavg()]},
                    "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "suites": {}}
    try:
        report["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent, capture_output=True,
                                          text=True).stdout.strip() or None
    except OSError:
        report["commit"] = None
    print(f"make bench: {len(chosen)} benchmarks on {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    figures: dict = {}
    rc = 0
    t_all = time.perf_counter()
    for name, script, args, _, what in chosen:
        load0 = _load()
        print(f"\n== {name}: {what} ({script} {' '.join(args)}; load average {load0:.2f})", flush=True)
        status, figs, cpu, wall = run_suite(script, args)
        load1 = _load()
        print(f"== {name}: {cpu:.1f} s CPU, {wall:.1f} s wall, load average {load0:.2f} -> {load1:.2f}"
              f"{'' if status == 0 else f'; FAILED with status {status}'}", flush=True)
        report["suites"][name] = {"script": script, "args": args, "status": status, "cpu_s": round(cpu, 2),
                                  "wall_s": round(wall, 2), "load_start": load0, "load_end": load1, "figures": figs}
        figures.update(figs)
        figures.update({f"_load_of_{k}": load1 for k in figs})
        rc = rc or status
    print_bound(figures)
    rows = target_rows(figures)
    print_table(rows)
    report["targets"] = rows
    report["wall_s"] = round(time.perf_counter() - t_all, 1)
    report["machine"]["load_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(a.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nall figures in {out} ({report['wall_s']:.0f} s wall in all; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    return rc


if __name__ == "__main__":
    sys.exit(main())
