"""Exhaustive monotonicity check (issue 10 item 5; docs/engagement-realism.md).

For every built-in scenario (campaigns are flown whole, impacts summed over the campaign), remove each fire unit in
turn and close each country's airspace in turn (to every nation; a nation that closes its
airspace still fights elsewhere), and compare the expected impacts of every threat class
with the unchanged scenario on the same seed. Draws are counter-based (keyed by seed,
trial, threat, unit), so the two runs are paired: the per-trial difference has a small
standard error. A change *violates* monotonicity when the mean paired difference of a
class's impacts is below -3 standard errors and below -0.02 impacts (the absolute floor
ignores differences too small to matter when the paired SE is ~0).

    PYTHONPATH=src python scripts/monotonicity.py [--trials 1000] [--campaign-trials 200] [--seed 1] [--scenario NAME ...]
        [--params default|prior] [--sensors] [--markdown]

The opportunity selection this script once patched in (``--proposed-opportunities``) is now the
engine's own (``redline.engagement.compile._select_opportunities``, issue 10).
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from redline.api import default_params, run
from redline.catalog import THREAT_CLASSES
from redline.engagement.params import catalog_params
from redline.scenario.io import builtin_scenarios, load_scenario, scenario_catalog
from redline.scenario.transforms import close_airspace, exclude_units

Z = 3.0
FLOOR = 0.02


def countries_of(sc, cat) -> list[str]:
    """Countries (and "sea") some nation may engage over, or that a track crosses when no rules are set."""
    if sc.doctrine.airspace is not None:
        return sorted({c for allowed in sc.doctrine.airspace.values() for c in allowed})
    from redline.engagement.compile import compile_scenario
    from redline.geo.countries import countries_at
    c = compile_scenario(sc, cat)
    out = set()
    for trk in c.tracks:
        out |= {x or "sea" for x in countries_at(trk.lat, trk.lon)}
    return sorted(out)


def variants(sc, cat, sensors: bool = False):
    """(label, scenario) for every single-unit removal and single-country closure (and, with
    ``sensors``, every single-sensor removal)."""
    for u in sc.fire_units:
        yield f"remove {u.name}", exclude_units(sc, [u.name])
    if sensors:
        for s in sc.sensors:
            yield f"remove sensor {s.name}", exclude_units(sc, [s.name])
    every = countries_of(sc, cat)
    for cty in every:
        yield f"close {cty}", close_airspace(sc, [cty], everywhere=every)


def impacts(sc, params, trials: int, seed: int) -> np.ndarray:
    """(trials, classes) impacts per trial; for a campaign scenario, summed over the whole campaign
    (``redline.campaign.run_campaign``; its waves' draws are keyed as a raid's, so still paired)."""
    if sc.campaign is not None:
        from redline.campaign import run_campaign
        r = run_campaign(sc, sc.campaign, trials=trials, seed=seed, params=params)
        return r.trial_totals["cls"][:, :, 4].astype(float)
    r = run(sc, trials=trials, seed=seed, params=params)
    return r.raw.cls[:, :, 4].astype(float)


def paired(base: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the per-trial difference, per class."""
    d = var - base
    return d.mean(axis=0), d.std(axis=0, ddof=1) / np.sqrt(d.shape[0])


def violated(mean: float, se: float) -> bool:
    return mean < -Z * se and mean < -FLOOR


def check(name: str, trials: int, seed: int, which: str, sensors: bool = False):
    sc = load_scenario(name)
    cat = scenario_catalog(sc)
    params = default_params(cat) if which == "default" else catalog_params(cat)
    base = impacts(sc, params, trials, seed)
    rows = []
    for label, v in variants(sc, cat, sensors):
        m, se = paired(base, impacts(v, params, trials, seed))
        rows.append((label, m, se))
    return base.mean(axis=0), rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--campaign-trials", type=int, default=200, help="trials for a campaign scenario (it flies every wave)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--params", default="default", choices=["default", "prior"])
    ap.add_argument("--sensors", action="store_true", help="also remove each sensor in turn")
    ap.add_argument("--markdown", action="store_true", help="one table row per violation plus a summary per scenario")
    a = ap.parse_args(argv)
    names = a.scenario or sorted(builtin_scenarios())
    classes = list(THREAT_CLASSES)
    total_v = 0
    print(f"# monotonicity: trials={a.trials} (campaigns {a.campaign_trials}) seed={a.seed} params={a.params} "
          f"sensors={a.sensors}; violation = paired mean < -{Z:g} SE and < -{FLOOR}")
    if a.markdown:
        print("| scenario | changes | violations | change | class | base impacts | paired diff (SE) |")
        print("|---|---|---|---|---|---|---|")
    for name in names:
        t0 = time.perf_counter()
        try:
            trials = a.campaign_trials if load_scenario(name).campaign is not None else a.trials
            base, rows = check(name, trials, a.seed, a.params, a.sensors)
        except Exception as exc:                     # a scenario the plain run refuses (e.g. a campaign)
            print(f"{name}: skipped ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})")
            continue
        bad = [(lab, c, m[k], se[k], base[k]) for lab, m, se in rows for k, c in enumerate(classes)
               if k < len(m) and violated(m[k], se[k])]
        total_v += len(bad)
        dt = time.perf_counter() - t0
        if a.markdown:
            if not bad:
                print(f"| {name} | {len(rows)} | 0 | | | | |")
            for j, (lab, c, mm, s, b) in enumerate(bad):
                print(f"| {name if j == 0 else ''} | {len(rows) if j == 0 else ''} | {len(bad) if j == 0 else ''} "
                      f"| {lab} | {c} | {b:.2f} | {mm:+.2f} ({s:.2f}) |")
        else:
            print(f"{name}: {len(rows)} changes, {len(bad)} violations, base impacts "
                  + ", ".join(f"{c} {base[k]:.2f}" for k, c in enumerate(classes) if k < len(base)) + f" [{dt:.0f} s]")
            for lab, c, mm, s, b in bad:
                print(f"    VIOLATION {lab:32s} {c:9s} base {b:6.2f}  diff {mm:+.3f} (SE {s:.3f})")
        sys.stdout.flush()
    print(f"# total violations: {total_v}")
    return 1 if total_v else 0


if __name__ == "__main__":
    raise SystemExit(main())
