from __future__ import annotations

import pytest

import redline

from ._browser import launched_browser


@pytest.fixture(scope="session")
def browser():
    with launched_browser() as b:
        yield b


@pytest.fixture(scope="session")
def april_result():
    return redline.run("april-2024", trials=400, seed=11)


@pytest.fixture(scope="session")
def crisis_record():
    return redline.run_crisis(paths=400, seed=3, horizon_days=120)


@pytest.fixture(scope="session")
def compare_record():
    return redline.compare_policies(["status-quo", "diplomacy-first"], paths=300, seed=1, horizon_days=120)


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Never write to the user's run store from tests."""
    monkeypatch.setenv("REDLINE_STORE", str(tmp_path / "store" / "runs.duckdb"))
    monkeypatch.delenv("REDLINE_NO_STORE", raising=False)   # these tests check saving itself
