"""Write the measured rolling-origin scoreboard into the docs, between markers.

    python scripts/scoreboard_table.py              # runs `redline scoreboard --json` from the shipped fits
    python scripts/scoreboard_table.py board.json   # or takes a board saved from it
    python scripts/scoreboard_table.py --check      # exit 1 if the docs' tables differ from a fresh board

The summary table (one row per origin) replaces the text between
``<!-- scoreboard:summary:begin -->`` and ``<!-- scoreboard:summary:end -->`` in README.md and
docs/calibration.md; the per-observation table (where each forecaster wins) replaces
``<!-- scoreboard:rows:begin -->`` ... ``<!-- scoreboard:rows:end -->`` in docs/calibration.md.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {"summary": [ROOT / "README.md", ROOT / "docs" / "calibration.md"], "rows": [ROOT / "docs" / "calibration.md"]}


def _f(x, nd=2):
    return "–" if x is None else f"{x:,.{nd}f}"


def _pct(x):
    return "–" if x is None else f"{x:.0%}"


def summary_table(board: dict) -> str:
    s = board["settings"]
    lines = [
        "| origin | scored (fitted) | mean CRPS: model | constant-rate | catalog prior | model ≤ constant-rate? | "
        "the same where the constant-rate forecaster has data (n): model / constant-rate | "
        "90 % coverage: model | constant-rate | prior |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def ok(a, b):
        return "–" if a is None or b is None else ("yes" if a <= b else "**no**")

    for o in board["origins"]:
        m, c, p = o["model"], o["reference"]["constant_rate"], o["reference"]["prior"]
        lines.append(f"| {o['origin']} | {o['n_observations']} ({o['n_fitted']}) | {_f(m['mean_crps'])} | "
                     f"{_f(c['mean_crps'])} | {_f(p['mean_crps'])} | {ok(m['mean_crps'], c['mean_crps'])} | "
                     f"({o['n_informed']}) {_f(m['mean_crps_informed'])} / {_f(c['mean_crps_informed'])}: "
                     f"{ok(m['mean_crps_informed'], c['mean_crps_informed'])} | {_pct(m['coverage'])} | "
                     f"{_pct(c['coverage'])} | {_pct(p['coverage'])} |")
    lines.append("")
    lines.append(f"`redline scoreboard --json` ({s['trials']:,} trials per event and forecaster, seed {s['seed']}; "
                 f"fits by `{s['fitter']}`, seed {s['fit_seed']}). Scored: observations on or after the origin, "
                 "not inputs; fitted: those before it.")
    return "\n".join(lines)


def rows_table(board: dict) -> str:
    lines = ["| origin | event | metric | observed | model mean [5–95 %] | CRPS model / constant-rate / prior |",
             "|---|---|---|---|---|---|"]
    for o in board["origins"]:
        for r in o["observations"]:
            m, c, p = r["model"], r["constant_rate"], r["prior"]
            best = min(m["crps"], c["crps"], p["crps"])
            cr = " / ".join(f"**{_f(v)}**" if v == best else _f(v) for v in (m["crps"], c["crps"], p["crps"]))
            obs = _f(r["observed"], 0) + (f" [{_f(r['range'][0], 0)}–{_f(r['range'][1], 0)}]" if r.get("range") else "")
            night = f" ({r['night']})" if r.get("night") else ""
            lines.append(f"| {o['origin']} | {r['event']}{night} | `{r['metric']}` | {obs} | "
                         f"{_f(m['mean'], 1)} [{_f(m['p05'], 0)}–{_f(m['p95'], 0)}] | {cr} |")
    return "\n".join(lines)


def replace_between(text: str, name: str, body: str) -> str:
    pat = re.compile(rf"(<!-- scoreboard:{name}:begin -->\n).*?(\n<!-- scoreboard:{name}:end -->)", re.S)
    if not pat.search(text):
        raise SystemExit(f"markers <!-- scoreboard:{name}:begin/end --> not found")
    return pat.sub(lambda m: m.group(1) + body + m.group(2), text)


def board_from_cli() -> dict:
    out = subprocess.run([sys.executable, "-m", "redline.cli.main", "scoreboard", "--json"], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    board = json.loads(Path(args[0]).read_text(encoding="utf-8")) if args else board_from_cli()
    tables = {"summary": summary_table(board), "rows": rows_table(board)}
    stale = []
    for name, files in FILES.items():
        for f in files:
            text = f.read_text(encoding="utf-8")
            new = replace_between(text, name, tables[name])
            if new != text:
                stale.append(f"{f.relative_to(ROOT)} ({name})")
                if not check:
                    f.write_text(new, encoding="utf-8")
    if check and stale:
        print("scoreboard tables differ from a fresh board: " + ", ".join(stale))
        return 1
    print("updated: " + (", ".join(stale) or "nothing (already current)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
