"""How far the engagement engine is from the random-number limit (issue 14). Run: `make bench`.

Everything is measured on this machine in this run, in CPU seconds of this
process (``time.process_time``; the machine may be shared, so wall seconds
and the load average are printed beside them), on one thread:

* the draw rates: numpy's uniforms and standard normals drawn in bulk, and the
  engine's keyed draws (:mod:`redline.engagement.draws`) of each kind (a
  threat's key, its own uniform, a uniform under a unit or sensor sub-key, an
  aim error by the polar method) in a compiled loop;
* the draws one April 2024 trial makes, counted by kind through the reference
  engine (which makes exactly the fast engine's draws, and only those whose
  result can matter), and so the *bound*: the CPU time the keyed generator
  needs to make them (numpy's time for the same draws is printed beside it);
* ``redline.run("april-2024", trials=20000)`` on one thread after a warm-up
  (parsing, compile and summary included) as a multiple of that bound
  (target: at most 3x);
* the layered raid of :mod:`plain_loop` (250 missiles, three layers) in the
  engine against the plain-Python loop, per threat-trial (target: at least 5x
  faster), both checked against the closed-form leak count, and against the
  draws that raid needs (one per salvo, plus an aim error per leaker;
  target: within 3x);
* raid-size scaling: April 2024 with every salvo and magazine multiplied by
  1, 2 and 4, kernel CPU time per trial, and the fitted exponent (target:
  at most 1.05);
* paired comparisons: the share of sampled threat-trials whose impact point
  (and failure time, where it fails in both) is unchanged when one engaging
  fire unit is removed (1.0: a threat's draws never move);
* geometry: compiling 2,000 threats (each from its own launch point) against
  100 fire units, CPU seconds (target: under 1 s), from
  :func:`bench_engagement.bench_geometry`;
* the kernel's work per April trial: the engagement opportunities compiled,
  the (threat, fire unit) pairs, and the kernel's index (one cursor per pair,
  :mod:`redline.engagement.index`) beside them.

Benchmarks measure; they never fail on a time.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import redline  # noqa: E402
from plain_loop import LAYERS, N_THREATS, closed_form_leaks, simulate as plain_simulate  # noqa: E402
from redline.engagement.compile import compile_scenario  # noqa: E402
from redline.engagement.params import catalog_params  # noqa: E402
from redline.engagement.reference import simulate_trial  # noqa: E402
from redline.engagement import draws as D  # noqa: E402
from redline.engagement.runner import N_SAMPLE_TRIALS, run_compiled  # noqa: E402
from redline.scenario import parse_scenario  # noqa: E402
from redline.scenario.io import scenario_catalog  # noqa: E402


class _Timer:
    """CPU and wall seconds of a block, with the load average at its end."""

    def __enter__(self):
        self.c0, self.w0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.c0
        self.wall = time.perf_counter() - self.w0
        self.load = round(os.getloadavg()[0], 2)


@njit(cache=True)
def _keyed_loop(kind, n):
    """Make ``n`` keyed draws of one kind (0: a threat key, 1: a threat's own uniform, 2: a uniform
    under a unit or sensor sub-key, 3: an aim error) on consecutive keys, as the kernel makes them."""
    base = np.uint64(0x243F6A8885A308D3)
    s = 0.0
    for i in range(n):
        k = base + np.uint64(i)
        if kind == 0:
            s += np.float64(D.sub_key_nb(base, k) >> np.uint64(63))
        elif kind == 1:
            s += D.uniform_nb(k, D.FAIL)
        elif kind == 2:
            s += D.uniform_nb(D.sub_key_nb(base, k), D.DETECT)
        else:
            x, y = D.aim_error_nb(k, 1.0)
            s += x + y
    return s


KEYED_KINDS = ("threat_keys", "uniforms", "keyed_uniforms", "aim_errors")


def draw_rates(n: int = 2_000_000, repeat: int = 3) -> dict:
    """CPU nanoseconds per draw, best of ``repeat``: numpy's bulk uniforms and standard normals, and
    the keyed draws of :mod:`redline.engagement.draws` (each kind the kernel makes) in a compiled loop."""
    rng = np.random.default_rng(0)
    out = {}
    for name, fn in (("uniform", rng.random), ("normal", rng.standard_normal)):
        best = np.inf
        for _ in range(repeat):
            with _Timer() as t:
                fn(n)
            best = min(best, t.cpu)
        out[f"numpy_{name}_ns"] = round(best / n * 1e9, 3)
    for j, kind in enumerate(KEYED_KINDS):
        _keyed_loop(j, 10)
        best = np.inf
        for _ in range(repeat):
            with _Timer() as t:
                _keyed_loop(j, n)
            best = min(best, t.cpu)
        out[f"keyed_{kind}_ns"] = round(best / n * 1e9, 3)
    return out


def draws_per_trial(comp, ps, trials: int, seed: int = 1) -> dict:
    """Mean draws of each kind one trial makes, counted through the reference engine (which makes
    exactly the fast engine's draws). Trials from N_SAMPLE_TRIALS on: the sample trials also draw
    every aim error, for the maps."""
    arrays = comp.param_arrays(ps)
    tot = dict.fromkeys(KEYED_KINDS, 0)
    for tr in range(N_SAMPLE_TRIALS, N_SAMPLE_TRIALS + trials):
        for k, v in simulate_trial(comp, arrays, tr, seed).draws.items():
            tot[k] += v
    return {k: v / trials for k, v in tot.items()}


def bound_us(d: dict, rates: dict) -> float:
    """CPU microseconds the keyed generator needs for draws ``d`` (one trial's)."""
    return sum(d[k] * rates[f"keyed_{k}_ns"] for k in KEYED_KINDS) / 1e3


def numpy_bound_us(d: dict, rates: dict) -> float:
    """The same draws from numpy: a uniform per uniform, two normals per aim error (keys cost nothing)."""
    return ((d["uniforms"] + d["keyed_uniforms"]) * rates["numpy_uniform_ns"]
            + 2 * d["aim_errors"] * rates["numpy_normal_ns"]) / 1e3


def _draw_figures(prefix: str, d: dict, n_threats: int) -> dict:
    made = d["uniforms"] + d["keyed_uniforms"] + 2 * d["aim_errors"]
    return {f"{prefix}_{k}_per_trial": round(d[k], 1) for k in KEYED_KINDS} | {
        f"{prefix}_draws_per_trial": round(made, 1),
        f"{prefix}_draws_per_threat_trial": round(made / n_threats, 3)}


def bench_april(rates: dict, trials: int = 20_000) -> dict:
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    ps = redline.default_params(cat)
    comp = compile_scenario(sc, cat, ps)
    d = draws_per_trial(comp, ps, 100)
    bound = bound_us(d, rates)
    redline.run("april-2024", trials=2000, workers=1).summary()          # warm-up
    with _Timer() as t:
        redline.run("april-2024", trials=trials, workers=1).summary()
    with _Timer() as k:
        run_compiled(comp, ps, trials, 1, workers=1)
    per = t.cpu / trials * 1e6
    return _draw_figures("april", d, comp.n_threats) | {
            "april_threats": comp.n_threats,
            "april_bound_us": round(bound, 2), "april_numpy_bound_us": round(numpy_bound_us(d, rates), 2),
            "april_run_cpu_s": round(t.cpu, 3), "april_run_wall_s": round(t.wall, 3), "april_run_load": t.load,
            "april_us_per_trial": round(per, 1), "april_kernel_us_per_trial": round(k.cpu / trials * 1e6, 1),
            "april_x_bound": round(per / bound, 2), "april_kernel_x_bound": round(k.cpu / trials * 1e6 / bound, 2),
            "april_target_x_bound": 3.0}


LAYERED_YAML = """
name: layered-raid
sites:
  launch: {{lat: 34.31, lon: 47.07, kind: launch_area}}
  target: {{lat: 31.21, lon: 35.01, kind: air_base, radius_km: 50, value: 1}}
  battery: {{lat: 31.40, lon: 35.00}}
sensors:
  - {{name: sat, type: sbirs, owner: united-states, at: {{lat: 0, lon: 45}}}}
fire_units:
{units}
raid:
  - {{threat: ghadr, count: {n}, launch: launch, window_min: [0, 0], aim: {{target: 1}}}}
doctrine:
  shots: {{{shots}}}
  shoot_look_shoot: false
  max_engagements: 1
  impact_prediction: []
  allocation: greedy
  salvos_in_flight: 1
"""
_LAYER_OF = {"arrow-3": "exo", "arrow-2": "upper_endo", "davids-sling": "middle"}


def layered_scenario():
    """The plain loop's raid in Redline: one battery per layer; the geometry makes them fire in turn."""
    units = "\n".join(f"  - {{name: {ly.name}, kind: battery, type: {ly.interceptor}, owner: israel, site: battery, "
                      f"magazine: {ly.magazine}, channels: {N_THREATS}, reaction_s: 0}}" for ly in LAYERS)
    shots = ", ".join(f"{_LAYER_OF[ly.interceptor]}: {ly.shots}" for ly in LAYERS)
    sc = parse_scenario(LAYERED_YAML.format(units=units, n=N_THREATS, shots=shots), "<layered-raid>")
    cat = redline.load_catalog()
    base = catalog_params(cat)
    pk = {ly.interceptor: ly.pk for ly in LAYERS}
    ps = base.with_values(
        pk={key: [pk.get(key[0], 0.0) if key[1] == "ballistic" else 0.0] for key in base.pk},
        reliability={t: [1.0] for t in base.reliability},
        pd={s: [1.0] for s in base.pd},
        cep_m={t: [10.0] for t in base.cep_m},
    )
    return sc, cat, ps


def bench_layered(rates: dict, trials: int = 20_000, plain_trials: int = 2000) -> dict:
    sc, cat, ps = layered_scenario()
    comp = compile_scenario(sc, cat, ps)
    run_compiled(comp, ps, 2048, 0, workers=1)                               # warm-up
    with _Timer() as t:
        raw = run_compiled(comp, ps, trials, 1, workers=1)
    leaks = raw.cls[:, :, 3].sum(axis=1)
    with _Timer() as tp:
        plain_mean = plain_simulate(plain_trials, seed=1)
    expected = closed_form_leaks()
    ns_engine = t.cpu / (trials * N_THREATS) * 1e9
    ns_plain = tp.cpu / (plain_trials * N_THREATS) * 1e9
    salvos = sum(raw.unit_shots[:, u].mean() / ly.shots for u, ly in enumerate(LAYERS))
    # needed: one kill draw per salvo, an aim error per leaker (and the key of every threat)
    need = {"threat_keys": N_THREATS, "uniforms": 0.0, "keyed_uniforms": salvos, "aim_errors": float(leaks.mean())}
    made = draws_per_trial(comp, ps, 20)
    need_ns = bound_us(need, rates) * 1e3 / N_THREATS
    return {"layered_closed_form_leaks": round(expected, 3),
            "layered_engine_leaks": round(float(leaks.mean()), 3),
            "layered_engine_leaks_se": round(float(leaks.std() / np.sqrt(trials)), 3),
            "layered_plain_leaks": round(plain_mean, 3),
            "layered_engine_ns_per_threat_trial": round(ns_engine, 1),
            "layered_engine_cpu_s": round(t.cpu, 3), "layered_engine_wall_s": round(t.wall, 3),
            "layered_plain_ns_per_threat_trial": round(ns_plain, 1),
            "layered_plain_cpu_s": round(tp.cpu, 3), "layered_plain_wall_s": round(tp.wall, 3),
            "layered_speedup_vs_plain": round(ns_plain / ns_engine, 2), "layered_target_speedup": 5.0,
            "layered_draws_needed_per_trial": round(salvos + 2 * need["aim_errors"], 1),
            **_draw_figures("layered_made", made, N_THREATS),
            "layered_needed_draws_ns_per_threat_trial": round(need_ns, 2),
            "layered_numpy_needed_draws_ns_per_threat_trial": round(numpy_bound_us(need, rates) * 1e3 / N_THREATS, 2),
            "layered_x_needed_draws": round(ns_engine / need_ns, 2), "layered_target_x_needed_draws": 3.0,
            "load": t.load}


def _scaled(sc, f: int):
    raid = tuple(s.model_copy(update={"count": s.count * f}) for s in sc.raid)
    units = tuple(u.model_copy(update={"magazine": u.rounds * f}) for u in sc.fire_units)
    return sc.model_copy(update={"raid": raid, "fire_units": units})


def bench_scaling(factors=(1, 2, 4), trials: int = 2048) -> dict:
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    ps = redline.default_params(cat)
    out, sizes, times = {}, [], []
    for f in factors:
        s = _scaled(sc, f)
        comp = compile_scenario(s, cat, ps)
        run_compiled(comp, ps, 64, 0, workers=1)
        with _Timer() as t:
            run_compiled(comp, ps, trials, 1, workers=1)
        sizes.append(comp.n_threats)
        times.append(t.cpu / trials)
        out[f"scaling_x{f}_threats"] = comp.n_threats
        out[f"scaling_x{f}_us_per_trial"] = round(t.cpu / trials * 1e6, 1)
    slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
    out["scaling_exponent"] = round(float(slope), 3)
    out["scaling_target_exponent"] = 1.05
    return out


def bench_paired(trials: int = 64) -> dict:
    """Share of sampled threat-trials whose impact point, and whose failure (where it fails in both
    runs), survive removing one engaging fire unit (1.0: a threat's draws never move)."""
    sc = redline.load_scenario("april-2024")
    drop = "jordan-jets"
    other = sc.model_copy(update={"fire_units": tuple(u for u in sc.fire_units if u.name != drop)})
    a = redline.run(sc, trials=trials, seed=1, workers=1).raw
    b = redline.run(other, trials=trials, seed=1, workers=1).raw
    same = (a.impact_dx == b.impact_dx) & (a.impact_dy == b.impact_dy)
    failed = (a.fate == 0) & (b.fate == 0)
    return {"paired_unit_removed": drop, "paired_share_unchanged": round(float(same.mean()), 4),
            "paired_share_fates_changed": round(float((a.fate != b.fate).mean()), 4),
            "paired_share_failure_times_unchanged": round(float((a.t_end[failed] == b.t_end[failed]).mean()), 4)}


def bench_geometry() -> dict:
    from bench_engagement import bench_geometry as geometry
    r = geometry()
    return {k: v for k, v in r.items() if k != "load"} | {"geometry_load": r["load"]}


def bench_index() -> dict:
    """How much the kernel has to look at in April 2024: opportunities, pairs, groups."""
    sc = redline.load_scenario("april-2024")
    cat = scenario_catalog(sc)
    comp = compile_scenario(sc, cat, redline.default_params(cat))
    return {"april_opportunities": int(comp.ev_L.size), "april_pairs": int(comp.n_pairs),
            "april_groups": int(comp.grp_ptr.size - 1), "april_units": comp.n_units}


def main() -> dict:
    out = {"cores": os.cpu_count(), "load_start": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(out), flush=True)
    rates = draw_rates()
    print(json.dumps(rates), flush=True)
    out.update(rates)
    for fn in (bench_april, bench_layered):
        r = fn(rates)
        print(json.dumps(r), flush=True)
        out.update(r)
    for fn in (bench_scaling, bench_paired, bench_geometry, bench_index):
        r = fn()
        print(json.dumps(r), flush=True)
        out.update(r)
    print(f"April 2024: {out['april_us_per_trial']} us CPU per trial = {out['april_x_bound']}x the random-number "
          f"bound ({out['april_bound_us']} us for {out['april_draws_per_trial']} keyed draws; target <= 3x; kernel alone "
          f"{out['april_kernel_us_per_trial']} us = {out['april_kernel_x_bound']}x). Layered raid: {out['layered_speedup_vs_plain']}x faster "
          f"than the plain loop per threat-trial (target >= 5x), {out['layered_x_needed_draws']}x the draws it needs "
          f"(target <= 3x). Scaling exponent {out['scaling_exponent']} (target <= 1.05). "
          f"Geometry of {out['geometry_threats']} threats x {out['geometry_units']} fire units: "
          f"{out['geometry_compile_cpu_s']} s CPU (target < 1 s). "
          f"Load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores.", flush=True)
    return out


if __name__ == "__main__":
    main()
