"""The reference engine: a plain event loop with the kernel's semantics.

Written for clarity, not speed, with Python objects; it exists to check
the fast kernel (:mod:`redline.engagement.kernel`, whose docstring states
the semantics) and to run the exact allocator on small cases. It scans
every opportunity of every group and rescans every candidate after each
commit (:func:`redline.engagement.allocation.greedy`), making the kernel's
keyed draws (:mod:`redline.engagement.draws`, here in plain Python), so with
the greedy allocator it reproduces the fast engine's trials draw for draw on
the same seed: the outcome arrays (classes, shots,
kills, site hits, fates, killers, end times) are bit-identical
(``tests/engagement/test_agreement.py``), and the kernel's opportunity index
and lazy greedy are checked against this brute force
(``tests/engagement/test_index.py``). On different seeds the two agree in
distribution.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..catalog import THREAT_CLASSES
from . import draws
from .allocation import ALLOCATORS, Candidate
from .compile import Compiled

__all__ = ["simulate_trial", "TrialResult"]


@dataclass
class _Threat:
    index: int
    klass: int
    value: float
    t_fail: float
    t_track: float
    impact_site: int
    dx: float
    dy: float
    t_end_flight: float
    engagements: list = field(default_factory=list)   # (t_intercept, q, unit, killed)
    eng_air: list = field(default_factory=list)       # airspace of each engagement's intercept point

    @property
    def kill_air(self) -> int:
        """The airspace of the earliest killing engagement (the one :attr:`killer` credits)."""
        kills = [(e[0], a) for e, a in zip(self.engagements, self.eng_air) if e[3]]
        return min(kills, key=lambda ta: ta[0])[1] if kills else -1
    key: int = 0                                      # the threat's key in this trial (draws.sub_key)

    @property
    def t_kill(self) -> float:
        kills = [(t, u) for t, q, u, k in self.engagements if k]
        return min(kills, key=lambda tu: tu[0])[0] if kills else math.inf

    @property
    def killer(self) -> int:
        """The unit of the earliest killing engagement; of two at the same time, the one committed
        first (as the kernel credits it), not the lower unit index."""
        kills = [(t, u) for t, q, u, k in self.engagements if k]
        return min(kills, key=lambda tu: tu[0])[1] if kills else -1


@dataclass
class TrialResult:
    cls: np.ndarray
    by_type: np.ndarray
    kills_na: np.ndarray
    unit_shots: np.ndarray
    unit_kills: np.ndarray
    site_hits: np.ndarray
    fate: np.ndarray
    t_end: np.ndarray
    killer: np.ndarray
    impact_dx: np.ndarray                 # NaN where the aim error was not drawn (not sampled, not leaked)
    impact_dy: np.ndarray
    draws: dict = field(default_factory=dict)  # draws made, by kind (_Draws.counts)
    kill_draws: list = field(default_factory=list)  # (threat, unit, earlier salvos of the pair, p_kill, killed)


class _Draws:
    """The keyed draws of one trial (:mod:`redline.engagement.draws`), counted."""

    def __init__(self, seed: int, trial: int):
        self.trial_key = draws.trial_key(draws.seed_key(seed), trial)
        self.counts = {"threat_keys": 0, "uniforms": 0, "keyed_uniforms": 0, "aim_errors": 0}

    def threat_key(self, th_key: int) -> int:
        self.counts["threat_keys"] += 1
        return draws.sub_key(self.trial_key, th_key)

    def uniform(self, k: int, purpose: int) -> float:
        """A threat's own uniform (failure, failure time)."""
        self.counts["uniforms"] += 1
        return draws.uniform(k, purpose)

    def keyed_uniform(self, k: int, x: int, purpose: int) -> float:
        """A uniform under the threat's sub-key of a sensor or unit (detection, kill)."""
        self.counts["keyed_uniforms"] += 1
        return draws.uniform(draws.sub_key(k, x), purpose)

    def aim_error(self, k: int, sigma: float) -> tuple[float, float]:
        self.counts["aim_errors"] += 1
        return draws.aim_error(k, sigma)


def _impact_site(c: Compiled, aim: int, ty: int, dx: float, dy: float) -> int:
    """The first (most valuable) site whose radius (plus threat type ``ty``'s cluster footprint) contains
    the impact point, or -1."""
    for s in range(len(c.site_names)):
        if (dx - c.site_dx[aim, s]) ** 2 + (dy - c.site_dy[aim, s]) ** 2 <= c.site_r2[ty, s]:
            return s
    return -1


