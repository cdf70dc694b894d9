"""The kernel's index of engagement opportunities by (threat, fire unit) pair.

:func:`redline.engagement.compile.compile_scenario` lists every opportunity
(*event*) in the plain scan's order: by decision group, decision time,
threat, unit. The fast kernel (:mod:`redline.engagement.kernel`) does not
scan that list. It keeps one cursor per pair into the pair's own events (at
most :data:`~redline.engagement.compile.MAX_OPPORTUNITIES`, in event order,
so decision times never decrease along a cursor) and files each pair in the
bucket of the decision group of its next open event. A pair enters the
buckets at the group of its first event (:attr:`PairIndex.sf_ptr`, static,
so a trial pays nothing for pairs whose threat is never engaged) and leaves
them for good once its threat is known dead, its unit's magazine is at its
reserve or the pair has had its engagements; so a trial touches only the
pairs whose threat and unit are both still in play.

Arrays (all int64 unless noted; ``E`` events, ``Q`` pairs, ``G`` groups):

* ``pr_thr``, ``pr_unit`` (Q,): the pair's threat and fire unit;
* ``pr_ptr`` (Q+1,): events of pair ``q`` are ``pr_ptr[q]:pr_ptr[q+1]``;
* ``pev_e`` (E,): the event's index in ``Compiled.ev_*``, its rank in the
  plain scan (the allocator's tie-break); ``pev_g``: its decision group;
  ``pev_L``, ``pev_t`` (float): decision and intercept time; ``pev_air``
  (uint16): airspace of the intercept point;
* ``pev_f`` (E, 2) float: ``pev_L``, ``pev_t`` side by side, and ``pev_i``
  (E, 4): ``pev_g``, ``pev_e``, ``pev_air`` and the event's position in
  ``Compiled``'s threat index (``thr_ptr``/``tev_*``, where the allocator's
  look-ahead finds its rivals), so the kernel reads one event from one or
  two cache lines;
* ``sf_ptr`` (G+1,), ``sf_pair``: the pairs whose first event falls in
  group ``g`` are ``sf_pair[sf_ptr[g]:sf_ptr[g+1]]``; ``sf_thr``, ``sf_unit``,
  ``sf_j`` and ``sf_L`` give their threat, unit, first event and its decision
  time in the same order (read in sequence, every trial).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import Compiled

__all__ = ["PairIndex", "pair_index"]


@dataclass(frozen=True)
class PairIndex:
    pr_thr: np.ndarray
    pr_unit: np.ndarray
    pr_ptr: np.ndarray
    pev_e: np.ndarray
    pev_g: np.ndarray
    pev_L: np.ndarray
    pev_t: np.ndarray
    pev_air: np.ndarray
    sf_ptr: np.ndarray
    sf_pair: np.ndarray
    pev_f: np.ndarray
    pev_i: np.ndarray
    sf_thr: np.ndarray
    sf_unit: np.ndarray
    sf_j: np.ndarray
    sf_L: np.ndarray


def _build(c: Compiled) -> PairIndex:
    n_ev = int(c.ev_L.size)
    n_groups = int(c.grp_ptr.size - 1)
    group = np.repeat(np.arange(n_groups, dtype=np.int64), np.diff(c.grp_ptr))
    pair = c.ev_pair.astype(np.int64)
    order = np.argsort(pair, kind="stable").astype(np.int64)    # by pair, each pair's in event order
    counts = np.bincount(pair, minlength=c.n_pairs) if n_ev else np.zeros(c.n_pairs, np.int64)
    pr_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    first = order[pr_ptr[:-1]] if c.n_pairs else np.zeros(0, np.int64)
    pr_thr = c.ev_threat[first].astype(np.int64)
    pr_unit = c.ev_unit[first].astype(np.int64)
    first_g = group[first]
    by_first = np.lexsort((first, first_g)).astype(np.int64)    # by group of the first event, then its rank
    sf_ptr = np.concatenate([[0], np.cumsum(np.bincount(first_g, minlength=n_groups))]).astype(np.int64)
    pev_L = np.ascontiguousarray(c.ev_L[order], dtype=float)
    pev_t = np.ascontiguousarray(c.ev_t[order], dtype=float)
    pev_g = group[order]
    pev_air = c.ev_air[order].astype(np.int64)
    sf_j = pr_ptr[:-1][by_first] if c.n_pairs else np.zeros(0, np.int64)
    tpos = np.empty(n_ev, np.int64)                             # each event's position in the threat index
    tpos[c.tev_e.astype(np.int64)] = np.arange(n_ev)
    return PairIndex(
        pr_thr=pr_thr, pr_unit=pr_unit, pr_ptr=pr_ptr,
        pev_e=order, pev_g=pev_g, pev_L=pev_L, pev_t=pev_t, pev_air=pev_air,
        sf_ptr=sf_ptr, sf_pair=by_first,
        pev_f=np.ascontiguousarray(np.stack([pev_L, pev_t], axis=1).reshape(-1, 2)),
        pev_i=np.ascontiguousarray(np.stack([pev_g, order, pev_air, tpos[order]], axis=1).reshape(-1, 4).astype(np.int64)),
        sf_thr=pr_thr[by_first], sf_unit=pr_unit[by_first], sf_j=sf_j, sf_L=pev_L[sf_j],
    )


def pair_index(c: Compiled) -> PairIndex:
    """The pair index of compiled scenario ``c`` (built once, kept in ``c.extras``)."""
    idx = c.extras.get("pair_index")
    if idx is None:
        idx = c.extras["pair_index"] = _build(c)
    return idx
