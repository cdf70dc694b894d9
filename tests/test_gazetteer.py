"""The shipped gazetteer against its authorities.

Authorities: the shipped Natural Earth 1:50m outlines (each point in its stated country),
the built-in scenarios (same name, same place), pyproj's WGS84 geodesics (Karney 2013)
for distances, and the public distance figures quoted beside each case with its source key.
"""
import re
from pathlib import Path

import pytest
import yaml
from pyproj import Geod
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from redline.errors import InputError
from redline.geo.countries import boundaries_geojson, country_at
from redline.geo.gazetteer import (
    GAZETTEER_FILE, ISO_ALPHA3_TO_NUMERIC, country_slug, gazetteer, parse_gazetteer, site, site_names,
    to_scenario_site,
)
from redline.geo.sphere import distance_m
from redline.scenario import Site, builtin_scenarios, load_scenario

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "redline" / "data" / "gazetteer" / "sites.yaml"
SITES = gazetteer().sites
COASTAL_ALLOWANCE_KM = 30.0

# Reference points that are not gazetteer entries: GeoNames populated places [G21], by geonameid.
GEONAMES = {
    "doha": (25.28545, 51.53096),        # 290030
    "qom": (34.6401, 50.8764),           # 119208
    "bushehr": (28.96887, 50.83657),     # 139817
    "natanz-town": (33.51118, 51.91808),  # 122491
    "dhahran": (26.28864, 50.11396),     # 107797
}


def _where(name):
    if name in SITES:
        return SITES[name].lat, SITES[name].lon
    return GEONAMES[name]


def _inverse(a, b):
    """Geodesic distance [km] and initial bearing [deg, 0..360) from a to b."""
    (la1, lo1), (la2, lo2) = _where(a), _where(b)
    az, _, d = GEOD.inv(lo1, la1, lo2, la2)
    return d / 1e3, az % 360.0


# ---------------------------------------------------------------- the file itself

