"""The sampler and the exact enumerator walk the same game: their probabilities must agree."""
from __future__ import annotations

import math

import numpy as np
import pytest

from redline.escalation.compile import blank_state
from redline.escalation.exact import enumerate_game
from redline.escalation.fit import load_posterior, posterior_matrix
from redline.escalation.history import start_state
from redline.escalation.layout import S_LEV, S_STATUS
from redline.escalation.runner import simulate

from .conftest import small_theta


def _sampled_status(model, S0, th, rounds, horizon, n, seed):
    res = simulate(model, S0, th[None, :], n, rounds, horizon, np.random.default_rng(seed))
    st = res.states[:, S_STATUS].astype(int)
    return {k: float(np.mean(st == k)) for k in range(4)}, res


def _agree(exact: dict, sampled: dict, n: int, z: float = 5.0) -> None:
    for k in range(4):
        p = exact.get(k, 0.0)
        se = math.sqrt(max(p * (1 - p), 1e-12) / n)
        assert abs(sampled[k] - p) <= z * se + 1e-9, (k, p, sampled[k], se)


@pytest.mark.parametrize("rounds, horizon", [(1, 1e9), (2, 1e9), (2, 10.0)])
def test_small_game_exact_matches_sampling(small_model, rounds, horizon):
    th = small_theta()
    S0 = blank_state()
    ex = enumerate_game(small_model, S0, th, rounds, horizon)
    assert abs(sum(ex["status"].values()) - 1.0) < 1e-9
    n = 200_000
    sampled, _ = _sampled_status(small_model, S0, th, rounds, horizon, n, seed=11)
    _agree(ex["status"], sampled, n)
    assert ex["status"].get(1, 0) > 0.001       # regional war is reachable in this game
    assert ex["status"].get(2, 0) > 0.01        # and so is de-escalation


def test_small_game_first_move_distribution(small_model):
    th = small_theta(lam=2.0)
    S0 = blank_state()
    ex = enumerate_game(small_model, S0, th, 1)
    n = 100_000
    res = simulate(small_model, S0, th[None, :], n, 1, 1e9, np.random.default_rng(3))
    first = res.moves[:, 0]
    for name, p in ex["first_move"].items():
        a = small_model.action_index[name]
        f = float(np.mean(first == a))
        assert abs(f - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-9, (name, p, f)


def test_real_game_one_round_exact_matches_sampling(model):
    th = posterior_matrix(load_posterior(), model, 1)[0]
    S0, m2 = start_state(model, "april-2024", {"gaza-ceasefire": 1.0, "regional-air-defence-integration": 0.5})
    ex = enumerate_game(m2, S0, th, 1, horizon_days=20.0)
    n = 100_000
    sampled, res = _sampled_status(m2, S0, th, 1, 20.0, n, seed=5)
    _agree(ex["status"], sampled, n)
    first = res.moves[:, 0]
    for name, p in sorted(ex["first_move"].items(), key=lambda kv: -kv[1])[:10]:
        f = float(np.mean(first == m2.action_index[name]))
        assert abs(f - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-9, (name, p, f)
    assert S0[S_LEV + m2.levers.index("gaza-ceasefire")] == 1.0
