"""Run a compiled scenario over many trials, in fixed chunks.

Trials are cut into chunks of :data:`CHUNK_TRIALS`. Every random draw is a
function of the seed, the trial's global index and what the draw is for
(:mod:`redline.engagement.draws`), so a chunk needs no stream of its own:
chunks may run on any number of threads (the kernel releases the GIL) and
are written to their own slices of the output, and results are
bit-identical whatever the number of workers (or the chunk size).

Participation (``Scenario.participation``, nation -> probability it takes
part in the raid) is drawn before any chunk runs, from a stream of its own,
``SeedSequence(seed, spawn_key=PARTICIPATION_KEY)``, one uniform per trial
and nation (``Compiled.nations`` order) in trial order: trial ``j`` takes the
same draws whatever the number of trials, chunks or workers, and the keyed
draws are not touched. Nation ``n`` takes part in trial ``j`` when its
uniform is below its probability (absent: 1); when it sits out, its fire
units start that trial with no rounds.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..catalog import THREAT_CLASSES
from .compile import Compiled
from .draws import seed_key
from .params import ParamSet

__all__ = ["RawOutcome", "run_compiled", "CHUNK_TRIALS", "N_SAMPLE_TRIALS", "run_key", "participation_draws",
           "PARTICIPATION_KEY"]

CHUNK_TRIALS = 2048
"""Trials per unit of work (results do not depend on it)."""
N_SAMPLE_TRIALS = 64
"""Leading trials whose per-threat fates are kept for maps and timelines."""
PARTICIPATION_KEY = (0xFFFF_FFFF, 1)
"""Spawn key of the participation stream (chunk streams have one-word keys)."""


@dataclass
class RawOutcome:
    """Per-trial arrays of a run (see :class:`redline.results.Result`)."""

    cls: np.ndarray        # (trials, classes, 5 counts) launched, failed, intercepted, leaked, impacted
    by_type: np.ndarray    # (trials, threat types, 5 counts) the same per threat type (Compiled.threat_types)
    kills_na: np.ndarray   # (trials, nations, airspaces) kills by the killer's nation and the intercept's airspace
    took_part: np.ndarray  # (trials, nations) bool: the nation took part in the trial (Scenario.participation)
    unit_shots: np.ndarray  # (trials, units)
    unit_kills: np.ndarray  # (trials, units, classes), classes as in THREAT_CLASSES
    site_hits: np.ndarray  # (trials, sites)
    fate: np.ndarray       # (sample trials, threats) 0 failed 1 intercepted 2 leaked 3 impacted
    t_end: np.ndarray      # (sample trials, threats) time the threat's flight ended [s]
    killer: np.ndarray     # (sample trials, threats) unit index or -1
    impact_dx: np.ndarray  # (sample trials, threats) impact east of aim point [m]
    impact_dy: np.ndarray


def run_key(seed: int) -> np.uint64:
    """The key every draw of a run seeded with ``seed`` derives from (:func:`redline.engagement.draws.seed_key`)."""
    return np.uint64(seed_key(seed))


def _count_dtype(c: Compiled) -> type:
    """The smallest unsigned type that holds any per-trial count of this raid (the threats)."""
    return np.uint16 if c.n_threats <= np.iinfo(np.uint16).max else np.int32


def participation_draws(c: Compiled, seed: int, trials: int) -> np.ndarray:
    """(trials, nations) bool: whether each nation takes part in each trial (see module notes)."""
    prob = np.array([(c.scenario.participation or {}).get(n, 1.0) for n in c.nations], dtype=float)
    if not (prob < 1.0).any():
        return np.ones((trials, len(c.nations)), dtype=bool)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=PARTICIPATION_KEY))
    return rng.random((trials, len(c.nations))) < prob


def _alloc(c: Compiled, trials: int) -> RawOutcome:
    ns = min(trials, N_SAMPLE_TRIALS)
    n = c.n_threats
    return RawOutcome(
        cls=np.zeros((trials, len(THREAT_CLASSES), 5), np.int32),
        by_type=np.zeros((trials, len(c.threat_types), 5), np.int32),
        kills_na=np.zeros((trials, len(c.nations), len(c.airspaces)), _count_dtype(c)),
        took_part=np.ones((trials, len(c.nations)), dtype=bool),
        unit_shots=np.zeros((trials, c.n_units), np.int32),
        unit_kills=np.zeros((trials, c.n_units, len(THREAT_CLASSES)), np.int32),
        site_hits=np.zeros((trials, len(c.site_names)), np.int32),
        fate=np.full((ns, n), -1, np.int8),
        t_end=np.zeros((ns, n)),
        killer=np.full((ns, n), -1, np.int32),
        impact_dx=np.zeros((ns, n)),
        impact_dy=np.zeros((ns, n)),
    )


def _mag0(c: Compiled, magazines: np.ndarray | None, t0: int, t1: int,
          took_part: np.ndarray | None = None) -> np.ndarray:
    if magazines is None:
        mag = np.broadcast_to(c.un_mag.astype(np.int64), (t1 - t0, c.n_units))
    else:
        mag = np.ascontiguousarray(magazines[t0:t1], dtype=np.int64)
    if took_part is not None and not took_part[t0:t1].all():
        mag = np.where(took_part[t0:t1][:, c.un_nation], mag, 0)   # sitting out: no rounds
    return mag


def _fast_chunk(c: Compiled, arrays, out: RawOutcome, seed: int, chunk: int, trials: int,
                magazines: np.ndarray | None = None) -> None:
    from .index import pair_index
    from .kernel import simulate_chunk

    t0 = chunk * CHUNK_TRIALS
    t1 = min(trials, t0 + CHUNK_TRIALS)
    ns_local = max(0, min(out.fate.shape[0] - t0, t1 - t0))
    sl = slice(t0, t1)
    ss = slice(t0, t0 + ns_local) if ns_local else slice(0, 0)
    pk, rel, sigma, pd = arrays
    ix = pair_index(c)
    simulate_chunk(
        run_key(seed), c.th_key, c.un_key, c.sens_key, t0, t1 - t0, ns_local,
        c.th_type, c.th_class, c.th_t0, c.th_T, c.th_boost, c.th_boost_fail, c.th_track, c.th_aim,
        c.trk_sens_ptr, c.trk_sens_idx, c.trk_sens_t, c.sens_type,
        c.un_type, _mag0(c, magazines, t0, t1, out.took_part), c.un_chan, c.un_react, c.un_shots, c.un_reserve, c.un_nation,
        c.thr_ptr, ix.pr_thr, ix.pr_unit, ix.pr_ptr, ix.pev, ix.sf_ptr, ix.sf_L,
        ix.tev, ix.riv, c.grp_ptr, c.grp_time,
        c.site_dx, c.site_dy, c.site_r2, c.site_value, c.predict_class, c.max_eng, c.look_s, c.max_inflight,
        pk, rel, sigma, pd,
        out.cls[sl], out.unit_shots[sl], out.unit_kills[sl], out.site_hits[sl], out.by_type[sl], out.kills_na[sl],
        out.fate[ss], out.t_end[ss], out.killer[ss], out.impact_dx[ss], out.impact_dy[ss],
    )


def _reference_chunk(c: Compiled, arrays, out: RawOutcome, seed: int, chunk: int, trials: int,
                     magazines: np.ndarray | None = None) -> None:
    from .reference import simulate_trial

    t0 = chunk * CHUNK_TRIALS
    t1 = min(trials, t0 + CHUNK_TRIALS)
    mags = _mag0(c, magazines, t0, t1, out.took_part)
    for tr in range(t0, t1):
        r = simulate_trial(c, arrays, tr, seed, mags[tr - t0], sample=tr < out.fate.shape[0])
        out.cls[tr] = r.cls
        out.by_type[tr] = r.by_type
        out.kills_na[tr] = r.kills_na
        out.unit_shots[tr] = r.unit_shots
        out.unit_kills[tr] = r.unit_kills
        out.site_hits[tr] = r.site_hits
        if tr < out.fate.shape[0]:
            out.fate[tr], out.t_end[tr], out.killer[tr] = r.fate, r.t_end, r.killer
            out.impact_dx[tr], out.impact_dy[tr] = r.impact_dx, r.impact_dy


def run_compiled(c: Compiled, params: ParamSet, trials: int, seed: int, engine: str = "fast",
                 workers: int | None = None, progress: Callable[[int], None] | None = None,
                 magazines: np.ndarray | None = None) -> RawOutcome:
    """Simulate ``trials`` trials of compiled scenario ``c``.

    Parameters
    ----------
    engine : {"fast", "reference"}
    workers : int, optional
        Threads for the fast engine (default: CPU count). Results do not depend on it.
    progress : callable, optional
        Called with the number of trials finished after each chunk.
    magazines : (trials, units) int array, optional
        Rounds each fire unit holds at the start of each trial (default: the
        scenario's magazines); campaigns pass the stocks left by earlier raids.
        Rounds left at the end are ``magazines - raw.unit_shots``. A nation that sits a trial out
        (``Scenario.participation``) starts it with none, whatever this says.
    """
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    if engine not in ("fast", "reference"):
        raise ValueError(f"unknown engine {engine!r}; choose 'fast' or 'reference'")
    if engine == "fast" and c.scenario.doctrine.allocation == "exact":
        raise ValueError("allocation 'exact' is only available in the reference engine; use --engine reference "
                         "(it is meant for small cases) or allocation: greedy")
    if magazines is not None:
        magazines = np.asarray(magazines)
        if magazines.shape != (trials, c.n_units) or (magazines < 0).any():
            raise ValueError(f"magazines must be a non-negative array of shape ({trials}, {c.n_units})")
    arrays = c.param_arrays(params)
    out = _alloc(c, trials)
    if c.scenario.participation:
        out.took_part[:] = participation_draws(c, seed, trials)
    n_chunks = (trials + CHUNK_TRIALS - 1) // CHUNK_TRIALS
    step = _fast_chunk if engine == "fast" else _reference_chunk
    nw = 1 if engine == "reference" else max(1, workers or os.cpu_count() or 1)
    if nw == 1 or n_chunks == 1:
        for ch in range(n_chunks):
            step(c, arrays, out, seed, ch, trials, magazines)
            if progress:
                progress(min(trials, (ch + 1) * CHUNK_TRIALS))
    else:
        with ThreadPoolExecutor(max_workers=nw) as pool:
            futs = [pool.submit(step, c, arrays, out, seed, ch, trials, magazines) for ch in range(n_chunks)]
            done = 0
            for f in futs:
                f.result()
                done += 1
                if progress:
                    progress(min(trials, done * CHUNK_TRIALS))
    return out
