"""``exclude_units``, ``override_units`` and ``catalog:`` paths in scenario files (issue 15, item 5)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from redline.errors import InputError
from redline.hashing import scenario_sha256
from redline.scenario import load_scenario, parse_scenario, read_scenario, scenario_catalog

APRIL = load_scenario("april-2024")


def _units(sc):
    return {u.name: u for u in sc.fire_units}


def test_exclude_units_drops_exactly_the_named_units_and_sensors():
    sc = parse_scenario("extends: april-2024\nexclude_units: [uss-carney, erbil-patriot, spy1-carney]\n", "v.yaml")
    assert set(_units(APRIL)) - set(_units(sc)) == {"uss-carney", "erbil-patriot"}
    assert {s.name for s in APRIL.sensors} - {s.name for s in sc.sensors} == {"spy1-carney"}
    assert [u for u in sc.fire_units] == [u for u in APRIL.fire_units if u.name not in ("uss-carney", "erbil-patriot")]


def test_exclude_units_equals_writing_the_list_without_them():
    """Dropping by name gives the scenario (and hash) of a file that copies the list without those units."""
    sc = parse_scenario("extends: april-2024\nexclude_units: [uss-carney]\n", "v.yaml")
    kept = [u.model_dump(exclude_unset=True, mode="json") for u in APRIL.fire_units if u.name != "uss-carney"]
    import json

    by_hand = parse_scenario("extends: april-2024\nfire_units: " + json.dumps(kept) + "\n", "w.yaml")
    assert scenario_sha256(sc) == scenario_sha256(by_hand)


def test_unknown_unit_name_is_one_line_with_the_known_names():
    with pytest.raises(InputError) as e:
        parse_scenario("extends: april-2024\nexclude_units: [uss-nope]\n", "v.yaml")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("v.yaml: exclude_units[0] = 'uss-nope'")
    assert "uss-carney" in msg and "arrow3-central" in msg


def test_unit_edits_need_extends():
    with pytest.raises(InputError, match=r"exclude_units edits the scenario a file extends"):
        parse_scenario((Path(__file__).parents[2] / "examples" / "small-raid.yaml").read_text() + "exclude_units: [arrow]\n")


def test_override_units_changes_only_the_named_fields():
    sc = parse_scenario("extends: april-2024\noverride_units:\n  arrow3-central: {magazine: 8, channels: 2}\n"
                        "  iaf-east: {patrol: {radius_km: 200}}\n", "v.yaml")
    before, after = _units(APRIL), _units(sc)
    assert (after["arrow3-central"].magazine, after["arrow3-central"].channels) == (8, 2)
    assert after["arrow3-central"].model_copy(update={"magazine": 48, "channels": 6}) == before["arrow3-central"]
    assert after["iaf-east"].patrol.radius_km == 200
    assert after["iaf-east"].patrol.on_station_min == before["iaf-east"].patrol.on_station_min  # merged, not replaced
    assert [n for n in after] == [n for n in before]
    assert all(after[n] == before[n] for n in before if n not in ("arrow3-central", "iaf-east"))


def test_override_errors_name_the_unit_and_field():
    with pytest.raises(InputError, match=r"v\.yaml: override_units\.arrow3-central\.magazine = -1"):
        parse_scenario("extends: april-2024\noverride_units: {arrow3-central: {magazine: -1}}\n", "v.yaml")
    with pytest.raises(InputError, match=r"override_units\.arrow3-central\.magazin = 8: not a field of this fire unit"):
        parse_scenario("extends: april-2024\noverride_units: {arrow3-central: {magazin: 8}}\n", "v.yaml")
    with pytest.raises(InputError, match=r"override_units\.nope = 'nope': no fire unit or sensor has this name"):
        parse_scenario("extends: april-2024\noverride_units: {nope: {magazine: 8}}\n", "v.yaml")
    with pytest.raises(InputError, match=r"name cannot change"):
        parse_scenario("extends: april-2024\noverride_units: {arrow3-central: {name: x}}\n", "v.yaml")


def test_a_variant_of_a_variant_edits_what_it_inherits(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: april-2024\nexclude_units: [uss-carney]\n"
                                     "override_units: {arrow3-central: {magazine: 8}}\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\noverride_units: {arrow3-central: {channels: 2}}\n")
    u = _units(read_scenario(tmp_path / "b.yaml"))
    assert "uss-carney" not in u and (u["arrow3-central"].magazine, u["arrow3-central"].channels) == (8, 2)
    (tmp_path / "c.yaml").write_text("extends: a.yaml\nexclude_units: [uss-carney]\n")
    with pytest.raises(InputError, match=r"c\.yaml: exclude_units\[0\] = 'uss-carney': no fire unit"):
        read_scenario(tmp_path / "c.yaml")          # already gone at that level


def test_excluded_owner_units_cannot_be_named_again():
    with pytest.raises(InputError, match=r"exclude_units\[0\] = 'jordan-jets'"):
        parse_scenario("extends: april-2024\nexclude_owners: [jordan]\nexclude_units: [jordan-jets]\n", "v.yaml")


CATALOG = """\
threats:
  test-drone:
    name: Test drone (hypothetical)
    class: drone
    speed_kmh: {value: 180, confidence: assumption, range: [150, 200], note: test}
    altitude_m: {value: 100, confidence: assumption, range: [50, 200], note: test}
    range_km: {value: 2000, confidence: assumption, range: [1500, 2500], note: test}
    reliability: {value: 0.9, confidence: assumption, range: [0.8, 1.0], note: test}
    cep_m: {value: 10, confidence: assumption, range: [5, 20], note: test}
    warhead_kg: {value: 40, confidence: assumption, range: [30, 50], note: test}
    cost_usd: {value: 30000, confidence: assumption, range: [20000, 50000], note: test}
