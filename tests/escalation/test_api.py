"""The curated public surface of redline.escalation."""
from __future__ import annotations

import redline.escalation as esc


def test_all_names_exist():
    for name in esc.__all__:
        assert hasattr(esc, name), name
    assert {"run_crisis", "compare_policies", "backtest", "load_game", "enumerate_game"} <= set(esc.__all__)
