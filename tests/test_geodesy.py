"""Spherical geodesy against pyproj's WGS84 geodesics (the authority: Karney 2013, via PROJ)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from pyproj import Geod

from redline.geo.sphere import destination, distance_m, initial_bearing_deg, interpolate

GEOD = Geod(ellps="WGS84")
PLACES = {
    "kermanshah": (34.31, 47.07), "nevatim": (31.21, 35.01), "tehran": (35.69, 51.39),
    "tel-aviv": (32.08, 34.78), "hodeidah": (14.80, 42.95), "shiraz": (29.60, 52.50),
}


@pytest.mark.parametrize("a,b", [("kermanshah", "nevatim"), ("tehran", "tel-aviv"), ("hodeidah", "nevatim"), ("shiraz", "tel-aviv")])
def test_distance_matches_wgs84_within_half_percent(a, b):
    (la1, lo1), (la2, lo2) = PLACES[a], PLACES[b]
    _, _, d_wgs = GEOD.inv(lo1, la1, lo2, la2)
    assert float(distance_m(la1, lo1, la2, lo2)) == pytest.approx(d_wgs, rel=5e-3)


def test_tehran_tel_aviv_is_about_1600_km():
    # Public "capital to capital" figure ~1,600 km [G09]; nearest Iran-Israel ~1,000 km [G01][G02].
    d = float(distance_m(*PLACES["tehran"], *PLACES["tel-aviv"])) / 1e3
    assert 1500 < d < 1650


def test_hodeidah_nevatim_close_to_public_1700_km():
    # Israel to Hodeidah ~1,700-1,800 km [T25][G05].
    d = float(distance_m(*PLACES["hodeidah"], *PLACES["nevatim"])) / 1e3
    assert 1650 < d < 2050


@settings(max_examples=60, deadline=None)
@given(st.floats(10, 45), st.floats(25, 60), st.floats(0, 360), st.floats(1e3, 2.5e6))
def test_destination_then_distance_roundtrip(lat, lon, brg, d):
    la2, lo2 = destination(lat, lon, brg, d)
    assert float(distance_m(lat, lon, la2, lo2)) == pytest.approx(d, rel=1e-9, abs=1e-3)
    diff = (float(initial_bearing_deg(lat, lon, la2, lo2)) - brg + 180.0) % 360.0 - 180.0
    assert abs(diff) < 1e-6


def test_interpolate_endpoints_and_midpoint_on_great_circle():
    (la1, lo1), (la2, lo2) = PLACES["kermanshah"], PLACES["nevatim"]
    lat, lon = interpolate(la1, lo1, la2, lo2, np.array([0.0, 0.5, 1.0]))
    assert (lat[0], lon[0]) == pytest.approx((la1, lo1))
    assert (lat[2], lon[2]) == pytest.approx((la2, lo2))
    total = float(distance_m(la1, lo1, la2, lo2))
    assert float(distance_m(la1, lo1, lat[1], lon[1])) == pytest.approx(total / 2, rel=1e-9)
    # the midpoint lies on pyproj's geodesic to within 2 km (sphere vs ellipsoid)
    (mlon, mlat), = GEOD.npts(lo1, la1, lo2, la2, 1)
    assert float(distance_m(lat[1], lon[1], mlat, mlon)) < 2_000
