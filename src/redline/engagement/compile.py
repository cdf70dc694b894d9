"""Compile a scenario into the arrays the Monte Carlo engines consume.

Everything here is deterministic geometry: routes, flight profiles, when
each sensor first sees each threat, and the engagement opportunities of
every threat x fire unit pair. Randomness (failures, aim error, detection,
kills) happens per trial in the engines.

Threats that share a type, a launch site, waypoints and an aim site share a
*track*; their geometry is computed once and shifted by launch time.

Semantics of an engagement opportunity (also followed by the reference
engine): for a threat sample at time ``t`` inside a unit's envelope (ground
range, altitude, the partner's permitted airspace and, for fighters, the
patrol circle), the interceptor must be launched at ``L = t - slant/v``,
the *decision time*, which cannot precede the earliest track any sensor
could deliver plus the unit's reaction time. A pair's opportunities are its in-envelope samples
with decision times at least one decision interval apart, the last in-envelope sample always
among them, and at most ``MAX_OPPORTUNITIES`` are kept, spread evenly over the window; whether one
can be taken (the previous salvo's result seen ``look_s`` before, the salvos in flight) is the
kernel's decision in the trial. (Until issue 10 a pair's opportunities were spaced by its own
intercept time plus ``look_s`` and capped at 4, so an upper tier whose only early chance fell while
another salvo was in flight never had a later one: closing Jordan's airspace, which pushed that
chance later, then *lowered* ballistic impacts; see docs/engagement-realism.md.)

Single-shot kill probability is per interceptor type and threat *type*:
``pk[p, j, t] = pk_class[p, j, class(t)] x f_t`` with ``f_t`` the threat
type's ``manoeuvre_pk_factor`` (1 when absent), so a manoeuvring type (the
catalog requires the factor with ``manoeuvring: true``) is harder to kill by
every interceptor and in every parameter draw alike; a salvo of ``n`` shots
kills with ``1 - (1 - pk)^n``. Whether a unit can ever engage a class (its
opportunities at all) is still judged on the class Pk.

A leaker of type ``t`` hits site ``s`` when its impact point (aim point plus
the circular normal aim error) lies within ``R_s + r_t`` of the site's
centre: ``R_s`` the site radius, ``r_t`` the footprint radius of the type's
cluster warhead (``submunitions.footprint_radius_km``; 0 for a unitary
warhead). So ``site_r2[t, s] = (R_s + r_t)^2``, and for an aim at the centre
``P(hit | leaked) = 1 - exp(-(R_s + r_t)^2 / (2 sigma^2))``. A cluster warhead
counts as one hit (its submunition count is not a hit count); the same
radius decides the site whose value impact prediction uses.

Doctrine ``withhold`` (nation -> interceptor type -> classes) is applied
here, deterministically: a fire unit of that nation and type loses every
opportunity on a threat of a listed class when some fire unit of a strictly
cheaper interceptor type (catalog ``cost_usd``) has at least one opportunity
on that same threat; with none, it engages as before. The test is taken on
the opportunities before any is withheld, so a threat that had an
opportunity keeps at least one (the cheapest unit's). Whether the cheaper
unit will in fact fire (channels, rounds, the allocator's choice) is not
looked at.

Magazine plans (``doctrine.magazine_plan``, a fire unit's ``magazine_plan``; semantics in
:mod:`redline.engagement.magazine_plan`) are applied first: a planned unit of several classes
becomes one section per class (``Compiled.unit_names`` ``unit/class``, ``Compiled.scenario`` the
scenario with the sections), a unit never has opportunities on a class its plan gives no rounds,
and a planned unit with fewer rounds than one salvo for every threat of its classes in its reach
(whatever the airspace rules) fires late: a pair's opportunities are its last in-envelope sample
and, going back, each sample at least one decision interval before the previous one, up to
``max_engagements`` (:func:`_select_last`), among the samples in an airspace it may use.
Both engines read the result, so they see the same units.

The allocator's look-ahead (kernel semantics 3a) needs, per opportunity, the *rivals* it would
block when a threat takes one salvo in flight (``salvos_in_flight: 1``): opportunities of other
units on the same threat in later decision groups that start before this opportunity's intercept,
whose pair has no opportunity in a group starting at or after it (``Compiled.tev_riv``, CSR over
the threat index), and the first opportunity of the threat in a group starting at or after the
intercept (``Compiled.tev_after``). Geometry only; the kernel judges them in the trial.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..catalog import THREAT_CLASSES, Catalog, Quantity
from ..geo.sphere import EARTH_RADIUS_M, distance_m, interpolate, to_unit_vectors
from ..kinematics import airbreathing_profile, ballistic_profile
from ..scenario.schema import LAYERS, FireUnit, Patrol, Point, Scenario
from .draws import sensor_keys, threat_keys, unit_keys
from .magazine_plan import planned_units
from .params import ParamSet

__all__ = ["Compiled", "compile_scenario", "N_SAMPLES", "MAX_OPPORTUNITIES", "FATES"]

N_SAMPLES = 256
"""Samples per flight profile."""
MAX_OPPORTUNITIES = 8
"""Engagement opportunities kept per threat x fire unit pair."""
_BLOCK = 16
"""Track samples per block of the compile-time envelope pre-check (a speed setting only)."""
_CAP_MARGIN_RAD = 1e-5
"""Slack [rad, ~64 m] on the pre-check, far above the arccos rounding near 1 (~1e-8 rad), so it never
drops a row the per-sample test would keep."""
FATES = ("failed", "intercepted", "leaked", "impacted")
CLASS_INDEX = {c: i for i, c in enumerate(THREAT_CLASSES)}
BOOST_FRAC = 0.03  # share of ground range flown during boost (geometry only)
BALLISTIC_CLASSES = ("ballistic", "rocket")
"""Classes flown on a minimum-energy ballistic profile (a rocket without ``boost_s`` has no boost phase);
every other class flies the air-breathing profile."""


@dataclass
class Track:
    """One route flown by one threat type: samples relative to launch."""

    threat: str
    launch: str
    aim: str
    waypoints: tuple
    t_s: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt_m: np.ndarray
    length_m: float

    @property
    def flight_time_s(self) -> float:
        return float(self.t_s[-1])


@dataclass
class Compiled:
    """Arrays describing one scenario for the engines (SI units)."""

    scenario: Scenario
    catalog: Catalog
    # names
    threat_types: list[str]
    interceptor_types: list[str]
    sensor_types: list[str]
    nations: list[str]
    site_names: list[str]
    unit_names: list[str]
    tracks: list[Track]
    # threats (n,)
    th_type: np.ndarray
    th_class: np.ndarray
    th_t0: np.ndarray
    th_T: np.ndarray
    th_boost: np.ndarray             # boost-phase duration [s] (0 for air-breathing threats)
    th_boost_fail: np.ndarray        # share of failures during boost (0 for air-breathing threats)
    th_track: np.ndarray
    th_aim: np.ndarray
    th_salvo: np.ndarray
    # tracks: sensors in order of usable-track time, CSR
    trk_sens_ptr: np.ndarray
    trk_sens_idx: np.ndarray
    trk_sens_t: np.ndarray           # time since launch the track is usable [s]
    sens_type: np.ndarray
    # fire units (k,)
    un_type: np.ndarray
    un_nation: np.ndarray
    un_layer: np.ndarray
    un_mag: np.ndarray
    un_chan: np.ndarray
    un_react: np.ndarray
    un_shots: np.ndarray
    un_reserve: np.ndarray
    # events sorted by (epoch, decision time, threat, unit)
    ev_threat: np.ndarray
    ev_unit: np.ndarray
    ev_pair: np.ndarray
    ev_L: np.ndarray
    ev_t: np.ndarray
    grp_ptr: np.ndarray              # events of group g are grp_ptr[g]:grp_ptr[g+1]
    grp_time: np.ndarray             # start of group g's decision interval [s]
    n_pairs: int
    # the kernel's index of the same events by threat: events of threat i are
    # thr_ptr[i]:thr_ptr[i+1], in event order (so decision time never decreases)
    thr_ptr: np.ndarray
    tev_e: np.ndarray                # index of the event in ev_* (its rank in the group's order)
    tev_g: np.ndarray                # its decision group
    tev_unit: np.ndarray
    tev_pair: np.ndarray
    tev_L: np.ndarray
    tev_t: np.ndarray
    # airspace of each event's intercept point: index into ``airspaces`` (country slugs, "sea",
    # "exo" above the doctrine's airspace ceiling), in event order and in the threat index's order
    airspaces: list[str]
    ev_air: np.ndarray               # (events,) uint16
    tev_air: np.ndarray
    # the allocator's look-ahead (module notes): rivals of each threat-index position, CSR
    tev_riv_ptr: np.ndarray          # (events + 1,)
    tev_riv: np.ndarray              # threat-index positions
    tev_after: np.ndarray            # (events,) first position of the threat in a group after the intercept
    # sites, in order of decreasing value; offsets from each aim site [m]
    site_dx: np.ndarray              # (sites, sites): east offset of target site s from aim site a
    site_dy: np.ndarray
    site_r2: np.ndarray              # (threat types, sites): squared hit radius [m^2]
    site_value: np.ndarray
    predict_class: np.ndarray        # (classes,) bool
    max_eng: int
    look_s: float
    max_inflight: int
    # keys of the counter-based draws (redline.engagement.draws): stable names of threats, units, sensors
    th_key: np.ndarray               # (threats,) uint64
    un_key: np.ndarray               # (units,) uint64
    sens_key: np.ndarray             # (sensors,) uint64
    extras: dict = field(default_factory=dict)

    @property
    def n_threats(self) -> int:
        return int(self.th_type.shape[0])

    @property
    def n_units(self) -> int:
        return int(self.un_type.shape[0])

    def param_arrays(self, params: ParamSet) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(pk[P, itype, ttype], reliability[P, ttype], sigma_m[P, ttype], pd[P, stype]) for the kernels.

        ``pk[:, j, t]`` is the single-shot Pk of interceptor type ``j`` against threat type ``t``:
        the parameter set's Pk against the threat's class times the threat type's
        ``manoeuvre_pk_factor`` (1 when the catalog gives none); see the module notes.
        """
        P = params.size

        def col(table, key, name):
            if key not in table:
                raise KeyError(f"parameter set {params.label!r} lacks {name} {key!r}")
            v = np.asarray(table[key], dtype=float)
            return np.broadcast_to(v, (P,)) if v.shape[0] == 1 else v

        pk = np.zeros((P, len(self.interceptor_types), len(self.threat_types)))
        factor = [_value_or(self.catalog.threats[t].manoeuvre_pk_factor, 1.0) for t in self.threat_types]
        for j, it in enumerate(self.interceptor_types):
            for t, tt in enumerate(self.threat_types):
                pk[:, j, t] = col(params.pk, (it, self.catalog.threats[tt].klass), "pk") * factor[t]
        rel = np.stack([col(params.reliability, t, "reliability") for t in self.threat_types], axis=1)
        sigma = np.stack([col(params.cep_m, t, "cep_m") for t in self.threat_types], axis=1) / 1.1774
        pd = (np.stack([col(params.pd, s, "pd") for s in self.sensor_types], axis=1)
              if self.sensor_types else np.zeros((P, 0)))
        for name, arr in (("pk", pk), ("reliability", rel), ("pd", pd)):
            if np.any((arr < 0) | (arr > 1)):
                raise ValueError(f"parameter set {params.label!r}: {name} values must lie in [0, 1]")
        return pk, rel, sigma, pd


