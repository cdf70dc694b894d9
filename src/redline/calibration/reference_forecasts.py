"""Reference forecasters for the scoreboard, and exact scores of a discrete predictive.

The **constant-rate forecaster** carries one rate per metric from the fitted
events to a new one, with conjugate uncertainty. Every count metric is a count
``k`` out of an *exposure* ``n``, the number of threats launched that the
count can come from (see :func:`denominator_path`):

- a **bounded** count (failed, intercepted, leaked, impacted, fell outside of a
  class or a type; kills by a nation, layer, unit or airspace; hits on a site)
  cannot exceed ``n``. The rate of ``k`` per ``n``, pooled over the fitted
  observations of the same metric, gets the posterior
  ``p ~ Beta(A0 + sum k, B0 + sum (n - k))`` from a flat ``Beta(1, 1)`` prior,
  and the forecast for a new exposure ``n'`` is ``BetaBinomial(n', a, b)``;
- a **rounds** count (``interceptors_used.<type>``) is unbounded (several rounds
  per threat). Its rate per launched threat gets the posterior
  ``lambda ~ Gamma(G0 + sum k, H0 + sum n)`` (shape, rate) with ``G0 = H0 = 1``
  (one pseudo-threat that drew one round), and the forecast is the
  Gamma-Poisson mixture, ``NegBin(r = G0 + sum k, p = (H0 + sum n) / (H0 + sum n + n'))``.

Scores of a predictive probability mass function ``pmf[z]`` on ``z = 0..K``:

- :func:`crps_pmf`: the CRPS, exactly, ``int (F(t) - 1{t >= y})^2 dt`` with the
  step function ``F`` (Gneiting & Raftery 2007, eq. 20);
- :func:`log_score_pmf`: ``-ln max(pmf[round(y)], LOG_FLOOR)``;
- :func:`interval_pmf`: the 5 % and 95 % quantiles.

:func:`sample_pmf` discretises an ensemble (the engine's per-trial values) so
that the model and the catalog prior get the same log score.

References
----------
Gneiting, T., Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
estimation. *J. Am. Stat. Assoc.* 102(477), 359-378.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

__all__ = ["LOG_FLOOR", "A0", "B0", "G0", "H0", "RateForecast", "metric_kind", "denominator_path", "rate_key",
           "fit_rate", "crps_pmf", "log_score_pmf", "interval_pmf", "sample_pmf", "betabinom_pmf", "gamma_poisson_pmf"]

LOG_FLOOR = 1e-4
"""Smallest probability a log score uses: a miss costs at most ``-ln 1e-4 = 9.21`` nats."""
A0 = B0 = 1.0
"""Flat Beta prior of a bounded rate."""
G0 = H0 = 1.0
"""Gamma prior (shape, rate per launched threat) of a rounds rate."""

_BOUNDED_COUNTS = ("failed", "intercepted", "leaked", "impacted", "fell_outside", "launched")
_CLASS_PREFIXES = ("by_class", "by_type")
_CAMPAIGN_PREFIXES = ("totals", "cumulative")   # a campaign's totals, and its totals up to a night


def _split(path: str) -> tuple[str, list[str]]:
    """``(prefix, parts)``: a campaign prefix (``totals.``) and the path's remaining parts."""
    parts = path.split(".")
    if parts[-1] == "mean":
        parts = parts[:-1]
    prefix = ""
    if parts and parts[0] in _CAMPAIGN_PREFIXES:
        prefix, parts = parts[0] + ".", parts[1:]
    return prefix, parts


def metric_kind(path: str) -> str | None:
    """``"bounded"``, ``"rounds"`` or None (a metric the constant-rate forecaster does not define: money)."""
    _, parts = _split(path)
    head = parts[0] if parts else ""
    if head in _CLASS_PREFIXES:
        return "bounded" if parts[-1] in _BOUNDED_COUNTS else None
    if head in ("kills_by_nation_airspace", "intercepts_by_nation", "intercepts_by_layer", "intercepts_by_unit",
                "intercepts_detail", "hits_by_site"):
        return "bounded"
    if head in ("interceptors_used", "interceptors_used_by_type"):
        return "rounds"
    return None


def denominator_path(path: str, classes: tuple[str, ...]) -> list[str]:
    """Metric paths whose sum is the exposure ``n`` of ``path``.

    A class or type count: that class's (type's) launched count. ``intercepts_detail.<n>.<l>.<class>``:
    that class's launched count. Every other count (kills by nation, layer, unit, airspace; rounds;
    hits on a site): all threats launched, the sum over ``classes``. Campaign totals (``totals.``)
    and totals to a night (``cumulative.``) keep their prefix.
    """
    prefix, parts = _split(path)
    if parts[0] in _CLASS_PREFIXES:
        return [prefix + ".".join(parts[:-1] + ["launched"])]
    if parts[0] == "intercepts_detail" and len(parts) == 4 and parts[3] in classes:
        return [f"{prefix}by_class.{parts[3]}.launched"]
    return [f"{prefix}by_class.{c}.launched" for c in classes]


def rate_key(path: str) -> tuple[str, str]:
    """``(exact, family)`` pooling keys of a metric.

    The rate is pooled over fitted observations of the same exact metric (campaign totals and
    cumulative figures pooled with single-night figures of the same metric; a campaign's rounds
    ``interceptors_used_by_type.<t>`` with ``interceptors_used.<t>``); a metric no fitted event observed falls back to
    its family (``by_class.*.impacted``, ``hits_by_site.*``, ``interceptors_used.*``...).
    """
    _, parts = _split(path)
    if parts[0] == "interceptors_used_by_type":
        parts = ["interceptors_used"] + parts[1:]
    exact = ".".join(parts)
    if parts[0] in _CLASS_PREFIXES:
        family = f"{parts[0]}.*.{parts[-1]}"
    else:
        family = f"{parts[0]}.*"
    return exact, family


