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
    "april-2024": "84732c057ab90bb0220b622816e5db0139df8cd0a54a44c165c49d029da6d36c",
    "april-2024-jordan-closed": "47bf89a0c27c73d5da45a4ccf1d34a1b9ee350688a12266e63061daa9857fb3f",
    "april-2024-no-partners": "e66aafa0bf610c198e84b4820d45eefeb4f061bd95bd029d879165a7306e1ff2",
    "lebanon-launch": "f1d45ed333f8e3645ef5bb884fcdefab5812a513c56508c7bfd572af7a7a2453",
    "twelve-day-campaign": "ed852eb09429946ad3bfa90d8bd978882499d5da70b8f3422db85350541ff341",
}
CAMPAIGN_BEFORE = "cf9859807502e9c822fb324f3b95b9500f1433f763766af8be1e7af7e911a474"       # twelve-day-campaign
SPEC_BEFORE = "4cebb4c90e7aa4b90fd72bc63b4d2a0bb8f2e454934472209b73f61f206114ca"           # april-2024-arrow-grid
PARAMS_BEFORE = {"default": "fa8c8496f7b33bbd946e22298a4f7e3469707904aae66168ca2ffb857f2b1675",
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
