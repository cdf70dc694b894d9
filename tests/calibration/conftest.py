"""Fixtures for the calibration tests: a small synthetic world whose truth we choose."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from redline.calibration.events import read_events

# Ballistic missiles from Kermanshah at a wide target defended by one Arrow 3 battery, seen by
# SBIRS. Its uncertain parameters: ballistic reliability, Arrow 3 Pk, SBIRS detection, CEP.
TOY_SCENARIO = """
name: toy-ballistic
sites:
  launch: {lat: 34.31, lon: 47.07, kind: launch_area}
  target: {lat: 31.21, lon: 35.01, kind: air_base, radius_km: 40, value: 1}
  battery: {lat: 31.40, lon: 35.00}
sensors:
  - {name: sat, type: sbirs, owner: united-states, at: {lat: 0, lon: 45}}
fire_units:
  - {name: b1, kind: battery, type: arrow-3, owner: israel, site: battery, magazine: 400, channels: 200, reaction_s: 0}
raid:
  - {threat: kheibar-shekan, count: 150, launch: launch, window_min: [0, 2], aim: {target: 1}}
doctrine:
  shots: {exo: 1}
  shoot_look_shoot: false
  max_engagements: 1
  impact_prediction: []
  allocation: greedy
  salvos_in_flight: 1
trials: 1000
seed: 11
"""

TOY_METRICS = ("by_class.ballistic.failed", "by_class.ballistic.intercepted", "by_class.ballistic.leaked",
               "interceptors_used.arrow-3")


def event_yaml(values: dict[str, float], scenario: str = "toy.yaml", name: str = "toy event",
               sd: float | None = None) -> str:
    lines = [f"name: {name}", f"scenario: {scenario}", "observations:"]
    for k, v in values.items():
        lines += [f"  - metric: {k}", f"    value: {v}"]
        if sd is not None:
            lines += [f"    sd: {sd}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def toy_dir(tmp_path: Path) -> Path:
    (tmp_path / "toy.yaml").write_text(TOY_SCENARIO, encoding="utf-8")
    return tmp_path


@pytest.fixture
def write_event(toy_dir):
    def _write(values: dict[str, float], fname: str = "event.yaml", **kw):
        p = toy_dir / fname
        p.write_text(event_yaml(values, **kw), encoding="utf-8")
        return read_events(p)
    return _write


def rounded_means(raw, samplers) -> dict:
    return {k: float(np.round(f(raw).mean())) for k, f in samplers.items()}
