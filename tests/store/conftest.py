from __future__ import annotations

import pytest

import redline


@pytest.fixture(scope="session")
def small_result():
    return redline.run("april-2024", trials=300, seed=5)
