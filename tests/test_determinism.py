"""Same scenario + seed = identical results; every result carries a manifest."""
import json

import redline


def _json(res):
    s = dict(res.summary())
    s["manifest"] = {k: v for k, v in s["manifest"].items() if k != "elapsed_s"}
    return json.dumps(s, sort_keys=True)


def test_same_seed_identical_json():
    assert _json(redline.run("april-2024", trials=3000, seed=5)) == _json(redline.run("april-2024", trials=3000, seed=5))


def test_different_seed_differs():
    assert _json(redline.run("april-2024", trials=3000, seed=5)) != _json(redline.run("april-2024", trials=3000, seed=6))


def test_manifest_fields():
    m = redline.run("april-2024", trials=100, seed=9).manifest
    for key in ("scenario", "scenario_sha256", "seed", "trials", "engine", "version", "elapsed_s", "params"):
        assert key in m
    assert m["scenario"] == "april-2024" and m["seed"] == 9 and m["trials"] == 100 and len(m["scenario_sha256"]) == 64


def test_scenario_hash_changes_with_content():
    a = redline.run("april-2024", trials=10, seed=1).manifest["scenario_sha256"]
    b = redline.run("april-2024-no-partners", trials=10, seed=1).manifest["scenario_sha256"]
    assert a != b
