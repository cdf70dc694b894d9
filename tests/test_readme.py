"""The README as a test (issue 13): every command it shows runs as written and exits 0.

What is run
-----------
* Every ``redline ...`` line of the README's shell code blocks (continuation lines joined,
  trailing ``# comments`` dropped): one block is one test, its commands run two at a time in
  one fresh folder with its own run store and user data folder (``REDLINE_STORE``,
  ``XDG_DATA_HOME``). The README's commands do not depend on each other's output, except
  those reading the ``latest`` saved run, which run after the others.
* Every inline ``redline ...`` code span of the prose, as one more test, except those in
  ``NOT_RUN`` and those that, scaled, repeat a block's command.
* The ``python`` code blocks, with ``python -c``.
* Not run: ``make demo`` and ``make test`` (they create ``.venv`` with pip and run this suite;
  CI runs them itself) and ``python scripts/screenshots.py`` (it needs Chromium); the
  ``make`` and ``python`` shell lines are checked to be exactly those, so a new one cannot
  slip by unnoticed.

Sizes are scaled down in the test only: ``--trials``, ``--paths``, ``--draws`` and friends are
replaced by small values (or appended), and the two shipped sweeps are shadowed by small copies
under their own names in the working folder (``load_sweep_spec`` reads a file of that name
first). Commands, files and options are otherwise exactly the README's.

The folder is a fresh temporary one holding copies of ``examples/`` and of the repository files
the commands name, so nothing is written into the checkout or the installed package.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import redline

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PACKAGE = Path(redline.__file__).resolve().parent

# Shell lines that are not `redline` commands, and inline commands that are not run, with why.
OTHER_SHELL_LINES = {"make demo", "make test"}
NOT_RUN = {
    "redline serve": "starts a web server that runs until stopped (tests/web cover the app)",
    "redline run": "names the command in prose (`... is what redline run uses by default`)",
    "redline validate": "names the command in prose (the benchmark table)",
    "redline diff": "names the command in prose (paired comparisons; the block above runs a diff)",
}

# (command, option) -> small value; "append" adds the option when the README line lacks it.
SCALE: dict[str, dict[str, tuple[str, bool]]] = {
    "run": {"--trials": ("200", True)},
    "report": {"--trials": ("200", False)},
    "diff": {"--trials": ("200", True)},
    "validate": {"--trials": ("200", True)},
    "scoreboard": {"--trials": ("50", True)},
    "campaign": {"--trials": ("40", True)},
    "crisis": {"--paths": ("100", True), "--draws": ("2", True)},
    "compare": {"--paths": ("100", True), "--draws": ("2", True)},
    "backtest": {"--paths": ("100", True)},
    "calibrate": {"--draws": ("20", True), "--rounds": ("2", True), "--trials": ("4", True), "--particles": ("40", True)},
    "maintain rebuild-effects": {"--trials": ("20", True)},
    "maintain fit-escalation": {"--draws": ("10", True), "--chains": ("2", True), "--iters": ("200", True),
                                "--burn": ("100", True)},
}
# The shipped sweeps, shadowed by small copies (the same parameters and outputs, fewer points and trials).
SMALL_SWEEPS = {"april-2024-pk-morris": {"trials": "10", "n": "2"}, "april-2024-pk-sobol": {"trials": "10", "n": "2"}}


def _logical_lines(block: str) -> list[str]:
    out, cur = [], ""
    for line in block.splitlines():
        cur += line.rstrip()
        if cur.endswith("\\"):
            cur = cur[:-1] + " "
            continue
        out.append(cur)
        cur = ""
    return out


def _strip_comment(line: str) -> str:
    return re.split(r"\s+#\s", " " + line + " ", maxsplit=1)[0].strip()


def readme_commands() -> tuple[dict[str, list[str]], list[str], list[str], list[str]]:
    """(shell blocks as {id: commands}, inline commands, python blocks, other shell lines)."""
    text = README.read_text(encoding="utf-8")
    blocks: dict[str, list[str]] = {}
    python: list[str] = []
    other: list[str] = []
    for i, m in enumerate(re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)):
        lang, body = m.group(1), m.group(2)
        if lang == "python":
            python.append(body)
            continue
        if lang not in ("", "sh", "bash", "console"):
            continue
        lines = [_strip_comment(line) for line in _logical_lines(body)]
        if not any(re.match(r"(redline|make|python)\b", c) for c in lines):
            continue  # not commands (the layout tree)
        cmds = [c for c in lines if re.match(r"redline\b", c)]
        other += [c for c in lines if c and c not in cmds]
        if cmds:
            blocks[f"block{i}-{cmds[0].split()[1]}"] = cmds
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    # An inline command that, once scaled, repeats one of the blocks' is run there only.
    in_blocks = {tuple(scaled(c)) for cmds in blocks.values() for c in cmds}
    inline: list[str] = []
    for span in re.findall(r"`(redline [^`]+)`", prose):
        if tuple(scaled(span)) not in in_blocks and span not in inline:
            inline.append(span)
    return blocks, inline, python, other


def scaled(cmd: str) -> list[str]:
    """The README command as argv, with sizes scaled down."""
    argv = shlex.split(cmd)
    words = [a for a in argv[1:] if not a.startswith("-")]
    key = " ".join(words[:2]) if " ".join(words[:2]) in SCALE else (words[0] if words else "")
    for opt, (value, append) in SCALE.get(key, {}).items():
        if opt in argv:
            argv[argv.index(opt) + 1] = value
        elif append:
            argv += [opt, value]
    return [sys.executable, "-m", "redline.cli.main", *argv[1:]]


def _workdir(tmp_path: Path, cmds: list[str]) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    for cmd in cmds:  # repository files a command names, copied to the same relative place
        for arg in shlex.split(cmd):
            src = ROOT / arg
            if "/" in arg and not arg.startswith("examples/") and src.is_file():
                (work / arg).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, work / arg)
    for name, small in SMALL_SWEEPS.items():
        text = (PACKAGE / "data" / "sweeps" / f"{name}.yaml").read_text(encoding="utf-8")
        text = re.sub(r"^trials: \d+", f"trials: {small['trials']}", text, flags=re.M)
        text = re.sub(r"\bn: \d+", f"n: {small['n']}", text)
        (work / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    # HOME stays: numba's compile cache may live under it (~/.cache) when the package folder is read-only.
    env.update(REDLINE_STORE=str(tmp_path / "store" / "runs.duckdb"), XDG_DATA_HOME=str(tmp_path / "xdg"),
               MPLBACKEND="Agg")
    return work, env


def _run_all(cmds: list[str], tmp_path: Path) -> Path:
    """Run the commands, two at a time, those reading the latest saved run after the others."""
    work, env = _workdir(tmp_path, cmds)

    def one(cmd: str) -> str | None:
        proc = subprocess.run(scaled(cmd), cwd=work, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode == 0:
            return None
        return f"README command failed: {cmd}\n(ran {shlex.join(scaled(cmd)[2:])})\n{proc.stderr[-3000:]}"

    later = [c for c in cmds if " latest" in c]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(one, [c for c in cmds if c not in later]) if f]
        failures += [f for f in pool.map(one, later) if f]
    assert not failures, "\n\n".join(failures)
    return work


BLOCKS, INLINE, PYTHON, OTHER = readme_commands()


def test_the_readme_shows_commands():
    assert len(BLOCKS) >= 4 and sum(map(len, BLOCKS.values())) >= 20 and PYTHON
    assert set(OTHER) == OTHER_SHELL_LINES, "a new non-redline shell line in the README: run it here or list it"
    assert {c for c in INLINE if c in NOT_RUN} == set(NOT_RUN)


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_readme_block_runs_as_written(block, tmp_path):
    cmds = BLOCKS[block]
    work = _run_all(cmds, tmp_path)
    for cmd in cmds:
        argv = shlex.split(cmd)
        if "--out" in argv:  # every file a README command writes lands where it says, outside the package
            out = (work / argv[argv.index("--out") + 1]).resolve()
            assert out.exists() and PACKAGE not in out.parents, cmd
    sweeps = {c for c in cmds if c.startswith("redline sweep april-2024-pk-sobol")}
    if len(sweeps) == 2:  # the Dask line computes its own points and gets the local processes' numbers
        local = (work / "sweeps" / "april-2024-pk-sobol" / "results.csv").read_text()
        dask = (work / "sweeps" / "sobol-dask" / "results.csv").read_text()
        assert dask == local and len(local.splitlines()) > 1


def test_readme_inline_commands_run_as_written(tmp_path):
    _run_all([c for c in INLINE if c not in NOT_RUN], tmp_path)


def test_readme_python_runs(tmp_path):
    work, env = _workdir(tmp_path, [])
    for code in PYTHON:
        code = re.sub(r"\btrials=[\d_]+", "trials=200", code)
        proc = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]


def test_version_is_the_package_version():
    proc = subprocess.run([sys.executable, "-m", "redline.cli.main", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == redline.__version__
