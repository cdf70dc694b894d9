"""Input hashes have one home (redline.hashing) and the values they had before moving there.

The shipped escalation effects table is keyed by scenario hashes, and sweep folders refuse to
resume under another spec, scenario or parameter hash, so the values are data: the ones below
were recorded with the functions in their old modules (scenario/io.py, campaign/runner.py,
sweep/runner.py, sweep/spec.py) before the move.
"""
from __future__ import annotations

import pytest

from redline.hashing import campaign_sha256, file_sha256, params_sha256, scenario_sha256, spec_sha256, text_sha256

BEFORE = {
    "april-2024": "955d627149a9dc1706df19ff1ac6adbc7582c31d0a3c52d333336f32e22ea2c7",
    "april-2024-jordan-closed": "3b598c1b741df751485dcf01f54783acea7c968191bf3224fa4393bb46d68455",
    "april-2024-no-partners": "14d09a184e8a337796d413d9808405af38613a35cd2d399579a9cfe7c7983def",
    "lebanon-launch": "8e6fe43580edb44f72bcdd1a8c752532eae63b9ded9a2f4aaf36af727de26c3e",
    "twelve-day-campaign": "87bdda328ca48038ada01dcfc0247a24aa67f1800ccad20212bebe01d86e6576",
}
CAMPAIGN_BEFORE = "6233e0d3990e9ed671c7dd8e36574060e791fcc2330cee704c9bcf7655a2ae81"       # twelve-day-campaign
SPEC_BEFORE = "4cebb4c90e7aa4b90fd72bc63b4d2a0bb8f2e454934472209b73f61f206114ca"           # april-2024-arrow-grid
PARAMS_BEFORE = {"default": "0b3fc1bd16934a0be0686f004421227af09536915819908f96791a082aae104d",
                 "prior": "634d807fb40936071a7b66f41498f99980288eb6ec7b10dfdb882b368f4624eb"}


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