class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping key given twice (PyYAML keeps the last silently)."""


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    if doubled:
        raise AssertionError(f"{DATA.name} line {node.start_mark.line + 1}: keys given twice: {doubled}")
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def test_keys_are_unique_in_the_file_and_across_aliases():
    raw = yaml.load(DATA.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    assert set(raw["sites"]) == set(SITES)
    names = [n for key, s in SITES.items() for n in (key, *s.aliases)]
    assert len(names) == len(set(names))
    assert len(SITES) >= 45


def test_site_names_are_sorted_keys():
    assert site_names() == tuple(sorted(SITES))


def _docs_source_keys():
    return set(re.findall(r"\[([A-Z]\d{2})\]", (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")))


def test_every_entry_cites_a_defined_source():
    header = {s.key for s in gazetteer().sources}
    known = header | _docs_source_keys()
    for key, s in SITES.items():
        assert s.source_keys, key
        assert set(s.source_keys) <= known, (key, set(s.source_keys) - known)
        # a position's own sources must be in the gazetteer's header, with their URL
        assert set(s.coords_from) <= header, key


def test_every_source_is_from_the_calibration_window_and_says_its_date():
    g = gazetteer()
    assert g.window_end == "2025-06-24"
    for s in g.sources:
        assert s.url.startswith(("http://", "https://")), s.key
        if s.published is None:
            assert s.date_note, s.key
        else:
            assert s.published[:10] <= "2025-06-24"[:len(s.published)], s.key


def test_every_radius_has_a_source_or_is_an_assumption():
    header = {s.key for s in gazetteer().sources}
    for key, s in SITES.items():
        cited = set(re.findall(r"\[([A-Z]\d{2})\]", s.radius_note))
        assert s.radius_note.startswith("ASSUMPTION") or (cited and cited <= header), key
        assert s.radius_m == pytest.approx(s.radius_km * 1e3)


def test_assumed_positions_say_so_and_others_name_their_source():
    for key, s in SITES.items():
        if s.confidence == "assumption":
            assert s.note.startswith("ASSUMPTION"), key
        else:
            assert s.coords_from, key


def test_kind_follows_category():
    direct = {"air_base": "air_base", "city_area": "city", "launch_area": "launch_area", "energy": "energy",
              "nuclear": "nuclear", "radar": "radar", "naval_base": "naval_base"}
    for key, s in SITES.items():
        assert s.kind == direct.get(s.category, "point"), key


def test_the_issue_s_named_sites_are_present():
    # Issue 10, item 2: the sites a theatre scenario must be able to name.
    wanted = {"tel-aviv", "haifa", "glilot", "tel-nof", "nevatim", "ramon", "hatzerim", "dimona", "eilat",
              "beersheba", "al-udeid", "al-dhafra", "ain-al-asad", "erbil-air-base", "tower-22", "abqaiq",
              "isfahan", "natanz", "fordow", "parchin", "shekari-8th-air-base", "kermanshah", "tabriz", "shiraz",
              "hodeidah", "sanaa", "south-lebanon"}
    assert wanted <= set(SITES)


# ---------------------------------------------------------------- authority: country outlines

def _outline(slug):
    for f in boundaries_geojson()["features"]:
        if f["properties"]["key"] == slug:
            return shape(f["geometry"])
    raise AssertionError(f"no outline {slug}")


def test_iso_codes_name_shipped_outlines():
    numeric = {f["properties"]["iso_n3"] for f in boundaries_geojson()["features"]}
    assert set(ISO_ALPHA3_TO_NUMERIC.values()) <= numeric
    assert country_slug("ISR") == "israel" and country_slug("ARE") == "united-arab-emirates"
    with pytest.raises(InputError):
        country_slug("FRA")


@pytest.mark.parametrize("key", sorted(SITES))
def test_point_lies_in_its_country(key):
    s = SITES[key]
    slug = country_slug(s.country)
    found = country_at(s.lat, s.lon)
    if found == slug:
        return
    # Off the generalised 1:50m coast: allowed only for entries marked coastal, and only
    # when the point is in no other country's outline and within 30 km of its own.
    assert s.coastal and found is None, f"{key}: stated {slug}, outlines give {found}"
    near, _ = nearest_points(_outline(slug), Point(s.lon, s.lat))
    _, _, gap_m = GEOD.inv(s.lon, s.lat, near.x, near.y)
    assert gap_m / 1e3 <= COASTAL_ALLOWANCE_KM, f"{key} is {gap_m / 1e3:.1f} km off {slug}"


# ---------------------------------------------------------------- authority: the built-in scenarios

def test_built_in_scenario_sites_of_the_same_name_agree_within_5_km():
    names = gazetteer().names
    matched = set()
    for scenario_name in builtin_scenarios():
        for name, s in load_scenario(scenario_name).sites.items():
            if name in names:
                g = SITES[names[name]]
                _, _, d = GEOD.inv(s.lon, s.lat, g.lon, g.lat)
                assert d <= 5e3, f"{scenario_name}: {name} is {d / 1e3:.1f} km from the gazetteer's"
                matched.add(name)
    assert {"kermanshah", "shiraz", "hodeidah", "western-iraq", "nevatim", "ramon", "erbil",
            "south-lebanon"} <= matched


# ---------------------------------------------------------------- authority: public distances

@pytest.mark.parametrize("a,b,lo_km,hi_km,bearing,figure", [
    # Al Udeid "about 20 miles (30 km) south-west of Doha" (AP 2022) [G37]
    ("doha", "al-udeid", 25, 35, (200, 250), "30 km SW [G37]"),
    # Fordow "20 miles (32 km) north-east of Qom" [G23]
    ("qom", "fordow", 24, 40, (0, 90), "32 km NE [G23]"),
    # Natanz facility "some 33 km NNW from the town" [G22]
    ("natanz-town", "natanz", 25, 40, (290, 360), "33 km NNW [G22]"),
    # Bushehr plant "17 kilometres south-east of the city of Bushehr" [G26]
    ("bushehr", "bushehr-npp", 14, 20, (90, 180), "17 km SE [G26]"),
    # Abqaiq "60 km south-west of the Dhahran-Dammam-Khobar metropolitan area" [G31]
    ("dhahran", "abqaiq", 50, 70, (200, 250), "60 km SW [G31]"),
    # Parchin "about 30 kilometres south-east of Tehran" [G24] (from the city's GeoNames centre)
    ("tehran", "parchin", 25, 40, (90, 180), "30 km SE [G24]"),
    # Tower 22 "20 kilometers from the Al-Tanf garrison" [G36]; Tanf lies north of it
    ("tower-22", "al-tanf", 15, 26, (300, 360), "20 km [G36]"),
    # Nevatim "~15 km ESE of Beersheba" [A26][G07]; measured from the city's centre it is farther
    ("beersheba", "nevatim", 12, 25, (80, 120), "~15 km ESE [A26][G07]"),
])
def test_relative_positions_match_public_figures(a, b, lo_km, hi_km, bearing, figure):
    d, az = _inverse(a, b)
    assert lo_km <= d <= hi_km, f"{a}->{b}: {d:.1f} km, public figure {figure}"
    assert bearing[0] <= az <= bearing[1], f"{a}->{b}: bearing {az:.0f} deg, public figure {figure}"


def test_long_ranges_match_public_figures():
    # Tehran-Tel Aviv "~1,600 km" [G09] (blog; corroborated by the geodesy test).
    assert 1500 <= _inverse("tehran", "tel-aviv")[0] <= 1650
    # Yemen to central Israel "~2,000 km" (Army Radio) [W21].
    assert 1900 <= _inverse("hodeidah", "tel-aviv")[0] <= 2100
    # April 2024 launch distances "~1,800 km" for southern Iran (WSJ) [A05].
    assert 1600 <= _inverse("shiraz", "nevatim")[0] <= 1900
    # Nearest point of Iran to Tel Aviv ~1,000 km [G01]: no Iranian launch area is nearer.
    for key, s in SITES.items():
        if s.country == "IRN" and s.category == "launch_area":
            assert _inverse(key, "tel-aviv")[0] >= 1000, key


@pytest.mark.parametrize("a,b", [("kermanshah", "nevatim"), ("tabriz", "haifa"), ("sanaa", "eilat"),
                                 ("al-udeid", "fordow")])
def test_project_distance_agrees_with_wgs84(a, b):
    (la1, lo1), (la2, lo2) = _where(a), _where(b)
    _, _, d = GEOD.inv(lo1, la1, lo2, la2)
    assert float(distance_m(la1, lo1, la2, lo2)) == pytest.approx(d, rel=5e-3)


# ---------------------------------------------------------------- the loader's API

def test_unknown_name_lists_close_matches():
    with pytest.raises(InputError) as err:
        site("nevatin")
    assert err.value.file == GAZETTEER_FILE and err.value.field == "site" and err.value.value == "nevatin"
    assert "nevatim" in str(err.value)
    with pytest.raises(InputError, match="al-udeid"):
        site("udeid")
    with pytest.raises(InputError, match="no name is close"):
        site("zzqx")


def test_names_are_normalised_and_aliases_resolve():
    assert site("Ain al Asad") is SITES["ain-al-asad"]
    assert site("AL_UDEID") is SITES["al-udeid"]
    assert site("southern-lebanon") is SITES["south-lebanon"]
    assert site("hashtom-shekari") is SITES["shekari-8th-air-base"]


def test_to_scenario_site_builds_the_scenario_model():
    s = to_scenario_site("nevatim", value=10)
    assert isinstance(s, Site)
    assert (s.lat, s.lon, s.kind, s.radius_km, s.value) == (SITES["nevatim"].lat, SITES["nevatim"].lon,
                                                           "air_base", SITES["nevatim"].radius_km, 10.0)
    assert s.note == "gazetteer nevatim [G20] (W)"
    assert to_scenario_site("south-lebanon", radius_km=5).radius_km == 5
    assert "ASSUMPTION" in to_scenario_site("western-iraq").note


def test_gazetteer_is_cached_and_frozen():
    assert gazetteer() is gazetteer()
    with pytest.raises(Exception):
        SITES["nevatim"].lat = 0.0


_MINIMAL = """
version: 1
window_end: 2025-06-24
sources:
  - {key: G90, url: "https://example.org/a", outlet: "Example", published: 2024-01-01}
