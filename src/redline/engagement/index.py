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

Pairs are numbered in the order they join: by the decision group of their
first event, then by that event's rank in the plain scan. So the pairs that
join in group ``g`` are ``sf_ptr[g]:sf_ptr[g+1]``, and a trial's join walks
every pair array in sequence; the events of the pairs that join together
lie together in memory.

Arrays (unsigned where the kernel indexes with them, so its loads need no
negative-index wraparound; ``E`` events, ``Q`` pairs, ``G`` groups, ``R`` look-ahead rivals):

* ``pr_thr``, ``pr_unit`` (Q,) uint32: the pair's threat and fire unit;
  ``pr_pair`` (Q,) int64: the pair's number in ``Compiled.ev_pair``;
* ``pr_ptr`` (Q+1,) int64: events of pair ``q`` are ``pr_ptr[q]:pr_ptr[q+1]``;
* ``pev`` (E,) :data:`EVENT` records, one per event in that order, so the
  kernel reads an event from one cache line for most events: ``L``, ``t``
  its decision and intercept time and ``gs`` the start of its decision group
  [s]; ``g`` that group; ``e`` its index in ``Compiled.ev_*`` (its rank in the
  plain scan, the allocator's tie-break); ``air`` the airspace of its
  intercept point; ``r0``, ``r1`` its look-ahead rivals ``riv[r0:r1]``
  (``Compiled.tev_riv_ptr``, ``tev_riv``) and ``after`` the first position in
  ``Compiled``'s threat index (``thr_ptr``/``tev``) of the threat's
  opportunities once this salvo's result is known (``Compiled.tev_after``);
* ``tev`` (E,) :data:`RIVAL` records: ``Compiled``'s threat index (decision
  time, unit, pair in this numbering), and ``riv`` (R,) the look-ahead's
  rivals as the same records, so a rival is one load, not three;
* ``sf_ptr`` (G+1,) int64: the pairs that join in group ``g``; ``sf_L`` (Q,)
  float: the decision time of each pair's first event.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import Compiled

__all__ = ["PairIndex", "pair_index", "EVENT", "RIVAL"]

EVENT = np.dtype([("L", "f8"), ("t", "f8"), ("gs", "f8"), ("g", "u4"), ("e", "u4"), ("air", "u4"),
                  ("r0", "u4"), ("r1", "u4"), ("after", "u4")], align=True)
"""One event of the pair index in one 48-byte record (``PairIndex.pev``), read by the kernel."""
RIVAL = np.dtype([("L", "f8"), ("unit", "u4"), ("pair", "u4")], align=True)
"""An opportunity of another unit on the threat: decision time, unit, pair (``PairIndex.riv``, ``tev``)."""


def _records(dtype: np.dtype, **cols) -> np.ndarray:
    n = len(next(iter(cols.values())))
    out = np.zeros(n, dtype)                 # zeroed: the records' padding bytes are defined
    for k, v in cols.items():
        out[k] = v
    return out


@dataclass(frozen=True)
class PairIndex:
    pr_thr: np.ndarray
    pr_unit: np.ndarray
    pr_pair: np.ndarray
    pr_ptr: np.ndarray
    pev: np.ndarray
    tev: np.ndarray
    riv: np.ndarray
    sf_ptr: np.ndarray
    sf_L: np.ndarray


def _build(c: Compiled) -> PairIndex:
    n_ev = int(c.ev_L.size)
    n_groups = int(c.grp_ptr.size - 1)
    group = np.repeat(np.arange(n_groups, dtype=np.int64), np.diff(c.grp_ptr))
    old = c.ev_pair.astype(np.int64)
    first = np.full(c.n_pairs, n_ev, np.int64)                 # each pair's first event (events are in scan order)
    np.minimum.at(first, old, np.arange(n_ev, dtype=np.int64))
    by_first = np.argsort(first, kind="stable")                # join order: by first event, so by its group
    new = np.empty(c.n_pairs, np.int64)
    new[by_first] = np.arange(c.n_pairs)
    pair = new[old]
    order = np.argsort(pair, kind="stable").astype(np.int64)    # by pair, each pair's in event order
    counts = np.bincount(pair, minlength=c.n_pairs) if n_ev else np.zeros(c.n_pairs, np.int64)
    pr_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    first_ev = order[pr_ptr[:-1]] if c.n_pairs else np.zeros(0, np.int64)
    first_g = group[first_ev]
    sf_ptr = np.concatenate([[0], np.cumsum(np.bincount(first_g, minlength=n_groups))]).astype(np.int64)
    tpos = np.empty(n_ev, np.int64)                             # each event's position in the threat index
    tpos[c.tev_e.astype(np.int64)] = np.arange(n_ev)
    tp = tpos[order]
    riv = c.tev_riv.astype(np.int64)
    assert n_ev < 2**32, "the pair index holds event numbers in 32 bits"
    tev_pair = new[c.tev_pair.astype(np.int64)]
    pev = _records(EVENT, L=c.ev_L[order], t=c.ev_t[order], gs=c.grp_time[group[order]], g=group[order], e=order,
                   air=c.ev_air[order], r0=c.tev_riv_ptr[tp], r1=c.tev_riv_ptr[tp + 1], after=c.tev_after[tp])
    tev = _records(RIVAL, L=c.tev_L, unit=c.tev_unit, pair=tev_pair)
    return PairIndex(
        pr_thr=c.ev_threat[first_ev].astype(np.uint32), pr_unit=c.ev_unit[first_ev].astype(np.uint32),
        pr_pair=by_first.astype(np.int64), pr_ptr=pr_ptr, pev=pev, tev=tev, riv=tev[riv],
        sf_ptr=sf_ptr, sf_L=np.ascontiguousarray(c.ev_L[first_ev], dtype=float),
    )


def pair_index(c: Compiled) -> PairIndex:
    """The pair index of compiled scenario ``c`` (built once, kept in ``c.extras``)."""
    idx = c.extras.get("pair_index")
    if idx is None:
        idx = c.extras["pair_index"] = _build(c)
    return idx
