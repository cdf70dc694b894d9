"""Examples run as written and reproduce their golden outputs (regenerate with scripts/update_golden.py)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from update_golden import CASES, GOLDEN, ROOT, normalise  # noqa: E402


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_matches_golden(name):
    out = subprocess.run(CASES[name], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert normalise(out) == json.loads((GOLDEN / name).read_text())


def test_quickstart_example_matches_golden():
    out = subprocess.run([sys.executable, "examples/quickstart.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out == (GOLDEN / "quickstart.out").read_text()
