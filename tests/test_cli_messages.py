"""Error messages without artefacts (issue 13): no `<file> = None`, no pseudo-file names, no cut quotes."""
import subprocess
import sys

import pytest

from redline.errors import InputError

CLI = [sys.executable, "-m", "redline.cli.main"]


def test_a_file_error_names_the_file_and_the_fix_only():
    msg = str(InputError("my-raid.yaml", "<file>", None, "cannot read scenario file (No such file); check the path"))
    assert msg == "my-raid.yaml: cannot read scenario file (No such file); check the path"


def test_an_option_error_names_no_pseudo_file():
    assert str(InputError("<policy>", "policy", "nope", "unknown package")) == "policy = 'nope': unknown package"
    assert str(InputError("s.yaml", "raid[0].threat", "nope", "unknown")) == "s.yaml: raid[0].threat = 'nope': unknown"


@pytest.mark.parametrize("args, expected", [
    (["run", "no-such-raid.yaml", "--no-store"], "error: no-such-raid.yaml: cannot read scenario file"),
    (["run", "april-2024", "--params", "nope", "--no-store"], "error: --params = 'nope': choose default"),
    (["crisis", "--policy", "nope", "--no-store"], "error: policy = 'nope': unknown package; use one of:"),
])
def test_cli_errors_read_cleanly(args, expected, tmp_path):
    proc = subprocess.run(CLI + args, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2 and line.startswith(expected), proc.stderr
    assert "= None" not in line and "<" not in line
