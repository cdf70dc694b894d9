"""Shot allocation within one decision group: greedy and exact.

The problem (a weapon-target assignment): candidate salvos ``e`` each name a
threat ``i``, a fire unit ``u``, a salvo size ``n_e`` and a kill
probability ``p_e``. Threat ``i`` has weight ``w_i`` (defended value times
the probability it survives engagements still pending). Unit ``u`` can
start at most ``C_u`` salvos and spend at most ``R_u`` rounds; threat ``i``
takes at most ``K_i`` more salvos (its free slots in flight). Choose a
set of salvos maximising the expected value destroyed

    F = Σ_i w_i (1 − Π_{e chosen for i} (1 − p_e)).

:func:`greedy` is maximum marginal return (the default in both engines).
:func:`exact` solves the same problem as a mixed-integer linear programme
over each threat's subsets of candidate salvos (``scipy.optimize.milp``),
for small cases, so that the greedy gap can be measured.

References
----------
.. [1] den Broeder, Ellison & Emerling (1959). On optimum target assignments.
   Operations Research 7(3) (maximum marginal return).
.. [2] Ahuja, Kumar, Jha & Orlin (2007). Exact and heuristic algorithms for
   the weapon-target assignment problem. Operations Research 55(6), §2.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Candidate", "greedy", "exact", "objective", "ALLOCATORS"]


@dataclass(frozen=True)
class Candidate:
    """One possible salvo."""

    threat: int
    unit: int
    shots: int
    p_kill: float


def objective(cands: list[Candidate], chosen: list[int], weight: dict[int, float]) -> float:
    """Expected value destroyed by the chosen salvos."""
    surv: dict[int, float] = {}
    for c in chosen:
        e = cands[c]
        surv[e.threat] = surv.get(e.threat, 1.0) * (1.0 - e.p_kill)
    return float(sum(weight[i] * (1.0 - s) for i, s in surv.items()))


def greedy(cands: list[Candidate], weight: dict[int, float], channels: dict[int, int], rounds: dict[int, int],
           slots: dict[int, int]) -> list[int]:
    """Maximum marginal return. Returns chosen candidate indices in commit order.

    Ties go to the lowest candidate index; stops when no positive gain is feasible.
    """
    w = dict(weight)
    ch = dict(channels)
    rd = dict(rounds)
    sl = dict(slots)
    alive = list(range(len(cands)))
    chosen: list[int] = []
    while True:
        best, bg = -1, 0.0
        for c in alive:
            e = cands[c]
            if ch[e.unit] <= 0 or rd[e.unit] < e.shots or sl[e.threat] <= 0:
                continue
            gain = w[e.threat] * e.p_kill
            if gain > bg:
                best, bg = c, gain
        if best < 0:
            return chosen
        e = cands[best]
        alive.remove(best)
        ch[e.unit] -= 1
        rd[e.unit] -= e.shots
        w[e.threat] *= 1.0 - e.p_kill
        sl[e.threat] -= 1
        chosen.append(best)


def exact(cands: list[Candidate], weight: dict[int, float], channels: dict[int, int], rounds: dict[int, int],
          slots: dict[int, int], max_subsets: int = 4096) -> list[int]:
    """Optimal allocation by MILP over each threat's subsets of candidate salvos.

    Variables z_{i,S} ∈ {0,1} pick subset S of threat i's candidates (at
    most one subset per threat); the objective Σ w_i (1 − Π_{e∈S}(1 − p_e))
    z_{i,S} is linear in z; channel and round limits are linear. Raises
    ``ValueError`` when the number of subsets exceeds ``max_subsets``.
    """
    by_threat: dict[int, list[int]] = {}
    for c, e in enumerate(cands):
        by_threat.setdefault(e.threat, []).append(c)
    subsets: list[tuple[int, tuple[int, ...]]] = []
    for i, cs in sorted(by_threat.items()):
        for r in range(1, min(len(cs), slots[i]) + 1):
            for sub in combinations(cs, r):
                subsets.append((i, sub))
                if len(subsets) > max_subsets:
                    raise ValueError(f"exact allocation needs more than {max_subsets} subsets; use greedy for cases this large")
    if not subsets:
        return []
    units = sorted({e.unit for e in cands})
    threats = sorted(by_threat)
    nv = len(subsets)
    gain = np.array([weight[i] * (1.0 - np.prod([1.0 - cands[c].p_kill for c in sub])) for i, sub in subsets])
    A = np.zeros((len(threats) + 2 * len(units), nv))
    ub = np.zeros(A.shape[0])
    for k, (i, sub) in enumerate(subsets):
        A[threats.index(i), k] = 1.0
        for c in sub:
            uj = units.index(cands[c].unit)
            A[len(threats) + uj, k] += 1.0
            A[len(threats) + len(units) + uj, k] += cands[c].shots
    ub[: len(threats)] = 1.0
    for uj, u in enumerate(units):
        ub[len(threats) + uj] = channels[u]
        ub[len(threats) + len(units) + uj] = rounds[u]
    res = milp(-gain, constraints=LinearConstraint(A, -np.inf, ub), integrality=np.ones(nv), bounds=Bounds(0, 1))
    if not res.success:  # pragma: no cover - the empty set is always feasible
        raise RuntimeError(f"exact allocation failed: {res.message}")
    chosen: list[int] = []
    for k in np.flatnonzero(res.x > 0.5).tolist():
        chosen.extend(subsets[k][1])
    # commit in the greedy's order of preference so draws are comparable
    return sorted(chosen, key=lambda c: (-weight[cands[c].threat] * cands[c].p_kill, c))


ALLOCATORS = {"greedy": greedy, "exact": exact}