sites:
  x-base: {name: X, lat: 31.0, lon: 35.0, kind: air_base, category: air_base, country: ISR,
           radius_km: 3, radius_note: "ASSUMPTION: test", coords_from: [G90], confidence: S}
"""


def test_parse_accepts_a_minimal_file():
    g = parse_gazetteer(_MINIMAL)
    assert g.sites["x-base"].key == "x-base" and g.source("G90").published == "2024-01-01"


@pytest.mark.parametrize("old,new,field", [
    ("coords_from: [G90]", "coords_from: [G91]", "sites.x-base"),        # undefined source key
    ("published: 2024-01-01", "published: 2025-07-01", "sources.G90.published"),  # after the window
    ("country: ISR", "country: ITA", "sites.x-base.country"),            # unknown country code
    ("confidence: S", "confidence: maybe", "sites.x-base.confidence"),   # unknown tag
    ("coords_from: [G90], confidence: S", "coords_from: [], sources: [G90], confidence: S",
     "sites.x-base.coords_from"),                                         # a tagged position without a source
    ("x-base: {", "X_Base: {", "sites.X_Base.key"),                       # not kebab-case
])
def test_parse_rejects_bad_entries_naming_the_field(old, new, field):
    with pytest.raises(InputError) as err:
        parse_gazetteer(_MINIMAL.replace(old, new), file="bad.yaml")
    assert err.value.file == "bad.yaml"
    assert err.value.field.startswith(field)
