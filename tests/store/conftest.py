from __future__ import annotations

import pytest

import redline


@pytest.fixture(scope="session")
def small_result():
    return redline.run("april-2024", trials=300, seed=5)


@pytest.fixture(scope="session")
def crisis_record():
    return redline.run_crisis(paths=300, seed=3, horizon_days=90, max_paths=0)   # no adaptive extension: 300 paths run


@pytest.fixture(scope="session")
def compare_record():
    return redline.compare_policies(["status-quo", "diplomacy-first"], paths=200, seed=4, horizon_days=90)


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Never write to the user's run store from tests."""
    monkeypatch.setenv("REDLINE_STORE", str(tmp_path / "store" / "runs.duckdb"))
    monkeypatch.delenv("REDLINE_NO_STORE", raising=False)   # these tests check saving itself
