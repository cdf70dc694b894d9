"""Counter-based random draws: every draw is a pure function of what it is for.

The engines do not consume a sequential stream. A draw is the hash of a
64-bit *key* built from the run's seed, the trial, the threat and the draw's
purpose (and, for detections and kills, the sensor or fire unit and the
engagement number), so a threat's failure, aim error, detection and kill
draws do not move when something unrelated changes: removing a fire unit,
closing an airspace or adding a salvo leaves every other draw as it was, and
two runs on one seed are *paired* (common random numbers). Results do not
depend on chunks or workers, and skipping a draw that cannot matter (an aim
error for a threat that never leaks) changes nothing else.

Key design
----------
``seed_key = name_key("seed", seed)``
    any non-negative integer seed, hashed once.
``trial_key = mix64(seed_key + (trial + 1) * GAMMA)``
    ``trial`` is the run's global trial index (not the chunk's).
``threat_trial_key = mix64(trial_key ^ th_key)``
    ``th_key`` (:func:`threat_keys`) names the threat by its salvo's identity
    (threat type, launch site, launch window, aim weights, waypoints; not the
    count or the note), the number of identical salvos before it in the raid,
    and its index within the salvo. So a threat keeps its draws when another
    salvo is added, removed or resized, when units or sensors change, and
    when its own salvo grows (the first ``count`` threats stay).
Draws of a threat, ``uniform(threat_trial_key, purpose)``:
    ``FAIL`` (does it fail: ``u < 1 - reliability``), ``FAIL_TIME`` (when,
    drawn only if it fails), and ``AIM + 2j``, ``AIM + 1 + 2j`` for attempt
    ``j = 0, 1, ...`` of its circular normal aim error (Marsaglia's polar
    method, :func:`aim_error`: a point uniform in the square, kept if inside
    the unit circle, which happens with probability pi/4).
Detection by a sensor, ``uniform(sub_key(threat_trial_key, sens_key), DETECT)``:
    ``sens_key = name_key("sensor", name, k)`` for the ``k``-th sensor of that
    name (names need not be unique; usually ``k = 0``).
Kill draw of a salvo, ``uniform(sub_key(threat_trial_key, un_key), 1 + n)``:
    ``un_key = name_key("unit", name, k)`` (fire unit names are unique, so
    ``k = 0``), ``n`` the number of earlier salvos of that unit at that threat
    in the trial (0 for the first engagement of the pair). Removing a unit
    renumbers the units but not their keys.

where ``mix64`` is the SplitMix64 finaliser (Steele, Lea & Flood 2014; the
generator ``mix64(s + i * GAMMA)`` passes BigCrush), ``sub_key(k, x) =
mix64(k ^ x)``, ``uniform(k, p) = (mix64(k + p * GAMMA) >> 11) * 2**-53`` (the
top 53 bits, so in [0, 1) with every value a multiple of 2**-53), and
``name_key`` is the first 8 bytes of BLAKE2b of the canonical JSON of its
arguments. All arithmetic is modulo 2**64.

Every function exists twice: ``*_nb`` compiled by numba for the kernel, and
a plain-Python twin on Python integers for the reference engine; the two
give identical bits (``tests/engagement/test_draws.py``).

This departs from the house rule "randomness is passed in as a Generator" on
purpose: a sequential stream cannot give paired comparisons (issue 15).

References
----------
G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014, sec. 3 (SplitMix64, its finaliser and gamma).
J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers:
as easy as 1, 2, 3", SC 2011, sec. 2 (counter-based generators: a draw as a
keyed bijection of a counter).
G. Marsaglia, T. A. Bray, "A convenient method for generating normal
variables", SIAM Review 6 (1964) 260-264 (the polar method).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from typing import Iterable, Sequence

import numpy as np
from numba import njit

__all__ = ["FAIL", "FAIL_TIME", "AIM", "DETECT", "GAMMA",
           "name_key", "seed_key", "threat_keys", "unit_keys", "sensor_keys",
           "mix64", "trial_key", "sub_key", "uniform", "aim_error",
           "mix64_nb", "trial_key_nb", "sub_key_nb", "uniform_nb", "aim_error_nb"]

# purposes of a threat's own draws (kill draws use 1 + engagement number on a unit sub-key)
FAIL = 1
FAIL_TIME = 2
AIM = 16              # aim error attempt j: purposes AIM + 2j and AIM + 2j + 1 (above every other purpose)
DETECT = 1            # on a sensor sub-key

GAMMA = 0x9E3779B97F4A7C15          # 2**64 / golden ratio, odd (SplitMix64's increment)
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_INV53 = 1.0 / (1 << 53)


# --- keys of named things (Python only; computed once per compile) ------------------------------

def name_key(*parts) -> int:
    """A stable 64-bit key of ``parts`` (JSON-serialisable): BLAKE2b-64 of their canonical JSON."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def seed_key(seed: int) -> int:
    """The key of a run's seed (any non-negative integer)."""
    return name_key("seed", int(seed))


