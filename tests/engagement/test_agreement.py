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
