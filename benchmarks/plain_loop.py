"""A plain-Python sequential layered defence: the yardstick for the engine's layered raid.

The default case of a public toy simulator: a raid of 250 missiles meets three
layers in turn, each firing a salvo of ``shots`` interceptors of single-shot
kill probability ``pk`` at every missile that reaches it while its magazine
lasts; detection is perfect. Written the way such a loop is usually written:
one trial at a time, one missile at a time, one draw per interceptor.

Closed form: while every layer spends its whole magazine (true here: at
least 181 missiles reach each layer, which can engage at most 120), layer
``k`` engages ``n_k = magazine_k // shots_k`` missiles and kills each with
probability ``1 - (1 - pk_k)^shots_k``, so

    E[leaks] = N - sum_k n_k (1 - (1 - pk_k)^shots_k)
             = 250 - 40 (1 - 0.18^2) - 30 (1 - 0.13^2) - 120 (1 - 0.08) = 71.403.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["Layer", "LAYERS", "N_THREATS", "closed_form_leaks", "simulate"]


@dataclass(frozen=True)
class Layer:
    name: str
    interceptor: str      # the Redline catalog type standing in for the layer
    pk: float             # single-shot kill probability
    shots: int            # interceptors per salvo
    magazine: int


LAYERS = (
    Layer("upper", "arrow-3", 0.82, 2, 80),
    Layer("middle", "arrow-2", 0.87, 2, 60),
    Layer("lower", "davids-sling", 0.92, 1, 120),
)
N_THREATS = 250


def closed_form_leaks(n_threats: int = N_THREATS, layers: tuple[Layer, ...] = LAYERS) -> float:
    """Expected leakers when every layer fires its whole magazine (raises if one cannot)."""
    reach_min = n_threats          # fewest missiles that can reach the next layer
    leaks = float(n_threats)
    for ly in layers:
        engaged = ly.magazine // ly.shots
        if reach_min < engaged:
            raise ValueError(f"layer {ly.name} may not spend its magazine; the closed form does not apply")
        leaks -= engaged * (1.0 - (1.0 - ly.pk) ** ly.shots)
        reach_min -= engaged
    return leaks


def simulate(trials: int, seed: int = 1, n_threats: int = N_THREATS, layers: tuple[Layer, ...] = LAYERS) -> float:
    """Mean leakers per trial of the plain sequential loop."""
    rng = random.Random(seed)
    draw = rng.random
    total = 0
    for _ in range(trials):
        mags = [ly.magazine for ly in layers]
        for _ in range(n_threats):
            alive = True
            for k, ly in enumerate(layers):
                if mags[k] < ly.shots:
                    continue
                mags[k] -= ly.shots
                for _ in range(ly.shots):
                    if draw() < ly.pk:
                        alive = False
                if not alive:
                    break
            if alive:
                total += 1
    return total / trials


if __name__ == "__main__":
    m = simulate(2000)
    print(f"plain loop: {m:.2f} leakers per trial; closed form {closed_form_leaks():.3f}; "
          f"sd of the mean about {math.sqrt(closed_form_leaks()) / math.sqrt(2000):.2f}")
