"""`validate`: the documented JSON, and scores that prefer the truth to a shifted version of it."""
import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from redline.calibration.events import event_scenario, load_event
from redline.calibration.metrics import metric_sampler
from redline.calibration.scoring import validate
from redline.cli.main import app
from redline.engagement.compile import compile_scenario
from redline.engagement.params import catalog_params
from redline.engagement.runner import run_compiled

from .conftest import TOY_METRICS, rounded_means

runner = CliRunner()
EVENTS = "src/redline/data/events/april-2024.yaml"


def _truth(cat):
    return catalog_params(cat).with_values(reliability={"kheibar-shekan": [0.6]}, pk={("arrow-3", "ballistic"): [0.7]})


def test_model_generated_event_scores_better_than_a_shifted_one(write_event):
    probe = write_event({m: 0 for m in TOY_METRICS}, fname="probe.yaml")
    sc, cat = event_scenario(probe)
    ps = _truth(cat)
    comp = compile_scenario(sc, cat, ps)
    raw = run_compiled(comp, ps, trials=2000, seed=1)
    truth = rounded_means(raw, {m: metric_sampler(comp, m) for m in TOY_METRICS})
    shifted = {k: round(v * 1.25 + 3) for k, v in truth.items()}
    a = validate([write_event(truth, fname="truth.yaml")], params=ps, trials=3000, seed=2).to_json()
    b = validate([write_event(shifted, fname="shifted.yaml")], params=ps, trials=3000, seed=2).to_json()
    assert a["coverage"] == 1.0 and b["coverage"] < 0.5
    assert a["mean_crps"] < 0.5 * b["mean_crps"]
    # per observation, too
    for oa, ob in zip(a["events"][0]["observations"], b["events"][0]["observations"]):
        assert oa["crps"] < ob["crps"], (oa, ob)


def test_ranges_count_as_inside_when_they_overlap_the_interval(write_event, toy_dir):
    (toy_dir / "r.yaml").write_text(
        "name: r\nscenario: toy.yaml\nobservations:\n"
        "  - {metric: by_class.ballistic.launched, value: 100, range: [100, 150]}\n"   # 150 = launched: overlaps
        "  - {metric: by_class.ballistic.launched, value: 100, range: [90, 149]}\n")   # below the point forecast
    from redline.calibration.events import read_events

    r = validate([read_events(toy_dir / "r.yaml")], params="prior", trials=200, seed=1).to_json()
    obs = r["events"][0]["observations"]
    assert [o["inside"] for o in obs] == [True, False]
    assert obs[0]["p05"] == obs[0]["p95"] == 150 and obs[0]["crps"] == 50     # scored against the best value


def test_validate_json_is_exactly_the_documented_object():
    r = runner.invoke(app, ["validate", EVENTS, "--json", "--trials", "2000", "--seed", "3"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"events", "coverage", "mean_crps", "manifest"}
    m = out.pop("manifest")
    assert m["kind"] == "validate" and m["seed"] == 3 and m["samples"] == {"count": 2000, "unit": "trials"}
    assert set(m["inputs"]) == {"events", "scenario"} and m["params"] == "posterior:april-2024"
    assert len(out["events"]) == 1 and set(out["events"][0]) == {"name", "observations"}
    n = len(load_event("april-2024").event.observations)
    assert len(out["events"][0]["observations"]) == n
    for o in out["events"][0]["observations"]:
        # `input` appears (true) only on scenario inputs; a single event has no day/night
        assert set(o) - {"input"} == {"metric", "observed", "mean", "p05", "p95", "inside", "crps"}
        assert o.get("input", True) is True
        assert o["p05"] <= o["mean"] <= o["p95"] or o["p05"] == o["p95"]
        assert isinstance(o["inside"], bool) and o["crps"] >= 0
    flagged = [o["metric"] for o in out["events"][0]["observations"] if o.get("input")]
    assert flagged == ["by_class.drone.launched", "by_class.cruise.launched", "by_class.ballistic.launched"]
    # coverage counts the scored observations only, not the scenario inputs
    inside = [o["inside"] for o in out["events"][0]["observations"] if not o.get("input")]
    assert out["coverage"] == pytest.approx(np.mean(inside), abs=1e-6)
    # same seed, same report
    again = json.loads(runner.invoke(app, ["validate", EVENTS, "--json", "--trials", "2000", "--seed", "3"]).stdout)
    again_m = again.pop("manifest")
    assert again == out and {k: v for k, v in again_m.items() if k not in ("created", "elapsed_s")} == \
        {k: v for k, v in m.items() if k not in ("created", "elapsed_s")}


def test_posterior_scores_better_than_the_uncalibrated_catalog_values():
    post = validate([EVENTS], params="posterior", trials=4000, seed=5).to_json()
    prior = validate([EVENTS], params="prior", trials=4000, seed=5).to_json()
    assert post["mean_crps"] < prior["mean_crps"]
    assert post["coverage"] >= prior["coverage"]


def test_validate_table_and_params_errors():
    r = runner.invoke(app, ["validate", "april-2024", "--trials", "1000", "--params", "prior"])
    assert r.exit_code == 0 and "coverage of the 5–95% intervals" in r.output
    r = runner.invoke(app, ["validate", "april-2024", "--trials", "100", "--params", "bogus"])
    assert r.exit_code == 2 and "use posterior, prior, prior-draws" in r.output


def test_validate_command_runs_as_a_subprocess():
    # No wall-clock assertion (a test must not depend on the machine's speed); the timeout only stops a hang.
    p = subprocess.run([sys.executable, "-m", "redline.cli.main", "validate", EVENTS, "--json"],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["coverage"] > 0
