"""The shipped posterior: what it was fitted to, how to reproduce it, and how `redline run` uses it."""
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import redline
from redline.calibration.pipeline import DEFAULT_SEED, default_settings
from redline.calibration.posterior import APRIL_FILE, HIERARCHICAL_FILE, SHIPPED_FILE, read_posterior, shipped_posterior
from redline.catalog import Catalog, load_catalog
from redline.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "src/redline/data/events/april-2024.yaml"
SHIPPED = ROOT / "src/redline/data/calibration" / APRIL_FILE
HIER = ROOT / "src/redline/data/calibration" / HIERARCHICAL_FILE
DOCUMENTED = ["calibrate", str(EVENTS), "--draws", "1000", "--seed", str(DEFAULT_SEED)]


def test_calibrate_reproduces_bit_for_bit_from_its_seed(tmp_path):
    tiny = ["--draws", "20", "--particles", "120", "--rounds", "2", "--trials", "4"]
    files = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        out = tmp_path / f"{name}.json"
        r = runner.invoke(app, ["calibrate", str(EVENTS), *tiny, "--seed", seed, "--out", str(out)])
        assert r.exit_code == 0, r.output
        files.append(out.read_bytes())
    assert files[0] == files[1]
    assert files[0] != files[2]
    post = read_posterior(tmp_path / "a.json")
    assert post.size == 20 and post.manifest["seed"] == 7 and post.label == "posterior:april-2024"
    # a posterior file is usable by validate
    r = runner.invoke(app, ["validate", str(EVENTS), "--params", str(tmp_path / "a.json"), "--trials", "400", "--json"])
    assert r.exit_code == 0, r.output


def test_shipped_posterior_is_the_fit_of_the_shipped_event_file():
    post = read_posterior(SHIPPED)
    m = post.manifest
    assert post.label == "posterior:april-2024" and post.size == m["draws"] == 1000
    assert m["seed"] == DEFAULT_SEED
    assert m["settings"] == default_settings(1000).__dict__
    (ev,) = m["events"]
    assert ev["file"] == "april-2024.yaml" and ev["scenario"] == "april-2024"
    assert ev["sha256"] == hashlib.sha256(EVENTS.read_text(encoding="utf-8").encode()).hexdigest(), \
        "the event file changed since the shipped fit: re-run the command in docs/calibration.md"
    d = m["diagnostics"]
    assert d["ess"] > 500 and d["unique_draws"] > 500
    # scope rule: only April 2024 is used for fitting
    assert [e["file"] for e in m["events"]] == ["april-2024.yaml"]


def test_redline_run_defaults_to_the_shipped_posterior():
    cat = load_catalog()
    # the hierarchical fit is the default when shipped; the April fit stays available by name
    assert SHIPPED_FILE == (HIERARCHICAL_FILE if HIER.is_file() else APRIL_FILE)
    if HIER.is_file():
        hp = shipped_posterior(cat)
        assert hp.label == read_posterior(HIER).label and hp.label.startswith("posterior:hierarchical:")
        assert redline.default_params(cat).label == hp.label
        assert redline.run("april-2024", trials=200, seed=1).manifest.params == hp.label
        assert redline.run("april-2024", trials=50, seed=1, params="posterior-april-2024").manifest.params == "posterior:april-2024"
    ps = shipped_posterior(cat, "posterior-april-2024")
    assert ps is not None and ps.label == "posterior:april-2024" and ps.size == 1000
    assert ps.meta["from_catalog"] == []
    specs = {p["name"]: p["prior"] for p in read_posterior(SHIPPED).manifest["parameters"]}
    for table in ("pk", "reliability", "cep_m", "pd"):
        for key, x in getattr(ps, table).items():
            assert x.shape == (1000,)
            name = f"{table}.{'.'.join(key) if isinstance(key, tuple) else key}"
            if name in specs:
                lo, hi = specs[name]["range"]
                assert lo <= x.min() and x.max() <= hi, name
    res = redline.run("april-2024", trials=500, seed=1, params="posterior-april-2024")
    assert res.manifest.params == "posterior:april-2024" and res.manifest.details["param_draws"] == 1000
    assert redline.run("april-2024", trials=50, seed=1, params="prior").manifest.params == "catalog"


def test_edited_catalog_entries_fall_back_to_the_catalog_value():
    cat = load_catalog()
    arrow = cat.interceptors["arrow-3"]
    pk = dict(arrow.pk)
    pk["ballistic"] = pk["ballistic"].model_copy(update={"value": 0.9, "range": (0.85, 0.95)})
    edited = Catalog(threats=cat.threats, sensors=cat.sensors,
                     interceptors={**cat.interceptors, "arrow-3": arrow.model_copy(update={"pk": pk})})
    ps = shipped_posterior(edited, "posterior-april-2024")
    assert ps.meta["from_catalog"] == ["pk.arrow-3.ballistic"]
    assert np.all(ps.pk[("arrow-3", "ballistic")] == 0.9)
    assert not np.all(ps.pk[("arrow-2", "ballistic")] == ps.pk[("arrow-2", "ballistic")][0])


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REDLINE_FULL_CALIBRATION"),
                    reason="full April 2024 fit takes minutes; set REDLINE_FULL_CALIBRATION=1")
def test_documented_command_reproduces_the_shipped_file(tmp_path):
    out = tmp_path / "posterior.json"
    r = runner.invoke(app, [*DOCUMENTED, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == SHIPPED.read_bytes()


@pytest.mark.skipif(not HIER.is_file(), reason="no hierarchical fit shipped")
def test_shipped_hierarchical_fit_covers_every_built_in_event_of_the_window():
    from redline.calibration.events import load_event
    from redline.calibration.hierarchical import builtin_fit_events

    post = read_posterior(HIER)
    m = post.manifest
    names = builtin_fit_events()
    evs = {Path(load_event(n).file).name: load_event(n) for n in names}
    listed = [e["file"] for e in m["events"]] + [e["file"] for e in m["excluded"]]
    assert sorted(listed) == sorted(evs), "re-run the hierarchical command in docs/calibration.md"
    for e in m["events"]:
        assert e["sha256"] == evs[e["file"]].sha256, f"{e['file']} changed since the shipped fit: refit (docs/calibration.md)"
    assert all(evs[e["file"]].is_campaign for e in m["excluded"])
    assert m["seed"] == DEFAULT_SEED and post.size == m["draws"]
    d = m["diagnostics"]
    assert d["per_hyperparameter"] and all(v["rhat"] > 0 for v in d["per_hyperparameter"].values())
    assert "tau[reliability]" in m["hyperparameters"] and "tau[pk]" in m["hyperparameters"]


def test_run_accepts_the_named_fits():
    r = runner.invoke(app, ["run", "april-2024", "--trials", "50", "--params", "posterior-april-2024", "--json",
                            "--no-store"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["manifest"]["params"] == "posterior:april-2024"
