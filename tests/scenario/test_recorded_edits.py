"""Scenario edits give the same scenarios, bit for bit, as before they moved to one module.

Authority: ``recorded.json``, computed at commit 8e7c6ad by the code each caller had of its own
(escalation effects, web knobs, sweep paths, extends and exclude_owners); see ``cases.py``.
The effects table is keyed by these scenario hashes, so a change here would orphan it.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import cases

RECORDED = json.loads((Path(__file__).parent / "recorded.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("group", sorted(RECORDED))
def test_edits_match_the_recorded_scenarios(group):
    now = getattr(cases, f"{group}_cases")()
    # built-in scenarios added since the recording (issue 10) have no recorded value; every recorded one must remain
    assert set(RECORDED[group]) <= set(now)
    changed = sorted(k for k in RECORDED[group] if now[k] != RECORDED[group][k])
    assert not changed, f"{group}: edited scenarios differ from the recorded ones: {changed}"