"""


def _catalog_scenario(tmp_path: Path) -> Path:
    d = tmp_path / "scen"
    (d / "cat").mkdir(parents=True)
    (d / "cat" / "extra.yaml").write_text(CATALOG)
    small = (Path(__file__).parents[2] / "examples" / "small-raid.yaml").read_text()
    (d / "s.yaml").write_text(small.replace("threat: shahed-136,", "threat: test-drone,") + "catalog: [cat/extra.yaml]\n")
    return d / "s.yaml"


def test_catalog_paths_are_relative_to_the_scenario_file(tmp_path, monkeypatch):
    path = _catalog_scenario(tmp_path)
    monkeypatch.chdir(tmp_path)                     # not the scenario's folder
    sc = read_scenario(path)
    assert sc.catalog == ("cat/extra.yaml",)        # kept as written: the hash does not depend on where it lies
    assert "test-drone" in scenario_catalog(sc).threats
    assert "test-drone" in scenario_catalog(sc.model_copy(update={"seed": 3})).threats
    h = scenario_sha256(sc)
    monkeypatch.chdir(path.parent)
    assert scenario_sha256(read_scenario("s.yaml")) == h


def test_a_parent_files_catalog_is_relative_to_the_parent(tmp_path, monkeypatch):
    path = _catalog_scenario(tmp_path)
    (tmp_path / "variant.yaml").write_text("extends: scen/s.yaml\nexclude_units: [dome]\n")
    monkeypatch.chdir("/")
    sc = read_scenario(tmp_path / "variant.yaml")
    assert sc.catalog == ("scen/cat/extra.yaml",) and "test-drone" in scenario_catalog(sc).threats


def test_run_from_another_directory_finds_the_catalog(tmp_path):
    """The command line, run from elsewhere: today's bug was a catalog looked up in the working directory."""
    path = _catalog_scenario(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]),
           "REDLINE_NO_STORE": "1"}
    proc = subprocess.run([sys.executable, "-m", "redline.cli.main", "run", str(path), "--trials", "50", "--json",
                           "--params", "prior"], cwd=elsewhere, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert '"test-drone"' in proc.stdout or "test-drone" in proc.stdout
