"""Escalation benchmark (issue 14): 100,000 crisis paths of 20 rounds, target under 3 s of CPU.

The paths start from the april-2024 state under the status-quo package, spread over the shipped
posterior draws, with no time horizon so that every path runs its 20 rounds unless it ends in
regional war or de-escalation. Compilation (numba, cached after the first run) is timed apart.
The figure is CPU seconds of this process (every thread, ``time.process_time``) beside wall
seconds and the load average; the runner's own share (the uniforms it draws, the state copies)
is timed apart, so that what is left is the kernel's. Prints the figures and one JSON line;
never fails on a time.

``--profile`` then splits a move's cost on one thread: it replays the pre-move states of 20,000
paths x 20 rounds and times the whole round, the mover's caches (``prepare_mover``, as the sampler calls it) and the choice
(``action_probs``) apart, counts the work of a move (actions prepared, the mover's actions, the
replies looked ahead, the reply utilities and exponentials evaluated) and how often a
(state, draw, mover) repeats (the hit rate a memo of the choice keyed on the state could reach).
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


def profile(paths: int = 20_000, rounds: int = ROUNDS) -> dict:
    """Per-move split of the kernel's cost and counts of its work (``--profile``; one thread)."""
    import numpy as np
    from numba import njit

    from redline.escalation import default_model
    from redline.escalation import kernel as K
    from redline.escalation.fit import load_posterior, posterior_matrix
    from redline.escalation.history import start_state
    from redline.escalation.kernel.chance import draw, duration_probs, mover_probs
    from redline.escalation.kernel.choice import AUX_TRIG, AUX_WANT, UNAVAILABLE, action_probs, prepare_mover
    from redline.escalation.kernel.sampler import round_one, scratch
    from redline.escalation.kernel.state import advance, decay_table
    from redline.escalation.kernel.tables import is_mover
    from redline.escalation.layout import (C_FIRSTA, C_NACT, F_ACTOR, F_HOSTILE, F_RUNG, F_TARGET, G_DUR, NA, NDUR,
                                           S_STATUS)

    model = default_model()
    S0, m2 = start_state(model, "april-2024", {})
    TH = posterior_matrix(load_posterior(), m2)
    T = m2.tables
    SS = np.tile(S0, (paths, 1))
    didx = (np.arange(paths) % TH.shape[0]).astype(np.int64)
    acc = np.zeros((paths, len(m2.interceptor_types)))
    moves = np.full((paths, rounds), -1, np.int64)
    rng = np.random.default_rng(5)
    pre, us = [], []
    for r in range(rounds):
        U = rng.random((paths, K.NU))
        pre.append(SS.copy())
        us.append(U)
        K.simulate_round(SS, U, didx, TH, T, acc, moves, r, 1e12)
    PRE, UU, DI = np.concatenate(pre), np.concatenate(us), np.tile(didx, rounds)
    keep = PRE[:, S_STATUS] == 0
    PRE, UU, DI = PRE[keep], UU[keep], DI[keep]
    N = PRE.shape[0]

    @njit
    def whole(PRE, UU, DI, TH, T, ACC):
        lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(T.action.shape[0], T.glob)
        dec = decay_table(T.glob)
        s = 0
        for m in range(PRE.shape[0]):
            S = PRE[m].copy()
            s += round_one(S, TH[DI[m]], UU[m], T, ACC, 1e12, dec, lut, eloss, st, aux, ob, buf, ubuf, pbuf)
        return s

    @njit
    def before_choice(PRE, UU, DI, TH, T, ACC, MV, OUT):     # duration, time passing, who moves
        buf = np.empty(K.NBUF)
        for m in range(PRE.shape[0]):
            S = PRE[m].copy()
            th = TH[DI[m]]
            duration_probs(S, th, buf)
            advance(S, T.glob[G_DUR + draw(buf, NDUR, UU[m, 0])], T, ACC)
            mover_probs(S, th, T, buf)
            MV[m] = draw(buf, NA, UU[m, 3])
            OUT[m] = S

    @njit
    def choice(OUT, DI, TH, T, MV, with_probs):
        lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(T.action.shape[0], T.glob)
        s = 0.0
        for m in range(OUT.shape[0]):
            prepare_mover(OUT[m], TH[DI[m]], T, MV[m], lut, eloss, st, aux, ob)
            if with_probs:
                action_probs(OUT[m], MV[m], TH[DI[m]], T, lut, eloss, st, aux, buf, ubuf, pbuf)
            s += buf[0] + st[0]
        return s

    @njit
    def counts(OUT, DI, TH, T, MV):
        lut, eloss, st, aux, ob, buf, ubuf, pbuf = scratch(T.action.shape[0], T.glob)
        AF, ACT = T.action, T.actor
        c = np.zeros(5)
        for m in range(OUT.shape[0]):
            i = MV[m]
            prepare_mover(OUT[m], TH[DI[m]], T, i, lut, eloss, st, aux, ob)
            for a in range(AF.shape[0]):
                if aux[AUX_WANT + int(AF[a, F_ACTOR])] > 0.0:
                    c[0] += 1
            f0, n = int(ACT[i, C_FIRSTA]), int(ACT[i, C_NACT])
            c[1] += n
            for a in range(f0, f0 + n):
                t = int(AF[a, F_TARGET])
                if st[a] <= UNAVAILABLE or aux[AUX_TRIG + int(AF[a, F_RUNG])] > 0.0:
                    continue
                if AF[a, F_HOSTILE] > 0.0 and is_mover(T.role[t]):
                    c[2] += 1
                    f2 = int(ACT[t, C_FIRSTA])
                    for b in range(f2, f2 + int(ACT[t, C_NACT])):
                        c[3] += 1
                        if st[b] > UNAVAILABLE:
                            c[4] += 1
        return c / OUT.shape[0]

    def best(f, *a):
        f(*a)
        t = []
        for _ in range(3):
            c = time.process_time()
            f(*a)
            t.append(time.process_time() - c)
        return 1e6 * min(t) / N

    ACC, MV, OUT = np.zeros(acc.shape[1]), np.zeros(N, np.int64), np.empty_like(PRE)
    t_round = best(whole, PRE, UU, DI, TH, T, ACC)
    t_before = best(before_choice, PRE, UU, DI, TH, T, ACC, MV, OUT)
    t_prep = best(choice, OUT, DI, TH, T, MV, False)
    t_choice = best(choice, OUT, DI, TH, T, MV, True) - t_prep
    c = counts(OUT, DI, TH, T, MV)
    key = np.concatenate([OUT, DI[:, None].astype(float), MV[:, None].astype(float)], axis=1)
    repeat = 1.0 - np.unique(key, axis=0).shape[0] / N
    figures = {"moves": N, "us_round": t_round, "us_duration_advance_mover": t_before, "us_prepare": t_prep,
               "us_action_probs": t_choice, "actions_prepared": c[0], "mover_actions": c[1], "replies": c[2],
               "reply_utilities": c[3], "reply_exps": c[4], "state_repeat_rate": repeat, "load": os.getloadavg()[0]}
    out = {f"escalation_profile_{k}": (v if k == "moves" else round(float(v), 4)) for k, v in figures.items()}
    print(f"profile, one thread, {N:,} pre-move states ({paths:,} paths x {rounds} rounds), CPU per move: "
          f"round {t_round:.2f} us = duration, time and mover {t_before:.2f} + prepare {t_prep:.2f} + "
          f"action_probs {t_choice:.2f} + the rest; a move prepares {c[0]:.1f} actions, the mover has {c[1]:.1f}, "
          f"looks ahead at {c[2]:.1f} replies ({c[3]:.1f} reply utilities, {c[4]:.1f} exponentials); "
          f"(state, draw, mover) repeats in {100 * repeat:.1f} % of moves; "
          f"load average {out['escalation_profile_load']:.2f}")
    print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    import sys

    main()
    if "--profile" in sys.argv[1:]:
        profile()
