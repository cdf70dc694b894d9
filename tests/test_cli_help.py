"""CLI polish (issue 15, item 8): examples in every --help, tables that never cut a number, progress on a terminal.

* Every command and command group shows ``Examples:`` in its ``--help``, and every example line
  parses against the command it names (options exist, values have the right types, arguments
  are complete), without running it.
* The table printer never cuts a number at 80 columns (or at 40): every cell of a right-aligned
  (numeric) column appears whole in the output, while long names may wrap.
* ``crisis`` and ``compare`` show progress on stderr when it is a terminal, and nothing when it
  is not or under ``--json``.
"""
from __future__ import annotations

import io
import re
import shlex

import pytest
import typer
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from redline.cli import _common
from redline.cli.main import app

ROOT = typer.main.get_command(app)


def _commands(cmd=ROOT, path=()):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = [p for p, _ in _commands() if p]
_EXAMPLE = re.compile(r"^\s*(?:[A-Z_]+=\S+\s+)?(redline\s.*?)(?:\s+\([^()]*\))?\s*$")


def _examples(cmd) -> list[str]:
    return [m.group(1) for line in (cmd.epilog or "").splitlines() if (m := _EXAMPLE.match(line))]


def _parse(argv: list[str]) -> tuple[str, ...]:
    """Parse a command line down to its command, as click would before invoking it; return the command path."""
    cmd, ctx, path = ROOT, ROOT.make_context("redline", list(argv), resilient_parsing=False), []
    while hasattr(cmd, "commands"):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            break
        name, sub, args = cmd.resolve_command(ctx, rest)
        path.append(name)
        cmd, ctx = sub, sub.make_context(name, args, parent=ctx)
    return tuple(path)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_examples_that_parse(path):
    cmd = dict(_commands())[path]
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output, f"redline {' '.join(path)} --help has no examples (add them to cli/examples.py)"
    examples = _examples(cmd)
    assert examples, f"redline {' '.join(path)}: no 'redline ...' line in its epilog"
    parsed = [_parse(shlex.split(line)[1:]) for line in examples]     # every example parses (raises if not)
    assert any(p[: len(path)] == path for p in parsed), f"no example of redline {' '.join(path)} runs it: {examples}"


def test_a_wrong_example_would_fail():
    """The parse check is real: an unknown option or a missing argument is an error."""
    with pytest.raises(Exception):
        _parse(["run", "april-2024", "--trails", "10"])
    with pytest.raises(Exception):
        _parse(["run"])
    with pytest.raises(Exception):
        _parse(["crisis", "--paths", "many"])


# ------------------------------------------------------------------------------ tables
def _table(n_rows: int = 4) -> Table:
    t = Table(title="Threats by class: mean [5%–95%]")
    t.add_column("a rather long class name column")
    for col in ("launched", "failed", "intercepted", "leaked", "impacted"):
        t.add_column(col, justify="right")
    for k in range(n_rows):
        t.add_row(f"ballistic missiles of kind {k}", *(f"{1234.5 + k:,.1f}  [{14.47 + k:,.2f}–{60.03 + k:,.2f}]"
                                                       for _ in range(5)))
    return t


def _numbers(t: Table) -> list[str]:
    return [tok for c in t.columns if c.justify == "right" for cell in c.cells for tok in str(cell).split()]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_table_never_cuts_a_number(width):
    buf = io.StringIO()
    con = Console(file=buf, width=width, color_system=None, legacy_windows=False)
    t = _table()
    _common.print_table(t, con)
    out = buf.getvalue()
    assert "…" not in out
    words = set(re.findall(r"[\[\]0-9.,–]+", out))
    for tok in _numbers(_table()):
        assert tok in words, f"{tok!r} is cut at {width} columns:\n{out}"


def test_plain_rich_would_cut_them():
    """The authority for the test above: rich alone, at 80 columns, cuts these numbers."""
    buf = io.StringIO()
    Console(file=buf, width=80, color_system=None).print(_table())
    words = set(re.findall(r"[\[\]0-9.,–]+", buf.getvalue()))
    assert any(tok not in words for tok in _numbers(_table()))