def _pt(sc: Scenario, ref) -> Point:
    return sc.sites[ref] if isinstance(ref, str) else ref


def _route_length(points: list[Point]) -> float:
    """Total length [m] of a polyline of great-circle legs (the same sum ``_route`` returns)."""
    lats = np.array([p.lat for p in points])
    lons = np.array([p.lon for p in points])
    return float(distance_m(lats[:-1], lons[:-1], lats[1:], lons[1:]).sum())


def _route(points: list[Point], n: int, length_share: np.ndarray | None = None):
    """Sample ``n`` points along a polyline of great-circle legs. Returns lat, lon, total length, fractions."""
    lats = np.array([p.lat for p in points])
    lons = np.array([p.lon for p in points])
    legs = distance_m(lats[:-1], lons[:-1], lats[1:], lons[1:])
    total = float(legs.sum())
    s = np.linspace(0.0, total, n) if length_share is None else length_share * total
    cum = np.concatenate([[0.0], np.cumsum(legs)])
    if len(legs) == 1:
        f = s / legs[0] if legs[0] > 0 else np.zeros_like(s)
        lat, lon = interpolate(lats[0], lons[0], lats[1], lons[1], np.clip(f, 0, 1))
        return lat, lon, total
    lat = np.empty_like(s)
    lon = np.empty_like(s)
    leg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(legs) - 1)
    for j in range(len(legs)):
        m = leg == j
        if not m.any():
            continue
        f = (s[m] - cum[j]) / legs[j] if legs[j] > 0 else np.zeros(m.sum())
        lat[m], lon[m] = interpolate(lats[j], lons[j], lats[j + 1], lons[j + 1], np.clip(f, 0, 1))
    return lat, lon, total


