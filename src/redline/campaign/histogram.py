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


def quantile_from_counts(counts: np.ndarray, q: float, values: np.ndarray | None = None) -> float:
    """``numpy.quantile`` (method "linear") of the values whose histogram is ``counts``.

    Parameters
    ----------
    counts : (V,) int array
        ``counts[j]`` is how many values equal ``values[j]`` (default: ``j``).
    q : float
        Quantile in [0, 1].
    values : (V,) int array, optional
        The distinct values, increasing (default ``0, 1, ..., V - 1``: a dense histogram).

    Notes
    -----
    With ``n`` values sorted as ``x[0] <= ... <= x[n-1]`` the linear quantile
    is ``x[k] + (h - k) (x[k+1] - x[k])`` with ``h = (n - 1) q`` and
    ``k = floor(h)``; ``x[i]`` is the smallest value whose cumulative count
    exceeds ``i``.
    """
    cum = np.cumsum(counts)
    n = int(cum[-1]) if cum.size else 0
    if n == 0:
        return math.nan
    h = (n - 1) * q
    k = int(math.floor(h))
    at = (lambda j: j) if values is None else (lambda j: int(values[j]))
    x_k = at(int(np.searchsorted(cum, k, side="right")))
    if k + 1 >= n:
        return float(x_k)
    x_k1 = at(int(np.searchsorted(cum, k + 1, side="right")))
    return float(x_k + (h - k) * (x_k1 - x_k))


class IntHistogram:
    """A histogram of non-negative integers, kept sparse: the distinct values seen and their counts.

    Memory follows the number of distinct values, not their size: a stock of ten million
    rounds costs one entry, not ten million bins.
    """

    __slots__ = ("values", "counts")

    def __init__(self) -> None:
        self.values = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Count ``values`` (non-negative integers)."""
        v = np.asarray(values).ravel()
        if v.size == 0:
            return
        if v.min() < 0:
            raise ValueError("IntHistogram counts non-negative integers only")
        u, c = np.unique(v.astype(np.int64), return_counts=True)
        if self.values.size:
            allv, inv = np.unique(np.concatenate([self.values, u]), return_inverse=True)
            # counts stay far below 2**53, so the float weights add exactly
            self.counts = np.bincount(inv, weights=np.concatenate([self.counts, c]),
                                      minlength=allv.size).astype(np.int64)
            self.values = allv
        else:
            self.values, self.counts = u, c.astype(np.int64)

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def mean(self) -> float:
        n = self.n
        return float(np.dot(self.values, self.counts) / n) if n else math.nan

    def quantile(self, q: float) -> float:
        return quantile_from_counts(self.counts, q, self.values)

    def share_at_most(self, v: int) -> float:
        """Fraction of values <= ``v``."""
        n = self.n
        return float(self.counts[self.values <= v].sum() / n) if n else math.nan

    def stats(self, p50: bool = True) -> dict[str, float]:
        """Mean and 5th/50th/95th percentiles, as :func:`redline.results.stats` gives them."""
        out = {"mean": self.mean(), "p05": self.quantile(0.05)}
        if p50:
            out["p50"] = self.quantile(0.5)
        out["p95"] = self.quantile(0.95)
        return {k: round(v, 6) for k, v in out.items()}
