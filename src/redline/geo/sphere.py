"""Spherical-Earth geodesy for hot loops (vectorised numpy).

Routes and sensor geometry use a sphere of radius :data:`EARTH_RADIUS_M`
(the mean radius, IUGG). Tests check these functions against pyproj's WGS84
geodesics: over the 1,000-2,000 km distances of the theatre the sphere is
within 0.5 % of the ellipsoid.

All angles are in degrees at the interface, metres for distances.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "EARTH_RADIUS_M",
    "distance_m",
    "initial_bearing_deg",
    "destination",
    "interpolate",
    "to_unit_vectors",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius [m] (IUGG R1)."""


def to_unit_vectors(lat_deg, lon_deg) -> np.ndarray:
    """Unit vectors (..., 3) in an Earth-centred frame for the given points."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    c = np.cos(lat)
    if lat.ndim == 0 and lon.ndim == 0:     # one point: the same values, without np.stack's overhead
        return np.array([c * np.cos(lon), c * np.sin(lon), np.sin(lat)])
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1)


def distance_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Great-circle distance [m] by the haversine formula (broadcasting).

    Notes
    -----
    d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) )
    """
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def initial_bearing_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Initial great-circle bearing [deg, clockwise from north] from point 1 to point 2."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def destination(lat_deg, lon_deg, bearing_deg, dist_m):
    """Point reached from (lat, lon) along ``bearing_deg`` after ``dist_m`` [m]. Returns (lat, lon)."""
    p1 = np.radians(lat_deg)
    l1 = np.radians(lon_deg)
    th = np.radians(bearing_deg)
    d = np.asarray(dist_m, dtype=float) / EARTH_RADIUS_M
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(th))
    l2 = l1 + np.arctan2(np.sin(th) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), (np.degrees(l2) + 540.0) % 360.0 - 180.0


def interpolate(lat1_deg, lon1_deg, lat2_deg, lon2_deg, frac):
    """Points at fractions ``frac`` (array, 0..1) of the great circle from point 1 to point 2.

    Uses spherical linear interpolation of unit vectors. Returns (lat, lon) arrays.
    """
    a = to_unit_vectors(lat1_deg, lon1_deg)
    b = to_unit_vectors(lat2_deg, lon2_deg)
    omega = np.arccos(np.clip(np.dot(a, b), -1.0, 1.0))
    f = np.asarray(frac, dtype=float)[..., None]
    if omega < 1e-12:
        v = np.broadcast_to(a, f.shape[:-1] + (3,))
    else:
        v = (np.sin((1 - f) * omega) * a + np.sin(f * omega) * b) / np.sin(omega)
    lat = np.degrees(np.arcsin(np.clip(v[..., 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    return lat, lon
