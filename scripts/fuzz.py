#!/usr/bin/env python
"""Fuzz every input file type: mutated shipped files, each in a forked worker (1 GiB, 30 s alarm).

    python scripts/fuzz.py                   # 10,000 inputs: 2,000 per type (make fuzz)
    python scripts/fuzz.py --per-type 200 --types scenario,sweep --jobs 2 --seed 7 --json out.json

Prints the counts per type and class (clear error, traceback, hang, memory, accepted, accepted
invalid ...) and each distinct failure; exits 1 when any input was not a clear error or a valid
acceptance. The inputs are a pure function of --seed, so a failure can be replayed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("REDLINE_NO_STORE", "1")

from tests.fuzz.mutate import ALL_OPS, READER_OPS, VALUE_OPS, case  # noqa: E402
from tests.fuzz.runner import ALARM_S, BAD, run_cases, summarize  # noqa: E402
from tests.fuzz.targets import TARGETS, warm_up  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-type", type=int, default=2_000)
    ap.add_argument("--types", default=",".join(TARGETS))
    ap.add_argument("--ops", choices=["all", "reader", "value"], default="all")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alarm", type=int, default=ALARM_S, help="CPU seconds before a worker counts as hung (a 600 s wall alarm catches blocked workers)")
    ap.add_argument("--json", help="write every result to this file")
    a = ap.parse_args(argv)
    ops = {"all": ALL_OPS, "reader": READER_OPS, "value": VALUE_OPS}[a.ops]
    types = [t.strip() for t in a.types.split(",") if t.strip()]
    warm_up()
    seeds = {t: TARGETS[t].seed_texts() for t in types}
    cases = [case(t, seeds[t], a.seed, i, ops) for i in range(a.per_type) for t in types]   # types interleaved
    t0 = time.monotonic()
    done = [0]
    seen: list[dict] = []

    def tick(r: dict) -> None:
        done[0] += 1
        seen.append(r)
        if r["cls"] in BAD:
            print(f"  {r['cls']:<16} {r['label']}  {r.get('exc', '')} {r.get('where', '')} {r.get('msg', '')[:120]}",
                  flush=True)
        if done[0] % 500 == 0:
            print(f"[{done[0]:,}/{len(cases):,} in {time.monotonic() - t0:.0f} s]", flush=True)
        if done[0] % 2000 == 0:
            print(summarize(seen).split("\n\n")[0], flush=True)

    results = run_cases(cases, jobs=a.jobs, alarm_s=a.alarm, on_result=tick)
    print(f"\n{len(results):,} inputs in {time.monotonic() - t0:.0f} s ({a.jobs} workers, alarm {a.alarm} s)\n")
    print(summarize(results))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))
    return 1 if any(r["cls"] in BAD for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
