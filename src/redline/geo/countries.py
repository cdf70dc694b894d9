"""Country lookup from the shipped Natural Earth 1:50m boundaries.

The outlines live in ``redline/data/boundaries/countries.geojson``, built once
by ``scripts/build_boundaries.py`` from the npm package ``world-atlas`` 2.x
(Natural Earth Admin 0 -- Countries, 1:50m, public domain). The file holds
every country that touches longitude 20..65 deg E, latitude 5..45 deg N
(the Middle East and its neighbours), each whole and unclipped. Countries
are named by a lowercase slug, the ``key`` property: ``"israel"``,
``"saudi-arabia"``, ``"iran"``...

A point over the sea, or in a country not shipped (Italy, India, ...),
resolves to ``None``.

Notes
-----
Points are tested against the polygons in plain longitude/latitude, so
polygon edges are straight lines in (lon, lat), not great-circle arcs. At
1:50m the vertices are a few kilometres apart and the difference is far
below the accuracy of the outlines themselves.

A point exactly on a border is given to one country, deterministically: the
boundary counts as inside and, where two countries match, the slug first in
alphabetical order wins.

The 1:50m coastline is generalised: a point on a narrow headland or in an
estuary can fall just outside it. The reference point of central Beirut
(33.894 N, 35.502 E), on the Ras Beirut promontory, lies about 1.6 km off
the 1:50m coast and resolves to ``None``; points a few kilometres inland
resolve to ``"lebanon"``.

References
----------
.. [1] Natural Earth, "Admin 0 -- Countries", 1:50m cultural vectors,
   version 4.1.0, https://www.naturalearthdata.com/ (public domain).
.. [2] Shapely 2 documentation, ``shapely.intersects_xy`` and ``shapely.prepare``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import shape

from ..errors import RedlineError

__all__ = [
    "CoordinateError",
    "boundaries_geojson",
    "countries_along",
    "countries_at",
    "country_at",
    "country_names",
]

_RESOURCE = ("data", "boundaries", "countries.geojson")


class CoordinateError(RedlineError):
    """A latitude or longitude that is not a usable position (a ``ValueError``).

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    lat_deg, lon_deg : float
        The first offending position [deg].
    index : tuple of int or None
        Index of that position in the input arrays (``None`` for scalars).
    """

    def __init__(self, message: str, lat_deg: float, lon_deg: float,
                 index: tuple[int, ...] | None = None):
        self.lat_deg = lat_deg
        self.lon_deg = lon_deg
        self.index = index
        super().__init__(message)


@dataclass(frozen=True)
class _Index:
    """Countries sorted by slug, with prepared geometries and their bounds."""

    keys: tuple[str, ...]     # slugs, sorted
    names: dict[str, str]     # slug -> Natural Earth name
    geometries: np.ndarray    # (n_countries,) prepared shapely (Multi)Polygons
    bounds_deg: np.ndarray    # (n_countries, 4) lon_min, lat_min, lon_max, lat_max [deg]


@lru_cache(maxsize=1)
def _geojson_text() -> str:
    path = resources.files("redline").joinpath(*_RESOURCE)
    return path.read_text(encoding="utf-8")


def boundaries_geojson() -> dict[str, Any]:
    """Return the shipped boundaries as a GeoJSON FeatureCollection.

    Returns
    -------
    dict
        A fresh copy (safe to modify) of the FeatureCollection: one feature
        per country, properties ``key`` (slug), ``name`` (Natural Earth name)
        and ``iso_n3`` (ISO 3166-1 numeric code as text, or ``None``);
        coordinates (lon, lat) [deg] to 4 decimals, exterior rings
        counter-clockwise (RFC 7946). The top-level ``source`` member names
        the dataset and its licence.
    """
    collection: dict[str, Any] = json.loads(_geojson_text())
    return collection


@lru_cache(maxsize=1)
def _index() -> _Index:
    features = sorted(boundaries_geojson()["features"], key=lambda f: f["properties"]["key"])
    geometries = np.asarray([shape(f["geometry"]) for f in features], dtype=object)
    shapely.prepare(geometries)
    return _Index(
        keys=tuple(f["properties"]["key"] for f in features),
        names={f["properties"]["key"]: f["properties"]["name"] for f in features},
        geometries=geometries,
        bounds_deg=shapely.bounds(geometries),
    )


def _countries_index(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Core lookup: index into ``_index().keys`` per point, -1 where none.

    ``lat`` and ``lon`` are valid 1-D float arrays [deg], lon in [-180, 180).
    Countries are visited in slug order and a point keeps its first match,
    so a point on a shared border goes to the alphabetically first slug.
    """
    index = _index()
    found = np.full(lat.shape, -1, dtype=np.intp)
    for i, (geometry, (x0, y0, x1, y1)) in enumerate(zip(index.geometries, index.bounds_deg)):
        candidates = np.flatnonzero(
            (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (found < 0)
        )
        if candidates.size:
            inside = shapely.intersects_xy(geometry, lon[candidates], lat[candidates])
            found[candidates[inside]] = i
    return found


def _validated(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast, check and normalise positions; longitude wrapped to [-180, 180)."""
    try:
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=np.float64),
                                       np.asarray(lon_deg, dtype=np.float64))
    except ValueError as exc:
        raise RedlineError(
            f"lat_deg with shape {np.shape(lat_deg)} and lon_deg with shape "
            f"{np.shape(lon_deg)} do not broadcast: pass arrays of one shape ({exc})"
        ) from exc
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        la, lo = float(lat[where]), float(lon[where])
        at = f"[{', '.join(map(str, where))}]" if where else ""
        count = int(bad.sum())
        more = f" ({count} bad positions in all)" if count > 1 else ""
        raise CoordinateError(
            f"lat_deg{at} = {la!r}, lon_deg{at} = {lo!r} is not a position: latitude "
            f"must be finite and within [-90, 90] deg and longitude finite, both in "
            f"decimal degrees (north and east positive){more}",
            lat_deg=la, lon_deg=lo, index=where or None,
        )
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon


def countries_at(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> np.ndarray:
    """Country under each of many points, vectorised.

    Parameters
    ----------
    lat_deg : array_like of float
        Geodetic latitude [deg], north positive, within [-90, 90].
    lon_deg : array_like of float
        Longitude [deg], east positive; any finite value (wrapped to
        [-180, 180)). Broadcast against ``lat_deg``.

    Returns
    -------
    numpy.ndarray of object
        Broadcast shape of the inputs; the country slug (``str``) at each
        point, or ``None`` over sea or outside the shipped countries.

    Raises
    ------
    CoordinateError
        A latitude is NaN, infinite or outside [-90, 90] deg, or a longitude
        is not finite. The error carries the first offending position.

    Notes
    -----
    For each country in slug order, the points inside its bounding box are
    tested with ``shapely.intersects_xy`` against the prepared geometry
    (boundary included). This measured about 15 times faster than one
    ``STRtree.query(points, predicate="within")`` over the polygon parts on
    100,000 random points in the region (0.026 s against 0.39 s), because it
    builds no Point objects and each prepared polygon is reused for all of
    its candidates. A point on a shared border goes to the alphabetically
    first slug.
    """
    lat, lon = _validated(lat_deg, lon_deg)
    found = _countries_index(lat.ravel(), lon.ravel())
    keys = np.asarray(_index().keys + (None,), dtype=object)
    return keys[found].reshape(lat.shape)  # found == -1 picks the trailing None


def country_at(lat_deg: float, lon_deg: float) -> str | None:
    """Country under one point.

    Parameters
    ----------
    lat_deg : float
        Geodetic latitude [deg], north positive, within [-90, 90].
    lon_deg : float
        Longitude [deg], east positive (wrapped to [-180, 180)).

    Returns
    -------
    str or None
        The country slug, e.g. ``"jordan"``, or ``None`` over sea or outside
        the shipped countries.

    Raises
    ------
    CoordinateError
        The position is NaN, infinite or has a latitude outside [-90, 90] deg.

    Examples
    --------
    >>> country_at(31.95, 35.93)  # Amman
    'jordan'
    """
    if np.ndim(lat_deg) or np.ndim(lon_deg):
        raise RedlineError(
            f"country_at takes one position, got arrays of shapes {np.shape(lat_deg)} "
            f"and {np.shape(lon_deg)}: use countries_at for many points"
        )
    result = countries_at(lat_deg, lon_deg)[()]
    return None if result is None else str(result)


def countries_along(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike) -> list[str]:
    """Countries a sampled path passes over, in the order it first meets them.

    Parameters
    ----------
    lat_deg, lon_deg : array_like of float, shape (n,)
        Path samples in travel order [deg], e.g. from
        ``pyproj.Geod(ellps="WGS84").npts``. Sample densely enough not to
        step over a narrow country (a few km for 1:50m detail).

    Returns
    -------
    list of str
        Distinct country slugs in order of first appearance; points over sea
        or outside the shipped countries are skipped, and a country left and
        re-entered appears once, where it was first met.

    Raises
    ------
    CoordinateError
        A position is not valid (see :func:`countries_at`).
    RedlineError
        The inputs are not one-dimensional or differ in length.
    """
    if np.ndim(lat_deg) != 1 or np.shape(lat_deg) != np.shape(lon_deg):
        raise RedlineError(
            f"a path needs 1-D lat_deg and lon_deg of equal length, got shapes "
            f"{np.shape(lat_deg)} and {np.shape(lon_deg)}"
        )
    seen: dict[str, None] = {}
    for key in countries_at(lat_deg, lon_deg):
        if key is not None and key not in seen:
            seen[key] = None
    return list(seen)


def country_names() -> dict[str, str]:
    """Display name of every shipped country.

    Returns
    -------
    dict of str to str
        Slug -> Natural Earth name (e.g. ``"north-macedonia"`` ->
        ``"Macedonia"``), sorted by slug; a fresh copy.
    """
    return dict(_index().names)
