"""Convert Natural Earth country outlines from world-atlas into Redline's GeoJSON.

A one-off converter. It reads ``countries-50m.json`` from the npm package
``world-atlas`` 2.x (Mike Bostock's TopoJSON packaging of Natural Earth
Admin 0 -- Countries, 1:50m, Natural Earth 4.1.0), decodes the TopoJSON in
plain Python, keeps every country whose outline touches the region of
interest, and writes ``src/redline/data/boundaries/countries.geojson``.

Usage
-----
Fetch the package outside the repository (``node_modules`` must never be
committed), then run the script from the repository root::

    npm install --no-save --prefix /tmp/wa world-atlas@2
    .venv/bin/python scripts/build_boundaries.py \\
        --topojson /tmp/wa/node_modules/world-atlas/countries-50m.json

The output is deterministic: the same input gives the same bytes.

What is kept
------------
* Region of interest: longitude 20..65 deg E, latitude 5..45 deg N
  (``REGION_DEG``). A country is kept when any vertex of its outline lies in
  the box or any edge crosses it (Liang-Barsky clipping of each segment);
  a bounding-box overlap alone is not enough (it would pull in France and
  the United States through their overseas territories).
* Whole countries are kept, not clipped to the box, so a point deep inside
  Russia or Kazakhstan still resolves to that country.
* Properties: ``name`` (the Natural Earth name, e.g. ``"Macedonia"``),
  ``key`` (a lowercase slug defined in ``SLUGS_BY_ISO_N3`` /
  ``SLUGS_BY_NAME`` below, e.g. ``"saudi-arabia"``) and ``iso_n3`` (the
  ISO 3166-1 numeric code as a three-character string, or ``null`` for the
  entities Natural Earth gives none: Kosovo, N. Cyprus, Somaliland).
  A kept country missing from the slug tables stops the script with an
  error naming the entry to add.
* Coordinates are rounded to 4 decimals (about 11 m); the 1:50m source is
  quantized on a grid of about 0.0036 deg x 0.0017 deg, so rounding loses
  nothing of substance.
* Polygons that cross the antimeridian (in this region only Russia: Chukotka
  and Wrangel Island) are cut at +/-180 deg, as RFC 7946 section 3.1.9 asks.
  world-atlas does not cut them (d3 works on the sphere), and read as planar
  polygons they self-intersect and cover the wrong half of the globe. Each
  ring is first unwrapped (longitude made continuous), then cut with
  shapely, which is already a Redline dependency; the TopoJSON decoding
  itself needs nothing beyond the standard library.
* Every output geometry is checked with ``shapely.is_valid`` after rounding.
* Ring orientation follows RFC 7946 section 3.1.6: exterior rings
  counter-clockwise, holes clockwise (world-atlas follows the d3 spherical
  convention, which is the opposite).
* A top-level ``source`` member records the origin and licence: Natural Earth
  is in the public domain; the world-atlas packaging is under the ISC licence.

Decoding (TopoJSON specification, sections 2.1.2 to 2.2)
--------------------------------------------------------
Each arc is a list of integer positions; in a quantized topology every
position after the first is a delta from the previous one. The absolute
quantized position is the running sum, and the coordinate is

    lon_deg = x * scale[0] + translate[0],  lat_deg = y * scale[1] + translate[1].

A ring is a list of arc indices; a negative index ``~i`` (that is ``-i - 1``)
means arc ``i`` reversed. Consecutive arcs share their joining point, so the
first point of every arc after the first is dropped when they are stitched.

References
----------
.. [1] Natural Earth, "Admin 0 -- Countries", 1:50m cultural vectors,
   version 4.1.0. https://www.naturalearthdata.com/ (public domain).
.. [2] M. Bostock, world-atlas 2.0.2, https://github.com/topojson/world-atlas
   (ISC licence).
.. [3] M. Bostock, "The TopoJSON Format Specification", version 1.0,
   sections 2.1.2 (transforms), 2.1.3 (arcs) and 2.2 (geometry objects).
.. [4] H. Butler et al., "The GeoJSON Format", RFC 7946, 2016, section 3.1.6.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon, box as rectangle, shape

#: Region of interest, (lon_min, lat_min, lon_max, lat_max) [deg].
REGION_DEG: tuple[float, float, float, float] = (20.0, 5.0, 65.0, 45.0)

#: Decimal places kept in output coordinates [-] (1e-4 deg is about 11 m).
DECIMALS = 4

#: Slug for each ISO 3166-1 numeric code found in the region.
SLUGS_BY_ISO_N3: dict[str, str] = {
    "004": "afghanistan",
    "008": "albania",
    "031": "azerbaijan",
    "048": "bahrain",
    "051": "armenia",
    "100": "bulgaria",
    "140": "central-african-republic",
    "148": "chad",
    "180": "dr-congo",
    "196": "cyprus",
    "231": "ethiopia",
    "232": "eritrea",
    "262": "djibouti",
    "268": "georgia",
    "275": "palestine",
    "300": "greece",
    "364": "iran",
    "368": "iraq",
    "376": "israel",
    "398": "kazakhstan",
    "400": "jordan",
    "404": "kenya",
    "414": "kuwait",
    "422": "lebanon",
    "434": "libya",
    "499": "montenegro",
    "512": "oman",
    "586": "pakistan",
    "634": "qatar",
    "642": "romania",
    "643": "russia",
    "682": "saudi-arabia",
    "688": "serbia",
    "706": "somalia",
    "728": "south-sudan",
    "729": "sudan",
    "760": "syria",
    "784": "united-arab-emirates",
    "792": "turkey",
    "795": "turkmenistan",
    "807": "north-macedonia",
    "818": "egypt",
    "860": "uzbekistan",
    "887": "yemen",
}

#: Slug for entities that Natural Earth lists without an ISO numeric code.
SLUGS_BY_NAME: dict[str, str] = {
    "Kosovo": "kosovo",
    "N. Cyprus": "northern-cyprus",
    "Somaliland": "somaliland",
}

SOURCE: dict[str, str] = {
    "dataset": "Natural Earth Admin 0 - Countries, 1:50m, version 4.1.0",
    "via": "npm package world-atlas 2.x, file countries-50m.json (TopoJSON)",
    "licence": "public domain (Natural Earth); world-atlas packaging: ISC",
    "url": "https://www.naturalearthdata.com/",
    "converter": "scripts/build_boundaries.py",
    "region_deg": "lon 20..65 E, lat 5..45 N; whole countries touching it, unclipped",
}

DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent
    / "src" / "redline" / "data" / "boundaries" / "countries.geojson"
)

Point = tuple[float, float]
Ring = list[Point]


class TopologyError(ValueError):
    """The TopoJSON input cannot be converted as written."""


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Decode the delta-encoded, quantized arcs of a TopoJSON topology.

    Parameters
    ----------
    topology : dict
        Parsed TopoJSON ``Topology`` object with ``arcs`` and, optionally,
        ``transform`` (``scale`` and ``translate``).

    Returns
    -------
    list of list of (float, float)
        One list of (lon, lat) [deg] per arc, not yet rounded.
    """
    transform = topology.get("transform")
    if transform is None:  # unquantized topology: positions are absolute
        return [[(float(x), float(y)) for x, y, *_ in arc] for arc in topology["arcs"]]
    sx, sy = transform["scale"]
    tx, ty = transform["translate"]
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def stitch_ring(arc_indices: list[int], arcs: list[list[Point]]) -> Ring:
    """Join the arcs of one ring into a closed list of positions.

    Parameters
    ----------
    arc_indices : list of int
        Arc indices; ``~i`` (negative) means arc ``i`` reversed.
    arcs : list of list of (float, float)
        Decoded arcs from :func:`decode_arcs` [deg].

    Returns
    -------
    list of (float, float)
        Closed ring (first position equals last) [deg].
    """
    ring: Ring = []
    for index in arc_indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    if ring and ring[0] != ring[-1]:
        raise TopologyError(f"ring {arc_indices} does not close: {ring[0]} != {ring[-1]}")
    return ring


