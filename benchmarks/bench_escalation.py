"""Escalation benchmark: 100,000 crisis paths of 20 rounds (target: under 10 s on 2 cores).

The paths start from the april-2024 state under the status-quo package, spread over the shipped
posterior draws, with no time horizon so that every path runs its 20 rounds unless it ends in
regional war or de-escalation. Compilation (numba, cached after the first run) is timed apart.
Prints the figures; never fails on a time.
"""
from __future__ import annotations

import os
import time


def main() -> None:
    import numba
    import numpy as np

    from redline.escalation import default_model
    from redline.escalation.fit import load_posterior, posterior_matrix
    from redline.escalation.history import start_state
    from redline.escalation.layout import S_STATUS
    from redline.escalation.runner import simulate

    t0 = time.perf_counter()
    model = default_model()
    S0, m2 = start_state(model, "april-2024", {})
    TH = posterior_matrix(load_posterior(), m2)
    simulate(m2, S0, TH, 64, 2, 1e12, np.random.default_rng(0))          # compile or load the cache
    t_setup = time.perf_counter() - t0

    paths, rounds = 100_000, 20
    rng = np.random.default_rng(20240419)
    c0 = time.process_time()
    t1 = time.perf_counter()
    res = simulate(m2, S0, TH, paths, rounds, 1e12, rng)
    wall = time.perf_counter() - t1
    cpu = time.process_time() - c0
    moves = int((res.moves >= 0).sum())
    status = res.states[:, S_STATUS]
    print(f"escalation: {paths:,} paths x {rounds} rounds ({moves:,} moves, {TH.shape[0]} posterior draws) "
          f"in {wall:.2f} s wall, {cpu:.2f} s CPU on {numba.get_num_threads()} threads "
          f"({os.cpu_count()} CPUs); {1e6 * wall / moves:.2f} us per move; setup and compile {t_setup:.1f} s")
    print(f"  ended in regional war {np.mean(status == 1):.4f}, de-escalation {np.mean(status == 2):.4f}; target < 10 s")


if __name__ == "__main__":
    main()
