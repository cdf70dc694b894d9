"""Start-up stays light (issue 14): the commands that only list or describe never import numba.

The check is on ``sys.modules`` of a fresh interpreter, not on a clock, so it holds on a loaded
machine. Speed itself is measured by ``make bench`` (benchmarks/bench_startup.py).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from redline.scenario.io import _builtin_root, _read_title
from redline.yamlio import parse_yaml

# Runs the CLI in-process, then reports which heavy modules were imported (at exit, after the command).
_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["redline"] + sys.argv[1:]
from redline.cli.main import main
main()
"""

HEAVY = ("numba", "llvmlite", "scipy", "redline.engagement.kernel", "redline.escalation.kernel",
         "pandas", "xarray", "pyarrow", "shapely", "plotly", "arviz", "dask", "matplotlib")


def _modules_after(*args: str, env_extra: dict[str, str] | None = None, tmp_path=None) -> set[str]:
    import os

    env = dict(os.environ)
    if tmp_path is not None:
        env.update(REDLINE_STORE=str(tmp_path / "runs.duckdb"), XDG_DATA_HOME=str(tmp_path))
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    line = [l for l in proc.stderr.splitlines() if l.startswith("MODULES ")][-1]
    return set(json.loads(line[len("MODULES "):]))


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("scenarios",), ("scenarios", "--json"), ("catalog",),
                                  ("catalog", "arrow-3"), ("runs",), ("run", "--help")])
def test_listing_commands_do_not_import_numba(args, tmp_path):
    mods = _modules_after(*args, tmp_path=tmp_path)
    assert not [m for m in HEAVY if m in mods], f"redline {' '.join(args)} imported {[m for m in HEAVY if m in mods]}"


def test_import_redline_is_light():
    code = "import sys, redline; print(sorted(m for m in %r if m in sys.modules))" % (HEAVY + ("numpy", "pydantic"),)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_names_resolve_to_their_homes():
    import redline
    from redline.api import run
    from redline.scenario import load_scenario

    assert redline.run is run and redline.load_scenario is load_scenario
    assert set(redline.__all__) <= set(dir(redline))
    with pytest.raises(AttributeError):
        redline.no_such_name  # noqa: B018


