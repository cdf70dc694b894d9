"""Input hashes have one home (redline.hashing) and the values they had before moving there.

The shipped escalation effects table is keyed by scenario hashes, and sweep folders refuse to
resume under another spec, scenario or parameter hash, so the values are data: the ones below
were recorded with the functions in their old modules (scenario/io.py, campaign/runner.py,
sweep/runner.py, sweep/spec.py) before the move, and recorded again at issue 10, whose catalog
(new entries, a fourth threat class, manoeuvre factors), April 2024 scenario data and refitted
posterior change the hashed inputs on purpose; the functions did not change.
"""
from __future__ import annotations

import pytest

from redline.hashing import campaign_sha256, file_sha256, params_sha256, scenario_sha256, spec_sha256, text_sha256

BEFORE = {
    "april-2024": "c02c689b9380cebfb4102b09625cdfadaa9c72846c83454c2e2a7d4655593f2d",
    "april-2024-jordan-closed": "3601211094abbfb9a8b6ed934a448c1180ae998c7d2e417567e14d5902d0aadc",
    "april-2024-no-partners": "8d98034ec74bba57b4e20b4fcecc30200a13a0eaaf98beb61c0489e3cdc9dc63",
    "lebanon-launch": "8038837fc2685718436b8aab6b8c84dda9ab0c4640700045e71ec3835eecdb5e",
    "twelve-day-campaign": "f17572aedff5cecb417a908b927761984404b73ae091a64647353c496a289627",
}
CAMPAIGN_BEFORE = "4a30e9cf59280c5e07773cd80f4f37c8b2d849c18e98797198feaa1b3e266c05"       # twelve-day-campaign
SPEC_BEFORE = "4cebb4c90e7aa4b90fd72bc63b4d2a0bb8f2e454934472209b73f61f206114ca"           # april-2024-arrow-grid
PARAMS_BEFORE = {"default": "ce30c24c1fe57935def51519f8d33d52f5b74fa1839f781cdd5421eace817310",
                 "prior": "b24c3ca471b631f64675c25fbfb13fa74dc328985471f8c99226172b1be67dcf"}


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_builtin_scenario_hashes_are_unchanged(name):
    from redline.scenario import load_scenario

    assert scenario_sha256(load_scenario(name)) == BEFORE[name]


def test_campaign_spec_and_params_hashes_are_unchanged():
    from redline.api import default_params
    from redline.campaign import load_campaign
    from redline.engagement.params import catalog_params
    from redline.scenario import load_scenario, scenario_catalog
    from redline.sweep import load_sweep_spec

    assert campaign_sha256(*load_campaign("twelve-day-campaign")) == CAMPAIGN_BEFORE
    assert spec_sha256(load_sweep_spec("april-2024-arrow-grid")) == SPEC_BEFORE
    cat = scenario_catalog(load_scenario("april-2024"))
    assert params_sha256(default_params(cat)) == PARAMS_BEFORE["default"]
    assert params_sha256(catalog_params(cat)) == PARAMS_BEFORE["prior"]


def test_the_old_import_paths_give_the_same_functions():
    from redline.escalation import io as esc_io
    from redline.scenario import io as scenario_io
    from redline.sweep import spec as sweep_spec

    assert scenario_io.scenario_sha256 is scenario_sha256
    assert esc_io.file_sha256 is file_sha256 and sweep_spec.spec_sha256 is spec_sha256


def test_effects_table_keys_still_resolve():
    """Every entry of the shipped effects table names the hash its scenario has today (built as the table was)."""
    from redline.escalation.effects import build_scenario, load_table
    from redline.escalation.io import load_game

    game = load_game()
    table = load_table()
    checked = 0
    for rid, variants in table["entries"].items():
        raid = game.raids[rid]
        for vn, eff in variants.items():
            parts = [] if vn == "default" else [game.variants[x] for x in vn.split("+")]
            sc = build_scenario(raid, parts, name=f"{rid}--{vn}")
            assert scenario_sha256(sc) == eff["scenario_sha256"], (rid, vn)
            checked += 1
    assert checked >= 10


def test_file_and_text_hashes_agree(tmp_path):
    import hashlib

    p = tmp_path / "x.yaml"
    p.write_text("name: x\n", encoding="utf-8")
    assert file_sha256(p) == text_sha256("name: x\n") == hashlib.sha256(b"name: x\n").hexdigest()
