"""Map extent and country outlines for reports, from the shipped Natural Earth boundaries.

No tiles and no downloads: the outlines come from
:func:`redline.geo.countries.boundaries_geojson`, clipped to the map's
extent and simplified to the resolution a page can show.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Iterable

__all__ = ["region_bbox", "region_countries", "DEFAULT_BBOX"]

DEFAULT_BBOX = (30.0, 12.0, 58.0, 40.0)
"""lon_min, lat_min, lon_max, lat_max [deg] when a scenario gives no positions."""


def region_bbox(points: Iterable[tuple[float, float]], pad_frac: float = 0.08, min_pad_deg: float = 1.0,
                min_aspect: float = 1.2) -> list[float]:
    """The extent [lon_min, lat_min, lon_max, lat_max] of (lat, lon) points [deg], padded.

    The extent is widened east and west until it is at least ``min_aspect``
    times as wide as it is high, so that a page shows it in landscape.
    """
    pts = [(float(a), float(b)) for a, b in points]
    if not pts:
        return list(DEFAULT_BBOX)
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    pad_lat = max((lat1 - lat0) * pad_frac, min_pad_deg)
    pad_lon = max((lon1 - lon0) * pad_frac, min_pad_deg)
    # widen to at least min_aspect (width / height on the page, equirectangular at the mid latitude)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    height = lat1 - lat0 + 2 * pad_lat
    width = (lon1 - lon0 + 2 * pad_lon) * k
    if width < min_aspect * height:
        pad_lon += (min_aspect * height - width) / k / 2
    return [round(max(lon0 - pad_lon, -180.0), 2), round(max(lat0 - pad_lat, -89.0), 2),
            round(min(lon1 + pad_lon, 180.0), 2), round(min(lat1 + pad_lat, 89.0), 2)]


def _rings(geom) -> list[list[list[float]]]:
    out = []
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    for p in polys:
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        for ring in [p.exterior, *p.interiors]:
            coords = [[round(x, 3), round(y, 3)] for x, y in ring.coords]
            if len(coords) >= 4:
                out.append(coords)
    return out


@lru_cache(maxsize=16)
def _countries(bbox: tuple[float, float, float, float], tolerance_deg: float) -> tuple[dict, ...]:
    import shapely
    from shapely.geometry import shape

    from ..geo.countries import boundaries_geojson

    x0, y0, x1, y1 = bbox
    m = 2.0
    out = []
    for f in boundaries_geojson()["features"]:
        g = shape(f["geometry"])
        gx0, gy0, gx1, gy1 = g.bounds
        if gx1 < x0 - m or gx0 > x1 + m or gy1 < y0 - m or gy0 > y1 + m:
            continue
        clipped = shapely.clip_by_rect(g, x0 - m, y0 - m, x1 + m, y1 + m)
        if clipped.is_empty:
            continue
        simple = clipped.simplify(tolerance_deg, preserve_topology=True)
        rings = _rings(simple)
        if rings:
            c = g.representative_point()
            out.append({"key": f["properties"]["key"], "name": f["properties"]["name"], "rings": rings,
                        "label": [round(c.x, 2), round(c.y, 2)]})
    return tuple(out)


def region_countries(bbox: list[float] | tuple[float, ...], tolerance_deg: float | None = None) -> list[dict[str, Any]]:
    """Country outlines overlapping ``bbox``: ``key``, ``name``, ``rings`` ([lon, lat] lists) and ``label`` point.

    ``tolerance_deg`` (default: 1/600 of the extent's width) is the
    Douglas-Peucker tolerance used to simplify the outlines [deg].
    """
    b = tuple(round(float(v), 2) for v in bbox)
    tol = tolerance_deg if tolerance_deg is not None else max((b[2] - b[0]) / 600.0, 0.005)
    return [dict(x) for x in _countries(b, round(tol, 4))]
