"""Honesty check: a fit to an event the model generated recovers the parameters that made it.

Authority: self-consistency (simulation-based calibration in its simplest form, Talts et al.
2018, arXiv:1804.06788): data simulated at known parameters must be explained by a posterior
that contains them, and informative data must narrow the prior.
"""
import numpy as np

from redline.catalog import THREAT_CLASSES
from redline.calibration.events import event_scenario
from redline.calibration.fit import FitSettings
from redline.calibration.metrics import metric_sampler
from redline.calibration.pipeline import calibrate, prepare_targets
from redline.calibration.priors import build_prior
from redline.engagement.compile import compile_scenario
from redline.engagement.params import catalog_params
from redline.engagement.runner import run_compiled

from .conftest import TOY_METRICS, rounded_means

TRUTH = {"reliability.kheibar-shekan": 0.55, "pk.arrow-3.ballistic": 0.68, "pd.sbirs": 0.9}
SETTINGS = FitSettings(particles=600, rounds=4, trials=16, batch=300)


def _truth_params(cat):
    ps = catalog_params(cat)
    return ps.with_values(reliability={"kheibar-shekan": [TRUTH["reliability.kheibar-shekan"]]},
                          pk={("arrow-3", "ballistic"): [TRUTH["pk.arrow-3.ballistic"]]},
                          pd={"sbirs": [TRUTH["pd.sbirs"]]})


def _synthetic_event(write_event, toy_dir):
    # The event: the model's mean outcome at TRUTH over many trials (rounded to counts),
    # reported with a small error (sd 2) as a synthetic event is known exactly.
    probe = write_event({m: 0 for m in TOY_METRICS}, fname="probe.yaml")
    sc, cat = event_scenario(probe)
    ps = _truth_params(cat)
    comp = compile_scenario(sc, cat, ps)
    raw = run_compiled(comp, ps, trials=2000, seed=3)
    values = rounded_means(raw, {m: metric_sampler(comp, m) for m in TOY_METRICS})
    return write_event(values, fname="synthetic.yaml", sd=2)


def test_fit_recovers_known_parameters(write_event, toy_dir):
    ev = _synthetic_event(write_event, toy_dir)
    post = calibrate([ev], draws=400, seed=5, settings=SETTINGS)
    params = {p["name"]: p for p in post.manifest["parameters"]}
    for name, true in TRUTH.items():
        q = params[name]["posterior"]
        assert params[name]["status"] == "fitted"
        assert q["p05"] <= true <= q["p95"], (name, true, q)
    # reliability and Arrow 3 Pk are pinned by failures and kills (to within the binomial noise
    # of one realisation, which the likelihood keeps): the posterior narrows
    assert params["reliability.kheibar-shekan"]["contraction"] > 0.7
    assert params["pk.arrow-3.ballistic"]["contraction"] > 0.5
    # types absent from the event keep their prior (drawn from it, not fitted)
    assert params["pk.sm-3.ballistic"]["status"] == "prior only"
    assert abs(params["pk.sm-3.ballistic"]["contraction"]) < 0.2
    d = post.manifest["diagnostics"]
    assert d["ess"] > 200 and d["unique_draws"] > 150


def test_fit_to_a_shifted_event_moves_the_posterior(write_event, toy_dir):
    ev = _synthetic_event(write_event, toy_dir)
    vals = {o.metric: o.value for o in ev.event.observations}
    vals["by_class.ballistic.failed"] += 20          # many more failures ...
    vals["by_class.ballistic.leaked"] -= 20          # ... than the truth produces
    shifted = write_event(vals, fname="shifted.yaml", sd=2)
    a = {p["name"]: p for p in calibrate([ev], draws=200, seed=5, settings=SETTINGS).manifest["parameters"]}
    b = {p["name"]: p for p in calibrate([shifted], draws=200, seed=5, settings=SETTINGS).manifest["parameters"]}
    name = "reliability.kheibar-shekan"
    assert b[name]["posterior"]["mean"] < a[name]["posterior"]["mean"] - 0.05


def test_latent_coordinates_tie_types_of_a_class(write_event, toy_dir):
    """Types of one class share a reliability coordinate (comonotone): the data cannot separate them."""
    from redline.catalog import load_catalog

    ev = write_event({"by_class.ballistic.failed": 60})
    cat, targets, _ = prepare_targets([ev])
    prior = build_prior(cat, [t.compiled for t in targets])
    assert "reliability.ballistic" in prior.latent
    assert prior.coord["reliability.kheibar-shekan"] == prior.latent.index("reliability.ballistic")
    # only kheibar-shekan flies in the toy: the other ballistic types are free (prior only)
    assert "reliability.emad" not in prior.coord
    # pk = 0 (cannot engage) stays fixed
    assert all(s.fixed for s in prior.specs if s.table == "pk" and s.key == ("arrow-3", "drone"))
    U = np.random.default_rng(0).random((50, prior.dim))
    ps = prior.paramset(U)
    assert ps.size == 50 and set(ps.pk) == {(k, c) for k in load_catalog().interceptors for c in THREAT_CLASSES}


def test_fit_is_deterministic_from_seed(write_event):
    ev = write_event({"by_class.ballistic.failed": 60, "by_class.ballistic.intercepted": 50})
    s = FitSettings(particles=200, rounds=2, trials=4, batch=100)
    a = calibrate([ev], draws=50, seed=9, settings=s).to_json()
    b = calibrate([ev], draws=50, seed=9, settings=s).to_json()
    c = calibrate([ev], draws=50, seed=10, settings=s).to_json()
    assert a == b and a != c
