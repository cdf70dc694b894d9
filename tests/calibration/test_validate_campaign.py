"""validate on campaign events: the whole campaign runs, nights and totals are scored, inputs are not.

The Houthi campaign (7 "days" of 4 small waves) is the fast one; the tests run it with few trials.
"""
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.calibration.events import parse_events, read_events
from redline.calibration.scoring import check_event, crps_sample, predictive_samples, validate
from redline.campaign import load_campaign, run_campaign
from redline.cli.main import app
from redline.errors import InputError

runner = CliRunner()

# launched per day (month) in the houthi-fire-2024 schedule
SCHEDULE = {"ballistic": [0, 0, 3, 3, 3, 15, 6], "drone": [15, 15, 15, 15, 15, 20, 5]}

HOUTHI = """
name: probe
scenario: houthi-fire-2024
date: 2024-07-01
observations:
  - {metric: totals.by_class.ballistic.launched, value: 30, input: true}
  - {metric: by_class.ballistic.launched, value: 15, input: true, night: 2024-12-01, day: 6}
  - {metric: totals.by_class.ballistic.leaked, value: 1, range: [1, 3]}
  - {metric: by_class.ballistic.leaked, value: 1, night: 2024-12-01, day: 6}
  - {metric: cumulative.by_class.drone.launched, value: 60, night: 2024-10-01, day: 4}
  - {metric: cumulative.by_class.ballistic.intercepted, value: 20, night: 2025-01-01, day: 7}
  - {metric: totals.by_class.ballistic.intercepted, value: 20}
  - {metric: totals.interceptors_used_by_type.arrow-3, value: 30}
  - {metric: by_class.drone.fell_outside, value: 1, night: 2024-07-01, day: 1}
"""


