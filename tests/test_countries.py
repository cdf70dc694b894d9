"""Tests of redline.geo.countries and of the converter that builds its data.

Authorities
-----------
* Which country a place belongs to: Natural Earth Admin 0 -- Countries,
  1:50m, v4.1.0 (the shipped data), which follows ISO 3166-1.
* City coordinates: the Wikipedia article infobox of each place (GeoNames
  agrees to within 0.01 deg), rounded as written below.
* Path sampling: ``pyproj.Geod(ellps="WGS84").npts``, the geodesic on the
  WGS84 ellipsoid (Karney's algorithm in PROJ's geodesic library).
* Decoding: the TopoJSON Format Specification 1.0, sections 2.1.2 to 2.2;
  antimeridian cutting: RFC 7946, section 3.1.9.
"""
from __future__ import annotations

import importlib.util
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from redline.geo.countries import (
    CoordinateError,
    boundaries_geojson,
    countries_along,
    countries_at,
    country_at,
    country_names,
)

REPO = Path(__file__).resolve().parent.parent
DATA = resources.files("redline").joinpath("data", "boundaries", "countries.geojson")

# (lat_deg, lon_deg, slug): Wikipedia infobox coordinates; country per Natural Earth.
PLACES = {
    "Amman": (31.95, 35.93, "jordan"),
    "Tel Aviv": (32.08, 34.78, "israel"),
    "Baghdad": (33.315, 44.366, "iraq"),
    "Tehran": (35.689, 51.389, "iran"),
    "Kermanshah": (34.31, 47.07, "iran"),
    "Damascus": (33.513, 36.292, "syria"),
    # Beirut's city reference point (33.894 N, 35.502 E) sits on the Ras Beirut
    # headland, which the generalised 1:50m coast cuts off (it lies ~1.6 km
    # offshore there); the National Museum of Beirut, 2 km inland, stands in.
    "Beirut (National Museum)": (33.878, 35.515, "lebanon"),
    "Riyadh": (24.714, 46.675, "saudi-arabia"),
    "Sana'a": (15.348, 44.206, "yemen"),
    "Erbil": (36.19, 44.01, "iraq"),
    "Nevatim Airbase": (31.21, 35.01, "israel"),
    "Cairo": (30.044, 31.236, "egypt"),
    "Ankara": (39.933, 32.860, "turkey"),
    # Limassol, not Nicosia: the divided capital's reference point falls in
    # Natural Earth's "N. Cyprus".
    "Limassol": (34.675, 33.044, "cyprus"),
    "Kuwait City": (29.376, 47.977, "kuwait"),
    "Moscow (whole countries, not clipped to the region)": (55.756, 37.617, "russia"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_capitals_and_bases(place: str) -> None:
    lat_deg, lon_deg, expected = PLACES[place]
    assert country_at(lat_deg, lon_deg) == expected


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg", "what"),
    [
        (33.5, 33.0, "eastern Mediterranean, between Cyprus and Lebanon"),
        (27.0, 34.5, "Red Sea"),
        (27.0, 51.0, "Persian Gulf"),
        (41.9, 12.5, "Rome: land, but Italy does not touch the region"),
    ],
)
def test_sea_and_outside_coverage_are_none(lat_deg: float, lon_deg: float, what: str) -> None:
    assert country_at(lat_deg, lon_deg) is None, what


def test_kermanshah_to_nevatim_overflight() -> None:
    # Great circle (WGS84 geodesic) from Kermanshah to Nevatim, 200 samples
    # including both ends (initial_idx=0, terminus_idx=0).
    geod = pyproj.Geod(ellps="WGS84")
    samples = geod.npts(47.07, 34.31, 35.01, 31.21, 200, initial_idx=0, terminus_idx=0)
    lon_deg, lat_deg = np.asarray(samples).T
    assert lon_deg.shape == (200,)
    route = countries_along(lat_deg, lon_deg)
    assert route[0] == "iran"
    assert route[-1] == "israel"
    assert "iraq" in route
    assert route.index("iran") < route.index("iraq") < route.index("israel")
    middle = set(route[route.index("iraq") + 1:-1])
    assert middle & {"jordan", "syria"}, route
    assert len(route) == len(set(route))


def test_countries_along_order_and_sea() -> None:
    # Tel Aviv -> sea -> Limassol -> sea -> Tel Aviv again: distinct, first-seen order.
    lat = np.array([32.08, 33.5, 34.675, 33.5, 32.08])
    lon = np.array([34.78, 33.0, 33.044, 33.0, 34.78])
    assert countries_along(lat, lon) == ["israel", "cyprus"]
    assert countries_along(np.array([33.5]), np.array([33.0])) == []


def _oracle(lat_deg: float, lon_deg: float, shapes: dict[str, object]) -> str | None:
    """Unprepared shapely ``covers`` on every country; first slug wins."""
    point = Point(lon_deg, lat_deg)
    hits = sorted(key for key, geometry in shapes.items() if geometry.covers(point))
    return hits[0] if hits else None


def test_vectorised_agrees_with_scalar_and_oracle() -> None:
    rng = np.random.default_rng(20240413)
    lat = rng.uniform(0.0, 50.0, 400)
    lon = rng.uniform(15.0, 70.0, 400)
    vectorised = countries_at(lat, lon)
    assert vectorised.dtype == object and vectorised.shape == (400,)
    shapes = {f["properties"]["key"]: shape(f["geometry"]) for f in boundaries_geojson()["features"]}
    for la, lo, got in zip(lat, lon, vectorised):
        assert got == country_at(la, lo) == _oracle(la, lo, shapes)
    assert sum(v is None for v in vectorised) > 0  # the sample does include sea
    assert len({v for v in vectorised if v is not None}) > 10


def test_countries_at_broadcasts_and_keeps_shape() -> None:
    lat = np.array([[31.95, 32.08], [33.5, 35.689]])
    lon = np.array([[35.93, 34.78], [33.0, 51.389]])
    got = countries_at(lat, lon)
    assert got.shape == (2, 2)
    assert got.tolist() == [["jordan", "israel"], [None, "iran"]]
    assert countries_at(31.95, np.array([35.93, 33.0])).tolist() == ["jordan", None]


@settings(max_examples=50, deadline=None)
@given(
    lat_deg=st.floats(5.0, 45.0),
    lon_deg=st.floats(20.0, 65.0),
    turns=st.integers(-3, 3),
)
def test_longitude_wraps(lat_deg: float, lon_deg: float, turns: int) -> None:
    assert country_at(lat_deg, lon_deg + 360.0 * turns) == country_at(lat_deg, lon_deg)


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg"),
    [(float("nan"), 35.0), (32.0, float("nan")), (90.5, 35.0), (-91.0, 35.0),
     (32.0, float("inf")), (float("-inf"), 35.0)],
)
def test_bad_coordinates_raise(lat_deg: float, lon_deg: float) -> None:
    with pytest.raises(ValueError, match="not a position"):
        country_at(lat_deg, lon_deg)


