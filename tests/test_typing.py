"""The package type-checks (house style: type hints on the public API, mypy clean)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_is_clean():
    pytest.importorskip("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    errors = [l for l in proc.stdout.splitlines() if ": error:" in l]
    assert proc.returncode == 0 and not errors, "\n".join(errors[:20]) or proc.stderr
