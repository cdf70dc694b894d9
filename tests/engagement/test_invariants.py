"""Property tests: bookkeeping invariants hold for any small scenario."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import redline
from redline.scenario import parse_scenario
from tests.conftest import fixed_params, one_layer_yaml


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 8), shots=st.integers(1, 3), magazine=st.integers(0, 12), channels=st.integers(1, 4),
    pk=st.floats(0.0, 1.0), rel=st.floats(0.0, 1.0), sls=st.booleans(), window=st.integers(0, 5),
    interceptor=st.sampled_from(["arrow-3", "arrow-2", "davids-sling"]), seed=st.integers(0, 2**31),
)
def test_counts_conserve_and_magazines_never_go_negative(n, shots, magazine, channels, pk, rel, sls, window, interceptor, seed):
    sc = parse_scenario(one_layer_yaml(n_threats=n, shots=shots, magazine=magazine, channels=channels, sls=sls,
                                       max_engagements=2, interceptor=interceptor, window=(0, window)), "<hyp>")
    ps = fixed_params(sc, pk={interceptor: pk}, reliability=rel)
    res = redline.run(sc, trials=64, seed=seed, params=ps)
    cls = res.raw.cls[:, 2, :]
    launched, failed, intercepted, leaked, impacted = cls.T
    assert (launched == n).all()
    assert (launched == failed + intercepted + leaked).all()
    assert (impacted <= leaked).all()
    assert (res.raw.unit_shots <= magazine).all() and (res.raw.unit_shots >= 0).all()
    assert (res.raw.unit_kills.sum(axis=(1, 2)) == intercepted).all()
    assert (res.raw.site_hits.sum(axis=1) == impacted).all()
    if pk == 0.0:
        assert (intercepted == 0).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), workers=st.integers(1, 3))
def test_results_do_not_depend_on_worker_count(seed, workers):
    a = redline.run("lebanon-launch", trials=4200, seed=seed, workers=1, params="prior")
    b = redline.run("lebanon-launch", trials=4200, seed=seed, workers=workers, params="prior")
    np.testing.assert_array_equal(a.raw.cls, b.raw.cls)
    np.testing.assert_array_equal(a.raw.unit_shots, b.raw.unit_shots)