def test_bad_coordinate_in_array_is_located() -> None:
    with pytest.raises(CoordinateError) as caught:
        countries_at(np.array([31.0, 32.0, 123.0, np.nan]), np.full(4, 35.0))
    assert isinstance(caught.value, ValueError)
    assert caught.value.index == (2,)
    assert caught.value.lat_deg == 123.0
    assert "lat_deg[2] = 123.0" in str(caught.value)
    assert "2 bad positions" in str(caught.value)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="broadcast"):
        countries_at(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="1-D"):
        countries_along(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="countries_at"):
        country_at(np.zeros(2), np.zeros(2))  # type: ignore[arg-type]


def test_country_names() -> None:
    names = country_names()
    assert names["israel"] == "Israel"
    assert names["saudi-arabia"] == "Saudi Arabia"
    assert names["palestine"] == "Palestine"
    assert list(names) == sorted(names)
    names["israel"] = "changed"
    assert country_names()["israel"] == "Israel"  # callers get a copy


def test_shipped_file_is_small_and_sourced() -> None:
    size_bytes = len(DATA.read_bytes())
    assert size_bytes < 3_000_000
    collection = boundaries_geojson()
    assert collection["type"] == "FeatureCollection"
    source = collection["source"]
    assert "Natural Earth" in source["dataset"] and "1:50m" in source["dataset"]
    assert "world-atlas 2" in source["via"]
    assert "public domain" in source["licence"]


