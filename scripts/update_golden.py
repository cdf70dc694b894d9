"""Regenerate the golden outputs the tests compare against (run after a deliberate model change).

    python scripts/update_golden.py
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"

CASES = {
    "small-raid.json": [sys.executable, "-m", "redline.cli.main", "run", "examples/small-raid.yaml", "--json"],
    "april-2024-2000-seed1.json": [sys.executable, "-m", "redline.cli.main", "run", "april-2024", "--trials", "2000", "--seed", "1", "--json"],
}


def normalise(text: str) -> dict:
    obj = json.loads(text)
    for volatile in ("created", "elapsed_s"):           # the only manifest fields that change from run to run
        obj.get("manifest", {}).pop(volatile, None)
    return obj


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, cmd in CASES.items():
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        (GOLDEN / name).write_text(json.dumps(normalise(out), indent=2, sort_keys=True) + "\n")
        print("wrote", GOLDEN / name)
    quick = subprocess.run([sys.executable, "examples/quickstart.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (GOLDEN / "quickstart.out").write_text(quick)
    print("wrote", GOLDEN / "quickstart.out")


if __name__ == "__main__":
    main()
