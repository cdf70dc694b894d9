"""The kernel's opportunity index and lazy greedy against the plain scan.

The fast kernel visits only threats waiting in the bucket of their next open
opportunity and picks salvos from a heap; the reference engine scans every
opportunity of every group and rescans every candidate after each commit
(:func:`redline.engagement.allocation.greedy`). Drawing in the same order,
the two must agree draw for draw on any scenario: so the indexed candidate
set and the heap's choices equal the brute-force ones.
"""
import glob
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import redline
from redline.engagement.compile import compile_scenario
from redline.engagement.params import catalog_params
from redline.scenario import parse_scenario
from redline.scenario.io import scenario_catalog
from tests.conftest import fixed_params

LAYER = {"arrow-3": "exo", "arrow-2": "upper_endo", "davids-sling": "middle"}
SCENARIOS = sorted(Path(p).stem for p in glob.glob(str(Path(redline.__file__).parent / "data/scenarios/*.yaml")))


def _layered_yaml(n, window, units, shots, sls, max_eng, inflight, predict):
    lines = "\n".join(
        f"  - {{name: u{k}, kind: battery, type: {t}, owner: israel, site: battery, magazine: {mag}, "
        f"channels: {ch}, reaction_s: {react}}}" for k, (t, mag, ch, react) in enumerate(units))
    layers = {LAYER[t] for t, *_ in units}
    return f"""
name: index-check
sites:
  launch: {{lat: 34.31, lon: 47.07, kind: launch_area}}
  target: {{lat: 31.21, lon: 35.01, kind: air_base, radius_km: 20, value: 3}}
  other: {{lat: 31.25, lon: 34.79, kind: city, radius_km: 10, value: 1}}
  battery: {{lat: 31.40, lon: 35.00}}
sensors:
  - {{name: sat, type: sbirs, owner: united-states, at: {{lat: 0, lon: 45}}}}
fire_units:
{lines}
raid:
  - {{threat: kheibar-shekan, count: {n}, launch: launch, window_min: [0, {window}], aim: {{target: 2, other: 1}}}}
doctrine:
  shots: {{{", ".join(f"{ly}: {shots}" for ly in sorted(layers))}}}
  shoot_look_shoot: {str(sls).lower()}
  max_engagements: {max_eng}
  impact_prediction: [{"ballistic" if predict else ""}]
  allocation: greedy
  salvos_in_flight: {inflight}
"""


def _same(a, b):
    for field in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "killer", "t_end", "impact_dx"):
        np.testing.assert_array_equal(getattr(a.raw, field), getattr(b.raw, field), err_msg=field)


unit = st.tuples(st.sampled_from(sorted(LAYER)), st.integers(0, 12), st.integers(1, 4), st.sampled_from([0, 20, 60]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 14), window=st.integers(0, 4), units=st.lists(unit, min_size=1, max_size=4),
       shots=st.integers(1, 3), sls=st.booleans(), max_eng=st.integers(1, 3), inflight=st.integers(1, 3),
       predict=st.booleans(), pk=st.floats(0.0, 1.0), rel=st.floats(0.5, 1.0), pd=st.floats(0.3, 1.0),
       seed=st.integers(0, 2**31))
def test_indexed_kernel_equals_the_plain_scan(n, window, units, shots, sls, max_eng, inflight, predict, pk, rel, pd, seed):
    sc = parse_scenario(_layered_yaml(n, window, units, shots, sls, max_eng, inflight, predict), "<hyp>")
    ps = fixed_params(sc, pk={"arrow-3": pk, "arrow-2": 1.0 - pk / 2, "davids-sling": pk / 2}, reliability=rel,
                      pd=pd, cep_m=8000.0)
    fast = redline.run(sc, trials=24, seed=seed, params=ps)
    ref = redline.run(sc, trials=24, seed=seed, params=ps, engine="reference")
    _same(fast, ref)


def test_simultaneous_raid_with_ties_equals_the_plain_scan():
    # 60 identical missiles at once against three layers: large groups, all gains tied.
    units = [("arrow-3", 30, 40, 0), ("arrow-2", 20, 40, 0), ("davids-sling", 40, 40, 0)]
    sc = parse_scenario(_layered_yaml(60, 0, units, 2, False, 1, 1, False), "<ties>")
    ps = fixed_params(sc, pk={"arrow-3": 0.82, "arrow-2": 0.87, "davids-sling": 0.92})
    _same(redline.run(sc, trials=30, seed=5, params=ps), redline.run(sc, trials=30, seed=5, params=ps, engine="reference"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_threat_index_is_the_event_list_by_threat_in_event_order(name):
    sc = redline.load_scenario(name)
    cat = scenario_catalog(sc)
    c = compile_scenario(sc, cat, catalog_params(cat))
    assert c.thr_ptr[0] == 0 and c.thr_ptr[-1] == c.ev_L.size and np.all(np.diff(c.thr_ptr) >= 0)
    e = c.tev_e.astype(np.int64)
    assert np.array_equal(np.sort(e), np.arange(c.ev_L.size))              # a permutation of the events
    group = np.repeat(np.arange(c.grp_ptr.size - 1), np.diff(c.grp_ptr))
    for a, b in ((c.tev_unit, c.ev_unit[e]), (c.tev_pair, c.ev_pair[e]), (c.tev_L, c.ev_L[e]),
                 (c.tev_t, c.ev_t[e]), (c.tev_g, group[e])):
        assert np.array_equal(a, b)
    for i in range(c.n_threats):
        s = slice(c.thr_ptr[i], c.thr_ptr[i + 1])
        assert np.all(c.ev_threat[e[s]] == i)
        assert np.all(np.diff(e[s]) > 0)                   # event order, so ties break as in the scan
        assert np.all(np.diff(c.tev_L[s]) >= 0)            # decision times never decrease along a cursor
