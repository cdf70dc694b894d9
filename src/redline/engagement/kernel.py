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
of opportunities. Each (threat, fire unit) pair holds a cursor into its own
opportunities in event order (:mod:`redline.engagement.index`) and sits in
the bucket of the group of its next *open* one: the next the scan would not
reject on grounds that hold until the pair is next seen (known death, a
magazine at its reserve, a late track, the pair's engagement count or look
time, the threat's salvos in flight: decision times never decrease along a
cursor, and another pair's salvo at the threat only moves its free slot
later). A pair joins at the group of its first opportunity from a static
list (pairs are numbered in that order, so the join reads every array in
sequence), unless its threat is never engaged (value 0, undetected) or known
dead, or its unit is at its reserve, and leaves for good on any of those or
when the pair's engagements are used up, so a trial touches only pairs
whose threat and unit are both still in play. The look-ahead (3a) is judged
in the scan, on the group's starting state, and never moves a cursor past
an event. Candidates keep their event index, their rank in the plain scan,
so ties break as there. The greedy is lazy: one binary heap per fire unit
of the group, keyed by gain, then event index; the best fresh, feasible top
over the units is the plain rescan's argmax (a committed salvo only lowers
its threat's gains, feasibility only ever shrinks), and a unit that can no
longer fire leaves with all its candidates at once (a unit's salvos have
one size in a group); with a single firing unit whose gains all tie (a wave
in reach of one layer) the heap's pop order is the event order, so its
candidates are read as a list. Each event is one record
(:data:`redline.engagement.index.EVENT`), each look-ahead rival one
:data:`~redline.engagement.index.RIVAL`. A full salvo's kill probability is
computed once per trial, unit and threat type.
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
                   un_type, mag0, un_chan, un_react, un_shots, un_reserve, un_nation,
                   thr_ptr, pr_thr, pr_unit, pr_ptr, pev, sf_ptr, sf_L,
                   tev, riv, grp_ptr, grp_time,
                   site_dx, site_dy, site_r2, site_value, predict_class, max_eng, look_s, max_inflight,
                   pk_p, rel_p, sigma_p, pd_p,
                   out_cls, out_ushots, out_ukills, out_hits, out_type, out_kna,
                   smp_fate, smp_tend, smp_killer, smp_ix, smp_iy):
    n = th_type.shape[0]
    K = un_type.shape[0]
    P = pk_p.shape[0]
    G = grp_ptr.shape[0] - 1
    Q = pr_thr.shape[0]
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
    t_free = np.empty(n)             # the first group start at which the threat has a free slot in flight
    mag = np.empty(K, np.int64)
    chan_left = np.zeros(K, np.int64)
    rounds_left = np.zeros(K, np.int64)
    # group stamps say "already seen in this group" without resets
    chan_g = np.full(K, -1, np.int64)
    thr_g = np.full(n, -1, np.int64)
    wgt = np.zeros(n)
    pend = np.zeros(n, np.int64)
    ver = np.zeros(n, np.int64)      # commits to the threat so far (stale heap keys)
    pair_cnt = np.zeros(Q, np.int64)
    pair_last = np.zeros(Q)
    cur = np.empty(Q, np.int64)      # cursor into the pair's events
    nxt = np.empty(Q, np.int64)      # next pair in the same bucket
    head = np.empty(max(G, 1), np.int64)
    vis = np.empty(Q, np.int64)      # pairs to file again after the current group
    maxg = 1
    for g in range(G):
        if grp_ptr[g + 1] - grp_ptr[g] > maxg:
            maxg = grp_ptr[g + 1] - grp_ptr[g]
    ci = np.empty(maxg, np.int64)    # its threat
    cq = np.empty(maxg, np.int64)    # its pair
    cu = np.empty(maxg, np.int64)    # its unit
    ce = np.empty(maxg, np.int64)    # its event index: rank in the plain scan
    ct = np.empty(maxg)              # its intercept time
    ca = np.empty(maxg, np.int64)    # the airspace of its intercept point
    cns = np.empty(maxg, np.int64)
    cps = np.empty(maxg)
    cver = np.empty(maxg, np.int64)
    hk = np.empty(maxg)              # the heap: gain,
    he = np.empty(maxg, np.int64)    # event index,
    hc = np.empty(maxg, np.int64)    # candidate
    gu = np.empty(K, np.int64)       # the group's fire units with candidates
    n_ty = pk_p.shape[2]
    spk = np.empty((K, n_ty))        # P(a full salvo of the unit kills a threat of the type), this trial
    spk_tr = np.full((K, n_ty), -1, np.int64)
    ucnt = np.empty(K, np.int64)     # their candidates
    ua = np.empty(K, np.int64)       # a unit's place among the group's units with a heap, or -1
    ub = np.empty(K, np.int64)       # where its heap starts
    um = np.empty(K, np.int64)       # and its size
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
            t_free[i] = -inf
            t_kill[i] = inf
            # never engaged (value 0, untracked): as if known dead from the start, so no pair of it joins
            t_dead[i] = t_fail[i] if value[i] > 0.0 and t_track[i] < inf else -inf
            killer[i] = -1
        for u in range(K):
            mag[u] = mag0[tr, u]
        for q in range(Q):
            pair_cnt[q] = 0
        for g in range(G):
            head[g] = -1
        # --- engagement groups in decision-time order
        for g in range(G):
            s0 = sf_ptr[g]
            s1 = sf_ptr[g + 1]
            if head[g] < 0 and s0 == s1:
                continue
            # pairs whose first event is in this group join the bucket, unless their threat is never
            # engaged (value 0 or untracked: t_dead is then -inf) or known dead, or their unit's magazine
            # is at its reserve
            # (written without a branch: the test is unpredictable, and a pair that does not join is
            # never read before it would have joined; pushed last first, so that the bucket lists them in
            # event order, which makes the heap below cheap to build when gains tie)
            h = head[g]
            for q in range(s1 - 1, s0 - 1, -1):     # pairs are numbered in join order
                u = pr_unit[q]
                ok = (t_dead[pr_thr[q]] > sf_L[q]) & (mag[u] > un_reserve[u])
                cur[q] = pr_ptr[q]
                nxt[q] = h
                h = q if ok else h
            head[g] = h
            gs = tr * G + g               # unique per trial and group
            gt = grp_time[g]
            nc = 0
            nv = 0
            nu = 0
            q = head[g]
            while q >= 0:
                q_next = nxt[q]
                i = pr_thr[q]
                u = pr_unit[q]
                avail = mag[u] - un_reserve[u]
                # for good: the threat's engagements or the pair's are used up, or the magazine is at its reserve
                if avail <= 0 or eng_cnt[i] >= ME or pair_cnt[q] >= max_eng:
                    q = q_next
                    continue
                if thr_g[i] != gs:
                    thr_g[i] = gs
                    w = value[i]
                    npend = 0
                    for e in range(eng_cnt[i]):
                        if eng_t[i, e] > gt:
                            w *= eng_q[i, e]
                            npend += 1
                    wgt[i] = w
                    pend[i] = npend
                j = cur[q]
                end = pr_ptr[q + 1]
                td = t_dead[i]
                lo = t_track[i] + un_react[u]
                pc = pair_cnt[q]
                lk = pair_last[q] + look_s
                blocked = pend[i] >= max_inflight    # no free slot in flight: no salvo in this group
                found = False
                while j < end and pev[j].g == g:
                    L = pev[j].L
                    if td <= L:
                        j = end                  # known dead from here on
                        break
                    if blocked or lo > L or (pc > 0 and L < lk):
                        j += 1
                        continue
                    ns = un_shots[u] if un_shots[u] < avail else avail
                    ty = th_type[i]
                    if ns == un_shots[u]:                # a full salvo: its Pk once per trial, unit and type
                        if spk_tr[u, ty] != tr:
                            spk_tr[u, ty] = tr
                            spk[u, ty] = 1.0 - (1.0 - pk_p[pi, un_type[u], ty]) ** ns
                        pkj = spk[u, ty]
                    else:
                        pkj = 1.0 - (1.0 - pk_p[pi, un_type[u], ty]) ** ns
                    # look-ahead (semantics 3a): defer to a better salvo this one would block
                    r0 = pev[j].r0                     # its rivals
                    r1 = pev[j].r1
                    if r0 < r1:
                        tt = t_track[i]
                        best = pkj
                        tie = False                      # an equally good rival with more rounds to spare
                        for r in range(r0, r1):
                            u2 = riv[r].unit
                            p2 = riv[r].pair
                            L2 = riv[r].L
                            a2 = mag[u2] - un_reserve[u2]
                            if (a2 <= 0 or tt + un_react[u2] > L2 or pair_cnt[p2] >= max_eng
                                    or (pair_cnt[p2] > 0 and L2 < pair_last[p2] + look_s)):
                                continue
                            if a2 >= un_shots[u2]:
                                if spk_tr[u2, ty] != tr:
                                    spk_tr[u2, ty] = tr
                                    spk[u2, ty] = 1.0 - (1.0 - pk_p[pi, un_type[u2], ty]) ** un_shots[u2]
                                q2 = spk[u2, ty]
                            else:
                                q2 = 1.0 - (1.0 - pk_p[pi, un_type[u2], ty]) ** a2
                            if q2 > best:
                                best = q2
                            elif q2 == pkj and a2 > avail:
                                tie = True
                        if best > pkj or tie:
                            defer = True         # unless as good a salvo is left once this one's result is in
                            for k2 in range(pev[j].after, thr_ptr[i + 1]):
                                u2 = tev[k2].unit
                                p2 = tev[k2].pair
                                L2 = tev[k2].L
                                a2 = mag[u2] - un_reserve[u2]
                                if (a2 <= 0 or tt + un_react[u2] > L2 or pair_cnt[p2] >= max_eng
                                        or (pair_cnt[p2] > 0 and L2 < pair_last[p2] + look_s)):
                                    continue
                                if a2 >= un_shots[u2]:
                                    if spk_tr[u2, ty] != tr:
                                        spk_tr[u2, ty] = tr
                                        spk[u2, ty] = 1.0 - (1.0 - pk_p[pi, un_type[u2], ty]) ** un_shots[u2]
                                    q2 = spk[u2, ty]
                                else:
                                    q2 = 1.0 - (1.0 - pk_p[pi, un_type[u2], ty]) ** a2
                                if q2 >= best:
                                    defer = False
                                    break
                            if defer:
                                j += 1
                                continue
                    found = True
                    break
                if found:
                    ci[nc] = i
                    cq[nc] = q
                    cu[nc] = u
                    ce[nc] = pev[j].e
                    ct[nc] = pev[j].t
                    ca[nc] = pev[j].air
                    cns[nc] = ns
                    cps[nc] = pkj
                    nc += 1
                    if chan_g[u] != gs:
                        chan_g[u] = gs
                        chan_left[u] = un_chan[u]
                        rounds_left[u] = avail
                        ucnt[u] = 0
                        gu[nu] = u
                        nu += 1
                    ucnt[u] += 1
                    j += 1
                    while j < end and pev[j].g == g:   # a pair's first open event in the group only
                        j += 1
                if j < end:
                    cur[q] = j
                    vis[nv] = q
                    nv += 1
                q = q_next
            if nc > 0:
                # --- lazy greedy, one binary heap per fire unit of its candidates by (gain, event index),
                # in hk/he/hc [ub[a], ub[a] + um[a]) for the a-th unit of the group. The best of the
                # units' tops, once fresh (gains only fall) and feasible, is the plain rescan's argmax.
                # A unit that can no longer fire (its salvos have one size in a group) leaves with all
                # its candidates at once.
                na = 0
                off = 0
                for a in range(nu):
                    u = gu[a]
                    if un_chan[u] > 0:
                        ua[u] = na
                        gu[na] = u
                        ub[na] = off
                        um[na] = 0
                        off += ucnt[u]
                        na += 1
                    else:
                        ua[u] = -1
                for c in range(nc):
                    a = ua[cu[c]]
                    if a >= 0:
                        x = ub[a] + um[a]
                        um[a] += 1
                        hk[x] = wgt[ci[c]] * cps[c]
                        he[x] = ce[c]
                        hc[x] = c
                        cver[c] = ver[ci[c]]
                # one unit whose gains all tie, its candidates in event order (the layered raid: a unit alone
                # in reach of a wave): the heap would pop them in that order, so the segment is read as a
                # sorted list instead (a pop advances its start, no sifting). With one unit a threat has one
                # candidate, so none goes stale: each keeps its gain until it is committed
                # (or in reverse event order, as pairs filed again after a group are: reversed first)
                lin = na == 1
                if lin:
                    m = um[0]
                    k0 = hk[0]
                    up = m < 2 or he[1] > he[0]
                    for x in range(1, m):
                        if not (hk[x] == k0 and (he[x] > he[x - 1]) == up):
                            lin = False
                            break
                    if lin and not up:
                        for x in range(m // 2):
                            y = m - 1 - x
                            he[x], he[y] = he[y], he[x]
                            hc[x], hc[y] = hc[y], hc[x]
                # heapify each unit's segment: sift each parent, the last one first
                for a in range(0 if lin else na):
                    b0 = ub[a]
                    m = um[a]
                    for root in range(m // 2 - 1, -1, -1):
                        xk = hk[b0 + root]
                        xe = he[b0 + root]
                        xc = hc[b0 + root]
                        pos = root
                        while True:
                            ch = 2 * pos + 1
                            if ch >= m:
                                break
                            if ch + 1 < m:
                                k1 = hk[b0 + ch + 1]
                                k0 = hk[b0 + ch]
                                if k1 > k0 or (k1 == k0 and he[b0 + ch + 1] < he[b0 + ch]):
                                    ch += 1
                            kc = hk[b0 + ch]
                            if kc > xk or (kc == xk and he[b0 + ch] < xe):
                                hk[b0 + pos] = kc
                                he[b0 + pos] = he[b0 + ch]
                                hc[b0 + pos] = hc[b0 + ch]
                                pos = ch
                            else:
                                break
                        hk[b0 + pos] = xk
                        he[b0 + pos] = xe
                        hc[b0 + pos] = xc
                ncom = 0
                while na > 0:
                    # the best top over the units
                    best = 0
                    bk = hk[ub[0]]
                    be = he[ub[0]]
                    for a in range(1, na):
                        k1 = hk[ub[a]]
                        e1 = he[ub[a]]
                        if k1 > bk or (k1 == bk and e1 < be):
                            best = a
                            bk = k1
                            be = e1
                    b0 = ub[best]
                    c = hc[b0]
                    i = ci[c]
                    full = pend[i] >= max_inflight   # infeasible for the rest of the group
                    commit = False
                    if not full and cver[c] != ver[i]:
                        hk[b0] = wgt[i] * cps[c]     # gains only fall: sift it down to its place
                        cver[c] = ver[i]
                    elif not full and not bk > 0.0:
                        break
                    else:                            # pop the top: infeasible, or committed below
                        commit = not full
                        m = um[best] - 1
                        um[best] = m
                        if lin:
                            ub[best] = b0 + 1
                        else:
                            hk[b0] = hk[b0 + m]
                            he[b0] = he[b0 + m]
                            hc[b0] = hc[b0 + m]
                    if commit:
                        u = cu[c]
                        ns = cns[c]
                        ps = cps[c]
                        p = cq[c]
                        chan_left[u] -= 1
                        rounds_left[u] -= ns
                        mag[u] -= ns
                        wgt[i] *= 1.0 - ps
                        ver[i] += 1
                        pend[i] += 1
                        pair_cnt[p] += 1
                        pair_last[p] = ct[c]
                        e = eng_cnt[i]
                        eng_t[i, e] = ct[c]
                        eng_q[i, e] = 1.0 - ps
                        eng_u[i, e] = u
                        eng_a[i, e] = ca[c]
                        eng_cnt[i] = e + 1
                        out_ushots[tr, u] += ns
                        com_i[ncom] = i
                        com_q[ncom] = e
                        com_n[ncom] = pair_cnt[p] - 1     # earlier salvos of this unit at this threat
                        ncom += 1
                        if chan_left[u] <= 0 or rounds_left[u] < ns:
                            um[best] = 0             # the unit cannot fire again in this group
                    m = um[best]
                    if m == 0:
                        na -= 1                      # the unit leaves: the last one takes its place
                        gu[best] = gu[na]
                        ub[best] = ub[na]
                        um[best] = um[na]
                        continue
                    if lin:
                        continue
                    # the new top of the unit's heap to its place (Floyd's: the hole goes down to a leaf
                    # by the better child, one comparison a level, then the entry rises; the entry came
                    # from the bottom or lost gain, so it rarely rises far)
                    xk = hk[b0]
                    xe = he[b0]
                    xc = hc[b0]
                    pos = 0
                    while True:
                        ch = 2 * pos + 1
                        if ch >= m:
                            break
                        if ch + 1 < m:
                            k1 = hk[b0 + ch + 1]
                            k0 = hk[b0 + ch]
                            if k1 > k0 or (k1 == k0 and he[b0 + ch + 1] < he[b0 + ch]):
                                ch += 1
                        hk[b0 + pos] = hk[b0 + ch]
                        he[b0 + pos] = he[b0 + ch]
                        hc[b0 + pos] = hc[b0 + ch]
                        pos = ch
                    while pos > 0:
                        par = (pos - 1) >> 1
                        kp = hk[b0 + par]
                        if xk > kp or (xk == kp and xe < he[b0 + par]):
                            hk[b0 + pos] = kp
                            he[b0 + pos] = he[b0 + par]
                            hc[b0 + pos] = hc[b0 + par]
                            pos = par
                        else:
                            break
                    hk[b0 + pos] = xk
                    he[b0 + pos] = xe
                    hc[b0 + pos] = xc
                for c in range(ncom):
                    i = com_i[c]
                    e = com_q[c]
                    te = eng_t[i, e]
                    # drawn only if a kill could change the outcome: not after an earlier kill or
                    # after the failure (a tie with the failure counts as a kill)
                    if te < t_kill[i] and te <= t_fail[i]:
                        pk = 1.0 - eng_q[i, e]
                        if pk >= 1.0 or (pk > 0.0 and uniform_nb(
                                sub_key_nb(th_k[i], un_key[eng_u[i, e]]), 1 + com_n[c]) < pk):
                            t_kill[i] = te
                            killer[i] = eng_u[i, e]
                            kill_air[i] = eng_a[i, e]
                            if te < t_dead[i]:
                                t_dead[i] = te
                    # the first group start with fewer than max_inflight salvos pending: the
                    # max_inflight-th latest intercept time of the threat's engagements
                    cnt = eng_cnt[i]
                    if cnt >= max_inflight:
                        for a in range(cnt):
                            x = eng_t[i, a]
                            ngt = 0
                            nge = 0
                            for b in range(cnt):
                                if eng_t[i, b] > x:
                                    ngt += 1
                                if eng_t[i, b] >= x:
                                    nge += 1
                            if ngt < max_inflight <= nge:
                                t_free[i] = x
                                break
            # --- each pair seen here waits in the group of its next open event, judged on the state
            # after this group's shots. Every rejection holds until the pair is next seen: known death,
            # magazines and the threat's salvos in flight only advance (another pair's salvo at the
            # threat can only move its free slot later), the pair's count and last shot change only
            # when the pair is a candidate, and a threat's track time is fixed in the trial
            for v in range(nv):
                q = vis[v]
                i = pr_thr[q]
                u = pr_unit[q]
                pc = pair_cnt[q]
                if mag[u] <= un_reserve[u] or eng_cnt[i] >= ME or pc >= max_eng:
                    continue
                end = pr_ptr[q + 1]
                j = cur[q]
                td = t_dead[i]
                lo = t_track[i] + un_react[u]
                if pc > 0 and pair_last[q] + look_s > lo:
                    lo = pair_last[q] + look_s
                tf = t_free[i]
                while j < end:
                    L = pev[j].L
                    if td <= L:
                        j = end
                        break
                    if L >= lo and pev[j].gs >= tf:
                        break
                    j += 1
                if j < end:
                    cur[q] = j
                    gq = pev[j].g
                    nxt[q] = head[gq]
                    head[gq] = q
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
