"""Metric samples agree with `redline run --json`; CRPS and priors match their closed forms."""
import numpy as np
import pytest

from redline.catalog import THREAT_CLASSES
from hypothesis import given, settings, strategies as st
from scipy import stats

import redline
from redline.calibration.metrics import metric_paths, metric_sampler
from redline.calibration.priors import ParamSpec, catalog_specs
from redline.calibration.scoring import crps_sample
from redline.catalog import load_catalog


def _leaves(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict) and "mean" in v:
            yield prefix + k, v
        elif isinstance(v, dict):
            yield from _leaves(v, prefix + k + ".")


def test_every_summary_metric_has_a_sampler_with_the_same_mean():
    res = redline.run("april-2024", trials=600, seed=3, params="prior")
    s = res.summary()
    paths = set(metric_paths(res.compiled))
    n = 0
    for top in ("by_class", "intercepts_by_nation", "intercepts_by_layer", "intercepts_by_unit", "intercepts_detail",
                "interceptors_used", "hits_by_site", "cost_usd"):
        for path, st_ in _leaves(s[top], top + "."):
            assert path in paths, path
            x = metric_sampler(res.compiled, path)(res.raw)
            assert x.shape == (600,)
            assert x.mean() == pytest.approx(st_["mean"], abs=1e-5, rel=1e-9), path
            n += 1
    assert n > 50
    # the per-trial exchange ratio averages to about the ratio of means
    r = metric_sampler(res.compiled, "cost_usd.exchange_ratio")(res.raw)
    assert r.mean() == pytest.approx(s["cost_usd"]["exchange_ratio"], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.integers(0, 30), min_size=1, max_size=40), y=st.integers(-5, 40))
def test_crps_equals_the_pairwise_energy_form(x, y):
    x = np.array(x, dtype=float)
    brute = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert crps_sample(x, y) == pytest.approx(brute, abs=1e-9)


def test_crps_closed_forms():
    # a point forecast scores its absolute error
    assert crps_sample(np.full(10, 7.0), 9.0) == pytest.approx(2.0)
    # a normal forecast: CRPS(N(0,1), 0) = 2 phi(0) - 1/sqrt(pi)  (Gneiting & Raftery 2007, eq. 21 ff.)
    x = stats.norm.ppf((np.arange(200000) + 0.5) / 200000)
    assert crps_sample(x, 0.0) == pytest.approx(2 * stats.norm.pdf(0) - 1 / np.sqrt(np.pi), abs=1e-3)


def test_pert_prior_matches_scipy_beta():
    sp = ParamSpec("pk", ("arrow-3", "ballistic"), 0.8, 0.5, 0.95)
    a, b = sp.ab
    assert (a, b) == pytest.approx((1 + 4 * 0.3 / 0.45, 1 + 4 * 0.15 / 0.45))
    u = np.linspace(0.01, 0.99, 50)
    np.testing.assert_allclose(sp.ppf(u), stats.beta(a, b, loc=0.5, scale=0.45).ppf(u), atol=1e-6)
    mean, sd = sp.prior_moments()
    assert mean == pytest.approx((0.5 + 4 * 0.8 + 0.95) / 6)
    assert sd == pytest.approx(stats.beta(a, b, loc=0.5, scale=0.45).std())


def test_every_catalog_parameter_has_a_prior():
    cat = load_catalog()
    specs = {s.name: s for s in catalog_specs(cat)}
    assert len(specs) == len(THREAT_CLASSES) * len(cat.interceptors) + 2 * len(cat.threats) + len(cat.sensors)
    assert specs["pk.iron-dome.ballistic"].fixed          # cannot engage: [0, 0]
    assert not specs["reliability.emad"].fixed
    for s in specs.values():
        assert s.low <= s.value <= s.high


def test_assumption_quantities_get_uniform_priors():
    specs = {s.name: s for s in catalog_specs(load_catalog())}
    rel = specs["reliability.emad"]            # tagged 'assumption' in the catalog
    assert rel.dist == "uniform"
    np.testing.assert_allclose(rel.ppf(np.array([0.0, 0.5, 1.0])), [rel.low, 0.5 * (rel.low + rel.high), rel.high])
    assert rel.prior_moments()[1] == pytest.approx((rel.high - rel.low) / np.sqrt(12))
    assert specs["cep_m.emad"].dist == "pert"  # sourced (E): PERT with its best value as mode


def test_against_bound_flags_posteriors_piled_on_a_range_edge():
    from redline.calibration.pipeline import against_bound

    r = np.random.default_rng(0)
    assert against_bound(r.uniform(0.40, 0.58, 1000), 0.4, 0.95) == "low"
    assert against_bound(r.uniform(0.85, 0.95, 1000), 0.4, 0.95) == "high"
    assert against_bound(r.uniform(0.40, 0.95, 1000), 0.4, 0.95) is None      # the prior itself
    assert against_bound(r.uniform(0.60, 0.70, 1000), 0.4, 0.95) is None
    # a posterior no narrower than its prior is not flagged, even on a bound
    assert against_bound(r.uniform(0.40, 0.58, 1000), 0.4, 0.95, prior_sd=0.06) is None


def test_predictive_samples_of_a_single_raid_are_the_run_metrics(write_event):
    from redline.calibration.events import event_scenario
    from redline.calibration.metrics import metric_sampler
    from redline.calibration.scoring import predictive_samples
    from redline.engagement.compile import compile_scenario
    from redline.engagement.params import catalog_params
    from redline.engagement.runner import run_compiled

    from .conftest import TOY_METRICS

    le = write_event({m: 1 for m in TOY_METRICS})
    s = predictive_samples(le, "prior", trials=300, seed=4)
    sc, cat = event_scenario(le)
    ps = catalog_params(cat)
    comp = compile_scenario(sc, cat, ps)
    raw = run_compiled(comp, ps, 300, 4)
    assert sorted(s) == list(range(len(TOY_METRICS)))
    for i, m in enumerate(TOY_METRICS):
        assert np.array_equal(s[i], metric_sampler(comp, m)(raw)), m
