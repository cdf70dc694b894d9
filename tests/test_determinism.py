"""Same scenario + seed = identical results; every result carries a manifest."""
import json

import redline


def _json(res):
    s = dict(res.summary())
    s["manifest"] = res.manifest.reproducible()      # without the creation time and the wall time
    return json.dumps(s, sort_keys=True)


def test_same_seed_identical_json():
    assert _json(redline.run("april-2024", trials=3000, seed=5)) == _json(redline.run("april-2024", trials=3000, seed=5))


def test_different_seed_differs():
    assert _json(redline.run("april-2024", trials=3000, seed=5)) != _json(redline.run("april-2024", trials=3000, seed=6))


def test_manifest_fields():
    m = redline.run("april-2024", trials=100, seed=9).manifest
    assert m.kind == "run" and m.version == redline.__version__ and m.elapsed_s is not None and m.params
    assert m.subject == "april-2024" and m.seed == 9 and m.samples.count == 100 and len(m.inputs["scenario"]) == 64


def test_scenario_hash_changes_with_content():
    a = redline.run("april-2024", trials=10, seed=1).manifest.inputs["scenario"]
    b = redline.run("april-2024-no-partners", trials=10, seed=1).manifest.inputs["scenario"]
    assert a != b
