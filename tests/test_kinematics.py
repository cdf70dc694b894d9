"""Flight profiles against the public flight times of April 2024 and against orbital mechanics."""
import numpy as np
import pytest

import redline
from redline.engagement.compile import compile_scenario
from redline.geo.sphere import distance_m
from redline.kinematics import MU_EARTH, ballistic_profile
from redline.geo.sphere import EARTH_RADIUS_M


def test_ballistic_iran_israel_1800_km_takes_12_to_15_minutes():
    # Channel 12 / Times of Israel: 12-15 min Iran->Israel [A21][A22]; typical distance ~1,800 km [A05].
    boost = redline.load_catalog().threats["emad"].boost_s.value
    p = ballistic_profile(1_800e3, 256, boost_s=boost, boost_frac=0.03)
    assert 12.0 <= p.flight_time_s / 60 <= 15.0


def test_yemen_israel_ballistic_within_15_minutes():
    # "within 15 minutes" Yemen->Israel [W22][W21]; Hodeidah-Nevatim ~2,000 km.
    d = float(distance_m(14.80, 42.95, 31.21, 35.01))
    boost = redline.load_catalog().threats["houthi-palestine-2"].boost_s.value
    assert ballistic_profile(d, 256, boost_s=boost, boost_frac=0.03).flight_time_s / 60 <= 15.0


def test_minimum_energy_trajectory_conserves_energy_and_lands():
    p = ballistic_profile(1_500e3, 400)
    r = EARTH_RADIUS_M + p.alt_m[1:-1]
    eps = p.speed_mps[1:-1] ** 2 / 2 - MU_EARTH / r
    assert np.ptp(eps) / abs(eps.mean()) < 1e-9
    assert p.alt_m[0] == 0 and p.alt_m[-1] == 0
    # min-energy apogee for short ranges is close to a quarter of the range (flat-Earth limit)
    assert 0.2 < p.apogee_m / 1_500e3 < 0.3
    assert np.all(np.diff(p.time_s) > 0)


def _track_time(sc, threat):
    comp = compile_scenario(sc, redline.load_catalog())
    return max(t.flight_time_s for t in comp.tracks if t.threat == threat)


def test_drone_iran_israel_up_to_about_9_hours(april):
    # "up to ~9 h" for Shahed-type drones Iran->Israel [A21][A22].
    h = _track_time(april, "shahed-136") / 3600
    assert 6.0 <= h <= 9.5


def test_cruise_iran_israel_about_2_hours(april):
    # ~2 h cruise missile flight [A21] (S).
    h = _track_time(april, "paveh") / 3600
    assert 1.2 <= h <= 2.5


def test_routes_report_countries_overflown_from_shipped_boundaries(april):
    # Drones seen over Iraq and downed over Jordan [A16][A23]; the route goes via the tri-border.
    routes = redline.run(april, trials=10, seed=1).summary()["routes"]
    drone = next(r for r in routes if r["threat"] == "shahed-136" and r["launch"] == "kermanshah")
    assert drone["countries"][0] == "iran" and drone["countries"][-1] == "israel"
    assert "iraq" in drone["countries"] and "jordan" in drone["countries"]
    bm = next(r for r in routes if r["threat"] == "emad")
    assert 11.0 <= bm["flight_time_min"] <= 13.0 and bm["apogee_km"] > 300
    assert sum(r["threats"] for r in routes) == 320
