"""The counter-based draws (redline.engagement.draws) and the paired comparisons they give.

Statistical checks use fixed seeds and generous thresholds (p > 1e-4 on 1e5
draws: a sound generator fails one by chance about once in 10,000 runs, and
never, being deterministic, on these seeds).
"""
import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

import redline
from redline.engagement import draws as D
from redline.engagement.compile import compile_scenario
from redline.engagement.reference import simulate_trial
from redline.scenario import parse_scenario
from redline.scenario.io import scenario_catalog

N = 100_000
P_MIN = 1e-4


@njit
def _nb_batch(seed_k, trials, x, purpose, sigma):
    """Per trial t: trial key, sub key of x, its uniform of ``purpose`` and its aim error."""
    n = trials.shape[0]
    tk = np.empty(n, np.uint64)
    sk = np.empty(n, np.uint64)
    u = np.empty(n)
    ax = np.empty(n)
    ay = np.empty(n)
    for j in range(n):
        tk[j] = D.trial_key_nb(seed_k, trials[j])
        sk[j] = D.sub_key_nb(tk[j], x[j])
        u[j] = D.uniform_nb(sk[j], purpose)
        ax[j], ay[j] = D.aim_error_nb(sk[j], sigma)
    return tk, sk, u, ax, ay


def _py_batch(seed_k, trials, x, purpose, sigma):
    tk = [D.trial_key(seed_k, int(t)) for t in trials]
    sk = [D.sub_key(k, int(v)) for k, v in zip(tk, x)]
    u = [D.uniform(k, purpose) for k in sk]
    a = [D.aim_error(k, sigma) for k in sk]
    return (np.array(tk, np.uint64), np.array(sk, np.uint64), np.array(u),
            np.array([p[0] for p in a]), np.array([p[1] for p in a]))


def test_numba_and_python_draws_are_bit_identical():
    rng = np.random.default_rng(5)
    trials = np.concatenate([np.arange(500), rng.integers(0, 2**40, 500)]).astype(np.int64)
    x = np.concatenate([np.arange(500, dtype=np.uint64), rng.integers(0, 2**64, 500, dtype=np.uint64),
                        ]).astype(np.uint64)
    x[-1] = np.uint64(2**64 - 1)
    for seed in (0, 1, 2**63 - 1):
        sk = D.seed_key(seed)
        for purpose in (D.FAIL, D.FAIL_TIME, D.DETECT, 33):
            nb = _nb_batch(np.uint64(sk), trials, x, purpose, 123.25)
            py = _py_batch(sk, trials, x, purpose, 123.25)
            for a, b in zip(nb, py):
                np.testing.assert_array_equal(a, b)


def test_mix64_is_splitmix64():
    # SplitMix64 seeded with 1234567 (its outputs are mix64(1234567 + i * GAMMA), i = 1, 2, ...):
    # the first values given by Rosetta Code's task "Pseudo-random numbers/Splitmix64"
    # (rosettacode.org/wiki/Pseudo-random_numbers/Splitmix64)
    state, out = 1234567, []
    for _ in range(3):
        state = (state + D.GAMMA) & (2**64 - 1)
        out.append(D.mix64(state))
    assert out == [6457827717110365317, 3203168211198807973, 9817491932198370423]


def _uniforms(seed=7, purpose=D.FAIL):
    sk = D.seed_key(seed)
    return np.array([D.uniform(D.trial_key(sk, t), purpose) for t in range(N)])


def test_uniforms_are_uniform_on_consecutive_trials_and_threat_keys():
    u = _uniforms()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > P_MIN
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > P_MIN
    # sub keys of consecutive integers under one trial key (harder than hashed threat keys)
    k = D.trial_key(D.seed_key(3), 0)
    v = np.array([D.uniform(D.sub_key(k, j), D.DETECT) for j in range(N)])
    assert stats.kstest(v, "uniform").pvalue > P_MIN
    assert stats.chisquare(np.bincount((v * 100).astype(int), minlength=100)).pvalue > P_MIN


def test_aim_error_is_circular_normal():
    sk = D.seed_key(11)
    e = np.array([D.aim_error(D.trial_key(sk, t), 2.0) for t in range(N)]) / 2.0
    assert stats.kstest(e[:, 0], "norm").pvalue > P_MIN
    assert stats.kstest(e[:, 1], "norm").pvalue > P_MIN
    r2 = (e ** 2).sum(axis=1)                       # chi-square with 2 degrees of freedom
    assert stats.kstest(r2, "chi2", args=(2,)).pvalue > P_MIN
    assert abs(np.corrcoef(e[:, 0], e[:, 1])[0, 1]) < 5 / math.sqrt(N)


def test_nearby_keys_are_independent():
    sk = D.seed_key(13)
    tk = [D.trial_key(sk, t) for t in range(N + 1)]
    lim = 5 / math.sqrt(N)
    pairs = {
        "next trial": (np.array([D.uniform(k, D.FAIL) for k in tk[:-1]]), np.array([D.uniform(k, D.FAIL) for k in tk[1:]])),
        "next purpose": (np.array([D.uniform(k, 1) for k in tk[:-1]]), np.array([D.uniform(k, 2) for k in tk[:-1]])),
        "next sub key": (np.array([D.uniform(D.sub_key(k, 7), 1) for k in tk[:-1]]),
                         np.array([D.uniform(D.sub_key(k, 8), 1) for k in tk[:-1]])),
    }
    for name, (a, b) in pairs.items():
        assert abs(np.corrcoef(a, b)[0, 1]) < lim, name
        joint = np.histogram2d(a, b, bins=10, range=[[0, 1], [0, 1]])[0].ravel()
        assert stats.chisquare(joint).pvalue > P_MIN, name


