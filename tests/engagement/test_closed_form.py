"""Closed-form cases: one layer, n shots: P(leak) = (1 - Pk)^n.

The test raid flies the Kheibar Shekan, a manoeuvring missile: the single-shot Pk the engine uses is
the class Pk times the catalog's manoeuvre factor ``F`` (issue 10), so the closed forms use ``pk * F``.
"""
import math

import pytest

import redline
from redline.catalog import load_catalog
from tests.conftest import fixed_params

TRIALS = 20_000
F = load_catalog().threats["kheibar-shekan"].manoeuvre_pk_factor.value


def _leak_fraction(sc, pk, trials=TRIALS, seed=7, engine="fast"):
    res = redline.run(sc, trials=trials, seed=seed, params=fixed_params(sc, pk={"arrow-3": pk, "arrow-2": pk}), engine=engine)
    n = res.counts("ballistic", "launched").sum()
    return res.counts("ballistic", "leaked").sum() / n, n


@pytest.mark.parametrize("pk,shots", [(0.5, 1), (0.5, 2), (0.7, 1), (0.7, 3), (0.9, 2)])
def test_single_layer_salvo_leak_is_binomial(build, pk, shots):
    sc = build(shots=shots, sls=False)
    frac, n = _leak_fraction(sc, pk)
    expected = (1 - pk * F) ** shots
    sd = math.sqrt(expected * (1 - expected) / n)
    assert abs(frac - expected) < 4.5 * sd + 1e-9


def test_shoot_look_shoot_gives_two_independent_chances(build):
    sc = build(shots=1, sls=True, max_engagements=2)
    frac, n = _leak_fraction(sc, 0.6)
    expected = (1 - 0.6 * F) ** 2
    assert abs(frac - expected) < 4.5 * math.sqrt(expected * (1 - expected) / n)


def test_empty_magazine_lets_everything_through(build):
    sc = build(magazine=0)
    frac, _ = _leak_fraction(sc, 0.9, trials=2000)
    assert frac == 1.0


def test_magazine_limits_engagements(build):
    # 5 threats, 3 rounds, 1 shot each, Pk = 1: exactly 3 intercepted, 2 leak (a missile without the factor).
    sc = build(n_threats=5, magazine=3, shots=1, window=(0, 2), threat="ghadr")
    res = redline.run(sc, trials=500, seed=1, params=fixed_params(sc, pk={"arrow-3": 1.0}))
    assert (res.counts("ballistic", "intercepted") == 3).all()
    assert (res.counts("ballistic", "leaked") == 2).all()


def test_unreliable_missiles_fail_at_the_catalog_rate(build):
    sc = build(n_threats=4, magazine=0)
    res = redline.run(sc, trials=10_000, seed=3, params=fixed_params(sc, reliability=0.55))
    frac = res.counts("ballistic", "failed").sum() / res.counts("ballistic", "launched").sum()
    assert abs(frac - 0.45) < 4.5 * math.sqrt(0.45 * 0.55 / 40_000)


def test_cep_sets_the_share_of_leakers_inside_the_site_radius(build):
    # Circular normal: P(r <= R) = 1 - 2^-(R/CEP)^2. Radius 50 km, CEP 50 km -> 0.5.
    sc = build(n_threats=2, magazine=0)
    res = redline.run(sc, trials=10_000, seed=5, params=fixed_params(sc, cep_m=50_000.0))
    frac = res.counts("ballistic", "impacted").sum() / res.counts("ballistic", "leaked").sum()
    assert abs(frac - 0.5) < 4.5 * math.sqrt(0.25 / 20_000)


def test_failure_time_puts_the_boost_share_in_boost():
    import numpy as np
    from redline.engagement.kernel import failure_time

    u = np.random.default_rng(0).random(20_000)
    t = np.array([failure_time(x, 700.0, 100.0, 0.6) for x in u])
    assert t.min() >= 0 and t.max() <= 700.0
    assert abs((t < 100.0).mean() - 0.6) < 0.02
    # air-breathing threats (share 0): uniform over the whole flight
    t0 = np.array([failure_time(x, 3600.0, 0.0, 0.0) for x in u])
    assert abs(t0.mean() - 1800.0) < 30.0