def _value_or(q: Quantity | None, default: float) -> float:
    """The value of an optional quantity, or ``default`` when it is absent."""
    return default if q is None else q.value


def _v(q: Quantity | None) -> float:
    """The value of a quantity the schema guarantees is present."""
    assert q is not None
    return q.value


def _where(sc: Scenario, site: str | None, at: Point | None) -> Point:
    """The position of a placement given by a site name or a point (the schema requires one)."""
    if site is not None:
        return sc.sites[site]
    assert at is not None
    return at


def _patrol(u: FireUnit) -> Patrol:
    assert u.patrol is not None
    return u.patrol


def _build_track(sc: Scenario, cat: Catalog, threat: str, launch: str, aim: str, waypoints: tuple, n: int) -> Track:
    tt = cat.threats[threat]
    pts = [sc.sites[launch]] + [_pt(sc, w) for w in waypoints] + [sc.sites[aim]]
    total = _route_length(pts)
    if tt.klass in BALLISTIC_CLASSES:
        boost = tt.boost_s.value if tt.boost_s is not None else 0.0
        prof = ballistic_profile(total, n, boost_s=boost, boost_frac=BOOST_FRAC if boost > 0 else 0.0)
    else:
        prof = airbreathing_profile(total, _v(tt.speed_kmh) / 3.6, _v(tt.altitude_m), n)
    lat, lon, _ = _route(pts, n, length_share=np.clip(prof.ground_m / total, 0, 1))
    return Track(threat, launch, aim, waypoints, prof.time_s, lat, lon, prof.alt_m, total)


def _radar_visible(dist_m: np.ndarray, alt_m: np.ndarray, antenna_m: float, range_m: float) -> np.ndarray:
    """Line of sight under the 4/3-Earth refraction model, within instrumented range."""
    k_r = 4.0 / 3.0 * EARTH_RADIUS_M
    horizon = np.sqrt(2 * k_r * antenna_m) + np.sqrt(2 * k_r * np.maximum(alt_m, 0.0))
    return (dist_m <= range_m) & (dist_m <= horizon)


@njit(cache=True)
def _select_opportunities(t_s, L_s, mask, spacing_s, kmax):
    """Per row: the first in-envelope sample, then each next one whose decision time is at least
    ``spacing_s`` after the previous kept one, and the last in-envelope sample; thinned evenly to
    ``kmax``. Returns (rows, kmax) indices, -1 padded."""
    rows, n = t_s.shape
    out = np.full((rows, kmax), -1, np.int64)
    buf = np.empty(n, np.int64)
    for r in range(rows):
        m = 0
        lastj = -1
        for j in range(n):
            if mask[r, j]:
                lastj = j
                if m == 0 or L_s[r, j] >= L_s[r, buf[m - 1]] + spacing_s:
                    buf[m] = j
                    m += 1
        if lastj >= 0 and buf[m - 1] != lastj:
            buf[m] = lastj
            m += 1
        if m <= kmax:
            for q in range(m):
                out[r, q] = buf[q]
        else:
            last = -1
            q = 0
            for a in range(kmax):
                pos = int(np.floor(a * (m - 1) / (kmax - 1) + 0.5)) if kmax > 1 else 0
                if pos != last:
                    out[r, q] = buf[pos]
                    q += 1
                    last = pos
    return out