def test_table_keeps_its_layout_when_it_fits():
    buf, ref = io.StringIO(), io.StringIO()
    t = Table()
    t.add_column("x")
    t.add_column("n", justify="right")
    t.add_row("a", "1.0  [0–2]")
    _common.print_table(t, Console(file=buf, width=80, color_system=None))
    Console(file=ref, width=80, color_system=None).print(t)
    assert buf.getvalue() == ref.getvalue()


# ------------------------------------------------------------------------------ progress
@pytest.fixture
def fake_tty(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(_common, "err_console", Console(file=buf, force_terminal=True, width=80, color_system=None))
    monkeypatch.setattr(_common, "stderr_is_tty", lambda: True)
    return buf


def test_progress_shows_on_a_terminal(fake_tty):
    with _common.progress_bar(3, "compare", enabled=True) as cb:
        for k in range(1, 4):
            cb(k)
    with _common.progress_bar(None, "crisis: 100 paths", enabled=True) as cb:
        cb(0)
    out = fake_tty.getvalue()
    assert "compare" in out and "3/3" in out and "crisis: 100 paths" in out


def test_progress_is_silent_without_a_terminal_or_when_disabled(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(_common, "err_console", Console(file=buf, force_terminal=True, width=80))
    monkeypatch.setattr(_common, "stderr_is_tty", lambda: False)
    with _common.progress_bar(3, "compare") as cb:
        cb(3)
    monkeypatch.setattr(_common, "stderr_is_tty", lambda: True)
    with _common.progress_bar(3, "compare", enabled=False) as cb:
        cb(3)
    assert buf.getvalue() == ""


@pytest.mark.parametrize("args, shown", [(["compare", "--policies", "status-quo,diplomacy-first"], True),
                                         (["compare", "--policies", "status-quo,diplomacy-first", "--json"], False),
                                         (["crisis"], True), (["crisis", "--json"], False)])
def test_crisis_and_compare_report_progress(args, shown, fake_tty, tmp_path):
    r = CliRunner().invoke(app, [*args, "--paths", "100", "--draws", "2", "--no-store"],
                           env={"REDLINE_STORE": str(tmp_path / "s.duckdb")})
    assert r.exit_code == 0, r.output
    out = fake_tty.getvalue()
    assert (args[0] in out) == shown, out
    if shown and args[0] == "compare":
        assert "2/2" in out            # one step per package


def test_shared_options_read_the_same_in_every_command():
    """--engine and the thread count --workers come from one definition (cli._common), so they cannot drift apart."""
    found: dict[str, list] = {"--engine": [], "--workers": []}
    for path, cmd in _commands():
        for p in getattr(cmd, "params", []):
            if p.opts and p.opts[0] in found and (p.opts[0] != "--workers" or "Threads" in (p.help or "")):
                found[p.opts[0]].append((path, p.default, p.help, tuple(p.opts)))
    assert {path for path, *_ in found["--engine"]} >= {("run",), ("diff",)}
    assert {path for path, *_ in found["--workers"]} >= {("run",), ("diff",)}
    for opt, rows in found.items():
        assert len({tuple(r[1:]) for r in rows}) == 1, (opt, rows)


@pytest.mark.parametrize("args, message", [
    (["diff", "april-2024", "october-2024", "--trials", "0"], "--trials = 0: must be at least 1"),
    (["diff", "april-2024", "october-2024", "--engine", "warp"], "--engine = 'warp': choose fast or reference"),
    (["campaign", "twelve-day-campaign", "--days", "0"], "--days = 0: must be at least 1"),
    (["report", "april-2024", "--trials", "-3"], "--trials = -3: must be at least 1"),
    (["compare", "--paths", "0"], "--paths = 0: must be at least 1"),
    (["calibrate", "april-2024", "--draws", "0"], "--draws = 0: must be at least 1"),
])
def test_shared_checks_refuse_before_any_work(args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