def _draw_threats(c: Compiled, pi: int, rel, sigma, pd, rd: _Draws, sample: bool) -> list[_Threat]:
    out = []
    for i in range(c.n_threats):
        ty = int(c.th_type[i])
        kt = rd.threat_key(int(c.th_key[i]))
        p_fail = 1.0 - rel[pi, ty]
        # every draw below is made only when its result is not certain (probability 0 or 1)
        if p_fail >= 1.0 or (p_fail > 0.0 and rd.uniform(kt, draws.FAIL) < p_fail):
            u = rd.uniform(kt, draws.FAIL_TIME)
            share, boost, flight = c.th_boost_fail[i], c.th_boost[i], c.th_T[i]
            t_fail = c.th_t0[i] + (u / share * boost if u < share else boost + (u - share) / (1 - share) * (flight - boost))
        else:
            t_fail = math.inf
        aim = int(c.th_aim[i])
        klass = int(c.th_class[i])
        # the aim error only where the value depends on it (and in sample trials); else at the tally if it leaks
        dx = dy = math.nan
        site = -2
        if c.predict_class[klass] or sample:
            dx, dy = rd.aim_error(kt, sigma[pi, ty])
            site = _impact_site(c, aim, ty, dx, dy)
        if c.predict_class[klass]:
            value = float(c.site_value[site]) if site >= 0 else 0.0
        else:
            value = float(c.site_value[aim])
        t_track = math.inf
        k = int(c.th_track[i])
        if value > 0 and c.thr_ptr[i] < c.thr_ptr[i + 1]:        # else never engaged: no detection draws
            for q in range(c.trk_sens_ptr[k], c.trk_sens_ptr[k + 1]):
                sq = int(c.trk_sens_idx[q])
                p_d = pd[pi, c.sens_type[sq]]
                if p_d >= 1.0 or (p_d > 0.0 and rd.keyed_uniform(kt, int(c.sens_key[sq]), draws.DETECT) < p_d):
                    t_track = c.th_t0[i] + c.trk_sens_t[q]
                    break
        th = _Threat(i, klass, value, t_fail, t_track, site, dx, dy, c.th_t0[i] + c.th_T[i])
        th.key = kt
        out.append(th)
    return out


def _salvo_pk(c: Compiled, pk, pi: int, th: _Threat, k: int, magazine: dict, pair_count: dict,
              pair_last: dict) -> float:
    """The kill probability of the salvo the unit of threat-index position ``k`` would fire there, as
    things stand (its rounds above reserve, the threat's track, its pair's count and look time), or -1
    if it could not fire."""
    u, p, L = int(c.tev_unit[k]), int(c.tev_pair[k]), c.tev_L[k]
    avail = magazine[u] - int(c.un_reserve[u])
    if avail <= 0 or th.t_track + c.un_react[u] > L or pair_count.get(p, 0) >= c.max_eng:
        return -1.0
    if pair_count.get(p, 0) > 0 and L < pair_last[p] + c.look_s:
        return -1.0
    shots = min(int(c.un_shots[u]), avail)
    return 1.0 - (1.0 - pk[pi, c.un_type[u], c.th_type[th.index]]) ** shots


def _blocks_better(c: Compiled, pk, pi: int, th: _Threat, j: int, p_kill: float,
                   magazine: dict, pair_count: dict, pair_last: dict) -> bool:
    """The look-ahead (kernel semantics 3a): would a salvo at threat-index position ``j`` block a
    rival's later, better salvo whose chance would then be lost, with no salvo as good left once
    this one's result is known?"""
    best, tie = p_kill, False
    mine = magazine[int(c.tev_unit[j])] - int(c.un_reserve[int(c.tev_unit[j])])
    for r in range(c.tev_riv_ptr[j], c.tev_riv_ptr[j + 1]):
        k = int(c.tev_riv[r])
        q = _salvo_pk(c, pk, pi, th, k, magazine, pair_count, pair_last)
        if q > best:
            best = q
        elif q == p_kill and magazine[int(c.tev_unit[k])] - int(c.un_reserve[int(c.tev_unit[k])]) > mine:
            tie = True                    # an equally good rival with more rounds to spare
    if not (best > p_kill or tie):
        return False
    for k in range(int(c.tev_after[j]), int(c.thr_ptr[th.index + 1])):
        if _salvo_pk(c, pk, pi, th, k, magazine, pair_count, pair_last) >= best:
            return False
    return True


