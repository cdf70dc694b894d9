"""What a report or the web app shows of an engagement run, as plain JSON-ready data.

:func:`engagement_view` turns a compiled scenario, the run's per-trial arrays
and its summary into one dictionary: map layers (sites, fire units with
their envelopes, sensors, routes, kill points and impacts of the sample
trials), distributions, interceptor use, costs, a raid timeline, the
manifest and the catalog values with their sources. The HTML report and the
web app draw the same dictionary, so they cannot disagree.

Only sampling and bookkeeping happen here; no physics is computed (kill
points are the compiled track's position at the recorded end time).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..catalog import THREAT_CLASSES
from ..geo.sphere import EARTH_RADIUS_M
from ..records import RunSummary
from ..results import COUNTS
from .mapdata import region_bbox, region_countries
from .sources import catalog_sources, values_used

__all__ = ["engagement_map", "engagement_view", "compiled_from_context", "raw_arrays", "FATE_NAMES", "TIMELINE_BIN_S"]

FATE_NAMES = ("failed", "intercepted", "leaked", "impacted")
TIMELINE_BIN_S = 600.0
"""Width of a raid-timeline bin [s]."""
KILL_SAMPLE_TRIALS = 16
"""Sample trials whose kill points and impacts are drawn on the map."""
TRACK_POINTS = 64


def raw_arrays(result) -> dict[str, np.ndarray]:
    """The arrays of a live :class:`~redline.results.Result` under their store names."""
    raw = result.raw
    return {k: getattr(raw, k) for k in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "t_end", "killer",
                                         "impact_dx", "impact_dy")}


def compiled_from_context(context: Mapping[str, Any]):
    """Rebuild the compiled geometry of a stored run from its saved scenario and catalog entries."""
    from ..catalog import Catalog, load_catalog
    from ..engagement.compile import compile_scenario
    from ..scenario.schema import Scenario

    sc = Scenario.model_validate(context["scenario"])
    cat = load_catalog()
    saved = context.get("catalog")
    if saved:
        cat = cat.merged(Catalog.model_validate(saved))
    return compile_scenario(sc, cat)


def _r(x: float, nd: int = 4) -> float:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else x


def _hist(x: np.ndarray) -> dict[str, list]:
    """Counts of each integer value of ``x`` (a per-trial count)."""
    x = np.asarray(x, dtype=np.int64)
    if x.size == 0:
        return {"x": [], "n": []}
    lo, hi = int(x.min()), int(x.max())
    n = np.bincount(x - lo, minlength=hi - lo + 1)
    return {"x": list(range(lo, hi + 1)), "n": n.tolist()}


def _position(track, rel_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rel = np.clip(rel_t, track.t_s[0], track.t_s[-1])
    return np.interp(rel, track.t_s, track.lat), np.interp(rel, track.t_s, track.lon)


def _offset(lat: np.ndarray, lon: np.ndarray, dx_m: np.ndarray, dy_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points ``dx_m`` east and ``dy_m`` north of (lat, lon) [deg] (local tangent plane)."""
    dlat = np.degrees(dy_m / EARTH_RADIUS_M)
    dlon = np.degrees(dx_m / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
    return lat + dlat, lon + dlon


def _site_roles(sc) -> dict[str, str]:
    roles = {}
    for s in sc.raid:
        roles[s.launch] = "launch"
        for a in s.aim:
            roles.setdefault(a, "target")
        for w in s.waypoints:
            if isinstance(w, str):
                roles.setdefault(w, "waypoint")
    for name, site in sc.sites.items():
        if name not in roles:
            roles[name] = "target" if site.value > 0 else "defence"
    return roles


def _map_layers(c, arrays: Mapping[str, np.ndarray], kill_trials: int) -> dict[str, Any]:
    sc = c.scenario
    cat = c.catalog
    roles = _site_roles(sc)
    used_sites = {s.launch for s in sc.raid} | {a for s in sc.raid for a in s.aim}
    used_sites |= {w for s in sc.raid for w in s.waypoints if isinstance(w, str)}
    used_sites |= {u.site for u in sc.fire_units if u.site} | {u.patrol.site for u in sc.fire_units if u.patrol and u.patrol.site}
    used_sites |= {s.site for s in sc.sensors if s.site}
    sites = [{"name": n, "kind": s.kind, "role": roles[n], "lat": s.lat, "lon": s.lon, "radius_km": s.radius_km,
              "value": s.value, "note": s.note} for n, s in sc.sites.items() if n in used_sites or s.value > 0]

    shots = arrays.get("unit_shots")
    kills = arrays.get("unit_kills")
    units = []
    for k, u in enumerate(sc.fire_units):
        it = cat.interceptors[u.type]
        if u.kind == "fighter":
            p = u.patrol
            centre = sc.sites[p.site] if p.site else p.at
            patrol_km = p.radius_km
        else:
            centre = sc.sites[u.site] if u.site else u.at
            patrol_km = 0.0
        units.append({
            "name": u.name, "kind": u.kind, "type": u.type, "type_name": it.name, "owner": u.owner, "layer": it.layer,
            "lat": centre.lat, "lon": centre.lon, "range_km": it.max_range_km.value, "min_range_km": it.min_range_km.value,
            "patrol_km": patrol_km, "rounds": u.rounds,
            "shots_mean": _r(shots[:, k].mean(), 3) if shots is not None and shots.size else None,
            "kills_mean": _r(kills[:, k].sum(axis=1).mean(), 3) if kills is not None and kills.size else None,
        })

    sensors = []
    for s in sc.sensors:
        st = cat.sensors[s.type]
        pos = sc.sites[s.site] if s.site else s.at
        sensors.append({"name": s.name, "type": s.type, "type_name": st.name, "kind": st.kind, "owner": s.owner,
                        "lat": pos.lat, "lon": pos.lon, "range_km": st.range_km.value, "detects": list(st.detects)})

    count = np.bincount(c.th_track, minlength=len(c.tracks))
    tracks = []
    for k, trk in enumerate(c.tracks):
        n = trk.t_s.size
        idx = np.unique(np.round(np.linspace(0, n - 1, min(n, TRACK_POINTS))).astype(int))
        tracks.append({
            "id": k, "threat": trk.threat, "threat_name": cat.threats[trk.threat].name,
            "class": cat.threats[trk.threat].klass, "launch": trk.launch, "aim": trk.aim, "count": int(count[k]),
            "length_km": _r(trk.length_m / 1e3, 1), "flight_min": _r(trk.flight_time_s / 60.0, 2),
            "t": [_r(x, 1) for x in trk.t_s[idx]], "lat": [_r(x) for x in trk.lat[idx]],
            "lon": [_r(x) for x in trk.lon[idx]], "alt_m": [_r(x, 0) for x in trk.alt_m[idx]],
        })

    threats = {"track": c.th_track.tolist(), "t0": [_r(x, 1) for x in c.th_t0], "T": [_r(x, 1) for x in c.th_T],
               "class": [THREAT_CLASSES[k] for k in c.th_class]}

    out: dict[str, Any] = {"sites": sites, "units": units, "sensors": sensors, "tracks": tracks, "threats": threats,
                           "kills": [], "impacts": [], "sample": None}
    fate = arrays.get("fate")
    if fate is None or fate.size == 0:
        return out
    t_end, killer = arrays["t_end"], arrays["killer"]
    dx, dy = arrays["impact_dx"], arrays["impact_dy"]
    aim_lat = np.array([sc.sites[c.site_names[a]].lat for a in c.th_aim])
    aim_lon = np.array([sc.sites[c.site_names[a]].lon for a in c.th_aim])
    end_lat = np.zeros(fate.shape)
    end_lon = np.zeros(fate.shape)
    for k, trk in enumerate(c.tracks):
        sel = c.th_track == k
        if sel.any():
            end_lat[:, sel], end_lon[:, sel] = _position(trk, t_end[:, sel] - c.th_t0[sel])
    land = (fate == 2) | (fate == 3)
    ilat, ilon = _offset(np.broadcast_to(aim_lat, fate.shape), np.broadcast_to(aim_lon, fate.shape), dx, dy)
    end_lat = np.where(land, ilat, end_lat)
    end_lon = np.where(land, ilon, end_lon)
    nk = min(kill_trials, fate.shape[0])
    for tr in range(nk):
        for i in np.flatnonzero(fate[tr] == 1):
            out["kills"].append([_r(end_lat[tr, i]), _r(end_lon[tr, i]), threats["class"][i], int(killer[tr, i]), tr])
        for i in np.flatnonzero(land[tr]):
            out["impacts"].append([_r(end_lat[tr, i]), _r(end_lon[tr, i]), threats["class"][i], int(fate[tr, i] == 3), tr])
    out["sample"] = {
        "trials": int(fate.shape[0]), "shown": nk,
        "fate": [FATE_NAMES[f] if f >= 0 else None for f in fate[0]],
        "t_end": [_r(x, 1) for x in t_end[0]], "killer": killer[0].tolist(),
        "end_lat": [_r(x) for x in end_lat[0]], "end_lon": [_r(x) for x in end_lon[0]],
    }
    return out


def _timeline(c, arrays: Mapping[str, np.ndarray]) -> dict[str, Any] | None:
    fate = arrays.get("fate")
    if fate is None or fate.size == 0:
        return None
    t_end = arrays["t_end"]
    horizon = float(max(np.max(c.th_t0 + c.th_T), 1.0))
    nb = int(math.ceil(horizon / TIMELINE_BIN_S))
    edges = np.arange(nb + 1) * TIMELINE_BIN_S
    ns = fate.shape[0]
    series: dict[str, Any] = {}
    launched = {}
    for ci, cl in enumerate(THREAT_CLASSES):
        sel = c.th_class == ci
        if sel.any():
            launched[cl] = np.histogram(c.th_t0[sel], edges)[0].tolist()
    series["launched"] = launched
    for code, name in enumerate(FATE_NAMES):
        m = fate == code
        series[name] = _r_list(np.histogram(t_end[m], edges)[0] / ns, 3)
    return {"bin_s": TIMELINE_BIN_S, "t_min": [_r(x / 60.0, 1) for x in edges[:-1]], "sample_trials": ns, **series}


def _r_list(a: np.ndarray, nd: int) -> list[float]:
    return [_r(x, nd) for x in np.asarray(a, dtype=float)]


def _interceptor_table(c, arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Mean rounds fired per interceptor type and nation, with unit costs."""
    sc, cat = c.scenario, c.catalog
    shots = arrays.get("unit_shots")
    types = list(c.interceptor_types)
    nations = list(c.nations)
    mean = np.zeros((len(types), len(nations)))
    if shots is not None and shots.size:
        m = shots.mean(axis=0)
        for k, u in enumerate(sc.fire_units):
            mean[types.index(u.type), nations.index(u.owner)] += m[k]
    return {
        "types": types, "type_names": [cat.interceptors[t].name for t in types], "nations": nations,
        "mean_rounds": [[_r(x, 3) for x in row] for row in mean],
        "unit_cost_usd": [cat.interceptors[t].cost_usd.value for t in types],
    }


def _attack_costs(c) -> dict[str, Any]:
    cat = c.catalog
    counts = np.bincount(c.th_type, minlength=len(c.threat_types))
    return {"types": list(c.threat_types), "type_names": [cat.threats[t].name for t in c.threat_types],
            "count": counts.tolist(), "unit_cost_usd": [cat.threats[t].cost_usd.value for t in c.threat_types]}


def engagement_map(compiled, arrays: Mapping[str, np.ndarray], kill_trials: int = KILL_SAMPLE_TRIALS) -> dict[str, Any]:
    """The map layers of a scenario (with the kill points and impacts of ``arrays``, if any), its
    bounding box, the countries in it and the nations that defend."""
    c = compiled
    layers = _map_layers(c, arrays, kill_trials)
    pts = [(s["lat"], s["lon"]) for s in layers["sites"]]
    pts += [(u["lat"], u["lon"]) for u in layers["units"]]
    pts += [(s["lat"], s["lon"]) for s in layers["sensors"] if s["kind"] != "space"]
    for t in layers["tracks"]:
        pts += list(zip(t["lat"], t["lon"]))
    bbox = region_bbox(pts)
    layers["bbox"] = bbox
    layers["countries"] = region_countries(bbox)
    layers["nations"] = list(c.nations)
    return layers


def engagement_view(compiled, arrays: Mapping[str, np.ndarray], summary: RunSummary,
                    kill_trials: int = KILL_SAMPLE_TRIALS) -> dict[str, Any]:
    """Everything a report or the web app draws for one engagement run.

    Parameters
    ----------
    compiled : Compiled
        The scenario's geometry (from the run, or :func:`compiled_from_context`).
    arrays : mapping
        Per-trial arrays under their store names (``cls``, ``unit_shots``,
        ``site_hits``, ``fate``, ``t_end`` [s], ``killer``, ``impact_dx`` and
        ``impact_dy`` [m]); see :func:`raw_arrays`.
    summary : RunSummary
        ``Result.record()`` of the same run.
    kill_trials : int
        Sample trials whose kill points and impacts go on the map.

    Returns
    -------
    dict
        Keys ``kind`` ("run"), ``scenario``, ``manifest``, ``summary``, ``map``,
        ``charts`` and ``sources``; JSON-ready.
    """
    c = compiled
    sc = c.scenario
    layers = engagement_map(c, arrays, kill_trials)
    charts: dict[str, Any] = {}
    cls = arrays.get("cls")
    present = [cl for cl in THREAT_CLASSES if cl in summary.by_class]
    if cls is not None and cls.size:
        charts["leakers"] = {cl: _hist(cls[:, THREAT_CLASSES.index(cl), COUNTS.index("leaked")]) for cl in present}
    hits = arrays.get("site_hits")
    if hits is not None and hits.size:
        charts["hits"] = {s: _hist(hits[:, c.site_names.index(s)]) for s in summary.hits_by_site
                          if s in c.site_names}
    charts["interceptors"] = _interceptor_table(c, arrays)
    charts["attack"] = _attack_costs(c)
    charts["timeline"] = _timeline(c, arrays)

    return {
        "kind": "run",
        "scenario": {"name": sc.name, "title": sc.title, "description": sc.description,
                     "hypothetical": sc.hypothetical, "sources": list(sc.sources)},
        "manifest": summary.manifest.model_dump(mode="json"),
        "summary": summary.model_dump(mode="json", exclude={"manifest"}),
        "map": layers,
        "charts": charts,
        "sources": catalog_sources(c.catalog, threats=c.threat_types, interceptors=c.interceptor_types,
                                   sensors=c.sensor_types, used=values_used(c.catalog, summary.manifest.params or "")),
    }
