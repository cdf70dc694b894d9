"""The fast Monte Carlo kernel (numba), one chunk of trials at a time.

Semantics (shared with :mod:`redline.engagement.reference`):

1. Per threat: it fails with probability 1 - reliability, at a time given
   by :func:`failure_time` (a share of ballistic failures in boost, the rest
   uniform over the remaining flight); its impact point is the aim point plus a circular
   normal error (sigma = CEP / 1.1774); its defended value is the value of
   the most valuable site whose radius contains the impact point if the
   doctrine predicts impact points for its class, else the aim site's
   value. Threats of value 0 are not engaged.
2. Per threat: the sensors that can see it are tried in order of the time
   they would deliver a usable track; the first that detects it (with its
   detection probability) sets the track time. Undetected threats are never
   engaged.
3. Engagement opportunities are processed in decision-time groups of
   ``decision_interval_s``. In each group the valid opportunities (threat
   not known dead or failed at decision time, tracked early enough for the
   unit's reaction time, unit magazine above reserve, fewer than
   ``max_engagements`` engagements of this pair and the previous one's
   result seen ``look_s`` before; only a pair's first such opportunity in
   the group) compete for the units' channels and rounds (the magazine
   above reserve at the group's start). A salvo is ``min(shots, rounds)``
   interceptors. Each threat weighs ``value x P(survives engagements still
   pending at the group's start)`` and takes at most ``salvos_in_flight``
   pending salvos at once (network-wide shoot-look-shoot). Greedy maximum marginal return (see
   :func:`redline.engagement.allocation.greedy`): repeatedly commit the
   salvo with the largest ``weight x P(survives salvos chosen in this
   group) x P(salvo kills)``.
4. Salvo outcomes are drawn after the group's allocation, in commit order.
   A threat dies at the intercept time of its earliest killing salvo;
   salvos launched at a threat that is then already dead are spent anyway.
5. Fate: failed if it failed before any kill, intercepted (credited to the
   killing unit) if killed, else leaked; a leaker impacting inside a site's
   radius counts as impacted and as a hit on that site.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["simulate_chunk", "failure_time", "MAX_ENG_PER_THREAT"]

MAX_ENG_PER_THREAT = 32


@njit(cache=True)
def failure_time(u, flight_s, boost_s, boost_share):
    """Time after launch [s] at which a failing threat fails, from one uniform ``u``.

    With probability ``boost_share`` uniform over the boost phase, otherwise
    uniform over the rest of the flight (air-breathing threats: share 0,
    uniform over the whole flight).
    """
    if u < boost_share:
        return u / boost_share * boost_s
    return boost_s + (u - boost_share) / (1.0 - boost_share) * (flight_s - boost_s)


@njit(nogil=True, cache=True, error_model="numpy")
def simulate_chunk(rng, trial0, n_trials, n_sample,
                   th_type, th_class, th_t0, th_T, th_boost, th_boost_fail, th_track, th_aim,
                   trk_sens_ptr, trk_sens_idx, trk_sens_t, sens_type,
                   un_type, mag0, un_chan, un_react, un_shots, un_reserve,
                   ev_threat, ev_unit, ev_pair, ev_L, ev_t, grp_ptr, grp_time, n_pairs,
                   site_dx, site_dy, site_r2, site_value, predict_class, max_eng, look_s, max_inflight,
                   pk_p, rel_p, sigma_p, pd_p,
                   out_cls, out_ushots, out_ukills, out_hits,
                   smp_fate, smp_tend, smp_killer, smp_ix, smp_iy):
    n = th_type.shape[0]
    K = un_type.shape[0]
    S = site_value.shape[0]
    P = pk_p.shape[0]
    G = grp_ptr.shape[0] - 1
    ME = MAX_ENG_PER_THREAT
    inf = np.inf
    t_fail = np.empty(n)
    t_track = np.empty(n)
    value = np.empty(n)
    imp_site = np.empty(n, np.int64)
    ix = np.empty(n)
    iy = np.empty(n)
    t_kill = np.empty(n)
    t_dead = np.empty(n)             # min(t_fail, t_kill): when the defence knows it is gone
    killer = np.empty(n, np.int64)
    eng_cnt = np.zeros(n, np.int64)
    eng_t = np.empty((n, ME))
    eng_q = np.empty((n, ME))
    eng_u = np.empty((n, ME), np.int64)
    mag = np.empty(K, np.int64)
    chan_left = np.zeros(K, np.int64)
    rounds_left = np.zeros(K, np.int64)
    chan_g = np.empty(K, np.int64)
    thr_g = np.empty(n, np.int64)
    wgt = np.zeros(n)
    pend = np.zeros(n, np.int64)
    pair_cnt = np.zeros(n_pairs, np.int64)
    pair_last = np.zeros(n_pairs)
    pair_g = np.empty(n_pairs, np.int64)
    maxg = 1
    for g in range(G):
        if grp_ptr[g + 1] - grp_ptr[g] > maxg:
            maxg = grp_ptr[g + 1] - grp_ptr[g]
    cand = np.empty(maxg, np.int64)
    cns = np.empty(maxg, np.int64)
    cps = np.empty(maxg)
    com_i = np.empty(maxg, np.int64)
    com_q = np.empty(maxg, np.int64)

    for tr in range(n_trials):
        pi = (trial0 + tr) % P
        # --- per-threat draws: failure, aim error, tracking
        for i in range(n):
            ty = th_type[i]
            if rng.random() < 1.0 - rel_p[pi, ty]:
                t_fail[i] = th_t0[i] + failure_time(rng.random(), th_T[i], th_boost[i], th_boost_fail[i])
            else:
                t_fail[i] = inf
            sg = sigma_p[pi, ty]
            ix[i] = rng.standard_normal() * sg
            iy[i] = rng.standard_normal() * sg
            a = th_aim[i]
            s_hit = -1
            for s in range(S):
                dx = ix[i] - site_dx[a, s]
                dy = iy[i] - site_dy[a, s]
                if dx * dx + dy * dy <= site_r2[s]:
                    s_hit = s
                    break
            imp_site[i] = s_hit
            if predict_class[th_class[i]]:
                value[i] = site_value[s_hit] if s_hit >= 0 else 0.0
            else:
                value[i] = site_value[a]
            t_track[i] = inf
            k = th_track[i]
            for q in range(trk_sens_ptr[k], trk_sens_ptr[k + 1]):
                if rng.random() < pd_p[pi, sens_type[trk_sens_idx[q]]]:
                    t_track[i] = th_t0[i] + trk_sens_t[q]
                    break
            eng_cnt[i] = 0
            thr_g[i] = -1
            t_kill[i] = inf
            t_dead[i] = t_fail[i]
            killer[i] = -1
        for u in range(K):
            mag[u] = mag0[tr, u]
            chan_g[u] = -1
        for p in range(n_pairs):
            pair_cnt[p] = 0
            pair_g[p] = -1
        # --- engagement groups in decision-time order
        for g in range(G):
            gt = grp_time[g]
            nc = 0
            for e in range(grp_ptr[g], grp_ptr[g + 1]):
                i = ev_threat[e]
                L = ev_L[e]
                if t_dead[i] <= L or value[i] <= 0.0:
                    continue
                u = ev_unit[e]
                if t_track[i] + un_react[u] > L:
                    continue
                p = ev_pair[e]
                if pair_g[p] == g or pair_cnt[p] >= max_eng:
                    continue
                if pair_cnt[p] > 0 and L < pair_last[p] + look_s:
                    continue
                avail = mag[u] - un_reserve[u]
                if avail <= 0 or eng_cnt[i] >= ME:
                    continue
                pair_g[p] = g
                ns = un_shots[u] if un_shots[u] < avail else avail
                cand[nc] = e
                cns[nc] = ns
                cps[nc] = 1.0 - (1.0 - pk_p[pi, un_type[u], th_class[i]]) ** ns
                nc += 1
                if thr_g[i] != g:
                    thr_g[i] = g
                    w = value[i]
                    npend = 0
                    for q in range(eng_cnt[i]):
                        if eng_t[i, q] > gt:
                            w *= eng_q[i, q]
                            npend += 1
                    wgt[i] = w
                    pend[i] = npend
                if chan_g[u] != g:
                    chan_g[u] = g
                    chan_left[u] = un_chan[u]
                    rounds_left[u] = avail
            if nc == 0:
                continue
            ncom = 0
            while True:
                best = -1
                bg = 0.0
                for c in range(nc):
                    e = cand[c]
                    if e < 0:
                        continue
                    u = ev_unit[e]
                    if chan_left[u] <= 0 or rounds_left[u] < cns[c] or pend[ev_threat[e]] >= max_inflight:
                        cand[c] = -1
                        continue
                    gain = wgt[ev_threat[e]] * cps[c]
                    if gain > bg:
                        bg = gain
                        best = c
                if best < 0:
                    break
                e = cand[best]
                cand[best] = -1
                u = ev_unit[e]
                p = ev_pair[e]
                i = ev_threat[e]
                ns = cns[best]
                ps = cps[best]
                chan_left[u] -= 1
                rounds_left[u] -= ns
                mag[u] -= ns
                wgt[i] *= 1.0 - ps
                pend[i] += 1
                pair_cnt[p] += 1
                pair_last[p] = ev_t[e]
                q = eng_cnt[i]
                eng_t[i, q] = ev_t[e]
                eng_q[i, q] = 1.0 - ps
                eng_u[i, q] = u
                eng_cnt[i] = q + 1
                out_ushots[tr, u] += ns
                com_i[ncom] = i
                com_q[ncom] = q
                ncom += 1
            for c in range(ncom):
                i = com_i[c]
                q = com_q[c]
                if rng.random() < 1.0 - eng_q[i, q]:
                    if eng_t[i, q] < t_kill[i]:
                        t_kill[i] = eng_t[i, q]
                        killer[i] = eng_u[i, q]
                        if t_kill[i] < t_dead[i]:
                            t_dead[i] = t_kill[i]
        # --- tally
        for i in range(n):
            cl = th_class[i]
            out_cls[tr, cl, 0] += 1
            if t_fail[i] < t_kill[i]:
                fate = 0
                tend = t_fail[i]
                out_cls[tr, cl, 1] += 1
            elif t_kill[i] < inf:
                fate = 1
                tend = t_kill[i]
                out_cls[tr, cl, 2] += 1
                out_ukills[tr, killer[i], cl] += 1
            else:
                tend = th_t0[i] + th_T[i]
                out_cls[tr, cl, 3] += 1
                if imp_site[i] >= 0:
                    fate = 3
                    out_cls[tr, cl, 4] += 1
                    out_hits[tr, imp_site[i]] += 1
                else:
                    fate = 2
            if tr < n_sample:
                smp_fate[tr, i] = fate
                smp_tend[tr, i] = tend
                smp_killer[tr, i] = killer[i] if fate == 1 else -1
                smp_ix[tr, i] = ix[i]
                smp_iy[tr, i] = iy[i]
