"""Issue 10: gazetteer sites by name, air-launched salvos, and the theatre's built-in scenarios.

Authorities: the recorded scenario hashes (tests/test_hashing.py, taken before gazetteer sites
existed), the gazetteer file itself, great-circle distances (redline.geo.sphere) against the
catalog's aircraft radii, the drag-free flat-Earth minimum-energy flight time sqrt(2R/g) as a lower
bound, and the public flight times and clock times cited beside each case.
"""
from __future__ import annotations

import math

import pytest

import redline
from redline.errors import InputError
from redline.geo.gazetteer import gazetteer, site
from redline.geo.sphere import distance_m
from redline.scenario import builtin_scenarios, load_scenario, parse_scenario
from redline.scenario.io import resolve_sites

AS_REPORTED = ["october-2024", "isfahan-2024", "days-of-repentance-2024", "al-udeid-2025"]
HYPOTHETICAL = ["hezbollah-barrage", "houthi-eilat", "gulf-bases-raid", "gulf-energy-raid", "gulf-energy-raid-yemen"]

BASE = """
name: gaz-test
sites:
  launch: {lat: 34.31, lon: 47.07, kind: launch_area}
SITES
sensors:
  - {name: sat, type: sbirs, owner: united-states, at: {lat: 0, lon: 45}}
raid:
  - {threat: kheibar-shekan, count: 2, launch: launch, aim: AIM}
"""


def _doc(sites="", aim="{nevatim: 1}"):
    return BASE.replace("SITES", sites).replace("AIM", aim)


# ------------------------------------------------------------------ gazetteer sites by name
def test_an_unlisted_site_name_is_taken_from_the_gazetteer_undefended():
    sc = parse_scenario(_doc(), "t.yaml")
    g = site("nevatim")
    s = sc.sites["nevatim"]
    assert (s.lat, s.lon, s.kind, s.radius_km, s.value) == (g.lat, g.lon, g.kind, g.radius_km, 0.0)
    assert s.note == "gazetteer nevatim [G20] (W)"


def test_a_listed_entry_without_position_overrides_the_gazetteer():
    sc = parse_scenario(_doc("  nevatim: {value: 10, note: 'target'}"), "t.yaml")
    s = sc.sites["nevatim"]
    assert s.value == 10 and s.lat == site("nevatim").lat and s.radius_km == 3.0
    assert s.note == "gazetteer nevatim [G20] (W); target"
    # gazetteer: KEY names the entry under another scenario name, with overrides (kind, radius)
    sc = parse_scenario(_doc("  base-area: {gazetteer: nevatim, radius_km: 5, kind: point, value: 2}",
                             "{base-area: 1}"), "t.yaml")
    s = sc.sites["base-area"]
    assert (s.lat, s.lon, s.radius_km, s.kind, s.value) == (site("nevatim").lat, site("nevatim").lon, 5.0, "point", 2.0)
    # aliases resolve (hashtom-shekari is shekari-8th-air-base)
    sc = parse_scenario(_doc("  nevatim: {value: 1}\n  hashtom-shekari: {}"), "t.yaml")
    assert sc.sites["hashtom-shekari"].lat == site("shekari-8th-air-base").lat


def test_a_site_the_scenario_defines_wins_over_the_gazetteer():
    sc = parse_scenario(_doc("  nevatim: {lat: 31.0, lon: 35.2, kind: point, value: 3}"), "t.yaml")
    assert (sc.sites["nevatim"].lat, sc.sites["nevatim"].kind) == (31.0, "point")


@pytest.mark.parametrize("sites,aim,field,near", [
    ("", "{nevatm: 1}", "raid[0].aim.nevatm", "nevatim"),
    ("  nevatimm: {value: 3}", "{nevatimm: 1}", "sites.nevatimm", "nevatim"),
    ("  x: {gazetteer: ramonn}", "{x: 1}", "sites.x.gazetteer", "ramon"),
])
def test_an_unknown_name_says_which_file_and_field_and_offers_close_names(sites, aim, field, near):
    with pytest.raises(InputError) as info:
        parse_scenario(_doc(sites, aim), "theatre.yaml")
    msg = str(info.value)
    assert msg.startswith("theatre.yaml: ") and field in msg and f"did you mean {near}" in msg and "\n" not in msg


def test_every_reference_field_resolves():
    text = _doc("  nevatim: {value: 1}", "{nevatim: 1}").replace(
        "sensors:\n", "sensors:\n  - {name: r, type: green-pine, owner: israel, site: ramon}\n").replace(
        "raid:", "fire_units:\n  - {name: f, kind: fighter, type: fighter-aam, owner: israel, aircraft: 2, missiles_each: 2,"
        " patrol: {site: ovda, radius_km: 50}}\n  - {name: b, kind: battery, type: arrow-3, owner: israel, site: dimona,"
        " magazine: 4}\nraid:").replace("aim: {nevatim: 1}", "aim: {nevatim: 1}, waypoints: [ain-al-asad]")
    sc = parse_scenario(text, "t.yaml")
    assert {"ramon", "ovda", "dimona", "ain-al-asad"} <= set(sc.sites)


def test_scenarios_that_name_no_gazetteer_site_are_unchanged():
    # the effects table is keyed by scenario hash: april-2024 must dump as written, byte for byte
    # (the hash also covers catalog entries, which issue 10's catalog changes on purpose; the dump of
    # every built-in as it was before is also pinned by tests/scenario/recorded.json)
    import json

    import yaml

    from redline.scenario.io import _builtin_root
    from redline.scenario.schema import Scenario

    raw = yaml.safe_load((_builtin_root() / "april-2024.yaml").read_text(encoding="utf-8"))
    as_written = Scenario.model_validate(raw).model_dump(mode="json")
    assert json.dumps(load_scenario("april-2024").model_dump(mode="json"), sort_keys=True) == \
        json.dumps(as_written, sort_keys=True)
    doc = {"sites": {"a": {"lat": 1.0, "lon": 2.0}}, "raid": [{"launch": "a", "aim": {"a": 1}}]}
    assert resolve_sites(doc, "t.yaml") is doc


