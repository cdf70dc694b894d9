"""Campaign benchmark (issue 6). Run: `make bench` or `python benchmarks/bench_campaign.py [TRIALS ...]`.

Prints, for the built-in hypothetical twelve-day campaign (12 days x 2 waves,
stocks carried per trial), the wall time and the peak resident memory of a
fresh process at 10,000 trials, and at 40,000 trials to show that memory is
bounded by the trial block (16,384 trials) and the per-day histograms, not by
trials x days.
"""
from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from redline.campaign import load_campaign, run_campaign
n = int(sys.argv[1])
sc, camp = load_campaign("twelve-day-campaign")
t0 = time.perf_counter()
res = run_campaign(sc, camp, trials=n, seed=1, params="prior")
s = res.summary()
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
last = s["daily"][-1]
print(json.dumps({"trials": n, "waves": len(res.plans), "compiled_waves": s["manifest"]["compiled_waves"],
                  "elapsed_s": round(dt, 2), "peak_rss_mib": round(rss, 1),
                  "impacts_to_date_day12": last["impacted_cumulative"],
                  "arrow3_left_day12": last["remaining_by_type"]["arrow-3"]}))
"""


def run(trials: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(trials)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000, 40_000]
    run(200)  # warm the numba cache so the figures do not include compiling the kernel
    for n in sizes:
        r = run(n)
        print(f"twelve-day campaign, {r['trials']:,} trials x {r['waves']} waves ({r['compiled_waves']} distinct raids): "
              f"{r['elapsed_s']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB, "
              f"{r['trials'] * r['waves'] / r['elapsed_s']:,.0f} trial-waves/s; "
              f"impacts by day 12 {r['impacts_to_date_day12']['mean']:.1f} "
              f"[{r['impacts_to_date_day12']['p05']:.0f}-{r['impacts_to_date_day12']['p95']:.0f}]", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
