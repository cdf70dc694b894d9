"""The rolling-origin scoreboard: reference forecasters against closed forms, the split by origin,
the cache of origin fits, and a reduced end-to-end board on the toy world."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from redline.calibration import scoreboard as sb
from redline.calibration.events import LoadedEvent, read_events
from redline.calibration.reference_forecasts import (LOG_FLOOR, betabinom_pmf, crps_pmf, denominator_path,
                                                     fit_rate, gamma_poisson_pmf, interval_pmf, log_score_pmf,
                                                     metric_kind, rate_key, sample_pmf)
from redline.calibration.scoring import crps_sample
from redline.catalog import THREAT_CLASSES
from redline.errors import InputError

from .conftest import TOY_SCENARIO


# ------------------------------------------------------------------------------- closed forms

def test_crps_sample_matches_the_normal_closed_form():
    # our own CRPS (scoringrules is not in the venv): Gneiting & Raftery (2007) eq. (5) for N(0, 1)
    x = stats.norm.ppf((np.arange(200000) + 0.5) / 200000)
    for y in (-1.3, 0.0, 0.4, 2.5):
        exact = 2 * stats.norm.pdf(y) + y * (2 * stats.norm.cdf(y) - 1) - 1 / np.sqrt(np.pi)
        assert crps_sample(x, y) == pytest.approx(exact, abs=1e-4)


def test_crps_pmf_bernoulli_and_point_mass_closed_forms():
    for p in (0.1, 0.5, 0.8):
        pmf = np.array([1 - p, p])
        assert crps_pmf(pmf, 0) == pytest.approx(p ** 2)
        assert crps_pmf(pmf, 1) == pytest.approx((1 - p) ** 2)
    # a point mass at 3: CRPS is the distance |y - 3|, also outside the support
    pm = np.array([0, 0, 0, 1.0])
    for y in (-2.0, 0.0, 1.5, 3.0, 7.25):
        assert crps_pmf(pm, y) == pytest.approx(abs(y - 3))


def test_crps_pmf_equals_the_ensemble_crps_of_a_matching_sample():
    rng = np.random.default_rng(5)
    pmf = betabinom_pmf(40, 2.5, 7.0)
    x = rng.choice(np.arange(41), size=400000, p=pmf)
    for y in (0, 6, 9.5, 30):
        assert crps_pmf(pmf, y) == pytest.approx(crps_sample(x, y), abs=0.02)


def test_constant_rate_posterior_and_beta_binomial_moments():
    # 9 impacts of 120 and 20 of 180: Beta(1 + 29, 1 + 271)
    rf = fit_rate("bounded", [(9, 120), (20, 180)])
    assert (rf.a, rf.b) == (30.0, 272.0)
    n = 200
    pmf = rf.pmf(n)
    z = np.arange(n + 1)
    mean = n * rf.a / (rf.a + rf.b)
    var = n * rf.a * rf.b * (rf.a + rf.b + n) / ((rf.a + rf.b) ** 2 * (rf.a + rf.b + 1))
    assert pmf.sum() == pytest.approx(1)
    assert (z * pmf).sum() == pytest.approx(mean)
    assert ((z - mean) ** 2 * pmf).sum() == pytest.approx(var)
    # a report above the launch count is clipped to it
    assert fit_rate("bounded", [(130, 120)]).b == 1.0
    assert fit_rate("bounded", []).pooled == "none"


def test_rounds_forecaster_is_the_gamma_poisson_mixture():
    rf = fit_rate("rounds", [(40, 20), (10, 9)])            # Gamma(1 + 50, 1 + 29)
    assert (rf.a, rf.b) == (51.0, 30.0)
    pmf = gamma_poisson_pmf(12, rf.a, rf.b)
    z = np.arange(pmf.size)
    ref = stats.nbinom(rf.a, rf.b / (rf.b + 12))
    assert (z * pmf).sum() == pytest.approx(12 * rf.a / rf.b, rel=1e-6)
    assert pmf[:30] == pytest.approx(ref.pmf(np.arange(30)))


def test_log_score_interval_and_metric_kinds():
    pmf = np.array([0.5, 0.5])
    assert log_score_pmf(pmf, 1) == pytest.approx(np.log(2))
    assert log_score_pmf(pmf, 5) == pytest.approx(-np.log(LOG_FLOOR))
    assert interval_pmf(np.array([0.04, 0.02, 0.9, 0.04])) == (1.0, 2.0)
    assert sample_pmf(np.array([0, 2, 2, 3.0])).tolist() == [0.25, 0, 0.5, 0.25]
    assert metric_kind("by_class.ballistic.impacted") == "bounded"
    assert metric_kind("interceptors_used.arrow-3") == "rounds"
    assert metric_kind("cost_usd.defender") is None
    assert denominator_path("by_type.emad.failed", THREAT_CLASSES) == ["by_type.emad.launched"]
    assert denominator_path("intercepts_detail.israel.air_to_air.cruise", THREAT_CLASSES) == \
        ["by_class.cruise.launched"]
    assert denominator_path("totals.by_class.ballistic.impacted", THREAT_CLASSES) == \
        ["totals.by_class.ballistic.launched"]
    assert len(denominator_path("hits_by_site.nevatim", THREAT_CLASSES)) == len(THREAT_CLASSES)
    assert rate_key("totals.by_class.ballistic.impacted") == ("by_class.ballistic.impacted", "by_class.*.impacted")


# ------------------------------------------------------------------------------- toy timeline

def _event(dirpath: Path, fname: str, date: str, values: dict, inputs: tuple = ()) -> LoadedEvent:
    lines = [f"name: toy {fname}", "scenario: toy.yaml", f"date: {date}", "observations:"]
    for k, v in values.items():
        lines += [f"  - metric: {k}", f"    value: {v}"] + (["    input: true"] if k in inputs else [])
    p = dirpath / fname
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_events(p)


ORIGIN = "2024-06-01"


@pytest.fixture(scope="module")
def toy_events(tmp_path_factory):
    d = tmp_path_factory.mktemp("toy-timeline")
    (d / "toy.yaml").write_text(TOY_SCENARIO, encoding="utf-8")
    obs = {"by_class.ballistic.launched": 150, "by_class.ballistic.failed": 30, "by_class.ballistic.leaked": 25,
           "interceptors_used.arrow-3": 95}
    return [_event(d, "a.yaml", "2024-01-10", obs, inputs=("by_class.ballistic.launched",)),
            _event(d, "b.yaml", "2024-06-01", {**obs, "by_class.ballistic.failed": 40},
                   inputs=("by_class.ballistic.launched",)),
            _event(d, "c.yaml", "2024-09-30", {"by_class.ballistic.leaked": 20, "interceptors_used.arrow-3": 100})]


@pytest.fixture(scope="module")
def board(toy_events, tmp_path_factory):
    fits = tmp_path_factory.mktemp("origin-fits")
    b = sb.scoreboard([ORIGIN], events=toy_events, trials=200, fits_dir=fits, refit=True, reduced=True)
    return b, fits


def test_split_puts_observations_on_or_after_the_origin_out_of_the_fit(toy_events):
    fit_events, fitted, scored = sb.split_events(toy_events, dt.date.fromisoformat(ORIGIN))
    assert [Path(le.file).name for le in fit_events] == ["a.yaml"]
    assert all(d.date < dt.date(2024, 6, 1) for d in fitted)
    assert {d.stem for d in scored} == {"b", "c"}           # the origin's own day is scored
    assert all(d.date >= dt.date(2024, 6, 1) for d in scored)


def test_cached_fit_manifest_names_only_observations_before_the_origin(board):
    b, fits = board
    post = sb.read_posterior(fits / f"origin-{ORIGIN}.json")
    man = post.manifest["scoreboard"]
    assert man["origin"] == ORIGIN
    assert man["fitted_observations"] and all(o["date"] < ORIGIN for o in man["fitted_observations"])
    assert [e["file"] for e in man["events"]] == ["a.yaml"]
    assert post.manifest["events"][0]["file"] == "a.yaml"   # the fitter saw only event a
    assert b["origins"][0]["fit"]["refitted"] is True


def test_json_shape_has_the_keys_the_issue_names(board):
    b, _ = board
    o = b["origins"][0]
    assert {"origin", "n_observations", "model", "reference", "observations"} <= set(o)
    assert o["origin"] == ORIGIN
    assert {"mean_crps", "coverage"} <= set(o["model"])
    assert {"mean_crps", "coverage"} <= set(o["reference"]["constant_rate"])
    assert {"mean_crps", "coverage"} <= set(o["reference"]["prior"])
    assert o["n_observations"] == len(o["observations"]) > 0
    for r in o["observations"]:
        for who in ("model", "constant_rate", "prior"):
            assert {"mean", "p05", "p95", "inside", "crps", "log_score"} <= set(r[who])
        assert r["date"] >= ORIGIN
        assert not r["metric"].endswith(".launched")   # inputs are never scored
    json.dumps(b)   # JSON-ready


def test_reduced_board_scores_are_consistent(board):
    b, _ = board
    o = b["origins"][0]
    rows = o["observations"]
    for who, tot in (("model", o["model"]), ("constant_rate", o["reference"]["constant_rate"]),
                     ("prior", o["reference"]["prior"])):
        assert tot["mean_crps"] == pytest.approx(np.mean([r[who]["crps"] for r in rows]), abs=1e-5)
        assert tot["coverage"] == pytest.approx(np.mean([r[who]["inside"] for r in rows]), abs=1e-6)
    # the constant-rate forecast of event c's leakers: Beta(1 + 25, 1 + 125) in c's 150 launches
    r = next(r for r in rows if r["event"] == "c" and r["metric"] == "by_class.ballistic.leaked")
    assert r["constant_rate"]["n"] == 150
    assert r["constant_rate"]["mean"] == pytest.approx(150 * 26 / 152, abs=1e-3)
    assert r["constant_rate"]["crps"] == pytest.approx(crps_pmf(betabinom_pmf(150, 26, 126), 20), abs=1e-5)


def test_shipped_cache_is_reused_and_a_stale_one_is_refused(board, toy_events):
    b, fits = board
    again = sb.scoreboard([ORIGIN], events=toy_events, trials=50, fits_dir=fits, reduced=True)
    assert again["origins"][0]["fit"]["refitted"] is False
    assert again["origins"][0]["fit"]["input_sha256"] == b["origins"][0]["fit"]["input_sha256"]
    # another value for a fitted observation changes the input hash: the cache is stale
    changed = [sb.subset_event(toy_events[0], range(len(toy_events[0].event.observations)))]
    obs = list(changed[0].event.observations)
    obs[1] = obs[1].model_copy(update={"value": 31.0})
    changed[0] = dataclasses.replace(changed[0], event=changed[0].event.model_copy(update={"observations": tuple(obs)}))
    with pytest.raises(sb.StaleFitError, match=r"--refit"):
        sb.scoreboard([ORIGIN], events=changed + list(toy_events[1:]), trials=50, fits_dir=fits, reduced=True)
    # a missing fit is refused with the command that makes it
    with pytest.raises(sb.StaleFitError, match=r"redline scoreboard --origins 2024-09-01 --refit"):
        sb.scoreboard(["2024-09-01"], events=toy_events, trials=50, fits_dir=fits, reduced=True)


def test_bad_origin_is_one_clear_error(toy_events, tmp_path):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        sb.scoreboard(["1 October"], events=toy_events, fits_dir=tmp_path)


def test_html_page_carries_the_board(board, tmp_path):
    from redline.report.scoreboard import write_scoreboard_report

    b, _ = board
    page = write_scoreboard_report(b, tmp_path / "sb.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "http://" not in page.split("<footer")[0].replace("http-equiv", "")
    assert ORIGIN in page and 'data-testid="scoreboard-summary"' in page
    data = page.split('id="redline-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["origins"][0]["origin"] == ORIGIN


def test_cli_refuses_a_stale_fit_in_one_line(tmp_path):
    from redline.cli.main import app

    res = CliRunner().invoke(app, ["scoreboard", "--origins", "2024-10-01", "--fits", str(tmp_path), "--json"])
    assert res.exit_code == 2
    out = " ".join(res.output.split())
    assert "error:" in out and "redline scoreboard --origins 2024-10-01 --refit" in out


def test_shipped_origin_fits_are_current_and_split_at_their_origin():
    # `redline scoreboard --json` runs from these; a stale one is refused (refit: the command in docs/calibration.md §8)
    events = sb.default_events()
    for origin in sb.DEFAULT_ORIGINS:
        fit_events, fitted, scored = sb.split_events(events, dt.date.fromisoformat(origin))
        inputs = sb.origin_inputs(fit_events, fitted, origin, sb.FIT_SEED, False)
        path = sb.cache_path(origin)
        assert path.is_file(), f"no shipped fit for {origin}: run `redline scoreboard --refit`"
        man = sb.read_posterior(path).manifest["scoreboard"]
        assert man["input_sha256"] == inputs["input_sha256"], \
            f"{path.name} is stale: run `redline scoreboard --origins {origin} --refit`"
        assert all(o["date"] < origin for o in man["fitted_observations"])
        assert scored and all(d.date.isoformat() >= origin and not d.input for d in scored)
        # a campaign's fitted observations are its non-input ones before the origin, and its design flew
        # only the nights up to the last of them (all nights only for a total)
        fitted_by_event: dict[str, list[str]] = {}
        for o in man["fitted_observations"]:
            if not o["input"]:
                fitted_by_event.setdefault(o["event"], []).append(o["metric"])
        for rec in sb.read_posterior(path).manifest["events"]:
            camp = rec.get("campaign")
            if camp is None:
                continue
            stem = rec["file"].rsplit(".", 1)[0]
            assert sorted(f["metric"] for f in camp["fitted"]) == sorted(fitted_by_event[stem])
            days = [f["day"] for f in camp["fitted"]]
            assert camp["nights_simulated"] == (camp["nights"] if None in days else max(days))
            assert all(f["night"] < origin for f in camp["fitted"] if f["night"] is not None)