def _occurrences(items: Iterable) -> list[int]:
    """For each item, how many equal items came before it."""
    seen: Counter = Counter()
    out = []
    for x in items:
        out.append(seen[x])
        seen[x] += 1
    return out


def _salvo_identity(salvo) -> str:
    wps = [w if isinstance(w, str) else [w.lat, w.lon] for w in salvo.waypoints]
    return json.dumps([salvo.threat, salvo.launch, list(salvo.window_min), sorted(salvo.aim.items()), wps],
                      separators=(",", ":"))


def threat_keys(raid: Sequence) -> np.ndarray:
    """(threats,) uint64: the key of every threat of ``raid`` (salvos in order, threats within each).

    A threat is named by its salvo's identity (type, launch, window, aim weights, waypoints), how many
    identical salvos precede that salvo, and its index in the salvo.
    """
    ids = [_salvo_identity(s) for s in raid]
    occ = _occurrences(ids)
    keys = [name_key("threat", ident, k, j) for s, ident, k in zip(raid, ids, occ) for j in range(s.count)]
    return np.array(keys, dtype=np.uint64)


def unit_keys(names: Sequence[str]) -> np.ndarray:
    """(units,) uint64: the key of every fire unit, by name."""
    return np.array([name_key("unit", n, k) for n, k in zip(names, _occurrences(names))], dtype=np.uint64)


def sensor_keys(names: Sequence[str]) -> np.ndarray:
    """(sensors,) uint64: the key of every sensor placement, by name (and occurrence of that name)."""
    return np.array([name_key("sensor", n, k) for n, k in zip(names, _occurrences(names))], dtype=np.uint64)


# --- plain Python (reference engine) ------------------------------------------------------------

def mix64(z: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers with full avalanche."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def trial_key(seed_k: int, trial: int) -> int:
    """The key of trial ``trial`` (the run's global index) of a run with seed key ``seed_k``."""
    return mix64(seed_k + (trial + 1) * GAMMA)


def sub_key(k: int, x: int) -> int:
    """The key of ``x`` (a threat's, sensor's or unit's key) under key ``k``."""
    return mix64(k ^ x)


def uniform(k: int, purpose: int) -> float:
    """The uniform draw in [0, 1) of ``purpose`` under key ``k`` (a multiple of 2**-53)."""
    return (mix64(k + purpose * GAMMA) >> 11) * _INV53


def aim_error(k: int, sigma: float) -> tuple[float, float]:
    """A circular normal error (east, north) of standard deviation ``sigma`` per axis.

    Notes
    -----
    Marsaglia's polar method: ``(u, v)`` uniform on the square [-1, 1)^2 until
    ``0 < s = u^2 + v^2 < 1``; then ``(u, v) * sigma * sqrt(-2 ln(s) / s)`` are
    two independent normals. Attempt ``j`` uses purposes ``AIM + 2j`` and
    ``AIM + 2j + 1``; on average 4/pi attempts. Only +, *, /, log and sqrt
    (correctly rounded or the same libm call in both twins).
    """
    j = 0
    while True:
        u = 2.0 * uniform(k, AIM + 2 * j) - 1.0
        v = 2.0 * uniform(k, AIM + 2 * j + 1) - 1.0
        s = u * u + v * v
        if 0.0 < s < 1.0:
            break
        j += 1
    f = sigma * math.sqrt(-2.0 * math.log(s) / s)
    return u * f, v * f


# --- numba twins (kernel) -----------------------------------------------------------------------

_U_M1 = np.uint64(_M1)
_U_M2 = np.uint64(_M2)
_U_GAMMA = np.uint64(GAMMA)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_U1 = np.uint64(1)


@njit(cache=True, inline="always")
def mix64_nb(z):
    z = (z ^ (z >> _S30)) * _U_M1
    z = (z ^ (z >> _S27)) * _U_M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def trial_key_nb(seed_k, trial):
    return mix64_nb(seed_k + (np.uint64(trial) + _U1) * _U_GAMMA)


@njit(cache=True, inline="always")
def sub_key_nb(k, x):
    return mix64_nb(k ^ x)


@njit(cache=True, inline="always")
def uniform_nb(k, purpose):
    return np.float64(mix64_nb(k + np.uint64(purpose) * _U_GAMMA) >> _S11) * _INV53


@njit(cache=True, inline="always")
def aim_error_nb(k, sigma):
    j = 0
    while True:
        u = 2.0 * uniform_nb(k, AIM + 2 * j) - 1.0
        v = 2.0 * uniform_nb(k, AIM + 2 * j + 1) - 1.0
        s = u * u + v * v
        if 0.0 < s < 1.0:
            break
        j += 1
    f = sigma * math.sqrt(-2.0 * math.log(s) / s)
    return u * f, v * f
