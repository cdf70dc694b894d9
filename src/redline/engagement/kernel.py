"""The fast Monte Carlo kernel (numba), one chunk of trials at a time.

Semantics (shared with :mod:`redline.engagement.reference`):

1. Per threat: it fails with probability 1 - reliability, at a time given
   by :func:`failure_time` (a share of ballistic failures in boost, the rest
   uniform over the remaining flight); its impact point is the aim point plus a circular
   normal error (sigma = CEP / 1.1774); its defended value is the value of
   the most valuable site whose hit radius (site radius plus the type's
   cluster footprint, ``site_r2[type, site]``) contains the impact point if the
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
   group) x P(salvo kills)``, where ``P(salvo kills) = 1 - (1 - pk)^shots``
   with ``pk`` per interceptor type and threat *type* (the class Pk times the
   type's manoeuvre factor, :mod:`redline.engagement.compile`).
3a. Look-ahead (with one salvo in flight per threat): an opportunity is not
   a candidate when it would block a better one, that is when another unit
   has an opportunity on the same threat in a later group that starts
   before this salvo's intercept, with no opportunity of its own in a group
   starting at or after that intercept (its chance would be lost), and that
   unit, as things stand at this group's start (rounds above reserve, track
   early enough for its reaction, its pair's engagement count and look
   time), would fire a salvo with a strictly larger kill probability than
   this one (or an equal one, with more rounds above reserve than this
   unit: equal units share the work instead of the first in reach
   emptying its magazine), while no opportunity on the threat in a group
   starting at or after this salvo's intercept (``Compiled.tev_after``:
   once its result is known) offers a salvo at least as good as the best
   rival's. The rivals are fixed at compile time (``Compiled.tev_riv``);
   the check is the scan's. Without it an earlier, weaker salvo took the
   threat's only slot, and removing that weaker unit *lowered* impacts
   (houthi-eilat: Arrow 3 blocking THAAD; docs/engagement-realism.md §6).
4. Salvo outcomes are drawn after the group's allocation, in commit order.
   A threat dies at the intercept time of its earliest killing salvo;
   salvos launched at a threat that is then already dead are spent anyway.

Randomness: every draw is keyed (:mod:`redline.engagement.draws`), not
taken from a stream: a threat's failure, failure time and aim error by
(seed, trial, threat), a detection by (..., sensor), a salvo's kill by
(..., fire unit, that unit's earlier salvos at the threat). So a draw does
not depend on what else happens in the trial (paired comparisons), and a
draw whose result cannot matter is not made: the failure time of a threat
that does not fail; detections of a threat that can never be engaged (value
0 or no opportunity); the aim error of a threat whose value does not depend
on its impact point (its class is not in ``impact_prediction``) unless it
leaks (the sample trials draw it for every threat, for the maps); a kill
draw when the salvo's intercept is after the threat's failure or not before
an earlier kill; any draw against a probability of 0 or 1.
5. Fate: failed if it failed before any kill, intercepted (credited to the
   killing unit, its nation and the airspace of the intercept point) if killed, else leaked; a leaker impacting inside a site's
   radius counts as impacted and as a hit on that site.

Implementation (not semantics): the kernel never scans a group's full list
of opportunities. Each threat holds a cursor into its own opportunities in
event order (:func:`redline.engagement.compile._threat_index`) and sits in
the bucket of the group of its next *open* one: the next the scan would not
reject on grounds that hold until the threat is next scanned (known death,
an empty magazine, a late track, the pair's engagement count or look time;
decision times never decrease along the cursor). A threat of value 0,
undetected, known dead or with nothing open leaves the buckets for good, so
a trial touches only live threats in reach. A group's allocation stops once
no unit can fire again. Candidates of a group keep their event index, which
is their rank in the plain scan, so ties break as there. The greedy is lazy
(a binary heap keyed by gain, then event index; a committed salvo only
lowers its threat's gain and feasibility only ever shrinks), which picks
exactly the salvo a full rescan would.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .draws import DETECT, FAIL, FAIL_TIME, aim_error_nb, sub_key_nb, trial_key_nb, uniform_nb

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


@njit(cache=True, inline="always")
def impact_site(dx, dy, a, ty, site_dx, site_dy, site_r2):
    """The first (most valuable) site whose radius (plus threat type ``ty``'s cluster footprint,
    ``site_r2[ty, s]``) contains the impact point ``(dx, dy)`` [m] east and north of aim site ``a``, or -1."""
    for s in range(site_r2.shape[1]):
        ex = dx - site_dx[a, s]
        ey = dy - site_dy[a, s]
        if ex * ex + ey * ey <= site_r2[ty, s]:
            return s
    return -1


@njit(nogil=True, cache=True, error_model="numpy")
def simulate_chunk(seed_key, th_key, un_key, sens_key, trial0, n_trials, n_sample,
                   th_type, th_class, th_t0, th_T, th_boost, th_boost_fail, th_track, th_aim,
                   trk_sens_ptr, trk_sens_idx, trk_sens_t, sens_type,
                   un_type, mag0, un_chan, un_react, un_shots, un_reserve, un_nation, tev_air,
                   thr_ptr, tev_e, tev_g, tev_unit, tev_pair, tev_L, tev_t, riv_ptr, riv, riv_after, grp_ptr, grp_time, n_pairs,
                   site_dx, site_dy, site_r2, site_value, predict_class, max_eng, look_s, max_inflight,
                   pk_p, rel_p, sigma_p, pd_p,
                   out_cls, out_ushots, out_ukills, out_hits, out_type, out_kna,
                   smp_fate, smp_tend, smp_killer, smp_ix, smp_iy):
    n = th_type.shape[0]
    K = un_type.shape[0]
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
    kill_air = np.empty(n, np.int64)  # airspace of the killing intercept
    eng_cnt = np.zeros(n, np.int64)
    eng_t = np.empty((n, ME))
    eng_q = np.empty((n, ME))
    eng_u = np.empty((n, ME), np.int64)
    eng_a = np.empty((n, ME), np.int64)
    mag = np.empty(K, np.int64)
    chan_left = np.zeros(K, np.int64)
    rounds_left = np.zeros(K, np.int64)
    # group stamps say "already seen in this group" without resets
    chan_g = np.full(K, -1, np.int64)
    thr_g = np.full(n, -1, np.int64)
    pair_g = np.full(n_pairs, -1, np.int64)
    wgt = np.zeros(n)
    pend = np.zeros(n, np.int64)
    ver = np.zeros(n, np.int64)      # commits to the threat so far (stale heap keys)
    pair_cnt = np.zeros(n_pairs, np.int64)
    pair_last = np.zeros(n_pairs)
    cur = np.empty(n, np.int64)      # cursor into the threat's opportunities
    nxt = np.empty(n, np.int64)      # next threat in the same bucket
    head = np.empty(max(G, 1), np.int64)
    vis = np.empty(n, np.int64)      # threats scanned in the current group
    maxg = 1
    for g in range(G):
        if grp_ptr[g + 1] - grp_ptr[g] > maxg:
            maxg = grp_ptr[g + 1] - grp_ptr[g]
    cj = np.empty(maxg, np.int64)    # candidate: position in the threat index
    ci = np.empty(maxg, np.int64)    # its threat
    ce = np.empty(maxg, np.int64)    # its event index: rank in the plain scan
    cns = np.empty(maxg, np.int64)
    cps = np.empty(maxg)
    ckey = np.empty(maxg)
    cver = np.empty(maxg, np.int64)
    hp = np.empty(maxg, np.int64)
    com_i = np.empty(maxg, np.int64)
    com_q = np.empty(maxg, np.int64)
    com_n = np.empty(maxg, np.int64)
    th_k = np.empty(n, np.uint64)    # the threat's key in the current trial

    for tr in range(n_trials):
        pi = (trial0 + tr) % P
        smp = tr < n_sample
        tk = trial_key_nb(seed_key, trial0 + tr)
        # --- per-threat draws (keyed, see redline.engagement.draws): failure, aim error, tracking
        for i in range(n):
            ty = th_type[i]
            kt = sub_key_nb(tk, th_key[i])
            th_k[i] = kt
            pf = 1.0 - rel_p[pi, ty]
            if pf >= 1.0 or (pf > 0.0 and uniform_nb(kt, FAIL) < pf):
                t_fail[i] = th_t0[i] + failure_time(uniform_nb(kt, FAIL_TIME), th_T[i], th_boost[i], th_boost_fail[i])
            else:
                t_fail[i] = inf
            a = th_aim[i]
            # the aim error is drawn here only if the value depends on it (or for the sample
            # trials' maps); otherwise at the tally, for leakers only
            if predict_class[th_class[i]] or smp:
                ix[i], iy[i] = aim_error_nb(kt, sigma_p[pi, ty])
                imp_site[i] = impact_site(ix[i], iy[i], a, ty, site_dx, site_dy, site_r2)
            else:
                imp_site[i] = -2         # not drawn yet
            if predict_class[th_class[i]]:
                value[i] = site_value[imp_site[i]] if imp_site[i] >= 0 else 0.0
            else:
                value[i] = site_value[a]
            t_track[i] = inf
            if value[i] > 0.0 and thr_ptr[i] < thr_ptr[i + 1]:   # else never engaged: no detection draws
                k = th_track[i]
                for q in range(trk_sens_ptr[k], trk_sens_ptr[k + 1]):
                    sq = trk_sens_idx[q]
                    pd = pd_p[pi, sens_type[sq]]
                    if pd >= 1.0 or (pd > 0.0 and uniform_nb(sub_key_nb(kt, sens_key[sq]), DETECT) < pd):
                        t_track[i] = th_t0[i] + trk_sens_t[q]
                        break
            eng_cnt[i] = 0
            t_kill[i] = inf
            t_dead[i] = t_fail[i]
            killer[i] = -1
        for u in range(K):
            mag[u] = mag0[tr, u]
        for p in range(n_pairs):
            pair_cnt[p] = 0
        # --- buckets: each engageable threat waits in the group of its first open opportunity
        for g in range(G):
            head[g] = -1
        nv = 0
        for i in range(n):
            if value[i] > 0.0 and t_track[i] < inf and thr_ptr[i] < thr_ptr[i + 1]:
                cur[i] = thr_ptr[i]
                vis[nv] = i
                nv += 1
        # --- engagement groups in decision-time order (g = -1 only fills the buckets)
        for g in range(-1, G):
            if g >= 0 and head[g] < 0:
                continue
            gs = tr * (G + 1) + g + 1     # unique per trial and group
            gt = grp_time[g] if g >= 0 else -inf
            nc = 0
            n_open = 0
            i = head[g] if g >= 0 else -1
            while i >= 0:
                i_next = nxt[i]
                j = cur[i]
                end = thr_ptr[i + 1]
                td = t_dead[i]
                tt = t_track[i]
                full = eng_cnt[i] >= ME
                while j < end and tev_g[j] == g:
                    L = tev_L[j]
                    if td <= L:
                        j = end          # known dead from here on: leaves the buckets
                        break
                    u = tev_unit[j]
                    p = tev_pair[j]
                    avail = mag[u] - un_reserve[u]
                    if (tt + un_react[u] > L or pair_g[p] == gs or pair_cnt[p] >= max_eng
                            or (pair_cnt[p] > 0 and L < pair_last[p] + look_s)
                            or avail <= 0 or full):
                        j += 1
                        continue
                    ns = un_shots[u] if un_shots[u] < avail else avail
                    pkj = 1.0 - (1.0 - pk_p[pi, un_type[u], th_type[i]]) ** ns
                    # look-ahead (semantics 3a): defer to a better salvo this one would block
                    defer = False
                    best = pkj
                    tie = False                  # an equally good rival with more rounds to spare
                    for r in range(riv_ptr[j], riv_ptr[j + 1]):
                        k2 = riv[r]
                        u2 = tev_unit[k2]
                        p2 = tev_pair[k2]
                        L2 = tev_L[k2]
                        a2 = mag[u2] - un_reserve[u2]
                        if (a2 <= 0 or tt + un_react[u2] > L2 or pair_cnt[p2] >= max_eng
                                or (pair_cnt[p2] > 0 and L2 < pair_last[p2] + look_s)):
                            continue
                        n2 = un_shots[u2] if un_shots[u2] < a2 else a2
                        q2 = 1.0 - (1.0 - pk_p[pi, un_type[u2], th_type[i]]) ** n2
                        if q2 > best:
                            best = q2
                        elif q2 == pkj and a2 > avail:
                            tie = True
                    if best > pkj or tie:
                        defer = True             # unless as good a salvo is left once this one's result is in
                        for k2 in range(riv_after[j], end):
                            u2 = tev_unit[k2]
                            p2 = tev_pair[k2]
                            L2 = tev_L[k2]
                            a2 = mag[u2] - un_reserve[u2]
                            if (a2 <= 0 or tt + un_react[u2] > L2 or pair_cnt[p2] >= max_eng
                                    or (pair_cnt[p2] > 0 and L2 < pair_last[p2] + look_s)):
                                continue
                            n2 = un_shots[u2] if un_shots[u2] < a2 else a2
                            if 1.0 - (1.0 - pk_p[pi, un_type[u2], th_type[i]]) ** n2 >= best:
                                defer = False
                                break
                    if defer:
                        j += 1
                        continue
                    pair_g[p] = gs
                    cj[nc] = j
                    ci[nc] = i
                    ce[nc] = tev_e[j]
                    cns[nc] = ns
                    cps[nc] = pkj
                    nc += 1
                    if thr_g[i] != gs:
                        thr_g[i] = gs
                        w = value[i]
                        npend = 0
                        for q in range(eng_cnt[i]):
                            if eng_t[i, q] > gt:
                                w *= eng_q[i, q]
                                npend += 1
                        wgt[i] = w
                        pend[i] = npend
                    if chan_g[u] != gs:
                        chan_g[u] = gs
                        chan_left[u] = un_chan[u]
                        rounds_left[u] = avail
                        if un_chan[u] > 0:
                            n_open += 1          # units that can still fire in this group
                    j += 1
                if j < end:
                    cur[i] = j
                    vis[nv] = i
                    nv += 1
                i = i_next
            if nc > 0:
                # --- lazy greedy: a binary heap of candidates by (gain, event index); once the
                # top's gain is fresh and it is feasible, it is the plain rescan's argmax
                for c in range(nc):
                    ckey[c] = wgt[ci[c]] * cps[c]
                    cver[c] = ver[ci[c]]
                    hp[c] = c
                m = nc
                ncom = 0
                build = m // 2 - 1               # heapify: sift each parent, the last one first
                root = build
                while True:
                    if root >= 0:
                        # sift hp[root] down (written out here: helpers taking arrays cost refcounts)
                        x = hp[root]
                        pos = root
                        while True:
                            ch = 2 * pos + 1
                            if ch >= m:
                                break
                            if ch + 1 < m and (ckey[hp[ch + 1]] > ckey[hp[ch]] or (
                                    ckey[hp[ch + 1]] == ckey[hp[ch]] and ce[hp[ch + 1]] < ce[hp[ch]])):
                                ch += 1
                            if ckey[hp[ch]] > ckey[x] or (ckey[hp[ch]] == ckey[x] and ce[hp[ch]] < ce[x]):
                                hp[pos] = hp[ch]
                                pos = ch
                            else:
                                break
                        hp[pos] = x
                    if build > 0:
                        build -= 1
                        root = build
                        continue
                    if m == 0:
                        break
                    root = 0
                    c = hp[0]
                    i = ci[c]
                    j = cj[c]
                    u = tev_unit[j]
                    ns = cns[c]
                    if chan_left[u] <= 0 or rounds_left[u] < ns or pend[i] >= max_inflight:
                        m -= 1                       # infeasible for the rest of the group
                        hp[0] = hp[m]
                        continue
                    if cver[c] != ver[i]:
                        ckey[c] = wgt[i] * cps[c]    # gains only fall: sift it down to its place
                        cver[c] = ver[i]
                        continue
                    if not ckey[c] > 0.0:
                        break
                    m -= 1
                    hp[0] = hp[m]
                    ps = cps[c]
                    p = tev_pair[j]
                    chan_left[u] -= 1
                    rounds_left[u] -= ns
                    mag[u] -= ns
                    wgt[i] *= 1.0 - ps
                    ver[i] += 1
                    pend[i] += 1
                    pair_cnt[p] += 1
                    pair_last[p] = tev_t[j]
                    q = eng_cnt[i]
                    eng_t[i, q] = tev_t[j]
                    eng_q[i, q] = 1.0 - ps
                    eng_u[i, q] = u
                    eng_a[i, q] = tev_air[j]
                    eng_cnt[i] = q + 1
                    out_ushots[tr, u] += ns
                    com_i[ncom] = i
                    com_q[ncom] = q
                    com_n[ncom] = pair_cnt[p] - 1     # earlier salvos of this unit at this threat
                    ncom += 1
                    # a unit's salvos all have one size in a group: once it cannot fire that,
                    # none of its candidates can; with no unit left the rescan would find nothing
                    if chan_left[u] <= 0 or rounds_left[u] < ns:
                        n_open -= 1
                        if n_open == 0:
                            break
                for c in range(ncom):
                    i = com_i[c]
                    q = com_q[c]
                    te = eng_t[i, q]
                    # drawn only if a kill could change the outcome: not after an earlier kill or
                    # after the failure (a tie with the failure counts as a kill)
                    if te < t_kill[i] and te <= t_fail[i]:
                        pk = 1.0 - eng_q[i, q]
                        if pk >= 1.0 or (pk > 0.0 and uniform_nb(
                                sub_key_nb(th_k[i], un_key[eng_u[i, q]]), 1 + com_n[c]) < pk):
                            t_kill[i] = te
                            killer[i] = eng_u[i, q]
                            kill_air[i] = eng_a[i, q]
                            if te < t_dead[i]:
                                t_dead[i] = te
            # --- each scanned threat waits in the group of its next open opportunity, judged on the
            # state after this group's shots: every rejection below holds until the threat is next
            # scanned (known death and magazines only advance; a pair's count and last shot change
            # only when its threat is a candidate)
            for v in range(nv):
                i = vis[v]
                end = thr_ptr[i + 1]
                j = cur[i] if eng_cnt[i] < ME else end
                td = t_dead[i]
                tt = t_track[i]
                while j < end:
                    L = tev_L[j]
                    if td <= L:
                        j = end
                        break
                    u = tev_unit[j]
                    if mag[u] > un_reserve[u] and tt + un_react[u] <= L:
                        p = tev_pair[j]
                        pc = pair_cnt[p]
                        if pc < max_eng and (pc == 0 or L >= pair_last[p] + look_s):
                            break
                    j += 1
                if j < end:
                    cur[i] = j
                    nxt[i] = head[tev_g[j]]
                    head[tev_g[j]] = i
            nv = 0
        # --- tally
        for i in range(n):
            cl = th_class[i]
            ty = th_type[i]
            out_cls[tr, cl, 0] += 1
            out_type[tr, ty, 0] += 1
            if t_fail[i] < t_kill[i]:
                fate = 0
                tend = t_fail[i]
                out_cls[tr, cl, 1] += 1
                out_type[tr, ty, 1] += 1
            elif t_kill[i] < inf:
                fate = 1
                tend = t_kill[i]
                out_cls[tr, cl, 2] += 1
                out_type[tr, ty, 2] += 1
                out_ukills[tr, killer[i], cl] += 1
                out_kna[tr, un_nation[killer[i]], kill_air[i]] += 1
            else:
                tend = th_t0[i] + th_T[i]
                out_cls[tr, cl, 3] += 1
                out_type[tr, ty, 3] += 1
                if imp_site[i] == -2:    # a leaker whose aim error was not needed before
                    ix[i], iy[i] = aim_error_nb(th_k[i], sigma_p[pi, th_type[i]])
                    imp_site[i] = impact_site(ix[i], iy[i], th_aim[i], th_type[i], site_dx, site_dy, site_r2)
                if imp_site[i] >= 0:
                    fate = 3
                    out_cls[tr, cl, 4] += 1
                    out_type[tr, ty, 4] += 1
                    out_hits[tr, imp_site[i]] += 1
                else:
                    fate = 2
            if tr < n_sample:
                smp_fate[tr, i] = fate
                smp_tend[tr, i] = tend
                smp_killer[tr, i] = killer[i] if fate == 1 else -1
                smp_ix[tr, i] = ix[i]
                smp_iy[tr, i] = iy[i]
