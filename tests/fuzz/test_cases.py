"""One reproducer per class of bad input that the fuzz suite found (tests/fuzz/cases/<type>-<name>.yaml).

Each file's first line says what it shows: "fixed by the reader" (a regression test: it must end
in a one-line InputError now) or "pending schema fix of <field>: <proposed fix>" (marked
``xfail(strict=True)``: today it ends in a traceback, a hang, too much memory or is accepted; once
the schema refuses it with a clear error the test passes, the strict mark turns that into a
failure, and the mark comes off). Every case runs in a forked worker under the fuzz limits (a hang
costs one 30 s alarm and never blocks the suite); the sizes in the cases that hung or exhausted
memory are chosen just above the proposed caps, so today they are accepted in seconds instead.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .mutate import Case
from .runner import run_cases
from .targets import TARGETS, warm_up

CASES = Path(__file__).with_name("cases")
FILES = sorted(CASES.glob("*.yaml"))


def _header(path: Path) -> str:
    return path.read_bytes().split(b"\n", 1)[0].decode("ascii")


def _param(path: Path):
    head = _header(path)
    if "pending schema fix of " in head:
        field = head.split("pending schema fix of ", 1)[1].split(":", 1)[0]
        return pytest.param(path, id=path.stem, marks=pytest.mark.xfail(strict=True, reason=f"schema fix pending: {field}"))
    assert "fixed by the reader" in head or "fixed by the schema of " in head, \
        f"{path.name}: first line must say 'fixed by the reader', 'fixed by the schema of FIELD' or 'pending ...'"
    return pytest.param(path, id=path.stem)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    warm_up()                                           # forked workers start with the kernels compiled


def test_every_case_names_a_type():
    assert FILES and all(p.stem.split("-", 1)[0] in TARGETS for p in FILES)


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_case_ends_in_a_clear_error(path):
    [r] = run_cases([Case(path.stem.split("-", 1)[0], path.name, path.read_bytes(), path.stem, invalid=True)], jobs=1)
    assert r["cls"] == "clear", f"{path.name}: {r['cls']} {r.get('exc', '')} {r.get('where', '')} {r.get('msg', '')}"