def test_new_site_kinds_follow_the_gazetteer_categories():
    sites = gazetteer().sites
    assert sites["abqaiq"].kind == "energy" and sites["natanz"].kind == "nuclear"
    assert sites["kurecik"].kind == "radar" and sites["nsa-bahrain"].kind == "naval_base"


# ------------------------------------------------------------------ air launch
AIR = """
name: air-test
sites:
  release: {lat: LAT, lon: 45.60, kind: KIND, radius_km: 10}
  target: {lat: 32.75, lon: 51.86, kind: radar, radius_km: 1, value: 1}
  hatzerim: {}
raid:
  - {threat: blue-sparrow, count: 1, launch: release, aim: {target: 1}, aircraft: AC, base: hatzerim}
doctrine: {airspace: {iran: [iran]}}
"""


def _air(lat=32.6, kind="air_launch", ac="f-15i"):
    return AIR.replace("LAT", str(lat)).replace("KIND", kind).replace("AC", ac)


def test_air_launch_within_the_aircraft_combat_radius_of_its_base():
    cat = redline.load_catalog()
    reach = cat.aircraft["f-16i"].combat_radius_km.high
    h = site("hatzerim")
    # slide the release point north along lon 45.6 to just inside, then just outside the radius
    lats = [29.0 + 0.01 * k for k in range(1000)]
    d = {lat: float(distance_m(h.lat, h.lon, lat, 45.60)) / 1e3 for lat in lats}
    inside = max(lat for lat in lats if d[lat] <= reach - 5)
    outside = min(lat for lat in lats if d[lat] > reach + 5)
    parse_scenario(_air(inside, ac="f-16i"), "air.yaml")
    with pytest.raises(InputError) as info:
        parse_scenario(_air(outside, ac="f-16i"), "air.yaml")
    msg = str(info.value)
    assert "raid[0].launch" in msg and f"{d[outside]:,.0f} km" in msg and f"{reach:,.0f} km" in msg


@pytest.mark.parametrize("text,field,fix", [
    (_air(kind="launch_area"), "raid[0].aircraft", "kind air_launch"),
    (_air(ac="f-99"), "raid[0].aircraft", "unknown aircraft type"),
    (_air().replace(", base: hatzerim", ""), "raid[0]", "both aircraft"),
])
def test_air_launch_mistakes_are_one_line_errors(text, field, fix):
    with pytest.raises(InputError) as info:
        parse_scenario(text, "air.yaml")
    assert field in str(info.value) and fix in str(info.value)


# ------------------------------------------------------------------ the built-in scenarios
def test_the_theatre_scenarios_are_listed_and_documented():
    listed = builtin_scenarios()
    for name in AS_REPORTED + HYPOTHETICAL:
        assert name in listed, name
        sc = load_scenario(name)
        assert sc.sources and sc.description.strip(), name
        assert sc.hypothetical == (name in HYPOTHETICAL), name
        assert ("HYPOTHETICAL" in sc.title) == (name in HYPOTHETICAL), name


def test_air_launched_scenarios_name_their_carriers():
    for name in ["isfahan-2024", "days-of-repentance-2024"]:
        sc = load_scenario(name)
        assert all(s.aircraft and sc.sites[s.launch].kind == "air_launch" for s in sc.raid), name
        owners = {u.owner for u in sc.fire_units} | {s.owner for s in sc.sensors}
        assert owners == {"iran"} and set(sc.doctrine.airspace) == {"iran"}


@pytest.mark.parametrize("name", AS_REPORTED + HYPOTHETICAL)
def test_every_theatre_scenario_runs(name):
    res = redline.run(load_scenario(name), trials=40, seed=1)
    by_class = res.summary()["by_class"]
    launched = sum(v["launched"]["mean"] for v in by_class.values())
    assert launched == sum(s.count for s in load_scenario(name).raid)
    engaged = sum(v["intercepted"]["mean"] for v in by_class.values())
    assert engaged > 0, f"{name}: the defence engages nothing"


def test_al_udeid_flight_times_lie_within_public_figures():
    # Lower bound: drag-free flat-Earth minimum-energy flight, t = sqrt(2R/g) (the round Earth and the
    # boost phase only lengthen it). Upper bounds: Iran to Israel, a longer flight (~1,000-1,800 km
    # [G01][A05]), takes 12-15 min [A21][A22], so a flight to Qatar must take less than 12 min; and
    # Qatar's radar saw the missiles airborne at ~19:00 [C44] with the first explosions heard at
    # 19:38-19:42 local [P10][P11], so no flight exceeds ~42 min.
    from redline.engagement.compile import compile_scenario

    sc = load_scenario("al-udeid-2025")
    comp = compile_scenario(sc, redline.load_catalog())
    target = sc.sites["al-udeid"]
    for salvo in sc.raid:
        launch = sc.sites[salvo.launch]
        r = float(distance_m(launch.lat, launch.lon, target.lat, target.lon))
        t = max(tr.flight_time_s for tr in comp.tracks if tr.threat == salvo.threat)
        assert math.sqrt(2 * r / 9.80665) <= t <= 12 * 60, (salvo.threat, r, t)