def _unwrap_ring(ring: Ring) -> Ring:
    """Make longitude continuous: no step between neighbours exceeds 180 deg."""
    out: Ring = [ring[0]]
    offset = 0.0
    for (lon0, _), (lon, lat) in zip(ring, ring[1:]):
        if lon - lon0 > 180.0:
            offset -= 360.0
        elif lon - lon0 < -180.0:
            offset += 360.0
        out.append((lon + offset, lat))
    return out


def split_antimeridian(polygon: list[Ring]) -> list[list[Ring]]:
    """Cut one polygon at the antimeridian (RFC 7946, section 3.1.9).

    Parameters
    ----------
    polygon : list of ring
        Exterior ring then holes, (lon, lat) [deg], possibly jumping across
        +/-180 deg as world-atlas stores them.

    Returns
    -------
    list of list of ring
        One or more polygons, every longitude in [-180, 180] [deg]. A polygon
        that does not cross the antimeridian comes back unchanged.
    """
    rings = [_unwrap_ring(ring) for ring in polygon]
    if any(ring[0] != ring[-1] for ring in rings):
        raise TopologyError(
            "a ring winds around a pole (its unwrapped longitudes do not close); "
            "polar polygons such as Antarctica are not supported by this converter"
        )
    exterior = rings[0]
    lon_min = min(lon for lon, _ in exterior)
    lon_max = max(lon for lon, _ in exterior)
    holes = []
    for hole in rings[1:]:  # move each hole to the same sheet as the exterior
        shift = 360.0 * math.ceil((lon_min - hole[0][0]) / 360.0)
        holes.append([(lon + shift, lat) for lon, lat in hole])
    if -180.0 <= lon_min and lon_max <= 180.0:
        return [polygon]
    whole = Polygon(exterior, holes)
    pieces: list[list[Ring]] = []
    for sheet in (-1, 0, 1):
        west = -180.0 + 360.0 * sheet
        part = whole.intersection(rectangle(west, -90.0, west + 360.0, 90.0))
        for piece in getattr(part, "geoms", [part]):
            if piece.geom_type != "Polygon" or piece.is_empty:
                continue
            shift = -360.0 * sheet
            pieces.append([
                [(lon + shift, lat) for lon, lat in ring.coords]
                for ring in (piece.exterior, *piece.interiors)
            ])
    return pieces