@njit(cache=True)
def _select_last(L_s, mask, spacing_s, k):
    """Per row: the last in-envelope sample, then going back each one whose decision time is at least
    ``spacing_s`` before the previous kept one, ``k`` at most, returned in time order; (rows, k), -1 padded.
    Anchored at the end, so samples removed earlier in the window (an airspace closed) do not move it."""
    rows, n = L_s.shape
    out = np.full((rows, k), -1, np.int64)
    buf = np.empty(k, np.int64)
    for r in range(rows):
        m = 0
        for j in range(n - 1, -1, -1):
            if mask[r, j] and (m == 0 or L_s[r, j] <= L_s[r, buf[m - 1]] - spacing_s):
                buf[m] = j
                m += 1
                if m == k:
                    break
        for q in range(m):
            out[r, q] = buf[m - 1 - q]
    return out


@njit(cache=True)
def _rivals(thr_ptr, tev_g, tev_unit, tev_pair, tev_t, grp_time, n_pairs):
    """The allocator's look-ahead (see module notes), in the threat index's order: for each
    position ``j`` the positions ``j'`` of the same threat, in a later decision group that starts
    before ``j``'s intercept (so ``j``'s salvo would still be in flight there), of another unit
    whose pair has no opportunity in a group starting at or after that intercept (the chance
    would be lost); and ``after[j]``, the first position of the threat in a group starting at or
    after that intercept (the opportunities left once ``j``'s result is known).
    Returns ``ptr (n_tev + 1,), idx, after (n_tev,)``."""
    n_tev = tev_g.shape[0]
    last_gt = np.full(n_pairs, -np.inf)
    for j in range(n_tev):
        gt = grp_time[tev_g[j]]
        if gt > last_gt[tev_pair[j]]:
            last_gt[tev_pair[j]] = gt
    ptr = np.zeros(n_tev + 1, np.int64)
    after = np.empty(n_tev, np.int64)
    idx = np.empty(0, np.int64)
    cnt = 0
    for pas in range(2):
        if pas == 1:
            idx = np.empty(cnt, np.int64)
        cnt = 0
        for i in range(thr_ptr.shape[0] - 1):
            end = thr_ptr[i + 1]
            for j in range(thr_ptr[i], end):
                ptr[j] = cnt
                te = tev_t[j]
                k = j + 1
                while k < end and grp_time[tev_g[k]] < te:   # decision times never decrease along a threat
                    if tev_g[k] > tev_g[j] and tev_unit[k] != tev_unit[j] and last_gt[tev_pair[k]] < te:
                        if pas == 1:
                            idx[cnt] = k
                        cnt += 1
                    k += 1
                after[j] = k
        ptr[n_tev] = cnt
    return ptr, idx, after


def _event_groups(grp_ptr: np.ndarray) -> np.ndarray:
    """The decision group of every event, from the groups' CSR pointers."""
    return np.repeat(np.arange(grp_ptr.size - 1, dtype=np.int64), np.diff(grp_ptr))


def _threat_index(ev_threat: np.ndarray, n_threats: int) -> tuple[np.ndarray, np.ndarray]:
    """Events grouped by threat, each threat's in event order: (thr_ptr (n+1,), event indices).

    The kernel walks each threat's events with a cursor, so a trial touches a
    threat's opportunities only while the threat is alive and in reach, never
    the opportunities of threats already known dead.
    """
    tev = np.argsort(ev_threat, kind="stable").astype(np.int64)
    thr_ptr = np.concatenate([[0], np.cumsum(np.bincount(ev_threat, minlength=n_threats))]).astype(np.int64)
    return thr_ptr, tev


def _withheld(units: list[FireUnit], cat: Catalog, withhold: Mapping[str, Mapping[str, Sequence[str]]],
              ev_threat: np.ndarray, ev_unit: np.ndarray, th_class: np.ndarray) -> np.ndarray:
    """Events the doctrine withholds (see module notes): a listed (nation, type) unit's opportunities on a
    threat of a listed class, when a unit of a strictly cheaper interceptor has an opportunity on it."""
    cost = np.array([cat.interceptors[u.type].cost_usd.value for u in units], dtype=float)
    held = np.zeros((len(units), len(THREAT_CLASSES)), dtype=bool)
    for ui, u in enumerate(units):
        for cl in withhold.get(u.owner, {}).get(u.type, ()):
            held[ui, THREAT_CLASSES.index(cl)] = True
    cheapest = np.full(th_class.size, np.inf)
    np.minimum.at(cheapest, ev_threat, cost[ev_unit])
    return held[ev_unit, th_class[ev_threat]] & (cheapest[ev_threat] < cost[ev_unit])


