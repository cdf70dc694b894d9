"""Exact summaries of non-negative integer counts from streamed histograms.

A campaign reports, for every day, the distribution over trials of counts
(leakers, rounds used, rounds left). Keeping a histogram of each count
instead of the per-trial values makes memory independent of the number of
trials, and, because the values are integers, the quantiles are exact: they
equal ``numpy.quantile(values, q)`` (linear interpolation) on the values the
histogram was built from.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["IntHistogram", "quantile_from_counts"]


def quantile_from_counts(counts: np.ndarray, q: float) -> float:
    """``numpy.quantile`` (method "linear") of the values whose histogram is ``counts``.

    Parameters
    ----------
    counts : (V,) int array
        ``counts[v]`` is how many values equal ``v``.
    q : float
        Quantile in [0, 1].

    Notes
    -----
    With ``n`` values sorted as ``x[0] <= ... <= x[n-1]`` the linear quantile
    is ``x[k] + (h - k) (x[k+1] - x[k])`` with ``h = (n - 1) q`` and
    ``k = floor(h)``; ``x[i]`` is the smallest ``v`` whose cumulative count
    exceeds ``i``.
    """
    cum = np.cumsum(counts)
    n = int(cum[-1]) if cum.size else 0
    if n == 0:
        return math.nan
    h = (n - 1) * q
    k = int(math.floor(h))
    x_k = int(np.searchsorted(cum, k, side="right"))
    if k + 1 >= n:
        return float(x_k)
    x_k1 = int(np.searchsorted(cum, k + 1, side="right"))
    return float(x_k + (h - k) * (x_k1 - x_k))


class IntHistogram:
    """A growing histogram of non-negative integers."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts = np.zeros(1, dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Count ``values`` (non-negative integers)."""
        v = np.asarray(values).ravel()
        if v.size == 0:
            return
        if v.min() < 0:
            raise ValueError("IntHistogram counts non-negative integers only")
        b = np.bincount(v.astype(np.int64))
        if b.size > self.counts.size:
            self.counts = np.concatenate([self.counts, np.zeros(b.size - self.counts.size, np.int64)])
        self.counts[: b.size] += b

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def mean(self) -> float:
        n = self.n
        return float(np.dot(np.arange(self.counts.size), self.counts) / n) if n else math.nan

    def quantile(self, q: float) -> float:
        return quantile_from_counts(self.counts, q)

    def share_at_most(self, v: int) -> float:
        """Fraction of values <= ``v``."""
        n = self.n
        return float(self.counts[: v + 1].sum() / n) if n else math.nan

    def stats(self, p50: bool = True) -> dict[str, float]:
        """Mean and 5th/50th/95th percentiles, as :func:`redline.results.stats` gives them."""
        out = {"mean": self.mean(), "p05": self.quantile(0.05)}
        if p50:
            out["p50"] = self.quantile(0.5)
        out["p95"] = self.quantile(0.95)
        return {k: round(v, 6) for k, v in out.items()}
