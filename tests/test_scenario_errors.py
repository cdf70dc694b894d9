"""Every kind of input mistake gets one line naming the file, the field, the value and the fix."""
import subprocess
import sys
from pathlib import Path

import pytest

from redline import InputError, load_scenario, read_scenario
from tests.conftest import one_layer_yaml

GOOD = one_layer_yaml()


def _write(tmp_path, text, name="bad.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


CASES = {
    "malformed-yaml": (GOOD.replace("sites:", "sites: [oops"), "line", "malformed YAML"),
    "unknown-threat": (GOOD.replace("threat: kheibar-shekan", "threat: shahab-9"), "raid[0].threat", "unknown threat type"),
    "unknown-interceptor": (GOOD.replace("type: arrow-3", "type: arrow-9"), "fire_units[0].type", "unknown interceptor type"),
    "negative-count": (GOOD.replace("count: 1,", "count: -3,"), "raid[0].count", "greater than or equal to 0"),
    # tel-aviv is a gazetteer site since issue 10: a misspelt name is unknown and the fix names the near one
    "unknown-site": (GOOD.replace("aim: {target: 1}", "aim: {tel-avivv: 1}"), "raid[0].aim.tel-avivv", "did you mean tel-aviv"),
    "out-of-range": (GOOD.replace("lat: 34.31, lon: 47.07", "lat: 35.69, lon: 59.6"), "raid[0].aim.target", "reaches at most"),
    "missing-field": (GOOD.replace("launch: launch, ", ""), "raid[0].launch", "required field is missing"),
    "unknown-field": (GOOD.replace("shoot_look_shoot:", "shoot_lok_shoot:"), "doctrine.shoot_lok_shoot", "unknown field"),
    "unknown-country": (GOOD.replace("allocation: greedy", "allocation: greedy\n  airspace: {israel: [israel, jordon]}"),
                        "doctrine.airspace.israel[1]", "unknown country"),
    "bad-latitude": (GOOD.replace("lat: 31.40", "lat: 131.40"), "sites.battery.lat", "less than or equal to 90"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_raises_one_line_naming_file_and_field(tmp_path, case):
    text, field, fix = CASES[case]
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert field in msg, msg
    assert fix in msg, msg
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("case", ["unknown-threat", "negative-count", "malformed-yaml"])
def test_cli_reports_bad_input_in_one_line_with_exit_code_2(tmp_path, case):
    path = _write(tmp_path, CASES[case][0])
    proc = subprocess.run([sys.executable, "-m", "redline.cli.main", "run", str(path), "--trials", "10"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and CASES[case][1] in lines[0]
    assert proc.stdout == ""


def test_unknown_builtin_lists_the_known_ones():
    with pytest.raises(InputError, match="april-2024"):
        load_scenario("april-2025")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_scenario(tmp_path / "nope.yaml")


def test_extends_and_exclude_owners(tmp_path):
    p = _write(tmp_path, "extends: april-2024\nname: mine\nexclude_owners: [france]\n")
    sc = read_scenario(p)
    assert sc.name == "mine"
    assert all(u.owner != "france" for u in sc.fire_units)
    assert len(sc.raid) == len(load_scenario("april-2024").raid)