def _round_ring(ring: Ring) -> Ring:
    out: Ring = []
    for lon, lat in ring:
        point = (round(lon, DECIMALS), round(lat, DECIMALS))
        if not out or point != out[-1]:
            out.append(point)
    return out


def _signed_area(ring: Ring) -> float:
    """Shoelace area in deg^2; positive when counter-clockwise."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])
    )


def _orient(polygon: list[Ring]) -> list[Ring]:
    """Exterior counter-clockwise, holes clockwise (RFC 7946, 3.1.6)."""
    out = []
    for i, ring in enumerate(polygon):
        ccw = _signed_area(ring) > 0
        want_ccw = i == 0
        out.append(ring if ccw == want_ccw else ring[::-1])
    return out


def _segment_hits_box(p: Point, q: Point, box: tuple[float, float, float, float]) -> bool:
    """Liang-Barsky test: does segment p-q meet the closed box?"""
    x0, y0 = p
    dx, dy = q[0] - x0, q[1] - y0
    lo, hi = 0.0, 1.0
    for step, start, low, high in ((dx, x0, box[0], box[2]), (dy, y0, box[1], box[3])):
        if step == 0.0:
            if start < low or start > high:
                return False
            continue
        t0, t1 = (low - start) / step, (high - start) / step
        if t0 > t1:
            t0, t1 = t1, t0
        lo, hi = max(lo, t0), min(hi, t1)
        if lo > hi:
            return False
    return True


def touches_box(polygons: list[list[Ring]], box: tuple[float, float, float, float]) -> bool:
    """Whether any ring of a (multi)polygon has a vertex in, or an edge across, ``box``."""
    for polygon in polygons:
        for ring in polygon:
            for p, q in zip(ring, ring[1:]):
                if _segment_hits_box(p, q, box):
                    return True
    return False


def slug_for(geometry: dict[str, Any]) -> str:
    """Return the slug of a TopoJSON country, or raise naming the table entry to add."""
    name = geometry.get("properties", {}).get("name")
    iso_n3 = geometry.get("id")
    if iso_n3 is not None and iso_n3 in SLUGS_BY_ISO_N3:
        return SLUGS_BY_ISO_N3[iso_n3]
    if iso_n3 is None and name in SLUGS_BY_NAME:
        return SLUGS_BY_NAME[name]
    table = "SLUGS_BY_ISO_N3" if iso_n3 is not None else "SLUGS_BY_NAME"
    key = iso_n3 if iso_n3 is not None else name
    raise TopologyError(
        f"country {name!r} (id {iso_n3!r}) touches the region but has no slug: "
        f"add {key!r}: '<slug>' to {table} in scripts/build_boundaries.py"
    )


def convert(topology: dict[str, Any], box: tuple[float, float, float, float] = REGION_DEG) -> dict[str, Any]:
    """Build the regional GeoJSON FeatureCollection from a world-atlas topology.

    Parameters
    ----------
    topology : dict
        Parsed ``countries-50m.json``.
    box : tuple of float
        (lon_min, lat_min, lon_max, lat_max) [deg] of the region of interest.

    Returns
    -------
    dict
        GeoJSON FeatureCollection with a ``source`` foreign member, features
        sorted by ``key``.
    """
    arcs = decode_arcs(topology)
    features = []
    seen: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            arc_polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            arc_polygons = geometry["arcs"]
        else:
            continue  # null geometries carry no outline
        polygons = [[stitch_ring(ring, arcs) for ring in polygon] for polygon in arc_polygons]
        if not touches_box(polygons, box):  # cheap pre-filter; edges that jump
            continue                        # the antimeridian can only add false hits
        polygons = [piece for polygon in polygons for piece in split_antimeridian(polygon)]
        if not touches_box(polygons, box):
            continue
        key = slug_for(geometry)
        name = geometry["properties"]["name"]
        if key in seen:
            raise TopologyError(f"slug {key!r} given to both {seen[key]!r} and {name!r}")
        seen[key] = name
        rounded = [_orient([_round_ring(ring) for ring in polygon]) for polygon in polygons]
        if len(rounded) == 1:
            geojson_geometry = {"type": "Polygon", "coordinates": rounded[0]}
        else:
            geojson_geometry = {"type": "MultiPolygon", "coordinates": rounded}
        if not shapely.is_valid(shape(geojson_geometry)):
            reason = shapely.is_valid_reason(shape(geojson_geometry))
            raise TopologyError(f"{name!r} is not a valid geometry after conversion: {reason}")
        features.append({
            "type": "Feature",
            "properties": {"key": key, "name": name, "iso_n3": geometry.get("id")},
            "geometry": geojson_geometry,
        })
    features.sort(key=lambda f: f["properties"]["key"])
    return {"type": "FeatureCollection", "source": SOURCE, "features": features}


def dump(collection: dict[str, Any]) -> str:
    """Serialise compactly, one feature per line (small file, readable diffs)."""
    compact = {"separators": (",", ":"), "ensure_ascii": True}
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(head, **compact)[:-1] + ',"features":[']
    body = [json.dumps(f, **compact) for f in collection["features"]]
    lines.append(",\n".join(body))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--topojson", type=Path,
        default=Path("/tmp/wa/node_modules/world-atlas/countries-50m.json"),
        help="path to world-atlas 2.x countries-50m.json",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output GeoJSON path")
    args = parser.parse_args(argv)
    if not args.topojson.is_file():
        parser.error(
            f"{args.topojson} not found: run "
            "'npm install --no-save --prefix /tmp/wa world-atlas@2' first, "
            "or pass --topojson PATH"
        )
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    collection = convert(topology)
    text = dump(collection)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    keys = ", ".join(f["properties"]["key"] for f in collection["features"])
    print(f"wrote {args.out} ({len(text.encode()) / 1e6:.3f} MB, "
          f"{len(collection['features'])} countries): {keys}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