def test_version_prints_the_version():
    import redline

    proc = subprocess.run([sys.executable, "-m", "redline.cli.main", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == redline.__version__, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", sorted(p.name for p in _builtin_root().iterdir() if p.name.endswith(".yaml")))
def test_header_title_equals_full_parse_for_builtins(path):
    text = (_builtin_root() / path).read_text(encoding="utf-8")
    assert _read_title(text, path) == parse_yaml(text, path)["title"]


@pytest.mark.parametrize("text", [
    "title: >-\n  folded\n  text\nname: x\n",           # folded: the value is on later lines
    "name: x\ntitle: |\n  literal\n",                  # literal block
    "# c\nname: x\nraid:\n  - a\ntitle: late\n",       # title after the first block key
    'title: "a\n  b"\n',                               # a quoted title over two lines
    "title: x # comment\nraid:\n  a: 1\n",
    "---\ntitle: d\n",                                 # document marker
    "a: {b: 1,\n  c: 2}\ntitle: t\n",                  # flow mapping over two lines
    "name: x\n",                                       # no title
    "title: 12\n",                                     # not a string
])
def test_header_title_falls_back_to_the_full_parse(text):
    assert _read_title(text, "f.yaml") == str((parse_yaml(text) or {}).get("title", ""))


def test_fast_exit_keeps_output_status_and_atexit(tmp_path):
    """`main()` skips the interpreter's teardown (issue 14) but not what a normal exit does: the whole
    output arrives, the exit status is the command's, and atexit handlers run (the probe above uses one)."""
    import os

    env = dict(os.environ, REDLINE_STORE=str(tmp_path / "runs.duckdb"), XDG_DATA_HOME=str(tmp_path))
    ok = subprocess.run([sys.executable, "-m", "redline.cli.main", "catalog", "--json"], capture_output=True, text=True,
                        timeout=120, env=env)
    assert ok.returncode == 0 and "arrow-3" in json.loads(ok.stdout)["interceptors"], ok.stderr
    bad = subprocess.run([sys.executable, "-m", "redline.cli.main", "run", "no-such-scenario"], capture_output=True,
                         text=True, timeout=120, env=env)
    assert bad.returncode == 2 and "no-such-scenario" in bad.stderr
    code = ("import atexit, sys; atexit.register(lambda: print('atexit ran')); sys.argv = ['redline', '--version']; "
            "from redline.cli.main import main; main()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0 and out.stdout.splitlines()[-1] == "atexit ran", out.stdout + out.stderr


def test_title_listing_agrees_with_full_parse_and_follows_file_changes(tmp_path, monkeypatch):
    """`redline scenarios` reads titles from headers; they are the full parse's, also after a file changes."""
    import os
    import shutil

    from redline.scenario import io as sio

    full = {p.name[:-5]: str(parse_yaml(p.read_text(encoding="utf-8"), p.name).get("title", ""))
            for p in _builtin_root().iterdir() if p.name.endswith(".yaml")}
    assert sio.builtin_scenarios() == full

    for name in ("april-2024", "lebanon-launch"):
        shutil.copy(_builtin_root() / f"{name}.yaml", tmp_path / f"{name}.yaml")
    monkeypatch.setattr(sio, "_builtin_root", lambda: tmp_path)
    assert sio.builtin_scenarios() == {k: full[k] for k in ("april-2024", "lebanon-launch")}
    path = tmp_path / "april-2024.yaml"
    text = path.read_text(encoding="utf-8")
    changed, n = re.subn(r"(?m)^title: .*$", "title: >-\n  A changed\n  title", text, count=1)
    assert n == 1
    path.write_text(changed, encoding="utf-8")                  # a folded title: the header read falls back
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))      # a later modification time, whatever the clock
    (tmp_path / "lebanon-launch.yaml").unlink()
    assert sio.builtin_scenarios() == {"april-2024": "A changed title"}


def test_maintain_warm_reaches_every_numba_entry_point():
    """`redline maintain warm` (run by `make demo`) calls each numba function that Python code calls, so
    each has compiled (or cache-loaded) code afterwards; the rest are only called from those."""
    from typer.testing import CliRunner

    from redline.cli.main import app
    from redline.engagement import compile as ecompile
    from redline.engagement import kernel as ekernel
    from redline.escalation.kernel import sampler
    from redline.warm import STAGES

    result = CliRunner().invoke(app, ["maintain", "warm", "--json"])
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.output)) == [name for name, _, _ in STAGES]
    entry_points = [ekernel.simulate_chunk, ecompile._select_opportunities, sampler.simulate_round,
                    sampler.move_logprobs, sampler.predictive, sampler.predictive_movers]
    assert [f.__name__ for f in entry_points if not f.overloads] == []
    assert all(getattr(f, "_cache", None) is not None and type(f._cache).__name__ == "FunctionCache" for f in entry_points)


def test_every_numba_function_caches_its_compiled_code():
    """Every numba function in the package is ``cache=True`` (issue 14), so no command compiles twice."""
    import importlib
    import pkgutil
    from pathlib import Path

    import redline
    from numba.core.registry import CPUDispatcher

    found, uncached = [], []
    for mod in pkgutil.walk_packages(redline.__path__, "redline."):
        spec = importlib.util.find_spec(mod.name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py") or "njit" not in Path(spec.origin).read_text():
            continue
        module = importlib.import_module(mod.name)
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == mod.name:
                found.append(f"{mod.name}.{name}")
                if type(obj._cache).__name__ != "FunctionCache":
                    uncached.append(f"{mod.name}.{name}")
    assert len(found) >= 40 and uncached == [], uncached
