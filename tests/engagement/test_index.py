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


# --- the pair index (engagement/index.py) on mixed raids: many fire units, fighters whose on-station
# window ends mid-raid, magazines running dry or held at a reserve, drones beside missiles

def _mixed_yaml(n_bm, n_drones, batteries, fighters, reserve, inflight, max_eng, sls):
    lines = [f"  - {{name: b{k}, kind: battery, type: {t}, owner: israel, site: battery{k % 2}, magazine: {mag}, "
             f"channels: {ch}, reaction_s: {react}}}" for k, (t, mag, ch, react) in enumerate(batteries)]
    lines += [f"  - {{name: f{k}, kind: fighter, type: fighter-aam, owner: israel, aircraft: {ac}, missiles_each: 2, "
              f"channels: {ac}, patrol: {{site: cap, radius_km: 80, on_station_min: [{on}, {on + dur}]}}}}"
              for k, (ac, on, dur) in enumerate(fighters)]
    layers = sorted({LAYER[t] for t, *_ in batteries} | ({"air_to_air"} if fighters else set()))
    raid = [f"  - {{threat: kheibar-shekan, count: {n_bm}, launch: launch, window_min: [30, 40], aim: {{target: 2, other: 1}}}}"]
    if n_drones:
        raid.append(f"  - {{threat: shahed-136, count: {n_drones}, launch: launch, window_min: [0, 20], aim: {{target: 1}}}}")
    return f"""
name: mixed-index-check
sites:
  launch: {{lat: 34.31, lon: 47.07, kind: launch_area}}
  target: {{lat: 31.21, lon: 35.01, kind: air_base, radius_km: 20, value: 3}}
  other: {{lat: 31.25, lon: 34.79, kind: city, radius_km: 10, value: 1}}
  battery0: {{lat: 31.40, lon: 35.00}}
  battery1: {{lat: 31.80, lon: 35.20}}
  cap: {{lat: 32.3, lon: 36.6}}
sensors:
  - {{name: sat, type: sbirs, owner: united-states, at: {{lat: 0, lon: 45}}}}
  - {{name: radar, type: elm-2084, owner: israel, at: {{lat: 31.5, lon: 35.0}}}}
  - {{name: aew, type: aew, owner: israel, at: {{lat: 32.6, lon: 38.5}}}}
fire_units:
{chr(10).join(lines)}
raid:
{chr(10).join(raid)}
doctrine:
  shots: {{{", ".join(f"{ly}: 1" if ly == "air_to_air" else f"{ly}: 2" for ly in layers)}}}
  shoot_look_shoot: {str(sls).lower()}
  max_engagements: {max_eng}
  reserve: {{{", ".join(f"{t}: {reserve}" for t in sorted({t for t, *_ in batteries}))}}}
  impact_prediction: [ballistic]
  allocation: greedy
  salvos_in_flight: {inflight}
"""


battery = st.tuples(st.sampled_from(sorted(LAYER)), st.integers(0, 10), st.integers(1, 3), st.sampled_from([0, 30]))
fighter = st.tuples(st.integers(1, 4), st.sampled_from([0, 60, 300]), st.sampled_from([30, 120, 2000]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_bm=st.integers(1, 10), n_drones=st.integers(0, 8), batteries=st.lists(battery, min_size=1, max_size=7),
       fighters=st.lists(fighter, max_size=3), reserve=st.sampled_from([0.0, 0.3]), inflight=st.integers(1, 2),
       max_eng=st.integers(1, 3), sls=st.booleans(), pk=st.floats(0.2, 1.0), seed=st.integers(0, 2**31))
def test_pair_index_equals_the_plain_scan_on_mixed_raids(n_bm, n_drones, batteries, fighters, reserve, inflight,
                                                          max_eng, sls, pk, seed):
    sc = parse_scenario(_mixed_yaml(n_bm, n_drones, batteries, fighters, reserve, inflight, max_eng, sls), "<mixed>")
    ps = fixed_params(sc, pk={"arrow-3": pk, "arrow-2": 1.0 - pk / 2, "davids-sling": pk / 2, "fighter-aam": pk},
                      reliability=0.9, pd=0.9, cep_m=8000.0)
    _same(redline.run(sc, trials=16, seed=seed, params=ps),
          redline.run(sc, trials=16, seed=seed, params=ps, engine="reference"))


@pytest.mark.parametrize("name", ["april-2024", "houthi-eilat"])
def test_pair_index_is_the_event_list_by_pair_in_event_order(name):
    from redline.engagement.index import pair_index
    sc = redline.load_scenario(name)
    cat = scenario_catalog(sc)
    c = compile_scenario(sc, cat, catalog_params(cat))
    ix = pair_index(c)
    ev = ix.pev                                                             # the records the kernel reads
    e = ev["e"].astype(np.int64)
    assert np.array_equal(np.sort(e), np.arange(c.ev_L.size))               # a permutation of the events
    group = np.repeat(np.arange(c.grp_ptr.size - 1), np.diff(c.grp_ptr))
    assert np.array_equal(ev["g"], group[e]) and np.array_equal(ev["L"], c.ev_L[e])
    assert np.array_equal(ev["t"], c.ev_t[e]) and np.array_equal(ev["air"], c.ev_air[e])
    assert np.array_equal(ev["gs"], c.grp_time[group[e]])
    tpos = np.empty(e.size, np.int64)                                       # each event's place in the threat index
    tpos[c.tev_e] = np.arange(e.size)
    tp = tpos[e]
    assert np.array_equal(ev["r0"], c.tev_riv_ptr[tp]) and np.array_equal(ev["r1"], c.tev_riv_ptr[tp + 1])
    assert np.array_equal(ev["after"], c.tev_after[tp])                     # the look-ahead's rivals, inlined
    assert np.array_equal(ix.tev["unit"], c.tev_unit) and np.array_equal(ix.tev["L"], c.tev_L)
    assert np.array_equal(ix.pr_pair[ix.tev["pair"]], c.tev_pair)
    assert np.array_equal(ix.riv["unit"], c.tev_unit[c.tev_riv]) and np.array_equal(ix.riv["L"], c.tev_L[c.tev_riv])
    assert np.array_equal(ix.pr_pair[ix.riv["pair"]], c.tev_pair[c.tev_riv])
    for q in range(c.n_pairs):
        s = slice(ix.pr_ptr[q], ix.pr_ptr[q + 1])
        assert s.stop > s.start and np.all(np.diff(e[s]) > 0)               # event order within the pair
        assert np.all(c.ev_pair[e[s]] == ix.pr_pair[q]) and np.all(c.ev_threat[e[s]] == ix.pr_thr[q])
        assert np.all(c.ev_unit[e[s]] == ix.pr_unit[q])
    assert np.array_equal(np.sort(ix.pr_pair), np.arange(c.n_pairs))        # a renumbering of the pairs
    first = ix.pr_ptr[:-1]                                                  # pairs in join order
    assert np.all(np.diff(e[first]) > 0) and np.array_equal(ix.sf_L, ev["L"][first])
    assert np.all(np.diff(ev["g"][first].astype(np.int64)) >= 0)
    assert np.array_equal(np.diff(ix.sf_ptr), np.bincount(ev["g"][first], minlength=c.grp_ptr.size - 1))
