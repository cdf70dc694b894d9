"""Regenerate docs/scenarios.md and the shipped JSON Schemas (src/redline/data/schemas/*.json).

    python scripts/gen_scenario_docs.py          # write both
    python scripts/gen_scenario_docs.py --check  # exit 1 if either differs from what it would write

docs/scenarios.md is docs/scenarios.in.md (prose and worked examples, written by hand) with the
field tables generated from the scenario schema (redline.scenario.reference). Tests check both.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from redline.scenario.reference import SCHEMA_KINDS, render_reference, schema_text  # noqa: E402

DOC = ROOT / "docs" / "scenarios.md"
TEMPLATE = ROOT / "docs" / "scenarios.in.md"
SCHEMAS = ROOT / "src" / "redline" / "data" / "schemas"


def outputs() -> dict[Path, str]:
    files = {DOC: render_reference(TEMPLATE.read_text(encoding="utf-8"))}
    files.update({SCHEMAS / f"{kind}.json": schema_text(kind) for kind in SCHEMA_KINDS})
    return files


def main(argv: list[str]) -> int:
    stale = []
    for path, text in outputs().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if "--check" not in argv:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for p in stale:
        print(("stale: " if "--check" in argv else "wrote ") + str(p.relative_to(ROOT)))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
