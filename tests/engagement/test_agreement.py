"""The fast engine against the plain reference engine.

Both make the same keyed draws (redline.engagement.draws), so on the same
seed they must agree draw for draw; on different seeds they must agree in
distribution.
"""
import numpy as np
import pytest

import redline
from tests.conftest import fixed_params


@pytest.mark.parametrize("name,trials", [("april-2024", 40), ("april-2024-no-partners", 30), ("lebanon-launch", 60)])
def test_fast_and_reference_identical_on_same_seed(name, trials):
    fast = redline.run(name, trials=trials, seed=11, params="prior")
    ref = redline.run(name, trials=trials, seed=11, params="prior", engine="reference")
    for field in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "killer"):
        np.testing.assert_array_equal(getattr(fast.raw, field), getattr(ref.raw, field), err_msg=field)
    np.testing.assert_allclose(fast.raw.t_end, ref.raw.t_end)


def test_fast_and_reference_agree_in_distribution(build):
    sc = build(n_threats=6, shots=1, sls=True, max_engagements=2, magazine=8, window=(0, 3))
    ps = fixed_params(sc, pk={"arrow-3": 0.55}, reliability=0.8)
    fast = redline.run(sc, trials=4000, seed=1, params=ps)
    ref = redline.run(sc, trials=600, seed=2, params=ps, engine="reference")
    for what in ("failed", "intercepted", "leaked"):
        a = fast.counts("ballistic", what).astype(float)
        b = ref.counts("ballistic", what).astype(float)
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 4.5 * se + 1e-9, what
    sa, sb = fast.raw.unit_shots.sum(1), ref.raw.unit_shots.sum(1)
    assert abs(sa.mean() - sb.mean()) < 4.5 * np.sqrt(sa.var() / sa.size + sb.var() / sb.size) + 1e-9


def test_exact_allocation_runs_in_reference_engine_only(build):
    extra = "  - {name: b2, kind: battery, type: arrow-2, owner: israel, site: battery, magazine: 3, channels: 1, reaction_s: 0}"
    sc = build(n_threats=4, magazine=3, channels=1, allocation="exact", extra_units=extra, window=(0, 1))
    res = redline.run(sc, trials=50, seed=1, engine="reference", params="prior")
    assert res.counts("ballistic", "launched").sum() == 200
    with pytest.raises(ValueError, match="exact"):
        redline.run(sc, trials=10, seed=1, engine="fast")


@pytest.mark.parametrize("sls,max_engagements,magazine", [(False, 1, 12), (True, 2, 40)])
def test_fast_and_reference_identical_when_one_unit_ties(build, sls, max_engagements, magazine):
    """A wave of identical threats in reach of one battery: every gain ties, so the fast engine reads the
    unit's candidates as a list in event order (or reversed, as re-filed pairs come) instead of a heap;
    the reference engine's plain rescan must pick the same salvos, draw for draw."""
    sc = build(n_threats=60, shots=1, sls=sls, max_engagements=max_engagements, magazine=magazine, window=(0, 0))
    ps = fixed_params(sc, pk={"arrow-3": 0.7})
    fast = redline.run(sc, trials=24, seed=3, params=ps)
    ref = redline.run(sc, trials=24, seed=3, params=ps, engine="reference")
    for field in ("cls", "unit_shots", "unit_kills", "fate", "killer"):
        np.testing.assert_array_equal(getattr(fast.raw, field), getattr(ref.raw, field), err_msg=field)
    assert (fast.raw.unit_shots[:, 0] == magazine).all()       # more threats than rounds: the magazine is spent