@dataclass(frozen=True)
class RateForecast:
    """The constant-rate forecaster's posterior for one metric: ``kind``, hyperparameters, and what they pooled."""

    kind: str          # "bounded" or "rounds"
    a: float           # Beta a, or Gamma shape
    b: float           # Beta b, or Gamma rate (per launched threat)
    pooled: str        # "exact", "family" or "none" (prior only)
    n_events: int      # fitted observations pooled

    @property
    def rate(self) -> float:
        """Posterior mean rate per launched threat."""
        return self.a / (self.a + self.b) if self.kind == "bounded" else self.a / self.b

    def pmf(self, n: int) -> np.ndarray:
        """Predictive pmf on ``0..K`` for a new exposure of ``n`` launched threats."""
        if self.kind == "bounded":
            return betabinom_pmf(n, self.a, self.b)
        return gamma_poisson_pmf(n, self.a, self.b)


def fit_rate(kind: str, data: list[tuple[float, float]], pooled: str = "exact") -> RateForecast:
    """Conjugate posterior of a rate from ``(k, n)`` pairs (counts ``k`` out of exposures ``n``).

    A bounded ``k`` is clipped to ``[0, n]`` (a report can exceed a scenario's launch count).
    """
    if kind == "bounded":
        a = A0 + sum(min(max(k, 0.0), n) for k, n in data)
        b = B0 + sum(n - min(max(k, 0.0), n) for k, n in data)
    elif kind == "rounds":
        a = G0 + sum(max(k, 0.0) for k, _ in data)
        b = H0 + sum(n for _, n in data)
    else:
        raise ValueError(f"no constant-rate forecast for a metric of kind {kind!r}")
    return RateForecast(kind, float(a), float(b), pooled if data else "none", len(data))


def betabinom_pmf(n: int, a: float, b: float) -> np.ndarray:
    """BetaBinomial(n, a, b) pmf on ``0..n``."""
    n = int(max(n, 0))
    return stats.betabinom.pmf(np.arange(n + 1), n, a, b)


def gamma_poisson_pmf(n: float, shape: float, rate: float, tail: float = 1e-9) -> np.ndarray:
    """Pmf of ``Poisson(n * lambda)``, ``lambda ~ Gamma(shape, rate)``: NegBin(shape, rate / (rate + n)),
    on ``0..K`` with ``K`` the ``1 - tail`` quantile (the remaining mass is added to the last cell)."""
    if n <= 0:
        return np.array([1.0])
    p = rate / (rate + n)
    K = int(stats.nbinom.ppf(1 - tail, shape, p))
    z = np.arange(K + 1)
    pmf = np.exp(special.gammaln(z + shape) - special.gammaln(shape) - special.gammaln(z + 1)
                 + shape * np.log(p) + z * np.log1p(-p))
    pmf[-1] += max(0.0, 1.0 - pmf.sum())
    return pmf


def crps_pmf(pmf: np.ndarray, y: float) -> float:
    """Exact CRPS of the distribution with mass ``pmf[z]`` at ``z = 0..K`` against ``y``.

    ``F`` is constant on ``[z, z+1)``; the integral of ``(F - H_y)^2`` is summed cell by cell, with
    the cell that holds ``y`` split at ``y`` and the part outside ``[0, K]`` added in closed form.
    """
    pmf = np.asarray(pmf, dtype=float)
    K = pmf.size - 1
    F = np.cumsum(pmf)
    F = F / F[-1]
    total = 0.0
    if y < 0:
        total += -y  # F = 0 below 0, H = 1 on [y, 0)
    # cells [z, z+1) for z = 0..K-1, where F = F[z]
    z = np.arange(K)
    lo, hi = z.astype(float), z + 1.0
    below = np.clip(np.minimum(hi, y) - lo, 0, None)    # part of the cell left of y: H = 0
    above = (hi - lo) - below                           # right of y: H = 1
    total += float(np.sum(F[:-1] ** 2 * below + (1 - F[:-1]) ** 2 * above))
    if y > K:
        total += y - K  # F = 1 on [K, y), H = 0
    return total


def log_score_pmf(pmf: np.ndarray, y: float) -> float:
    """``-ln max(pmf[round(y)], LOG_FLOOR)`` (0 mass outside the support)."""
    k = int(round(y))
    p = float(pmf[k]) if 0 <= k < len(pmf) else 0.0
    return float(-np.log(max(p, LOG_FLOOR)))


def interval_pmf(pmf: np.ndarray, lo: float = 0.05, hi: float = 0.95) -> tuple[float, float]:
    """The ``lo`` and ``hi`` quantiles (smallest ``z`` with ``F(z) >= q``)."""
    F = np.cumsum(pmf)
    F = F / F[-1]
    return float(np.searchsorted(F, lo - 1e-12)), float(np.searchsorted(F, hi - 1e-12))


def sample_pmf(x: np.ndarray) -> np.ndarray:
    """The empirical pmf of an ensemble of counts, rounded to integers, on ``0..max``."""
    k = np.clip(np.rint(np.asarray(x, dtype=float)), 0, None).astype(np.int64)
    return np.bincount(k, minlength=1) / max(k.size, 1)