def _event_airspaces(tracks: list[Track], ev_track: np.ndarray, ev_smp: np.ndarray,
                     ceiling_m: float) -> tuple[list[str], np.ndarray]:
    """The airspace of each event's intercept point: (sorted names, index per event as uint16).

    An intercept at or above ``ceiling_m`` is in ``"exo"`` (no state's airspace, as the
    partner airspace rule has it); below, in the country under the point, or ``"sea"``.
    """
    from ..geo.countries import countries_at

    if ev_track.size == 0:
        return [], np.zeros(0, np.uint16)
    m = max(trk.t_s.size for trk in tracks)
    uk, inv = np.unique(ev_track.astype(np.int64) * m + ev_smp, return_inverse=True)
    k, s = uk // m, uk % m
    lat = np.array([tracks[a].lat[b] for a, b in zip(k, s)])
    lon = np.array([tracks[a].lon[b] for a, b in zip(k, s)])
    alt = np.array([tracks[a].alt_m[b] for a, b in zip(k, s)])
    cty = countries_at(lat, lon)
    names = np.array(["exo" if h >= ceiling_m else ("sea" if x is None else x) for x, h in zip(cty, alt)], dtype=object)
    airspaces = sorted(set(names.tolist()))
    idx = np.array([airspaces.index(x) for x in names], dtype=np.uint16)
    return airspaces, idx[inv]


def _assign_aims(aim: dict[str, float], count: int) -> list[str]:
    """Deterministic apportionment of ``count`` threats to aim sites by weight, interleaved."""
    names = sorted(aim)
    w = np.array([aim[a] for a in names], dtype=float)
    w = w / w.sum()
    out, got = [], np.zeros(len(names))
    for j in range(count):
        k = int(np.argmax((j + 1) * w - got))
        got[k] += 1
        out.append(names[k])
    return out


