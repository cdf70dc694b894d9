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
    "april-2024": "bb7aeb6175a43dc67241f34e0edf10405e8de4c6627b901664a287e92608cb4b",
    "april-2024-jordan-closed": "9ac5681b2fde0befd811cc5cee774e3702655113b46a31dba109880135b34a65",
    "april-2024-no-partners": "8d4e985171113e627a9713438c625a3574e0ec19680df820cb86c3070e3795bd",
    "lebanon-launch": "1b1bbf51f3a2aa8d37a0fe82c518b80ae69c3b11754919b1f1fe6d9e1c19f4e6",
    "twelve-day-campaign": "ee638c3b3e95d4ba9af7c91bd3cd2091522943688e7f29d04f05cf4efb20f186",
}
CAMPAIGN_BEFORE = "bcdd0d495f4f7a4d4c39fdcb5624de7ad3744f655b930bfbe184eb515099d4ea"       # twelve-day-campaign
SPEC_BEFORE = "4cebb4c90e7aa4b90fd72bc63b4d2a0bb8f2e454934472209b73f61f206114ca"           # april-2024-arrow-grid
PARAMS_BEFORE = {"default": "83d93340885ccc56b15abf1f6fed5c76ed6994659125d5ff650a80b5d3146910",
                 "prior": "e4ae7142199179c4cccd044a27feef17c72ef1e1ab6372c73aaf6152fd8e4589"}


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