def test_one_bit_of_key_flips_half_the_output_bits():
    rng = np.random.default_rng(2)
    flips = []
    for k in rng.integers(0, 2**64, 300, dtype=np.uint64):
        k = int(k)
        for b in range(64):
            flips.append(bin(D.mix64(k) ^ D.mix64(k ^ (1 << b))).count("1"))
    assert abs(np.mean(flips) - 32.0) < 0.3


# --- keys of named things -------------------------------------------------------------------------

RAID = """
name: keys
sites:
  launch: {lat: 34.31, lon: 47.07, kind: launch_area}
  target: {lat: 31.21, lon: 35.01, kind: air_base, radius_km: 20, value: 3}
  other: {lat: 31.25, lon: 34.79, kind: city, radius_km: 10, value: 1}
raid:
%s
"""
S1 = "  - {threat: kheibar-shekan, count: %d, launch: launch, window_min: [0, 2], aim: {target: 2, other: 1}}"
S2 = "  - {threat: emad, count: 4, launch: launch, window_min: [0, 2], aim: {target: 1}}"
S3 = "  - {threat: kheibar-shekan, count: 3, launch: launch, window_min: [5, 6], aim: {target: 1}}"


def _keys(*salvos):
    return D.threat_keys(parse_scenario(RAID % "\n".join(salvos), "<keys>").raid)


def test_threat_keys_survive_edits_of_other_salvos():
    base = _keys(S1 % 5, S2, S3)
    assert len(set(base.tolist())) == base.size == 12
    np.testing.assert_array_equal(_keys(S1 % 5, S3), np.concatenate([base[:5], base[9:]]))   # salvo removed
    np.testing.assert_array_equal(_keys(S2, S3, S1 % 5), np.concatenate([base[5:], base[:5]]))  # reordered
    grown = _keys(S1 % 8, S2, S3)                                  # own salvo grown: first 5 keep theirs
    np.testing.assert_array_equal(grown[:5], base[:5])
    np.testing.assert_array_equal(grown[8:], base[5:])
    twice = _keys(S3, S3)                                          # identical salvos: distinct threats
    assert len(set(twice.tolist())) == 6


def test_unit_and_sensor_keys_are_by_name():
    a = D.unit_keys(["arrow-a", "dome-b", "jets"])
    np.testing.assert_array_equal(D.unit_keys(["arrow-a", "jets"]), a[[0, 2]])
    s = D.sensor_keys(["r", "r", "sat"])
    assert len(set(s.tolist())) == 3
    assert D.unit_keys(["r"])[0] != D.sensor_keys(["r"])[0]     # domains kept apart


# --- paired comparisons in the engines -------------------------------------------------------------

def _without_unit(sc, name):
    units = tuple(u for u in sc.fire_units if u.name != name)
    assert len(units) == len(sc.fire_units) - 1
    return sc.model_copy(update={"fire_units": units})


def _assert_paired(a, b):
    """Same aim errors everywhere; a threat failing in both fails at the same time; one failing in
    only one run was killed (no later than the failure) in the other."""
    np.testing.assert_array_equal(a.impact_dx, b.impact_dx)
    np.testing.assert_array_equal(a.impact_dy, b.impact_dy)
    both = (a.fate == 0) & (b.fate == 0)
    assert both.any()
    np.testing.assert_array_equal(a.t_end[both], b.t_end[both])
    for x, y in ((a, b), (b, a)):
        only = (x.fate == 0) & (y.fate != 0)
        assert (y.fate[only] == 1).all() and (y.t_end[only] <= x.t_end[only]).all()


@pytest.mark.parametrize("variant", ["jordan-jets", "april-2024-jordan-closed"])
def test_removing_an_unrelated_unit_or_airspace_keeps_every_threats_draws(variant):
    sc = redline.load_scenario("april-2024")
    other = redline.load_scenario(variant) if variant.startswith("april") else _without_unit(sc, variant)
    a = redline.run(sc, trials=64, seed=3, workers=1).raw
    b = redline.run(other, trials=64, seed=3, workers=1).raw
    assert (a.fate != b.fate).any()                 # the change matters ...
    _assert_paired(a, b)                            # ... but no threat's own draws moved


def test_kill_draws_of_untouched_threat_unit_salvo_are_identical():
    sc = redline.load_scenario("april-2024")
    other = _without_unit(sc, "jordan-jets")
    out = []
    for s in (sc, other):
        cat = scenario_catalog(s)
        c = compile_scenario(s, cat, redline.default_params(cat))
        arrays = c.param_arrays(redline.default_params(cat))
        draws = {}
        for tr in range(4):
            r = simulate_trial(c, arrays, tr, 3)
            for th, u, n, p, killed in r.kill_draws:
                draws[(tr, th, c.unit_names[u], n)] = (p, killed)
        out.append(draws)
    common = [k for k in out[0] if k in out[1] and out[0][k][0] == out[1][k][0]]
    assert len(common) > 100
    assert all(out[0][k][1] == out[1][k][1] for k in common)
    # and the kill probabilities lie strictly between 0 and 1 for many of them (the draws were made)
    assert sum(0 < out[0][k][0] < 1 for k in common) > 100


def test_results_do_not_depend_on_workers_or_chunking():
    a = redline.run("april-2024", trials=2500, seed=4, workers=1).raw
    b = redline.run("april-2024", trials=2500, seed=4, workers=2).raw
    np.testing.assert_array_equal(a.cls, b.cls)
    np.testing.assert_array_equal(a.unit_shots, b.unit_shots)
    # a trial's outcome depends on its index and the seed only: the second chunk's first trial
    # run alone (as trial 2048 of a longer run) equals the same trial of this run
    c = redline.run("april-2024", trials=2049, seed=4, workers=1).raw
    np.testing.assert_array_equal(a.cls[:2049], c.cls)