def compile_scenario(sc: Scenario, cat: Catalog, params: ParamSet | None = None, n_samples: int = N_SAMPLES) -> Compiled:
    """Geometry and bookkeeping arrays for ``sc`` (see module notes for semantics)."""
    doc = sc.doctrine
    max_eng = doc.max_engagements if doc.shoot_look_shoot else 1
    # magazine plans (redline.engagement.magazine_plan): planned units fight as sections, one per class
    planned, _, plan_allowed = planned_units(sc)
    if any(a is not None for a in plan_allowed):
        sc = sc.model_copy(update={"fire_units": tuple(planned)})
    # --- target sites (defended or aimed at), ordered by decreasing value, then name:
    # the only places a warhead can count as a hit
    aimed = {a for salvo in sc.raid for a in salvo.aim}
    site_names = sorted((s for s in sc.sites if sc.sites[s].value > 0 or s in aimed), key=lambda s: (-sc.sites[s].value, s))
    s_lat = np.array([sc.sites[s].lat for s in site_names])
    s_lon = np.array([sc.sites[s].lon for s in site_names])
    coslat = np.cos(np.radians(s_lat))[:, None]
    site_dx = np.radians(s_lon[None, :] - s_lon[:, None]) * EARTH_RADIUS_M * coslat
    site_dy = np.radians(s_lat[None, :] - s_lat[:, None]) * EARTH_RADIUS_M * np.ones_like(coslat)
    site_value = np.array([sc.sites[s].value for s in site_names])
    site_index = {s: i for i, s in enumerate(site_names)}

    threat_types = sorted({s.threat for s in sc.raid})
    # hit radius per threat type and site: the site's radius plus a cluster warhead's footprint
    subs = [cat.threats[t].submunitions for t in threat_types]
    footprint_m = np.array([s.footprint_radius_km.value * 1e3 if s is not None else 0.0 for s in subs])
    site_r_m = np.array([sc.sites[s].radius_km * 1e3 for s in site_names])
    site_r2 = (site_r_m[None, :] + footprint_m[:, None]) ** 2
    interceptor_types = sorted({u.type for u in sc.fire_units})
    sensor_types = sorted({s.type for s in sc.sensors})
    nations = sorted({u.owner for u in sc.fire_units})
    # --- threats and tracks
    tracks: list[Track] = []
    track_key: dict[tuple, int] = {}
    l_type: list[int] = []
    l_t0: list[float] = []
    l_track: list[int] = []
    th_aim: list[int] = []
    th_salvo: list[int] = []
    for si, salvo in enumerate(sc.raid):
        aims = _assign_aims(salvo.aim, salvo.count)
        w0, w1 = salvo.window_min
        t0s = np.linspace(w0, w1, salvo.count) * 60.0 if salvo.count > 1 else np.array([w0 * 60.0] * salvo.count)
        wps = tuple(w if isinstance(w, str) else (w.lat, w.lon) for w in salvo.waypoints)
        for j in range(salvo.count):
            key = (salvo.threat, salvo.launch, aims[j], wps)
            if key not in track_key:
                track_key[key] = len(tracks)
                tracks.append(_build_track(sc, cat, salvo.threat, salvo.launch, aims[j], salvo.waypoints, n_samples))
            l_type.append(threat_types.index(salvo.threat))
            l_t0.append(float(t0s[j]))
            l_track.append(track_key[key])
            th_aim.append(site_index[aims[j]])
            th_salvo.append(si)
    th_type = np.array(l_type, dtype=np.int64)
    th_class = np.array([CLASS_INDEX[cat.threats[threat_types[t]].klass] for t in th_type], dtype=np.int64)
    th_t0 = np.array(l_t0, dtype=float)
    th_track = np.array(l_track, dtype=np.int64)
    th_T = np.array([tracks[k].flight_time_s for k in th_track], dtype=float)

    def _q(t, field):
        q = getattr(cat.threats[threat_types[t]], field)
        return q.value if q is not None else 0.0
    th_boost = np.array([_q(t, "boost_s") for t in th_type], dtype=float)
    th_boost_fail = np.array([_q(t, "boost_failure_share") for t in th_type], dtype=float)

    # --- sensors: per track, usable-track time since launch for every sensor that sees it
    sens_pos = [_where(sc, s.site, s.at) for s in sc.sensors]
    sens_type = np.array([sensor_types.index(s.type) for s in sc.sensors], dtype=np.int64)
    ptr, idx, tt = [0], [], []
    for trk in tracks:
        klass = cat.threats[trk.threat].klass
        cover = []
        for si, s in enumerate(sc.sensors):
            st = cat.sensors[s.type]
            if klass not in st.detects:
                continue
            if st.kind == "space":
                boost = cat.threats[trk.threat].boost_s
                t_first = 0.0 if boost is not None else np.inf
            else:
                d = distance_m(sens_pos[si].lat, sens_pos[si].lon, trk.lat, trk.lon)
                vis = _radar_visible(d, trk.alt_m, st.antenna_height_m.value, st.range_km.value * 1e3)
                t_first = float(trk.t_s[np.argmax(vis)]) if vis.any() else np.inf
            if np.isfinite(t_first):
                cover.append((t_first + st.latency_s.value, si))
        cover.sort()
        idx += [c[1] for c in cover]
        tt += [c[0] for c in cover]
        ptr.append(len(idx))

    trk_t = np.array(tt, dtype=float)
    track_first = [float(trk_t[ptr[k]:ptr[k + 1]].min()) if ptr[k + 1] > ptr[k] else np.inf for k in range(len(tracks))]

    # --- fire units
    units = list(sc.fire_units)
    un_type = np.array([interceptor_types.index(u.type) for u in units], dtype=np.int64)
    un_nation = np.array([nations.index(u.owner) for u in units], dtype=np.int64)
    un_layer = np.array([LAYERS.index(cat.interceptors[u.type].layer) for u in units], dtype=np.int64)
    un_mag = np.array([u.rounds for u in units], dtype=np.int64)
    un_chan = np.array([u.channels for u in units], dtype=np.int64)
    un_react = np.array([u.reaction_s for u in units], dtype=float)
    un_shots = np.array([doc.shots.get(cat.interceptors[u.type].layer, 1) for u in units], dtype=np.int64)
    un_reserve = np.array([int(np.floor(doc.reserve.get(u.type, 0.0) * u.rounds)) for u in units], dtype=np.int64)

    # which (unit, class) pairs can ever kill: skip the others entirely
    if params is not None:
        pk_any = np.zeros((len(units), len(THREAT_CLASSES)), dtype=bool)
        for ui, u in enumerate(units):
            for c, cl in enumerate(THREAT_CLASSES):
                pk_any[ui, c] = np.any(np.asarray(params.pk[(u.type, cl)]) > 0)
    else:
        pk_any = np.array([[cat.interceptors[u.type].pk[cl].high > 0 for cl in THREAT_CLASSES] for u in units], dtype=bool).reshape(len(units), len(THREAT_CLASSES))
    for ui, planned_cls in enumerate(plan_allowed):    # a class the unit's plan gives no rounds is never engaged
        if planned_cls is not None:
            pk_any[ui] &= np.array([cl in planned_cls for cl in THREAT_CLASSES], dtype=bool)

    # countries under each track sample (only when partner airspace rules apply)
    track_countries = None
    if doc.airspace is not None:
        from ..geo.countries import countries_at
        track_countries = []
        for trk in tracks:
            cty = countries_at(trk.lat, trk.lon)
            track_countries.append(np.array(["sea" if x is None else x for x in cty], dtype=object))

    # --- opportunities per (track, unit), relative to launch; vectorised over tracks
    T_t = np.stack([trk.t_s for trk in tracks]) if tracks else np.zeros((0, n_samples))
    T_lat = np.stack([trk.lat for trk in tracks]) if tracks else T_t
    T_lon = np.stack([trk.lon for trk in tracks]) if tracks else T_t
    T_alt = np.stack([trk.alt_m for trk in tracks]) if tracks else T_t
    T_vec = to_unit_vectors(T_lat, T_lon)              # (tracks, samples, 3)
    trk_class = np.array([CLASS_INDEX[cat.threats[trk.threat].klass] for trk in tracks], dtype=np.int64)
    first = np.asarray(track_first, dtype=float)[:, None] if tracks else np.zeros((0, 1))
    above_ceiling = T_alt >= doc.airspace_ceiling_km * 1e3
    if track_countries is not None:
        T_cty = np.stack(track_countries) if tracks else np.zeros((0, n_samples), dtype=object)
    # per block of consecutive track samples: a bounding cap (unit-vector centre, angular radius) and
    # the altitude span. A unit whose envelope reaches no block of a track cannot engage it, so that
    # row is skipped before the per-sample geometry; the rows kept are computed exactly as before.
    if tracks:
        b0 = np.arange(0, n_samples, _BLOCK)
        b_n = np.diff(np.append(b0, n_samples))
        b_m = np.add.reduceat(T_vec, b0, axis=1)
        b_m /= np.linalg.norm(b_m, axis=-1, keepdims=True)
        b_cap = np.maximum.reduceat(
            np.arccos(np.clip(np.einsum("ksi,ksi->ks", T_vec, np.repeat(b_m, b_n, axis=1)), -1.0, 1.0)), b0, axis=1)
        b_lo = np.minimum.reduceat(T_alt, b0, axis=1)
        b_hi = np.maximum.reduceat(T_alt, b0, axis=1)
    opp_parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = []   # (tracks, unit, t, L, sample)
    per_track = np.bincount(th_track, minlength=len(tracks))
    for ui, u in enumerate(units):
        it = cat.interceptors[u.type]
        rows = np.flatnonzero(pk_any[ui, trk_class]) if tracks else np.zeros(0, dtype=np.int64)
        if rows.size == 0:
            continue
        if u.kind == "fighter":
            centre = _where(sc, _patrol(u).site, _patrol(u).at)
            rmax = _patrol(u).radius_km * 1e3 + it.max_range_km.value * 1e3
            rmin = 0.0
        else:
            centre = _where(sc, u.site, u.at)
            rmax, rmin = it.max_range_km.value * 1e3, it.min_range_km.value * 1e3
        amin, amax = it.min_alt_km.value * 1e3, it.max_alt_km.value * 1e3
        near = (b_hi[rows] >= amin) & (b_lo[rows] <= amax)
        if rmax / EARTH_RADIUS_M < np.pi:
            b_ang = np.arccos(np.clip(b_m[rows] @ to_unit_vectors(centre.lat, centre.lon), -1.0, 1.0))
            near &= b_ang - b_cap[rows] <= rmax / EARTH_RADIUS_M + _CAP_MARGIN_RAD
        keep = near.any(axis=1)
        rows, near = rows[keep], near[keep]
        if rows.size == 0:
            continue
        # and only the samples c0:c1 spanning the blocks in reach of any kept track (outside them
        # the envelope mask is all false, so the opportunities chosen are the same)
        blocks = np.flatnonzero(near.any(axis=0))
        c0, c1 = int(b0[blocks[0]]), int(b0[blocks[-1]] + b_n[blocks[-1]])
        every = rows.size == len(tracks) and c0 == 0 and c1 == n_samples   # no copies then
        if every:
            alt, tt_s, vec = T_alt, T_t, T_vec
        else:
            alt, tt_s, vec = T_alt[rows, c0:c1], T_t[rows, c0:c1], T_vec[rows, c0:c1]
        cos_c = vec @ to_unit_vectors(centre.lat, centre.lon)
        # range limits compared on the cosine of the central angle (monotonic), so the
        # arccos is only taken inside the envelope
        cos_max = np.cos(min(rmax / EARTH_RADIUS_M, np.pi))
        cos_min = np.cos(min(rmin / EARTH_RADIUS_M, np.pi))
        mask = (cos_c >= cos_max) & (cos_c <= cos_min) & (alt >= amin) & (alt <= amax) & (tt_s > 0)
        L = np.full(mask.shape, -np.inf)
        d = EARTH_RADIUS_M * np.arccos(np.clip(cos_c[mask], -1.0, 1.0))     # great-circle distance [m]
        if u.kind == "fighter":
            d = np.maximum(d - _patrol(u).radius_km * 1e3, 0.0)
        L[mask] = tt_s[mask] - np.hypot(d, alt[mask]) / it.flyout_speed_mps.value
        # never before the earliest possible track plus the unit's reaction time
        mask &= L >= first[rows] + u.reaction_s
        # a planned unit whose rounds cannot give one salvo to every threat in its reach (its envelope,
        # whatever the airspace rules) fires late: each pair's last chances only (module notes)
        fires_late = plan_allowed[ui] is not None and u.rounds < int(un_shots[ui]) * int(
            per_track[rows[mask.any(axis=1)]].sum())
        if track_countries is not None:
            allowed = list((doc.airspace or {}).get(u.owner, ()))
            mask &= np.isin(T_cty[rows, c0:c1], allowed) | above_ceiling[rows, c0:c1]
        if fires_late:
            chosen = _select_last(L, mask, float(doc.decision_interval_s), int(max_eng))
        else:
            chosen = _select_opportunities(tt_s, L, mask, float(doc.decision_interval_s), MAX_OPPORTUNITIES)
        r, q = np.nonzero(chosen >= 0)                  # row-major: by track, then in time order
        ch = chosen[r, q]
        opp_parts.append((rows[r], ui, tt_s[r, ch], L[r, ch], ch + c0))

    # --- expand to threats, filter fighter on-station windows, sort (vectorised)
    if opp_parts:
        opp_k = np.concatenate([p[0] for p in opp_parts]).astype(np.int64)
        opp_u = np.concatenate([np.full(p[0].size, p[1], dtype=np.int64) for p in opp_parts])
        opp_t = np.concatenate([p[2] for p in opp_parts])
        opp_L = np.concatenate([p[3] for p in opp_parts])
        opp_s = np.concatenate([p[4] for p in opp_parts]).astype(np.int64)
        by_track = np.lexsort((opp_u, opp_k))           # (track, unit) order, each pair's in time order
        opp_k, opp_u, opp_t, opp_L, opp_s = (a[by_track] for a in (opp_k, opp_u, opp_t, opp_L, opp_s))
    else:
        opp_k, opp_u, opp_t, opp_L, opp_s = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                                             np.zeros(0, np.int64))
    order = np.argsort(th_track, kind="stable")
    starts = np.concatenate([[0], np.cumsum(per_track)[:-1]]).astype(np.int64)
    reps = per_track[opp_k] if opp_k.size else np.zeros(0, np.int64)
    rep = np.repeat(np.arange(opp_k.size), reps)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(reps) - reps, reps)
    ev_threat = order[starts[opp_k[rep]] + offs] if rep.size else np.zeros(0, np.int64)
    ev_unit = opp_u[rep]
    ev_t = th_t0[ev_threat] + opp_t[rep]
    ev_smp = opp_s[rep]                                 # the track sample of the intercept point
    ev_L = th_t0[ev_threat] + opp_L[rep]
    on = np.array([_patrol(u).on_station_min[0] * 60.0 if u.kind == "fighter" else -np.inf for u in units])
    off = np.array([_patrol(u).on_station_min[1] * 60.0 if u.kind == "fighter" else np.inf for u in units])
    if units:
        keep = (ev_t >= on[ev_unit]) & (ev_t <= off[ev_unit])
        ev_threat, ev_unit, ev_t, ev_L, ev_smp = (a[keep] for a in (ev_threat, ev_unit, ev_t, ev_L, ev_smp))
    if doc.withhold:
        keep = ~_withheld(units, cat, doc.withhold, ev_threat, ev_unit, th_class)
        ev_threat, ev_unit, ev_t, ev_L, ev_smp = (a[keep] for a in (ev_threat, ev_unit, ev_t, ev_L, ev_smp))
    airspaces, ev_air = _event_airspaces(tracks, th_track[ev_threat], ev_smp, doc.airspace_ceiling_km * 1e3)
    pair_key = ev_threat.astype(np.int64) * max(len(units), 1) + ev_unit
    _, ev_pair = np.unique(pair_key, return_inverse=True)
    n_pairs = int(ev_pair.max()) + 1 if ev_pair.size else 0
    ev_threat = ev_threat.astype(np.int32)
    ev_unit = ev_unit.astype(np.int32)
    ev_pair = ev_pair.astype(np.int32)
    epoch = np.floor(ev_L / doc.decision_interval_s).astype(np.int64)
    order = np.lexsort((ev_unit, ev_threat, ev_L, epoch))
    ev_threat, ev_unit, ev_pair, ev_L, ev_t, ev_air, epoch = (
        a[order] for a in (ev_threat, ev_unit, ev_pair, ev_L, ev_t, ev_air, epoch))
    if epoch.size:
        starts = np.flatnonzero(np.diff(epoch)) + 1
        grp_ptr = np.concatenate([[0], starts, [epoch.size]]).astype(np.int64)
        grp_time = epoch[grp_ptr[:-1]] * doc.decision_interval_s
    else:
        grp_ptr = np.zeros(1, dtype=np.int64)
        grp_time = np.zeros(0)

    predict = np.array([c in doc.impact_prediction for c in THREAT_CLASSES], dtype=bool)
    thr_ptr, tev = _threat_index(ev_threat, len(th_type))
    tev_g = _event_groups(grp_ptr)[tev].astype(np.uint32)
    if int(doc.salvos_in_flight) == 1 and tev.size:
        riv_ptr, riv, after = _rivals(thr_ptr, tev_g.astype(np.int64), ev_unit[tev].astype(np.int64),
                               ev_pair[tev].astype(np.int64), ev_t[tev], np.asarray(grp_time, dtype=float), n_pairs)
    else:                                # a second slot in flight: taking one loses no rival's chance
        riv_ptr, riv, after = np.zeros(tev.size + 1, np.int64), np.zeros(0, np.int64), np.zeros(tev.size, np.int64)
    return Compiled(
        scenario=sc, catalog=cat,
        threat_types=threat_types, interceptor_types=interceptor_types, sensor_types=sensor_types,
        nations=nations, site_names=site_names, unit_names=[u.name for u in units], tracks=tracks,
        th_type=th_type, th_class=th_class, th_t0=th_t0, th_T=th_T, th_boost=th_boost, th_boost_fail=th_boost_fail,
        th_track=th_track,
        th_aim=np.array(th_aim, dtype=np.int64), th_salvo=np.array(th_salvo, dtype=np.int64),
        trk_sens_ptr=np.array(ptr, dtype=np.int64), trk_sens_idx=np.array(idx, dtype=np.int64),
        trk_sens_t=np.array(tt, dtype=float), sens_type=sens_type,
        un_type=un_type, un_nation=un_nation, un_layer=un_layer, un_mag=un_mag, un_chan=un_chan,
        un_react=un_react, un_shots=un_shots, un_reserve=un_reserve,
        ev_threat=ev_threat, ev_unit=ev_unit, ev_pair=ev_pair, ev_L=ev_L, ev_t=ev_t,
        grp_ptr=grp_ptr, grp_time=np.asarray(grp_time, dtype=float), n_pairs=n_pairs,
        # unsigned indices: the kernel's loads need no negative-index wraparound
        thr_ptr=thr_ptr, tev_e=tev.astype(np.int32), tev_g=tev_g,
        tev_unit=ev_unit[tev].astype(np.uint32), tev_pair=ev_pair[tev].astype(np.uint32),
        tev_L=ev_L[tev], tev_t=ev_t[tev],
        airspaces=airspaces, ev_air=ev_air, tev_air=ev_air[tev],
        tev_riv_ptr=riv_ptr, tev_riv=riv.astype(np.uint32), tev_after=after,
        site_dx=site_dx, site_dy=site_dy, site_r2=site_r2, site_value=site_value,
        predict_class=predict, max_eng=int(max_eng), look_s=float(doc.look_s),
        max_inflight=int(doc.salvos_in_flight),
        th_key=threat_keys(sc.raid), un_key=unit_keys([u.name for u in units]),
        sens_key=sensor_keys([s.name for s in sc.sensors]),
    )
