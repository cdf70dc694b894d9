"""The hierarchical calibration: closed forms, recovery, reproducibility, the new-exchange predictive.

Authorities: the normal-normal hierarchical model's marginal likelihood
``y_e | mu, tau ~ N(mu, tau^2 + sigma^2)`` (Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
§5.4) for the hyperparameter sampler; self-consistency (Talts et al. 2018) for the fit to
events the engine generated; Vehtari et al. (2021) / ArviZ for R-hat and ESS.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtr, ndtri
from typer.testing import CliRunner

from redline.calibration.events import event_scenario
from redline.calibration.fit import FitSettings
from redline.calibration.hierarchical import (HierSettings, _Hyper, _metropolis, ess_bulk, fit_hierarchical,
                                              group_of, rhat)
from redline.calibration.metrics import metric_sampler
from redline.cli.main import app
from redline.engagement.compile import compile_scenario
from redline.engagement.params import catalog_params
from redline.engagement.runner import run_compiled

from .conftest import rounded_means

# Kheibar Shekan's catalog reliability range is [0.40, 0.95] (uniform prior): the probit-scale
# population of the toy's events has mean MU and exchange spread TAU.
LO, HI = 0.40, 0.95
MU, TAU = -0.3, 0.9
ETA = np.array([-1.3, -0.6, 0.0, 0.7, 1.4])
SETTINGS = HierSettings.reduced(design=FitSettings(particles=200, rounds=3, trials=8, batch=200), warmup=300,
                                samples=300, draws=200)


def _closed_form_grid(y, sigma, s: HierSettings):
    mu = np.linspace(-3, 3, 301)
    tau = np.linspace(1e-3, 3, 600)
    M, T = np.meshgrid(mu, tau, indexing="ij")
    v = T[..., None] ** 2 + sigma ** 2
    ll = np.sum(-0.5 * (y - M[..., None]) ** 2 / v - 0.5 * np.log(v), axis=-1)
    lp = ll - 0.5 * (M / s.mu_sd) ** 2 + (s.tau_shape - 1) * np.log(T) - s.tau_rate * T
    p = np.exp(lp - lp.max())
    p /= p.sum()
    return float(np.sum(p * M)), float(np.sum(p * T))


@pytest.mark.parametrize("marginal", ["gaussian", "importance"])
def test_hyperparameter_sampler_matches_the_normal_normal_closed_form(marginal):
    # Events whose likelihood in the probit coordinate is N(y_e; x_e, sigma^2), with designs drawn from the
    # catalog prior (x ~ N(0, 1), i.e. u uniform), so that w_i = L(x_i): the marginal is closed form.
    rng = np.random.default_rng(1)
    sigma, mu_t, tau_t = 0.35, 0.4, 0.7
    y = mu_t + tau_t * rng.standard_normal(8) + sigma * rng.standard_normal(8)
    s = HierSettings(chains=4, warmup=600, samples=1200, marginal=marginal)
    events = []
    for ye in y:
        X = rng.standard_normal((1000, 1))
        events.append((X, -0.5 * ((X[:, 0] - ye) / sigma) ** 2, np.array([0]), np.array([0])))
    h = _Hyper(["reliability.ballistic.solid"], ["reliability"], events, s)
    h.build_emulators()
    chains, acc = _metropolis(h, seed=3, progress=None, done0=0)
    mu_mean, tau_mean = _closed_form_grid(y, sigma, s)
    assert 0.1 < acc < 0.6
    assert abs(chains[..., 0].mean() - mu_mean) < 0.08, (chains[..., 0].mean(), mu_mean)
    assert abs(np.exp(chains[..., 1]).mean() - tau_mean) < 0.08, (np.exp(chains[..., 1]).mean(), tau_mean)
    assert rhat(chains[..., 0]) < 1.05 and ess_bulk(chains[..., 0]) > 200


def test_rhat_and_ess_behave_on_known_chains():
    rng = np.random.default_rng(0)
    iid = rng.standard_normal((4, 1000))
    assert abs(rhat(iid) - 1.0) < 0.01
    assert 3000 < ess_bulk(iid) < 5000                     # independent draws: ESS ~ 4,000
    shifted = iid + np.array([0.0, 0.0, 0.0, 3.0])[:, None]
    assert rhat(shifted) > 1.3                             # one chain elsewhere
    ar = np.zeros((4, 1000))
    for t in range(1, 1000):                               # AR(1), phi = 0.9: ESS ~ n (1 - phi) / (1 + phi)
        ar[:, t] = 0.9 * ar[:, t - 1] + rng.standard_normal(4)
    assert 100 < ess_bulk(ar) < 400


def test_rhat_and_ess_agree_with_arviz():
    az = pytest.importorskip("arviz")
    rng = np.random.default_rng(2)
    x = np.cumsum(rng.standard_normal((4, 500)), axis=1) * 0.05 + rng.standard_normal((4, 500))
    assert rhat(x) == pytest.approx(float(az.rhat(x, method="rank")), rel=1e-6)
    assert ess_bulk(x) == pytest.approx(float(az.ess(x, method="bulk")), rel=1e-6)


def test_groups():
    assert group_of("reliability.ballistic.liquid") == "reliability"
    assert group_of("reliability.drone") == "reliability"
    assert group_of("pk.arrow-3.ballistic") == "pk"
    assert group_of("pk.fighter-aam.drone") == "fighter"
    assert group_of("pk.iron-dome.drone") is None and group_of("cep_m.ballistic") is None
    assert group_of("pd.sbirs") is None


def _toy_events(write_event, etas=ETA):
    """Events simulated by the toy scenario at reliabilities of a known population (failures observed)."""
    probe = write_event({"by_class.ballistic.failed": 0}, fname="probe.yaml")
    sc, cat = event_scenario(probe)
    comp = compile_scenario(sc, cat)
    f = metric_sampler(comp, "by_class.ballistic.failed")
    evs = []
    for k, eta in enumerate(etas):
        r = LO + (HI - LO) * float(ndtr(MU + TAU * eta))
        ps = catalog_params(cat).with_values(reliability={"kheibar-shekan": [r]})
        raw = run_compiled(comp, ps, trials=500, seed=10 + k)
        vals = rounded_means(raw, {"by_class.ballistic.failed": f})
        evs.append(write_event(vals, fname=f"ex{k}.yaml", name=f"exchange {k}", sd=2))
    return evs


@pytest.fixture(scope="module")
def toy_fit(tmp_path_factory):
    """One reduced fit to five toy exchanges, shared by the tests below (a few seconds)."""
    from .conftest import TOY_SCENARIO, event_yaml
    from redline.calibration.events import read_events

    d = tmp_path_factory.mktemp("hier")
    (d / "toy.yaml").write_text(TOY_SCENARIO, encoding="utf-8")

    def write_event(values, fname="event.yaml", **kw):
        p = d / fname
        p.write_text(event_yaml(values, **kw), encoding="utf-8")
        return read_events(p)

    evs = _toy_events(write_event)
    cache = d / "cache"
    post = fit_hierarchical(evs, seed=4, settings=SETTINGS, cache=cache)
    return evs, post, cache


def test_recovers_the_population_spread_of_reliability(toy_fit):
    evs, post, _ = toy_fit
    h = post.manifest["hyperparameters"]
    tau = h["tau[reliability]"]
    assert tau["p05"] <= TAU <= tau["p95"], tau
    assert tau["p05"] > 0.2                                   # five exchanges this far apart: a real spread
    mu = h["mu[reliability.ballistic.solid]"]
    assert mu["p05"] <= MU <= mu["p95"], mu
    # each exchange's own posterior is near its truth (failures of 150 pin it)
    for ev, eta, d in zip(evs, ETA, post.manifest["diagnostics"]["design"]):
        q = d["posterior"]["reliability.ballistic.solid"]
        r = LO + (HI - LO) * float(ndtr(MU + TAU * eta))
        assert abs(q["mean"] - r) < 3 * q["sd"] + 0.03, (ev.stem, q, r)


def test_new_exchange_predictive_is_wider_than_any_event_posterior(toy_fit):
    _, post, _ = toy_fit
    x = post.draws["reliability.kheibar-shekan"]
    sd_new = float(np.std(x))
    sds = [d["posterior"]["reliability.ballistic.solid"]["sd"] for d in post.manifest["diagnostics"]["design"]]
    assert sd_new > max(sds), (sd_new, sds)
    # and it spans the exchanges' reliabilities
    r = LO + (HI - LO) * ndtr(MU + TAU * ETA)
    lo, hi = np.quantile(x, [0.05, 0.95])
    assert lo < r[1] and hi > r[-2]


def test_manifest_holds_diagnostics_events_and_hyperparameters(toy_fit):
    evs, post, _ = toy_fit
    m = post.manifest
    assert post.label == "posterior:hierarchical:" + "+".join(e.stem for e in evs)
    assert [e["sha256"] for e in m["events"]] == [e.sha256 for e in evs]
    d = m["diagnostics"]
    names = set(d["per_hyperparameter"])
    assert {"mu[reliability.ballistic.solid]", "log_tau[reliability]", "mu[pk.arrow-3.ballistic]", "log_tau[pk]"} <= names
    for v in d["per_hyperparameter"].values():
        assert np.isfinite(v["rhat"]) and v["ess_bulk"] > 0
    assert d["max_rhat"] < 1.2 and d["min_ess_bulk"] > 20
    for e in d["design"]:
        assert e["design_ess"] > 10 and e["importance_ess_at_posterior"]["median"] >= 1
    assert post.size == SETTINGS.draws
    # every uncertain parameter has draws; the hierarchical ones are marked
    st = {p["name"]: p["status"] for p in m["parameters"]}
    assert st["reliability.kheibar-shekan"] == "hierarchical" and st["pk.arrow-3.ballistic"] == "hierarchical"
    assert st["pd.sbirs"] == "exchange-level (prior)" and st["pk.sm-3.ballistic"] == "prior only"


def test_reduced_refit_is_bit_reproducible_cached_and_worker_independent(toy_fit, tmp_path):
    evs, post, cache = toy_fit
    a = post.to_json()
    assert fit_hierarchical(evs, seed=4, settings=SETTINGS, cache=cache).to_json() == a        # from the cache
    two = fit_hierarchical(evs[:2], seed=4, settings=SETTINGS.__class__(**{**SETTINGS.__dict__, "workers": 2}),
                           cache=None)
    one = fit_hierarchical(evs[:2], seed=4, settings=SETTINGS, cache=tmp_path)                  # fresh designs
    assert one.to_json() == two.to_json()
    # a subset reuses the subset's designs: its event records are the full fit's
    full = {e["file"]: e["design_sha256"] for e in post.manifest["events"]}
    assert all(full[e["file"]] == e["design_sha256"] for e in one.manifest["events"])
    assert fit_hierarchical(evs[:2], seed=5, settings=SETTINGS, cache=tmp_path).to_json() != one.to_json()


def test_calibrate_cli_hierarchical_writes_where_told(toy_fit, tmp_path):
    evs, _, cache = toy_fit
    out = tmp_path / "h.json"
    runner = CliRunner()
    r = runner.invoke(app, ["calibrate", *[e.file for e in evs[:2]], "--hierarchical", "--reduced", "--draws", "50",
                            "--particles", "200", "--seed", "4", "--cache", str(cache), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    rec = json.loads(r.output)
    assert rec["file"] == str(out) and rec["label"].startswith("posterior:hierarchical:")
    r = runner.invoke(app, ["validate", evs[0].file, "--params", str(out), "--trials", "200", "--json"])
    assert r.exit_code == 0, r.output


def test_truncated_campaign_flies_the_whole_campaigns_first_nights():
    # the fit flies a campaign only to its last fitted night: those nights must be the whole campaign's, trial for trial
    from redline.campaign.runner import run_campaign
    from redline.calibration.events import event_campaign, load_event
    from redline.calibration.hierarchical import truncated_campaign

    sc, camp, _ = event_campaign(load_event("twelve-day-war-2025"))
    full = run_campaign(sc, camp, trials=120, seed=3, params="prior", keep_daily=True)
    part = run_campaign(sc, truncated_campaign(camp, 5), trials=120, seed=3, params="prior", keep_daily=True)
    assert part.campaign.days == 5 and len(part.plans) == 5
    for k in ("cls", "used_type"):
        assert np.array_equal(full.trial_daily[k][:, :5], part.trial_daily[k])
    assert full.trial_daily["cls"][:, 5:].sum() > 0                     # and the later nights were not flown
    with pytest.raises(ValueError, match="nights"):
        truncated_campaign(camp, 12)


def _war_split(origin: str):
    import datetime as dt

    from redline.calibration.events import load_event
    from redline.calibration.scoreboard import split_events

    fit_events, fitted, _ = split_events([load_event("twelve-day-war-2025")], dt.date.fromisoformat(origin))
    return fit_events[0], fitted


def test_campaign_target_reads_what_validate_scores():
    # the fit's likelihood reads the same per-trial counts as predictive_samples (validate, scoreboard) on the whole war
    from redline.calibration.events import load_event
    from redline.calibration.hierarchical import FAMILY, prepare_events
    from redline.calibration.priors import build_prior
    from redline.calibration.scoring import predictive_samples

    sub, _ = _war_split("2025-06-23")
    cat, (t,), (rec,) = prepare_events([sub])
    assert rec["campaign"]["nights_simulated"] == 6 and t.simulate is not None
    prior = build_prior(cat, [t.compiled], family=FAMILY)
    ps = prior.paramset(np.random.default_rng(0).random((7, prior.dim)))
    y = np.stack([f(t.simulate(ps, 70, 9)) for f in t.samplers], axis=1)
    war = load_event("twelve-day-war-2025")
    whole = predictive_samples(war, ps, 70, 9)
    fitted = [i for i, o in enumerate(war.event.observations) if o.fitted and o.night is not None
              and o.night.isoformat() < "2025-06-23"]
    assert [war.event.observations[i].metric for i in fitted] == [m["metric"] for m in rec["campaign"]["fitted"]]
    assert np.array_equal(y, np.stack([whole[i] for i in fitted], axis=1))


def test_campaign_is_fitted_only_on_its_nights_before_the_cut(toy_fit):
    evs, _, cache = toy_fit
    sub, fitted = _war_split("2025-06-18")
    assert fitted and all(d.date.isoformat() < "2025-06-18" for d in fitted)
    post = fit_hierarchical([sub, evs[0]], seed=4, settings=SETTINGS, cache=cache)
    m = post.manifest
    assert m["excluded"] == []
    rec = next(e for e in m["events"] if e["file"] == "twelve-day-war-2025.yaml")
    # nights 13-17 June: the cumulative impacts to ~18 June only; nights 6-11 and the totals are not fitted
    assert rec["campaign"] == {"nights_simulated": 5, "nights": 11, "fitted": [
        {"metric": "cumulative.by_class.ballistic.impacted", "day": 5, "night": "2025-06-17"}]}
    assert rec["observations_fitted"] == 1 and rec["sha256"] == sub.sha256
    d = next(x for x in m["diagnostics"]["design"] if x["event"] == "twelve-day-war-2025")
    assert d["design_points"] == SETTINGS.campaign_design.particles * SETTINGS.campaign_design.rounds
    assert {"reliability.ballistic.liquid", "reliability.ballistic.solid", "pk.thaad.ballistic"} <= set(d["hierarchical_coordinates"])
    # a later cut fits more nights, with its own design (the observation subset is in the key)
    later, _ = _war_split("2025-06-23")
    post2 = fit_hierarchical([later, evs[0]], seed=4, settings=SETTINGS, cache=cache)
    rec2 = next(e for e in post2.manifest["events"] if e["file"] == "twelve-day-war-2025.yaml")
    assert rec2["campaign"]["nights_simulated"] == 6 and rec2["observations_fitted"] == 2
    assert rec2["design_sha256"] != rec["design_sha256"]


def test_campaign_fit_is_reproducible_and_worker_independent(toy_fit):
    evs, _, _ = toy_fit
    sub, _ = _war_split("2025-06-18")
    one = fit_hierarchical([sub, evs[1]], seed=4, settings=SETTINGS, cache=None)
    two = fit_hierarchical([evs[1], sub], seed=4, settings=SETTINGS.__class__(**{**SETTINGS.__dict__, "workers": 2}),
                           cache=None)
    assert one.to_json() == two.to_json()


def test_events_without_fitted_observations_are_left_out(toy_fit):
    from redline.calibration.events import load_event
    from redline.calibration.scoreboard import subset_event

    evs, _, cache = toy_fit

    camp = load_event("houthi-fire-2024")
    inputs_only = subset_event(camp, [i for i, o in enumerate(camp.event.observations) if o.input])
    post = fit_hierarchical([inputs_only, evs[0]], seed=4, settings=SETTINGS, cache=cache)
    m = post.manifest
    assert [e["file"] for e in m["events"]] == [Path(evs[0].file).name]
    assert [e["file"] for e in m["excluded"]] == ["houthi-fire-2024.yaml"]
    assert m["excluded"][0]["reason"] == "no fitted observations"
    with pytest.raises(ValueError, match="no event to fit"):
        fit_hierarchical([inputs_only], seed=4, settings=SETTINGS, cache=cache)
