"""Flight profiles: altitude, speed and ground distance against time.

Two models, both pure and deterministic:

* Air-breathing threats (drones, cruise missiles) fly at constant ground
  speed and constant altitude along their route (climb and descent are
  neglected; they last minutes of flights lasting hours).
* Ballistic missiles follow a boost phase of fixed duration along the
  ground track, then a Keplerian ellipse over a spherical, non-rotating
  Earth with no drag, on the minimum-energy trajectory for the ground
  range. Re-entry drag is neglected.

References
----------
.. [1] Wheelon, A. D. (1959). Free flight of a ballistic missile. ARS
   Journal 29(12), §2-3 (minimum-energy trajectory).
.. [2] Bate, Mueller & White (1971). Fundamentals of Astrodynamics, §6.2
   (ballistic missile trajectories), §4.2 (Kepler's equation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geo.sphere import EARTH_RADIUS_M

__all__ = ["Profile", "airbreathing_profile", "ballistic_profile", "MU_EARTH"]

MU_EARTH = 3.986004418e14
"""Earth's gravitational parameter [m^3/s^2]."""


@dataclass(frozen=True)
class Profile:
    """A sampled flight profile.

    Attributes
    ----------
    time_s : (n,) time since launch [s]
    ground_m : (n,) distance flown along the ground track [m]
    alt_m : (n,) altitude above the sphere [m]
    speed_mps : (n,) speed [m/s]
    """

    time_s: np.ndarray
    ground_m: np.ndarray
    alt_m: np.ndarray
    speed_mps: np.ndarray

    @property
    def flight_time_s(self) -> float:
        return float(self.time_s[-1])

    @property
    def apogee_m(self) -> float:
        return float(self.alt_m.max())


def airbreathing_profile(length_m: float, speed_mps: float, alt_m: float, n: int) -> Profile:
    """Constant-speed, constant-altitude profile along a route of ``length_m`` [m]."""
    if speed_mps <= 0:
        raise ValueError(f"speed must be positive, got {speed_mps} m/s")
    ground = np.linspace(0.0, float(length_m), n)
    t = ground / speed_mps
    return Profile(t, ground, np.full(n, float(alt_m)), np.full(n, float(speed_mps)))


def _kepler_E(M: np.ndarray, e: float) -> np.ndarray:
    """Solve Kepler's equation E - e sin E = M by Newton iteration."""
    E = M + e * np.sin(M)
    for _ in range(50):
        dE = (E - e * np.sin(E) - M) / (1.0 - e * np.cos(E))
        E = E - dE
        if np.max(np.abs(dE)) < 1e-13:
            break
    return E


def ballistic_profile(range_m: float, n: int, boost_s: float = 0.0, boost_frac: float = 0.0) -> Profile:
    """Minimum-energy ballistic profile over a spherical Earth.

    Parameters
    ----------
    range_m : float
        Ground range launch to impact [m].
    n : int
        Number of samples (evenly spaced in time after boost).
    boost_s : float
        Boost-phase duration [s], prepended to the free flight. During boost
        the missile is modelled as rising linearly to the burnout point.
    boost_frac : float
        Fraction of the ground range covered during boost (0..0.1).

    Notes
    -----
    With free-flight range angle Φ, the minimum-energy burnout speed and
    flight-path angle are (Wheelon 1959)

        v² = (μ/r) · 2 sin(Φ/2) / (1 + sin(Φ/2)),   γ = π/4 − Φ/4,

    and the time of flight follows from Kepler's equation between the
    symmetric true anomalies ±(π − Φ/2) about apogee.
    """
    if range_m <= 0:
        raise ValueError(f"range must be positive, got {range_m} m")
    R = EARTH_RADIUS_M
    free_m = range_m * (1.0 - boost_frac)
    phi = free_m / R
    s = np.sin(phi / 2)
    v0 = np.sqrt(MU_EARTH / R * 2 * s / (1 + s))
    gam = np.pi / 4 - phi / 4
    h = R * v0 * np.cos(gam)
    energy = v0 ** 2 / 2 - MU_EARTH / R
    a = -MU_EARTH / (2 * energy)
    p = h ** 2 / MU_EARTH
    e = np.sqrt(max(0.0, 1 - p / a))
    nu0 = np.pi - phi / 2                    # true anomaly of burnout, apogee at nu = pi
    E0 = 2 * np.arctan(np.sqrt((1 - e) / (1 + e)) * np.tan(nu0 / 2))
    M0 = E0 - e * np.sin(E0)
    mean_motion = np.sqrt(MU_EARTH / a ** 3)
    t_free = 2 * (np.pi - M0) / mean_motion
    n_free = max(n - (n // 8 if boost_s > 0 else 0), 2)
    M = np.linspace(M0, 2 * np.pi - M0, n_free)
    E = _kepler_E(M, e)
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    nu = np.where(nu < 0, nu + 2 * np.pi, nu)
    r = p / (1 + e * np.cos(nu))
    t = (M - M0) / mean_motion
    ground = range_m * boost_frac + (nu - nu0) * R
    speed = np.sqrt(MU_EARTH * (2 / r - 1 / a))
    alt = r - R
    if boost_s > 0:
        nb = n - n_free
        tb = np.linspace(0.0, boost_s, nb, endpoint=False)
        f = tb / boost_s
        t = np.concatenate([tb, boost_s + t])
        ground = np.concatenate([f * range_m * boost_frac, ground])
        alt = np.concatenate([np.zeros(nb), alt])
        speed = np.concatenate([f * v0, speed])
    alt[-1] = 0.0
    return Profile(t, ground, np.maximum(alt, 0.0), speed)