def simulate_trial(c: Compiled, arrays, trial: int, seed: int,
                   magazines: np.ndarray | None = None, sample: bool = False) -> TrialResult:
    """Simulate trial ``trial`` of a run seeded with ``seed``.

    ``trial`` (the run's global index) selects the parameter draw and keys the
    draws; ``magazines`` are the starting rounds per unit; ``sample`` draws every
    threat's aim error (as the fast engine does in its sample trials).
    """
    pk, rel, sigma, pd = arrays
    pi = trial % pk.shape[0]
    rd = _Draws(seed, trial)
    threats = _draw_threats(c, pi, rel, sigma, pd, rd, sample)
    start = c.un_mag if magazines is None else magazines
    magazine = {u: int(start[u]) for u in range(c.n_units)}
    pair_count: dict[int, int] = {}
    pair_last: dict[int, float] = {}
    allocate = ALLOCATORS[c.scenario.doctrine.allocation]
    unit_shots = np.zeros(c.n_units, np.int32)
    kill_draws: list[tuple] = []
    tpos = np.empty(len(c.tev_e), np.int64)           # each event's position in the threat index
    tpos[c.tev_e] = np.arange(len(c.tev_e))

    for g in range(len(c.grp_ptr) - 1):
        g_time = c.grp_time[g]
        cands: list[Candidate] = []
        cand_events: list[int] = []
        seen_pairs: set[int] = set()
        rounds: dict[int, int] = {}
        for e in range(c.grp_ptr[g], c.grp_ptr[g + 1]):
            th = threats[c.ev_threat[e]]
            u = int(c.ev_unit[e])
            p = int(c.ev_pair[e])
            L = c.ev_L[e]
            known_dead = min(th.t_fail, th.t_kill) <= L
            if th.value <= 0 or th.t_track + c.un_react[u] > L or known_dead:
                continue
            if p in seen_pairs or pair_count.get(p, 0) >= c.max_eng:
                continue
            if pair_count.get(p, 0) > 0 and L < pair_last[p] + c.look_s:
                continue
            avail = magazine[u] - int(c.un_reserve[u])
            if avail <= 0:
                continue
            shots = min(int(c.un_shots[u]), avail)
            p_kill = 1.0 - (1.0 - pk[pi, c.un_type[u], c.th_type[th.index]]) ** shots
            if _blocks_better(c, pk, pi, th, tpos[e], p_kill, magazine, pair_count, pair_last):
                continue
            seen_pairs.add(p)
            cands.append(Candidate(th.index, u, shots, p_kill))
            cand_events.append(e)
            rounds.setdefault(u, avail)
        if not cands:
            continue
        weight, slots = {}, {}
        for cd in cands:
            th = threats[cd.threat]
            pending = [q for t, q, _, _ in th.engagements if t > g_time]
            weight[cd.threat] = th.value * math.prod(pending)
            slots[cd.threat] = c.max_inflight - len(pending)
        channels = {u: int(c.un_chan[u]) for u in rounds}
        chosen = allocate(cands, weight, channels, rounds, slots)
        committed = []
        for k in chosen:
            cd, e = cands[k], cand_events[k]
            p = int(c.ev_pair[e])
            magazine[cd.unit] -= cd.shots
            unit_shots[cd.unit] += cd.shots
            pair_count[p] = pair_count.get(p, 0) + 1
            pair_last[p] = c.ev_t[e]
            th = threats[cd.threat]
            th.engagements.append([c.ev_t[e], 1.0 - cd.p_kill, cd.unit, False])
            th.eng_air.append(int(c.ev_air[e]))
            committed.append((th, th.engagements[-1], pair_count[p] - 1))
        for th, eng, n_before in committed:
            # drawn only if a kill could change the outcome (not after the failure or an earlier kill)
            if eng[0] < th.t_kill and eng[0] <= th.t_fail:
                p_k = 1.0 - eng[1]
                eng[3] = bool(p_k >= 1.0 or (p_k > 0.0 and rd.keyed_uniform(th.key, int(c.un_key[eng[2]]), 1 + n_before) < p_k))
                kill_draws.append((th.index, eng[2], n_before, 1.0 - eng[1], eng[3]))

    cls = np.zeros((len(THREAT_CLASSES), 5), np.int32)
    by_type = np.zeros((len(c.threat_types), 5), np.int32)
    kills_na = np.zeros((len(c.nations), len(c.airspaces)), np.int32)
    unit_kills = np.zeros((c.n_units, len(THREAT_CLASSES)), np.int32)
    hits = np.zeros(len(c.site_names), np.int32)
    n = c.n_threats
    fate = np.zeros(n, np.int8)
    t_end = np.zeros(n)
    killer = np.full(n, -1, np.int32)
    for th in threats:
        ty = int(c.th_type[th.index])
        t_kill = th.t_kill
        if th.t_fail < t_kill:
            fate[th.index], t_end[th.index] = 0, th.t_fail
            counts: tuple[int, ...] = (0, 1)
        elif t_kill < math.inf:
            fate[th.index], t_end[th.index] = 1, t_kill
            killer[th.index] = th.killer
            counts = (0, 2)
            unit_kills[th.killer, th.klass] += 1
            kills_na[c.un_nation[th.killer], th.kill_air] += 1
        else:
            t_end[th.index] = th.t_end_flight
            if th.impact_site == -2:       # a leaker whose aim error was not needed before
                th.dx, th.dy = rd.aim_error(th.key, sigma[pi, ty])
                th.impact_site = _impact_site(c, int(c.th_aim[th.index]), ty, th.dx, th.dy)
            if th.impact_site >= 0:
                fate[th.index] = 3
                counts = (0, 3, 4)
                hits[th.impact_site] += 1
            else:
                fate[th.index] = 2
                counts = (0, 3)
        for k in counts:
            cls[th.klass, k] += 1
            by_type[ty, k] += 1
    return TrialResult(cls, by_type, kills_na, unit_shots, unit_kills, hits, fate, t_end, killer,
                       np.array([t.dx for t in threats]), np.array([t.dy for t in threats]),
                       rd.counts, kill_draws)
