"""Shared fixtures: small synthetic scenarios built in code."""
from __future__ import annotations

import numpy as np
import pytest

import redline
from redline.engagement.params import catalog_params
from redline.scenario import parse_scenario


def one_layer_yaml(n_threats=1, shots=1, sls=False, magazine=100, threat="kheibar-shekan", interceptor="arrow-3",
                   max_engagements=1, channels=50, allocation="greedy", extra_units="", window=(0, 0)):
    """A ballistic raid from Kermanshah on Nevatim against one battery near the target."""
    layer = {"arrow-3": "exo", "arrow-2": "upper_endo", "davids-sling": "middle", "iron-dome": "lower",
             "patriot-pac-3": "lower", "sm-3": "naval", "thaad": "upper_endo"}[interceptor]
    return f"""
name: test-one-layer
sites:
  launch: {{lat: 34.31, lon: 47.07, kind: launch_area}}
  target: {{lat: 31.21, lon: 35.01, kind: air_base, radius_km: 50, value: 1}}
  battery: {{lat: 31.40, lon: 35.00}}
sensors:
  - {{name: sat, type: sbirs, owner: united-states, at: {{lat: 0, lon: 45}}}}
fire_units:
  - {{name: b1, kind: battery, type: {interceptor}, owner: israel, site: battery, magazine: {magazine}, channels: {channels}, reaction_s: 0}}
{extra_units}
raid:
  - {{threat: {threat}, count: {n_threats}, launch: launch, window_min: [{window[0]}, {window[1]}], aim: {{target: 1}}}}
doctrine:
  shots: {{{layer}: {shots}}}
  shoot_look_shoot: {str(sls).lower()}
  max_engagements: {max_engagements}
  impact_prediction: []
  allocation: {allocation}
  salvos_in_flight: 1
"""


def fixed_params(scenario, pk=None, reliability=1.0, pd=1.0, cep_m=10.0):
    """Catalog parameters with the test's values for Pk, reliability, detection and CEP."""
    cat = redline.load_catalog()
    ps = catalog_params(cat)
    pk = pk or {}
    return ps.with_values(
        pk={key: [pk.get(key[0], ps.pk[key][0]) if ps.pk[key][0] > 0 else 0.0] for key in ps.pk},
        reliability={t: [reliability] for t in ps.reliability},
        pd={s: [pd] for s in ps.pd},
        cep_m={t: [cep_m] for t in ps.cep_m},
    )


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Every test writes runs to its own store, never the user's."""
    monkeypatch.setenv("REDLINE_STORE", str(tmp_path / "runs.duckdb"))


@pytest.fixture(scope="session")
def april():
    return redline.load_scenario("april-2024")


@pytest.fixture
def build():
    def _build(**kw):
        return parse_scenario(one_layer_yaml(**kw), file="<test>")
    return _build
