"""Fit the engine's uncertain parameters to observed events.

Method: adaptive importance sampling of a likelihood estimated by
simulation (approximate Bayesian computation with a measurement-error
kernel, after Wilkinson 2013).

Observation model. Observation ``k`` reports a figure with best value
``y_k``, a source range ``[a_k, b_k]`` (``a_k = b_k = y_k`` without a
range) and a reporting-error scale ``s_k``. Given the count ``Y_k`` the
model produces in one trial, the report's likelihood is flat over the
range and Gaussian outside it::

    phi_k(Y) = exp(-d_k(Y)^2 / (2 s_k^2)),   d_k(Y) = max(a_k - Y, 0, Y - b_k).

The event is one realisation of the model, so the likelihood of
parameters ``theta`` is ``L(theta) = E[prod_k phi_k(Y_k) | theta]``, the
expectation over one trial's joint outcome. It is estimated without bias
by the mean over ``m`` independent trials; several events multiply.

Sampler. Parameters live on the latent unit cube of
:class:`~redline.calibration.priors.PriorModel` (uniform prior). Round 0
draws ``N`` particles from the prior. Round ``r >= 1`` draws ``N`` from a
defensive mixture ``eps * prior + (1 - eps) * t_nu(mu, c^2 Sigma)`` on
``z = logit(u)``, with ``mu, Sigma`` the weighted mean and covariance of all
particles so far under the *tempered* posterior ``prior x L^alpha``, where
``alpha <= 1`` is the largest value whose effective sample size is at least
``rho`` times the particles so far (so early proposals are not fitted to a
handful of particles; ``alpha`` reaching 1 is a convergence signal, as in
adaptive SMC, Jasra et al. 2011). Weights use the deterministic mixture of
all proposals (adaptive multiple importance sampling, Cornuet et al. 2012)::

    w_i = L_hat(u_i) / (sum_r N_r q_r(u_i) / sum_r N_r).

The posterior sample is a systematic resample of ``draws`` particles. The
effective sample size ``ESS = (sum w)^2 / sum w^2`` per round and pooled,
the largest normalised weight and the log evidence ``log mean w`` are the
diagnostics; the shift of each coordinate's posterior mean between the
last two rounds (in prior standard deviations) shows convergence.

Everything is a function of the seed: proposal draws, simulation seeds
(``SeedSequence(seed, spawn_key=(1, round, batch, event))``) and the
resample come from fixed streams, and simulation batches have a fixed size.

References
----------
Wilkinson, R. D. (2013). Approximate Bayesian computation (ABC) gives exact
results under the assumption of model error. *Stat. Appl. Genet. Mol.
Biol.* 12(2), 129-141, §3.
Cornuet, J.-M., Marin, J.-M., Mira, A., Robert, C. P. (2012). Adaptive
multiple importance sampling. *Scand. J. Stat.* 39(4), 798-812, §2.
Jasra, A., Stephens, D. A., Doucet, A., Tsagaris, T. (2011). Inference for
Lévy-driven stochastic volatility models via adaptive sequential Monte
Carlo. *Scand. J. Stat.* 38(1), 1-22, §3 (ESS-driven tempering).
Kitagawa, G. (1996). Monte Carlo filter and smoother for non-Gaussian
nonlinear state space models. *J. Comput. Graph. Stat.* 5(1), 1-25 (systematic resampling).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy.special import gammaln, logsumexp

from ..engagement.compile import Compiled
from ..engagement.runner import run_compiled
from .metrics import Sampler
from .priors import PriorModel

__all__ = ["FitSettings", "FitTarget", "FitResult", "fit", "log_kernel"]

_Z_CLIP = 18.0   # |logit u| bound: u within ~1.5e-8 of the cube's faces


@dataclass(frozen=True)
class FitSettings:
    """Sizes of the fit (defaults give the shipped April 2024 fit).

    Attributes
    ----------
    particles : int
        Parameter draws per round.
    rounds : int
        Rounds of adaptive importance sampling (round 0 samples the prior).
    trials : int
        Simulated trials per particle and event (the likelihood estimate's ``m``).
    batch : int
        Particles per simulation call (fixed so that results do not depend on it).
    defensive : float
        Prior share ``eps`` of every adapted proposal.
    dof : float
        Degrees of freedom ``nu`` of the Student-t proposal.
    inflate : float
        Scale ``c`` of the proposal over the weighted particle covariance.
    ess_target : float
        ``rho``: the tempered weights that adapt the proposal keep an ESS of
        at least this share of the particles so far.
    """

    particles: int = 4000
    rounds: int = 8
    trials: int = 32
    batch: int = 1000
    defensive: float = 0.1
    dof: float = 5.0
    inflate: float = 1.0
    ess_target: float = 0.1

    def __post_init__(self):
        for name in ("particles", "rounds", "trials", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 < self.defensive < 1:
            raise ValueError(f"defensive must lie in (0, 1), got {self.defensive}")


@dataclass(frozen=True)
class FitTarget:
    """One event ready to fit: its compiled scenario and observations.

    ``samplers[k]`` gives the per-trial values of observation ``k``;
    ``low``, ``high``, ``sd`` are its range and reporting-error scale.
    ``simulate(params, trials, seed)``, when given, replaces ``run_compiled(compiled, ...)``
    as the simulator whose output the samplers read (a campaign: the hierarchical fit);
    trial ``j`` must use draw ``j % params.size``.
    """

    name: str
    compiled: Compiled
    samplers: tuple[Sampler, ...]
    low: np.ndarray
    high: np.ndarray
    sd: np.ndarray
    simulate: Callable[..., Any] | None = None


@dataclass
class FitResult:
    """Weighted particles of all rounds, the posterior resample and diagnostics."""

    U: np.ndarray            # (n, dim) latent particles
    log_w: np.ndarray        # (n,) log importance weights
    log_lik: np.ndarray      # (n,) log likelihood estimates
    round_of: np.ndarray     # (n,) round each particle came from
    index: np.ndarray        # (draws,) resampled particle indices
    diagnostics: dict = field(default_factory=dict)

    @property
    def draws(self) -> np.ndarray:
        return self.U[self.index]


def log_kernel(y: np.ndarray, low: np.ndarray, high: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``sum_k log phi_k(y[..., k])``: the measurement-error kernel of the module notes."""
    d = np.maximum(np.maximum(low - y, 0.0), y - high)
    return -0.5 * np.sum((d / sd) ** 2, axis=-1)


def _seed(seed: int, *key: int) -> int:
    return int(np.random.SeedSequence(int(seed), spawn_key=tuple(int(k) for k in key)).generate_state(1, np.uint64)[0])


def _log_lik(prior: PriorModel, targets: list[FitTarget], U: np.ndarray, s: FitSettings, seed: int, rnd: int,
             progress: Callable[[int], None] | None, done: list[int]) -> np.ndarray:
    n = U.shape[0]
    out = np.zeros(n)
    m = s.trials
    for b, i0 in enumerate(range(0, n, s.batch)):
        i1 = min(n, i0 + s.batch)
        B = i1 - i0
        ps = prior.paramset(U[i0:i1])
        for e, t in enumerate(targets):
            sim = t.simulate or (lambda p, n, sd, c=t.compiled: run_compiled(c, p, trials=n, seed=sd))
            raw = sim(ps, B * m, _seed(seed, 1, rnd, b, e))
            y = np.stack([f(raw) for f in t.samplers], axis=1) if t.samplers else np.zeros((B * m, 0))
            lk = log_kernel(y, t.low, t.high, t.sd).reshape(m, B)   # trial j*B + i uses draw i
            out[i0:i1] += logsumexp(lk, axis=0) - np.log(m)
        done[0] += B
        if progress:
            progress(done[0])
    return out


def _logit(u):
    return np.log(u) - np.log1p(-u)


def _log_jac(z):
    # log |du/dz| for u = expit(z): log u + log(1 - u)
    return -np.logaddexp(0.0, -z) - np.logaddexp(0.0, z)


@dataclass(frozen=True)
class _TProposal:
    mu: np.ndarray
    chol: np.ndarray
    dof: float

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        d = self.mu.shape[0]
        g = rng.standard_normal((n, d))
        w = rng.chisquare(self.dof, n) / self.dof
        z = self.mu + (g @ self.chol.T) / np.sqrt(w)[:, None]
        return np.clip(z, -_Z_CLIP, _Z_CLIP)

    def log_pdf_z(self, z: np.ndarray) -> np.ndarray:
        d = self.mu.shape[0]
        sol = np.linalg.solve(self.chol, (z - self.mu).T).T
        maha = np.sum(sol ** 2, axis=1)
        logdet = np.sum(np.log(np.diag(self.chol)))
        nu = self.dof
        return (gammaln((nu + d) / 2) - gammaln(nu / 2) - 0.5 * d * np.log(nu * np.pi) - logdet
                - 0.5 * (nu + d) * np.log1p(maha / nu))


def _log_q(prop: _TProposal | None, U: np.ndarray, eps: float) -> np.ndarray:
    """Log density on the cube of the defensive mixture ``eps * 1 + (1 - eps) * t``."""
    if prop is None:
        return np.zeros(U.shape[0])
    z = _logit(U)
    lt = prop.log_pdf_z(z) - np.sum(_log_jac(z), axis=1)
    return np.logaddexp(np.log(eps), np.log1p(-eps) + lt)


def _ess(log_w: np.ndarray) -> float:
    if log_w.size == 0 or not np.isfinite(log_w).any():
        return 0.0
    w = np.exp(log_w - log_w.max())
    return float(w.sum() ** 2 / np.sum(w ** 2))


def _temper(ll: np.ndarray, log_q: np.ndarray, target: float) -> float:
    """Largest alpha in [0, 1] with ESS(alpha * ll - log_q) >= target (bisection, fixed steps)."""
    if _ess(ll - log_q) >= target:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _ess(mid * ll - log_q) >= target:
            lo = mid
        else:
            hi = mid
    return lo


def _weighted_moments(Z: np.ndarray, log_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    mu = w @ Z
    D = Z - mu
    cov = (D * w[:, None]).T @ D
    return mu, cov


def _systematic(rng: np.random.Generator, log_w: np.ndarray, n: int) -> np.ndarray:
    w = np.exp(log_w - log_w.max())
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    pos = (rng.random() + np.arange(n)) / n
    return np.searchsorted(c, pos, side="right").astype(np.int64)


def fit(prior: PriorModel, targets: list[FitTarget], draws: int, seed: int, settings: FitSettings | None = None,
        progress: Callable[[int], None] | None = None) -> FitResult:
    """Sample the posterior of ``prior``'s latent coordinates given ``targets``.

    Parameters
    ----------
    prior : PriorModel
    targets : list of FitTarget
        Events to fit (their likelihoods multiply).
    draws : int
        Posterior draws to resample.
    seed : int
        Seed of every random stream of the fit.
    settings : FitSettings, optional
    progress : callable, optional
        Called with the number of particles simulated so far (of ``particles * rounds``).

    Returns
    -------
    FitResult
    """
    s = settings or FitSettings()
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    d = prior.dim
    U_all = np.zeros((0, d))
    ll_all = np.zeros(0)
    rnd_all = np.zeros(0, dtype=np.int64)
    props: list[_TProposal | None] = []
    rounds_diag: list[dict] = []
    means: list[np.ndarray] = []
    done = [0]
    log_w = np.zeros(0)
    log_qbar = np.zeros(0)
    for r in range(s.rounds):
        rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0, r)))
        if r == 0 or d == 0:
            prop = None
            U = rng.random((s.particles, d))
            U = np.clip(U, 1.0 / (1.0 + np.exp(_Z_CLIP)), 1.0 - 1.0 / (1.0 + np.exp(_Z_CLIP)))
        else:
            alpha = _temper(ll_all, log_qbar, s.ess_target * ll_all.size)
            rounds_diag[-1]["alpha_next"] = round(alpha, 6)
            mu, cov = _weighted_moments(_logit(U_all), alpha * ll_all - log_qbar)
            cov = s.inflate ** 2 * cov + 1e-6 * np.eye(d)
            prop = _TProposal(mu, np.linalg.cholesky(cov), s.dof)
            from_prior = rng.random(s.particles) < s.defensive
            z = prop.sample(rng, s.particles)
            z[from_prior] = np.clip(_logit(rng.random((int(from_prior.sum()), d))), -_Z_CLIP, _Z_CLIP)
            U = 1.0 / (1.0 + np.exp(-z))
        props.append(prop)
        ll = _log_lik(prior, targets, U, s, seed, r, progress, done)
        U_all = np.vstack([U_all, U])
        ll_all = np.concatenate([ll_all, ll])
        rnd_all = np.concatenate([rnd_all, np.full(U.shape[0], r)])
        # deterministic-mixture weights over all proposals so far (equal round sizes)
        log_qs = np.stack([_log_q(p, U_all, s.defensive) for p in props], axis=0)
        log_qbar = logsumexp(log_qs, axis=0) - np.log(len(props))
        log_w = ll_all - log_qbar
        own = ll - _log_q(prop, U, s.defensive)
        wmax = float(np.exp(log_w.max() - logsumexp(log_w)))
        mu_u, _ = _weighted_moments(U_all, log_w)
        means.append(mu_u)
        rounds_diag.append({
            "round": r,
            "particles": int(U.shape[0]),
            "proposal": "prior" if prop is None else f"{s.defensive:g} prior + {1 - s.defensive:g} t{s.dof:g}",
            "ess_round": round(_ess(own), 1),
            "ess_pooled": round(_ess(log_w), 1),
            "max_weight": round(wmax, 6),
            "log_evidence": round(float(logsumexp(log_w) - np.log(log_w.size)), 4),
        })
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(2,)))
    idx = _systematic(rng, log_w, draws)
    shift = (np.abs(means[-1] - means[-2]) / np.sqrt(1.0 / 12.0)).tolist() if len(means) > 1 else [float("nan")] * d
    diag = {
        "rounds": rounds_diag,
        "ess": round(_ess(log_w), 1),
        "ess_fraction": round(_ess(log_w) / log_w.size, 6),
        "unique_draws": int(np.unique(idx).size),
        "log_evidence": rounds_diag[-1]["log_evidence"],
        "last_round_mean_shift": {name: round(float(x), 4) for name, x in zip(prior.latent, shift)},
    }
    return FitResult(U_all, log_w, ll_all, rnd_all, idx, diag)