def _event(tmp_path, text=HOUTHI, name="ev.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return read_events(p)


def test_predictive_samples_fly_the_whole_campaign(tmp_path):
    le = _event(tmp_path)
    assert le.is_campaign
    s = predictive_samples(le, "prior", trials=60, seed=3)
    assert sorted(s) == list(range(9)) and all(v.shape == (60,) for v in s.values())
    # launch counts are the schedule's, summed over every wave: never one wave
    assert (s[0] == sum(SCHEDULE["ballistic"])).all() and (s[1] == SCHEDULE["ballistic"][5]).all()
    assert (s[4] == sum(SCHEDULE["drone"][:4])).all()
    # cumulative to the last day is the total, trial by trial
    assert (s[5] == s[6]).all() and s[6].mean() > 0
    # the same run as redline.campaign gives
    sc, camp = load_campaign("houthi-fire-2024")
    res = run_campaign(sc, camp, trials=60, seed=3, params="prior", keep_daily=True)
    assert (res.samples("ballistic.leaked") == s[2]).all()
    assert (res.samples("ballistic.leaked", day=6) == s[3]).all()
    assert (res.samples("used_type.arrow-3") == s[7]).all()
    fell = res.samples("drone.leaked", day=1) - res.samples("drone.impacted", day=1)
    assert (fell == s[8]).all()
    # same seed, same samples
    again = predictive_samples(le, "prior", trials=60, seed=3)
    assert all((again[k] == s[k]).all() for k in s)


def test_campaign_validate_scores_nights_and_totals_without_inputs(tmp_path):
    le = _event(tmp_path)
    out = validate([le], params="prior", trials=60, seed=3).to_json()
    rows = out["events"][0]["observations"]
    assert [r.get("input", False) for r in rows] == [True, True] + [False] * 7
    assert [r.get("day") for r in rows] == [None, 6, None, 6, 4, 7, None, None, 1]
    assert rows[1]["night"] == "2024-12-01" and "night" not in rows[0]
    s = predictive_samples(le, "prior", trials=60, seed=3)
    for i, r in enumerate(rows):
        assert r["crps"] == pytest.approx(crps_sample(s[i], r["observed"]), abs=1e-6)
        assert r["mean"] == pytest.approx(s[i].mean(), abs=1e-6)
    scored = rows[2:]
    assert out["coverage"] == pytest.approx(np.mean([r["inside"] for r in scored]), abs=1e-6)
    assert out["mean_crps"] == pytest.approx(np.mean([r["crps"] for r in scored]), abs=1e-6)
    m = out["manifest"]
    assert set(m["inputs"]) == {"events", "scenario", "campaign"} and m["samples"]["count"] == 60


def test_inputs_far_off_do_not_move_coverage_or_crps(toy_dir):
    (toy_dir / "a.yaml").write_text("name: a\nscenario: toy.yaml\nobservations:\n"
                                    "  - {metric: by_class.ballistic.launched, value: 150}\n")
    (toy_dir / "b.yaml").write_text("name: b\nscenario: toy.yaml\nobservations:\n"
                                    "  - {metric: by_class.ballistic.launched, value: 150}\n"
                                    "  - {metric: by_class.ballistic.launched, value: 999, input: true}\n")
    a = validate([read_events(toy_dir / "a.yaml")], params="prior", trials=100, seed=1).to_json()
    b = validate([read_events(toy_dir / "b.yaml")], params="prior", trials=100, seed=1).to_json()
    assert b["events"][0]["observations"][1] == {"metric": "by_class.ballistic.launched", "observed": 999.0,
                                                 "mean": 150.0, "p05": 150.0, "p95": 150.0, "inside": False,
                                                 "crps": 849.0, "input": True}
    assert a["coverage"] == b["coverage"] == 1.0 and a["mean_crps"] == b["mean_crps"] == 0.0
    # only inputs: nothing to score, one clear line
    (toy_dir / "c.yaml").write_text("name: c\nscenario: toy.yaml\nobservations:\n"
                                    "  - {metric: by_class.ballistic.launched, value: 150, input: true}\n")
    with pytest.raises(InputError, match="every observation is a scenario input"):
        validate([read_events(toy_dir / "c.yaml")], params="prior", trials=10, seed=1)


@pytest.mark.parametrize("obs, field, words", [
    ("{metric: by_class.ballistic.leaked, value: 1}", "observations[0].metric", "totals."),
    ("{metric: totals.by_class.ballistic.leaked, value: 1, night: 2024-07-01, day: 1}", "observations[0].metric",
     "drop night and day"),
    ("{metric: by_class.ballistic.leaked, value: 1, night: 2025-02-01, day: 8}", "observations[0].day",
     "the campaign has 7 days"),
    ("{metric: totals.interceptors_used_by_type.thaad, value: 1}", "observations[0].metric", "arrow-3"),
    ("{metric: totals.hits_by_site.tel-aviv, value: 1}", "observations[0].metric", "unknown campaign metric"),
    ("{metric: totals.by_class.ballistic.landed, value: 1}", "observations[0].metric", "fell_outside"),
])
def test_campaign_event_refuses_what_it_cannot_score(tmp_path, obs, field, words):
    le = _event(tmp_path, f"name: x\nscenario: houthi-fire-2024\nobservations:\n  - {obs}\n")
    with pytest.raises(InputError) as e:
        check_event(le)
    assert e.value.field == field and words in str(e.value), str(e.value)
    r = runner.invoke(app, ["validate", str(tmp_path / "ev.yaml"), "--trials", "5", "--params", "prior"])
    assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output


def test_a_night_on_a_single_raid_is_refused(toy_dir):
    (toy_dir / "n.yaml").write_text("name: n\nscenario: toy.yaml\nobservations:\n"
                                    "  - {metric: by_class.ballistic.leaked, value: 1, night: 2024-07-01, day: 1}\n")
    with pytest.raises(InputError, match="not a\\s+campaign"):
        validate([read_events(toy_dir / "n.yaml")], params="prior", trials=10, seed=1)


def test_cli_validates_a_campaign_event_as_json_and_table(tmp_path):
    p = tmp_path / "ev.yaml"
    p.write_text(HOUTHI)
    r = runner.invoke(app, ["validate", str(p), "--json", "--trials", "40", "--seed", "2", "--params", "prior"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["manifest"]["samples"] == {"count": 40, "unit": "trials"} and len(out["events"][0]["observations"]) == 9
    r = runner.invoke(app, ["validate", str(p), "--trials", "40", "--seed", "2", "--params", "prior", "--no-store"])
    assert r.exit_code == 0, r.output
    assert "input" in r.output and "2 scenario inputs (launch counts) shown, not scored" in r.output and "2024-12-01" in r.output


def test_builtin_campaign_events_validate_on_a_tiny_run():
    out = validate(["houthi-fire-2024"], params="prior", trials=20, seed=1).to_json()
    rows = out["events"][0]["observations"]
    assert sum(r.get("input", False) for r in rows) == 2 and 0 <= out["coverage"] <= 1


def test_campaign_paths_have_the_means_redline_campaign_prints():
    from redline.calibration.metrics import CampaignShape, campaign_metric_paths, campaign_sampler

    sc, camp = load_campaign("houthi-fire-2024")
    res = run_campaign(sc, camp, trials=40, seed=5, params="prior", keep_daily=True)
    js = res.summary()
    shape = CampaignShape(camp.days, tuple(res.types))

    def dig(d, path):
        for p in path.split("."):
            d = d[p]
        return d

    for path in campaign_metric_paths(shape, daily=False):
        x = campaign_sampler(shape, path, None)(res)
        inner = path.removeprefix("totals.")
        cls = inner.split(".")[1] if inner.startswith("by_class.") else None
        if cls is not None and cls not in js["totals"]["by_class"] or inner.endswith("fell_outside"):
            continue              # the JSON lists the classes that fly, and no fell_outside
        assert x.mean() == pytest.approx(dig(js["totals"], inner)["mean"], abs=1e-9), path
    for day in (1, 6, 7):
        for path in campaign_metric_paths(shape, daily=True):
            x = campaign_sampler(shape, path, day)(res)
            if path.startswith("cumulative.") or path == "impacted_cumulative":
                if path in ("cumulative.impacted", "impacted_cumulative"):
                    assert x.mean() == pytest.approx(js["daily"][day - 1]["impacted_cumulative"]["mean"]), path
                continue
            cls = path.split(".")[1] if path.startswith("by_class.") else None
            if cls is not None and cls not in js["daily"][day - 1]["by_class"] or path.endswith("fell_outside"):
                continue
            assert x.mean() == pytest.approx(dig(js["daily"][day - 1], path)["mean"], abs=1e-9), (day, path)
