"""Escalation benchmark (issue 14): 100,000 crisis paths of 20 rounds, target under 3 s of CPU.

The paths start from the april-2024 state under the status-quo package, spread over the shipped
posterior draws, with no time horizon so that every path runs its 20 rounds unless it ends in
regional war or de-escalation. Compilation (numba, cached after the first run) is timed apart.
The figure is CPU seconds of this process (every thread, ``time.process_time``) beside wall
seconds and the load average; the runner's own share (the uniforms it draws, the state copies)
is timed apart, so that what is left is the kernel's. Prints the figures and one JSON line;
never fails on a time.
"""
from __future__ import annotations

import json
import os
import time

PATHS, ROUNDS, TARGET_CPU_S = 100_000, 20, 3.0


def main() -> dict:
    import numba
    import numpy as np

    from redline.escalation import default_model
    from redline.escalation import kernel as K
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

    rng = np.random.default_rng(20240419)
    c0, w0 = time.process_time(), time.perf_counter()
    res = simulate(m2, S0, TH, PATHS, ROUNDS, 1e12, rng)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    c1 = time.process_time()                                              # the runner's own work, without the kernel
    np.tile(S0, (PATHS, 1))
    for _ in range(res.rounds_run):
        np.random.default_rng(1).random((PATHS, K.NU))
    runner_cpu = time.process_time() - c1
    moves = int((res.moves >= 0).sum())
    status = res.states[:, S_STATUS]
    out = {"escalation_paths": PATHS, "escalation_rounds": ROUNDS, "escalation_moves": moves,
           "escalation_posterior_draws": int(TH.shape[0]), "escalation_threads": numba.get_num_threads(),
           "escalation_threading_layer": numba.threading_layer(),
           "escalation_cpu_s": round(cpu, 3), "escalation_wall_s": round(wall, 3),
           "escalation_runner_cpu_s": round(runner_cpu, 3),
           "escalation_cpu_us_per_move": round(1e6 * cpu / moves, 3),
           "escalation_setup_s": round(t_setup, 2), "escalation_target_cpu_s": TARGET_CPU_S,
           "escalation_p_war": round(float(np.mean(status == 1)), 4),
           "escalation_p_deescalation": round(float(np.mean(status == 2)), 4),
           "escalation_load": round(os.getloadavg()[0], 2)}
    print(f"escalation: {PATHS:,} paths x {ROUNDS} rounds ({moves:,} moves, {TH.shape[0]} posterior draws): "
          f"{cpu:.2f} s CPU, {wall:.2f} s wall on {out['escalation_threads']} threads "
          f"({out['escalation_threading_layer']}); {out['escalation_cpu_us_per_move']:.2f} us CPU per move; "
          f"the runner's own share {runner_cpu:.2f} s; setup and compile {t_setup:.1f} s; "
          f"load average {out['escalation_load']:.2f} [target < {TARGET_CPU_S} s CPU]")
    print(f"  ended in regional war {out['escalation_p_war']:.4f}, de-escalation {out['escalation_p_deescalation']:.4f}")
    print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