REQUIRED = {
    "israel", "palestine", "jordan", "lebanon", "syria", "iraq", "iran",
    "saudi-arabia", "yemen", "egypt", "turkey", "cyprus", "kuwait", "qatar",
    "bahrain", "united-arab-emirates", "oman", "azerbaijan", "armenia",
    "georgia", "turkmenistan", "afghanistan", "pakistan", "eritrea",
    "djibouti", "sudan", "libya", "ethiopia", "greece", "russia",
}


def test_shipped_geometries_are_valid_and_keyed() -> None:
    features = boundaries_geojson()["features"]
    keys = [f["properties"]["key"] for f in features]
    assert keys == sorted(set(keys))
    assert REQUIRED <= set(keys)
    for feature in features:
        key = feature["properties"]["key"]
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", key)
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, (key, shapely.is_valid_reason(geometry))
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        assert -180.0 <= lon_min and lon_max <= 180.0 and -90.0 <= lat_min and lat_max <= 90.0
        # every shipped country touches lon 20..65, lat 5..45
        assert geometry.intersects(shapely.box(20.0, 5.0, 65.0, 45.0)), key
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw, key  # RFC 7946, 3.1.6


def test_antimeridian_is_cut() -> None:
    # Chukotka east of 180 deg and Wrangel Island straddle the antimeridian.
    assert country_at(66.0, -172.0) == "russia"
    assert country_at(66.0, 175.0) == "russia"
    assert country_at(71.2, 179.9) == "russia"
    assert country_at(71.2, -179.9) == "russia"


# --- the converter -----------------------------------------------------------

def _load_converter():
    spec = importlib.util.spec_from_file_location(
        "build_boundaries", REPO / "scripts" / "build_boundaries.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_converter_decodes_quantized_delta_arcs() -> None:
    bb = _load_converter()
    # TopoJSON spec 2.1.2-2.1.3: absolute = running sum of deltas,
    # position = quantized * scale + translate.
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [10.0, 20.0]},
        "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]],
    }
    arcs = bb.decode_arcs(topology)
    assert arcs[0] == [(10.0, 20.0), (12.0, 20.0), (12.0, 21.0)]
    assert arcs[1] == [(12.0, 21.0), (10.0, 21.0), (10.0, 20.0)]
    # 2.2: ~i reverses arc i; shared joints are not repeated.
    ring = bb.stitch_ring([0, 1], arcs)
    assert ring == [(10.0, 20.0), (12.0, 20.0), (12.0, 21.0), (10.0, 21.0), (10.0, 20.0)]
    assert bb.stitch_ring([~1, ~0], arcs) == ring[::-1]


def test_converter_cuts_antimeridian() -> None:
    bb = _load_converter()
    # A 20 deg x 10 deg box centred on the antimeridian, stored as world-atlas
    # does: longitudes jump from 170 to -170.
    ring = [(170.0, 60.0), (-170.0, 60.0), (-170.0, 70.0), (170.0, 70.0), (170.0, 60.0)]
    pieces = bb.split_antimeridian([ring])
    assert len(pieces) == 2
    areas = sorted(shapely.Polygon(p[0]).area for p in pieces)
    assert areas == pytest.approx([100.0, 100.0])
    for piece in pieces:
        lons = [lon for lon, _ in piece[0]]
        assert -180.0 <= min(lons) and max(lons) <= 180.0
    untouched = [(30.0, 30.0), (31.0, 30.0), (31.0, 31.0), (30.0, 30.0)]
    assert bb.split_antimeridian([untouched]) == [[untouched]]
