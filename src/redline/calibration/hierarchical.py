"""Hierarchical calibration: parameters that vary between exchanges get a population distribution.

Model. Every fitted coordinate of the single-event fit (:mod:`.priors`) has a
latent ``u`` on the unit cube where the catalog prior is uniform; write
``x = Phi^-1(u)`` (probit scale, where the catalog prior is N(0, 1)). A
*hierarchical* coordinate ``j`` belongs to a group ``g(j)``:

- ``reliability``: reliability by missile family (``reliability.ballistic.<family>``,
  families in :data:`FAMILY`) and by class for drones, cruise missiles and rockets;
- ``pk``: the kill probability of each ground or naval interceptor system against
  ballistic missiles (``pk.<system>.ballistic``);
- ``fighter``: the fighters' kill probabilities (``pk.fighter-*.<class>``).

For exchange ``e`` its value is ``x_ej = mu_j + tau_g(j) * eta_ej`` with
``eta_ej ~ N(0, 1)`` independent: ``mu_j`` is the population mean of the
coordinate, ``tau_g`` the exchange-to-exchange spread of its group.
Hyperpriors: ``mu_j ~ N(0, 1)`` (with ``tau -> 0`` this is the catalog prior
again) and ``tau_g ~ Gamma(2, rate 4)`` (mean 0.5, mode 0.25 on the probit
scale; a boundary-avoiding prior for a spread estimated from few groups,
Chung et al. 2013). Every other coordinate (CEP, detection, the Pk of
systems against drones and cruise missiles) is an exchange-level nuisance with
its catalog prior: it is integrated out per event and not pooled.

Design. For each event the engine runs at an adaptive design of latent points:
the single-event AMIS of :mod:`.fit` on that event alone (prior: uniform cube),
whose deterministic-mixture weights ``w_i = L_hat(u_i) / q_bar(u_i)`` make the
design valid for any target density on the cube. The adaptive rounds put the
design where the event's likelihood is, so that it also serves narrow
population densities. Designs are cached per event, keyed by the SHA-256 of
the event file, of its fitted observations, its scenario with the catalog
entries it uses (and a campaign's block), the engine version, the settings
and the seed.

Campaigns. A campaign event is one exchange (one ``eta`` for the whole
campaign: its nights share the campaign's missiles, defences and stocks).
Its fitted observations are its non-input ``fit`` ones; the scoreboard hands
it only those dated before an origin (a total is dated by the campaign's last
night, so it is fitted only when all its nights are). Each particle-trial
flies the campaign (:func:`redline.campaign.run_campaign`, stocks carried)
through its last fitted night only (:func:`campaign_nights`: nights after it
change nothing that is fitted), with the smaller ``campaign_design``.

Marginal likelihood of one event given the hyperparameters ``phi`` (importance sampling on its design)::

    p_hat(y_e | phi) = mean_i w_i * prod_{j in H_e} N(x_ij; mu_j, tau_g^2) / N(x_ij; 0, 1).

The hyperparameters (``mu_j``, ``log tau_g``) are sampled by random-walk
Metropolis on ``sum_e log p_hat(y_e | phi) + log prior(phi)`` (chains
vectorised, covariance adapted during warm-up only), which costs no engine
run, so fits to a subset of events (the scoreboard's origins) reuse the
designs. The returned :class:`~.posterior.Posterior` holds draws for a *new*
exchange: ``phi`` from the chains, a fresh ``eta``, nuisance coordinates and
parameters of types in no event from their catalog priors.

Diagnostics: split rank-normalised R-hat and bulk ESS of every
hyperparameter (Vehtari et al. 2021; by ArviZ when it is installed, else by
the same formulas here), the acceptance rate, and per event the design's ESS
and the importance ESS of its weights at the posterior's hyperparameters.

Everything is a function of the seed: the design of event ``e`` uses
``SeedSequence(seed, spawn_key=(5, k_e))`` with ``k_e`` from the event file's
name (so a design does not depend on which other events are fitted), the
chains ``spawn_key=(6, ...)`` and the new-exchange draws ``spawn_key=(7,)``.
Designs run one event per worker; the result does not depend on the number of
workers.

References
----------
Chung, Y., Rabe-Hesketh, S., Dorie, V., Gelman, A., Liu, J. (2013). A nondegenerate penalized
likelihood estimator for variance parameters in multilevel models. *Psychometrika* 78(4), 685-709.
Vehtari, A., Gelman, A., Simpson, D., Carpenter, B., Bürkner, P.-C. (2021). Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC. *Bayesian Anal.* 16(2), 667-718.
Haario, H., Saksman, E., Tamminen, J. (2001). An adaptive Metropolis algorithm. *Bernoulli* 7(2), 223-242.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from scipy.special import logsumexp, ndtr, ndtri

from .._version import __version__
from ..hashing import canonical_sha256
from ..scenario.campaign import Campaign
from .events import LoadedEvent, event_campaign, load_event
from .fit import FitSettings, fit
from .posterior import Posterior
from .priors import PriorModel, build_prior

__all__ = ["HierSettings", "EventDesign", "fit_hierarchical", "event_design", "FAMILY", "group_of",
           "rhat", "ess_bulk", "HIER_METHOD"]

HIER_METHOD = ("hierarchical: exchange-level effects on the probit scale of the catalog priors (reliability by "
               "missile family, interceptor Pk against ballistic missiles by system, fighter Pk), hyperparameters "
               "by random-walk Metropolis on an importance-sampling estimate of each event's marginal likelihood "
               "over an adaptive per-event design of engine runs (AMIS, measurement-error kernel); draws for a new "
               "exchange; see docs/calibration.md")

DESIGN_VERSION = 2
"""Bumped when the design's meaning changes (part of the cache key)."""

FAMILY: dict[str, str] = {
    # liquid-fuelled MRBMs of the Shahab-3 lineage, and the Qiam (Scud lineage)
    "emad": "liquid", "ghadr": "liquid", "khorramshahr-4": "liquid", "khorramshahr-4-cluster": "liquid",
    "qiam-1": "liquid",
    # solid-fuelled Iranian missiles (Fateh lineage, Kheibar Shekan, Haj Qasem, Fattah) and the M-600 (Fateh-110 copy)
    "kheibar-shekan": "solid", "haj-qasem": "solid", "fattah-1": "solid", "fateh-110": "solid",
    "fateh-313": "solid", "zolfaghar": "solid", "dezful": "solid", "m-600": "solid",
    # missiles fired from Yemen (assembled and handled by the Houthis)
    "houthi-palestine-2": "houthi", "houthi-toufan": "houthi",
    # Israeli air-launched ballistic missiles
    "rampage": "air-launched", "rocks": "air-launched", "blue-sparrow": "air-launched",
}
"""Missile families of the hierarchical fit (an assumption: lineage and propellant; see docs/calibration.md)."""

GROUPS = ("reliability", "pk", "fighter")

CAMPAIGN_PARTICLES, CAMPAIGN_ROUNDS, CAMPAIGN_TRIALS = 1500, 10, 24
"""Design of a campaign event: particles x rounds x trials (360,000 campaign trials, against 384,000
engine trials for a single night). A twelve-day-war trial of all 11 nights costs 0.41-0.45 ms of CPU
(measured in batches of 16,000-32,000 trials; docs/calibration.md §4b), so its full design costs about
2.5 min of CPU, inside the ~3 min budget for one campaign design. Ten rounds: with six the whole war's
tempering stopped at alpha = 0.75 (its 31 impacts of ~550 are a narrow target); eight sufficed until
session 5's Iron Dome nightly ration, after which the war's design ESS was 525 of 12,000 at eight rounds
and 1,163 of 15,000 at ten (alpha still short of 1: docs/calibration.md §4b)."""


def _group(coord: str) -> str:
    g = group_of(coord)
    assert g is not None, coord
    return g


def group_of(coord: str) -> str | None:
    """The hierarchical group of a latent coordinate name, or None for an exchange-level nuisance."""
    parts = coord.split(".")
    if parts[0] == "reliability":
        return "reliability"
    if parts[0] == "pk" and len(parts) == 3:
        if parts[1].startswith("fighter-"):
            return "fighter"
        if parts[2] == "ballistic":
            return "pk"
    return None


@dataclass(frozen=True)
class HierSettings:
    """Sizes of the hierarchical fit (defaults give the shipped fit).

    Attributes
    ----------
    design : FitSettings
        The per-event adaptive design (AMIS rounds of :func:`.fit.fit` on each event alone).
    campaign_design : FitSettings
        The same for a campaign event, whose every particle-trial flies the campaign's nights
        up to its last fitted one (smaller: see :data:`CAMPAIGN_PARTICLES`).
    chains, warmup, samples : int
        Metropolis chains and steps per chain (warm-up adapts the proposal, then is discarded).
    draws : int
        Draws for a new exchange in the returned Posterior.
    tau_shape, tau_rate : float
        Gamma hyperprior of each group's spread ``tau`` (probit scale).
    mu_sd : float
        Sd of the normal hyperprior of each population mean (1: the catalog prior).
    marginal : {"gaussian", "importance"}
        Each event's marginal likelihood: the Gaussian emulator of its likelihood fitted to its
        weighted design (default), or the importance-sampling estimate over the design.
    workers : int
        Processes for the designs (one event each); results do not depend on it.
    """

    design: FitSettings = field(default_factory=lambda: FitSettings(particles=2000, rounds=6, trials=32, batch=1000))
    campaign_design: FitSettings = field(default_factory=lambda: FitSettings(particles=CAMPAIGN_PARTICLES,
                                                                             rounds=CAMPAIGN_ROUNDS,
                                                                             trials=CAMPAIGN_TRIALS, batch=1000))
    chains: int = 4
    warmup: int = 4000
    samples: int = 6000
    draws: int = 1000
    tau_shape: float = 2.0
    tau_rate: float = 4.0
    mu_sd: float = 1.0
    marginal: str = "gaussian"
    workers: int = 1

    def __post_init__(self):
        for name in ("chains", "warmup", "samples", "draws", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.marginal not in ("gaussian", "importance"):
            raise ValueError(f"marginal must be gaussian or importance, got {self.marginal!r}")
        if self.chains < 2:
            raise ValueError("chains must be at least 2 (R-hat compares chains)")

    @classmethod
    def reduced(cls, **kw) -> "HierSettings":
        """Small settings for tests and quick looks (seconds on a toy scenario)."""
        base: dict[str, Any] = dict(design=FitSettings(particles=300, rounds=3, trials=8, batch=300),
                                    campaign_design=FitSettings(particles=100, rounds=2, trials=4, batch=100), chains=4,
                                    warmup=1000, samples=1000, draws=200)
        base.update(kw)
        return cls(**base)

    def record(self) -> dict:
        """The settings as the manifest records them (``workers`` left out: results do not depend on it)."""
        d = dataclasses.asdict(self)
        d.pop("workers")
        return d


@dataclass
class EventDesign:
    """One event's design: latent points, log importance weights, and what they are keyed by."""

    key: str
    name: str
    stem: str
    latent: list[str]
    U: np.ndarray          # (n, d) latent points on the cube
    log_w: np.ndarray      # (n,) log L_hat - log q_bar (deterministic-mixture AMIS weights)
    record: dict           # event file, SHA-256s, observation counts
    diagnostics: dict      # the AMIS diagnostics of the design


def _event_key_int(le: LoadedEvent) -> int:
    return int(hashlib.sha256(Path(le.file).name.encode()).hexdigest()[:8], 16)


def engine_sha256() -> str:
    """SHA-256 of the engine's source (``engagement/*.py``, ``campaign/*.py``) and of the fit's (metrics, fit, priors):
    part of the design cache key, so an edited engine never reuses old designs."""
    root = Path(__file__).resolve().parents[1]
    files = (sorted((root / "engagement").glob("*.py")) + sorted((root / "campaign").glob("*.py"))
             + [root / "calibration" / f for f in ("metrics.py", "fit.py", "priors.py")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _design_key(record: dict, seed: int, s: FitSettings) -> str:
    blob = json.dumps({"event_sha256": record["sha256"], "file": record["file"],
                       "observations_sha256": record.get("observations_sha256"),
                       "campaign_sha256": record.get("campaign_sha256"), "campaign": record.get("campaign"),
                       "scenario_sha256": record["scenario_sha256"], "engine": __version__,
                       "engine_sha256": engine_sha256(),
                       "design_version": DESIGN_VERSION, "settings": dataclasses.asdict(s), "seed": int(seed),
                       "family": FAMILY}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def campaign_nights(le: LoadedEvent) -> int:
    """Nights a campaign event's fit simulates: 1 to its last fitted night (all nights when a
    campaign total is fitted, since a total sums every night); 0 when nothing is fitted.

    The campaign carries stocks from night to night, so night ``d`` needs nights ``1..d-1``; nights
    after the last fitted one change nothing that is fitted and are not flown.
    """
    _, camp, _ = event_campaign(le)
    days = [o.day for o in le.event.observations if o.fitted]
    if not days:
        return 0
    return int(camp.days) if any(d is None for d in days) else int(max(d for d in days if d is not None))


def truncated_campaign(camp: Campaign, nights: int) -> Campaign:
    """``camp`` cut to its first ``nights`` nights. Its nights 1..``nights`` are those of the whole
    campaign, trial for trial: the wave plan, deliveries and wave seeds of a night depend only on
    the nights before it (:mod:`redline.campaign.runner`, tested)."""
    if not 1 <= nights <= camp.days:
        raise ValueError(f"nights must lie in 1..{camp.days}, got {nights}")
    if nights == camp.days:
        return camp
    upd: dict[str, Any] = {"days": int(nights), "resupply": tuple(r for r in camp.resupply if r.day <= nights)}
    if camp.day_scale is not None:
        upd["day_scale"] = tuple(camp.day_scale[:nights])
    if camp.schedule is not None:
        upd["schedule"] = tuple(e for e in camp.schedule if e.day <= nights)
    return Campaign.model_validate({**camp.model_dump(mode="python"), **upd})


def _observations_sha256(le: LoadedEvent) -> str:
    return canonical_sha256([o.model_dump(mode="json") for o in le.event.observations if o.fitted])


def _campaign_target(le: LoadedEvent):
    """A campaign event's fit target: its fitted observations, read from the campaign flown to its
    last fitted night (:func:`campaign_nights`) by :func:`redline.campaign.run_campaign`."""
    from ..campaign.runner import run_campaign
    from ..campaign.stocks import stock_groups
    from ..engagement.compile import compile_scenario
    from ..hashing import campaign_sha256, scenario_sha256
    from .fit import FitTarget
    from .metrics import CampaignShape, campaign_sampler

    sc, camp, cat = event_campaign(le)
    obs = [(i, o) for i, o in enumerate(le.event.observations) if o.fitted]
    full = CampaignShape(camp.days, tuple(sorted({t for _, t in stock_groups(sc, camp).keys})))
    for i, o in enumerate(le.event.observations):          # every path checked as validate would
        campaign_sampler(full, o.metric, o.day, le.file, f"observations[{i}].metric")
    k = campaign_nights(le)
    samplers: tuple = ()
    simulate = None
    if k:
        ck = truncated_campaign(camp, k)
        shape = CampaignShape(k, full.types)
        samplers = tuple(campaign_sampler(shape, o.metric, o.day, le.file, f"observations[{i}].metric") for i, o in obs)
        daily = any(o.day is not None for _, o in obs)

        def simulate(ps, trials, seed, _sc=sc, _c=ck, _d=daily):
            return run_campaign(_sc, _c, trials=trials, seed=seed, params=ps, keep_daily=_d)

    target = FitTarget(name=le.event.name, compiled=compile_scenario(sc, cat), samplers=samplers,
                       low=np.array([o.low for _, o in obs], dtype=float),
                       high=np.array([o.high for _, o in obs], dtype=float),
                       sd=np.array([o.error_sd for _, o in obs], dtype=float), simulate=simulate)
    record = {
        "file": Path(le.file).name, "sha256": le.sha256, "name": le.event.name, "scenario": sc.name,
        "scenario_sha256": scenario_sha256(sc, cat), "campaign_sha256": campaign_sha256(sc, camp),
        "observations_fitted": len(obs), "observations_scored_only": len(le.event.observations) - len(obs),
        "observations_sha256": _observations_sha256(le),
        "campaign": {"nights_simulated": k, "nights": int(camp.days),
                     "fitted": [{"metric": o.metric, "day": o.day, "night": None if o.night is None else o.night.isoformat()}
                                for _, o in obs]},
    }
    return cat, target, record


def prepare_events(events: Sequence[LoadedEvent]):
    """:func:`.pipeline.prepare_targets` for single-night events, :func:`_campaign_target` for
    campaigns: ``(merged catalog, targets, records)``; records carry ``observations_sha256``."""
    from .pipeline import prepare_targets

    cat = None
    targets, records = [], []
    for le in events:
        if le.is_campaign:
            ecat, t, rec = _campaign_target(le)
        else:
            ecat, ts, recs = prepare_targets([le])
            t, rec = ts[0], {**recs[0], "observations_sha256": _observations_sha256(le)}
        cat = ecat if cat is None else cat.merged(ecat)
        targets.append(t)
        records.append(rec)
    assert cat is not None
    return cat, targets, records


def design_settings(le: LoadedEvent, s: "HierSettings") -> FitSettings:
    """The design an event gets: :attr:`HierSettings.campaign_design` for a campaign, else ``design``."""
    return s.campaign_design if le.is_campaign else s.design


def default_cache_dir() -> Path:
    """``$REDLINE_CACHE_DIR/calibration``, else ``~/.cache/redline/calibration``."""
    root = os.environ.get("REDLINE_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "redline") / "calibration"


def event_design(le: LoadedEvent, seed: int, s: FitSettings, cache: Path | None = None) -> EventDesign:
    """Run (or load from ``cache``) the adaptive design of one event."""
    cat, targets, records = prepare_events([le])
    rec = records[0]
    key = _design_key(rec, seed, s)
    if cache is not None:
        f = Path(cache) / f"design-{key[:32]}.npz"
        if f.is_file():
            z = np.load(f, allow_pickle=False)
            meta = json.loads(str(z["meta"]))
            if meta.get("key") == key:
                return EventDesign(key, rec["name"], le.stem, meta["latent"], z["U"], z["log_w"], rec, meta["diagnostics"])
    prior = build_prior(cat, [t.compiled for t in targets], family=FAMILY)
    eseed = int(np.random.SeedSequence(int(seed), spawn_key=(5, _event_key_int(le))).generate_state(1, np.uint64)[0])
    res = fit(prior, targets, 1, eseed, s)
    d = EventDesign(key, rec["name"], le.stem, list(prior.latent), res.U, res.log_w, rec, res.diagnostics)
    if cache is not None:
        Path(cache).mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"key": key, "latent": d.latent, "diagnostics": d.diagnostics})
        tmp = Path(cache) / f".design-{key[:32]}.{os.getpid()}.npz"
        np.savez(tmp, U=d.U, log_w=d.log_w, meta=np.array(meta))
        os.replace(tmp, Path(cache) / f"design-{key[:32]}.npz")
    return d


def _design_job(args):
    le, seed, s, cache = args
    from ..errors import InputError

    try:
        return event_design(le, seed, s, cache)
    except InputError as exc:              # its constructor does not pickle: hand it back as its parts
        return ("InputError", exc.file, exc.field, exc.value, exc.fix)


def _raise_if_error(d):
    if isinstance(d, tuple) and d and d[0] == "InputError":
        from ..errors import InputError

        raise InputError(*d[1:])
    return d


# --- MCMC diagnostics (Vehtari et al. 2021; the formulas of ArviZ's rhat(method="rank") and ess(method="bulk"))

def _split(x: np.ndarray) -> np.ndarray:
    n = x.shape[1] // 2
    return np.concatenate([x[:, :n], x[:, x.shape[1] - n:]], axis=0)


def _rank_normal(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    r = rankdata(x.ravel(), method="average").reshape(x.shape)
    return ndtri((r - 0.375) / (x.size + 0.25))


def _rhat_basic(x: np.ndarray) -> float:
    n = x.shape[1]
    w = np.mean(np.var(x, axis=1, ddof=1))
    b = n * np.var(np.mean(x, axis=1), ddof=1)
    if w <= 0:
        return float("nan")
    return float(np.sqrt(((n - 1) / n * w + b / n) / w))


def rhat(x: np.ndarray) -> float:
    """Split rank-normalised R-hat of chains ``x`` (chains, draws), the larger of bulk and folded."""
    s = _split(np.asarray(x, dtype=float))
    folded = np.abs(s - np.median(s))
    return max(_rhat_basic(_rank_normal(s)), _rhat_basic(_rank_normal(folded)))


def _autocov(x: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    m = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(x - x.mean(axis=-1, keepdims=True), n=m)
    return np.fft.irfft(f * np.conjugate(f), n=m)[..., :n] / n


def _ess(x: np.ndarray) -> float:
    c, n = x.shape
    acov = _autocov(x)
    mean_var = np.mean(acov[:, 0]) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n + (np.var(x.mean(axis=1), ddof=1) if c > 1 else 0.0)
    if var_plus <= 0:
        return float("nan")
    rho = np.zeros(n)
    even, odd = 1.0, 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus
    rho[0], rho[1] = even, odd
    t = 1
    while t < n - 3 and even + odd > 0.0:
        even = 1.0 - (mean_var - np.mean(acov[:, t + 1])) / var_plus
        odd = 1.0 - (mean_var - np.mean(acov[:, t + 2])) / var_plus
        if even + odd >= 0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    max_t = t - 2
    if even > 0:
        rho[max_t + 1] = even
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2.0
        t += 2
    total = c * n
    tau = -1.0 + 2.0 * np.sum(rho[:max_t + 1]) + np.sum(rho[max_t + 1:max_t + 2])
    return float(total / max(tau, 1.0 / np.log10(total)))


def ess_bulk(x: np.ndarray) -> float:
    """Bulk ESS of chains ``x`` (chains, draws): ESS of the rank-normalised split chains."""
    return _ess(_rank_normal(_split(np.asarray(x, dtype=float))))


def _diagnose(chains: np.ndarray, names: list[str]) -> dict:
    """R-hat and bulk ESS per hyperparameter; ArviZ computes them when it is installed."""
    az: Any
    try:
        import warnings
        with warnings.catch_warnings():  # arviz 0.2x announces its refactor on import
            warnings.simplefilter("ignore", FutureWarning)
            import arviz as az  # a dependency; the fallback below uses the same formulas
    except ImportError:
        az = None  # type: ignore[assignment]
    out = {}
    for k, name in enumerate(names):
        x = chains[:, :, k]
        if az is not None:
            r = float(az.rhat(x, method="rank"))
            e = float(az.ess(x, method="bulk"))
        else:
            r, e = rhat(x), ess_bulk(x)
        out[name] = {"rhat": round(r, 4), "ess_bulk": round(e, 1)}
    return {"computed_by": f"arviz {az.__version__}" if az is not None else
            "redline.calibration.hierarchical (ArviZ's rank R-hat and bulk ESS formulas; arviz not installed)",
            "per_hyperparameter": out,
            "max_rhat": round(max(v["rhat"] for v in out.values()), 4) if out else None,
            "min_ess_bulk": round(min(v["ess_bulk"] for v in out.values()), 1) if out else None}


# --- the hyperparameter posterior

@dataclass
class _Hyper:
    """The importance-sampling estimate of the hyperparameters' log posterior."""

    coords: list[str]                    # hierarchical coordinates (one mu each)
    groups: list[str]                    # groups present (one tau each)
    events: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]   # (X, log_w, mu index, tau index)
    s: HierSettings
    emulators: list = field(default_factory=list)    # per event (Lambda, eta) of the Gaussian emulator

    @property
    def names(self) -> list[str]:
        return [f"mu[{c}]" for c in self.coords] + [f"log_tau[{g}]" for g in self.groups]

    @property
    def dim(self) -> int:
        return len(self.coords) + len(self.groups)

    def log_prior(self, th: np.ndarray) -> np.ndarray:
        M = len(self.coords)
        mu, lt = th[:, :M], th[:, M:]
        return (-0.5 * np.sum((mu / self.s.mu_sd) ** 2, axis=1)
                + np.sum(self.s.tau_shape * lt - self.s.tau_rate * np.exp(lt), axis=1))

    def event_log_terms(self, th: np.ndarray, e: int) -> np.ndarray:
        """(C, n_e) log w_i + log density ratio of the population at each design point."""
        M = len(self.coords)
        X, lw, mi, ti = self.events[e]
        if mi.size == 0:
            return np.broadcast_to(lw, (th.shape[0], lw.size))
        mu = th[:, mi][:, None, :]
        lt = th[:, M + ti][:, None, :]
        z = (X[None] - mu) / np.exp(lt)
        return lw[None] + np.sum(-0.5 * z ** 2 - lt + 0.5 * X[None] ** 2, axis=2)

    def log_lik(self, th: np.ndarray) -> np.ndarray:
        if self.s.marginal == "gaussian":
            return self._log_lik_gaussian(th)
        out = np.zeros(th.shape[0])
        for e in range(len(self.events)):
            t = self.event_log_terms(th, e)
            out += logsumexp(t, axis=1) - np.log(t.shape[1])
        return out

    def _log_lik_gaussian(self, th: np.ndarray) -> np.ndarray:
        """Sum over events of ``log int L_e(x) N(x; mu, T) dx`` for the Gaussian emulator of each ``L_e``."""
        M = len(self.coords)
        out = np.zeros(th.shape[0])
        for (_, _, mi, ti), (lam, eta) in zip(self.events, self.emulators):
            if mi.size == 0:
                continue
            mu = th[:, mi]                                   # (C, h)
            tinv = np.exp(-2.0 * th[:, M + ti])              # 1 / tau^2
            P = lam[None] + np.einsum("ij,cj->cij", np.eye(mi.size), tinv)
            r = eta[None] + mu * tinv
            L = np.linalg.cholesky(P)
            v = np.linalg.solve(L, r[..., None])[..., 0]
            out += (0.5 * np.sum(np.log(tinv), axis=1) - np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), axis=1)
                    + 0.5 * np.sum(v ** 2, axis=1) - 0.5 * np.sum(mu ** 2 * tinv, axis=1))
        return out

    def build_emulators(self) -> None:
        """Gaussian emulator of each event's likelihood on the probit scale, from its weighted design.

        The design's weights give the event's posterior under the catalog prior N(0, I); its
        moments (m, S) give the likelihood's information form ``Lambda = S^-1 - I``,
        ``eta = S^-1 m``. Directions the event does not inform (eigenvalues of Lambda at or below 0)
        are flat.
        """
        self.emulators = []
        for X, lw, mi, _ in self.events:
            h = mi.size
            if h == 0:
                self.emulators.append((np.zeros((0, 0)), np.zeros(0)))
                continue
            w = np.exp(lw - lw.max())
            w /= w.sum()
            m = w @ X
            D = X - m
            S = (D * w[:, None]).T @ D + 1e-9 * np.eye(h)
            Si = np.linalg.inv(S)
            lam, V = np.linalg.eigh(Si - np.eye(h))
            keep = lam > 1e-6
            lam_c = np.where(keep, lam, 0.0)
            eta_v = np.where(keep, V.T @ (Si @ m), 0.0)
            self.emulators.append((V @ np.diag(lam_c) @ V.T, V @ eta_v))

    def log_post(self, th: np.ndarray) -> np.ndarray:
        return self.log_prior(th) + self.log_lik(th)

    def prior_draws(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu = self.s.mu_sd * rng.standard_normal((n, len(self.coords)))
        lt = np.log(rng.gamma(self.s.tau_shape, 1.0 / self.s.tau_rate, (n, len(self.groups))))
        return np.hstack([mu, lt])


def _metropolis(h: _Hyper, seed: int, progress: Callable[[int], None] | None, done0: int) -> tuple[np.ndarray, float]:
    """Random-walk Metropolis, chains vectorised; proposal covariance adapted in warm-up (Haario et al. 2001)."""
    s = h.s
    C, d = s.chains, h.dim
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(6,)))
    th = h.prior_draws(rng, C)
    lp = h.log_post(th)
    cov = np.eye(d) * 0.05
    scale = 2.38 ** 2 / d
    hist = []
    out = np.zeros((C, s.samples, d))
    acc = 0
    total = s.warmup + s.samples
    block = max(50, s.warmup // 10)
    acc_block = 0
    for t in range(total):
        L = np.linalg.cholesky(scale * cov + 1e-9 * np.eye(d))
        prop = th + rng.standard_normal((C, d)) @ L.T
        lq = h.log_post(prop)
        a = np.log(rng.random(C)) < lq - lp
        th = np.where(a[:, None], prop, th)
        lp = np.where(a, lq, lp)
        if t < s.warmup:
            hist.append(th.copy())
            acc_block += int(a.sum())
            if (t + 1) % block == 0:
                rate = acc_block / (block * C)
                scale *= float(np.exp(rate - 0.234))     # steer toward the optimal acceptance of RWM
                acc_block = 0
                H = np.concatenate(hist[len(hist) // 2:], axis=0)
                if H.shape[0] > 2 * d:
                    cov = np.cov(H, rowvar=False) + 1e-6 * np.eye(d)
        else:
            out[:, t - s.warmup] = th
            acc += int(a.sum())
        if progress and (t + 1) % 50 == 0:
            progress(done0 + t + 1)
    if progress:
        progress(done0 + total)
    return out, acc / (C * s.samples)


def _event_posterior_x(h: _Hyper, e: int, pooled: np.ndarray, rng: np.random.Generator, n: int = 1000) -> np.ndarray:
    """Draws of event ``e``'s hierarchical coordinates (probit scale) given the data, over the hyperposterior.

    Gaussian emulator: given ``phi``, the exchange's coordinates are N(P^-1 r, P^-1) with
    ``P = Lambda + T^-1``, ``r = eta + T^-1 mu``. Importance marginal: a weighted resample of the design.
    """
    M = len(h.coords)
    X, lw, mi, ti = h.events[e]
    th = pooled[np.round(np.linspace(0, pooled.shape[0] - 1, n)).astype(np.int64)]
    if h.s.marginal == "importance":
        t = h.event_log_terms(th, e)
        g = -np.log(-np.log(rng.random(t.shape)))                   # Gumbel-max: one design point per hyper draw
        return X[np.argmax(t + g, axis=1)]
    lam, eta = h.emulators[e]
    tinv = np.exp(-2.0 * th[:, M + ti])
    P = lam[None] + np.einsum("ij,cj->cij", np.eye(mi.size), tinv)
    r = eta[None] + th[:, mi] * tinv
    L = np.linalg.cholesky(P)
    mean = np.linalg.solve(P, r[..., None])[..., 0]
    z = rng.standard_normal((n, mi.size))
    return mean + np.linalg.solve(np.transpose(L, (0, 2, 1)), z[..., None])[..., 0]


def _ess_w(log_w: np.ndarray) -> float:
    w = np.exp(log_w - log_w.max())
    return float(w.sum() ** 2 / np.sum(w ** 2))


def _summary(x: np.ndarray) -> dict[str, float]:
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": round(float(x.mean()), 6), "sd": round(float(x.std()), 6), "p05": round(float(q[0]), 6),
            "p50": round(float(q[1]), 6), "p95": round(float(q[2]), 6)}


def _events(events: Sequence[LoadedEvent | str | Path]) -> list[LoadedEvent]:
    return [e if isinstance(e, LoadedEvent) else load_event(e) for e in events]


WINDOW_END = "2025-06-24"
"""Last night of the calibration window: the shipped fit uses every built-in event dated on or before it."""


def builtin_fit_events() -> list[str]:
    """Names of the built-in event files dated on or before :data:`WINDOW_END` (campaigns included)."""
    from .events import builtin_events

    out = []
    for name in sorted(builtin_events()):
        le = load_event(name)
        if le.date is not None and str(le.date) <= WINDOW_END:
            out.append((str(le.date), name))
    return [n for _, n in sorted(out)]


def total_units(events: int | Sequence[LoadedEvent], s: HierSettings) -> int:
    """Progress units of a fit: design particles of every event fitted, then Metropolis steps.

    ``events``: the events given to :func:`fit_hierarchical` (those without a fitted observation
    count nothing; a campaign counts its :attr:`HierSettings.campaign_design`), or a number of
    single-night events.
    """
    if isinstance(events, int):
        return events * s.design.particles * s.design.rounds + s.warmup + s.samples
    per = [design_settings(le, s) for le in _events(events) if any(o.fitted for o in le.event.observations)]
    return sum(d.particles * d.rounds for d in per) + s.warmup + s.samples


def fit_hierarchical(events: list[LoadedEvent], seed: int, settings: HierSettings | None = None,
                     progress: Callable[[int], None] | None = None, cache: str | Path | None | bool = True) -> Posterior:
    """Fit the hierarchical model to ``events``; return draws for a new exchange.

    Parameters
    ----------
    events : list of LoadedEvent (or built-in event names / paths)
        Events without fitted observations are left out and listed in the manifest's
        ``excluded``. A campaign event (``is_campaign``) is one exchange: its fitted
        observations (all its ``fit`` non-input ones: pass a subset, as the scoreboard does with
        :func:`.scoreboard.subset_event`, to fit only the nights before a date) are read from the
        campaign flown to its last fitted night (all nights for a total).
    seed : int
        Seed of every random stream; the same inputs and seed give the same file, bit for bit,
        whatever ``settings.workers``.
    settings : HierSettings, optional
    progress : callable, optional
        Called with the number of units done (of :func:`total_units`).
    cache : path, True or None
        Design cache directory (True: :func:`default_cache_dir`; None or False: no cache).

    Returns
    -------
    Posterior
        Draws of every uncertain catalog parameter for a new exchange; the manifest holds the
        hyperparameter summaries, the events with their SHA-256s, and the diagnostics.
    """
    from .pipeline import _round, against_bound

    s = settings or HierSettings()
    evs = _events(events)
    cache_dir = default_cache_dir() if cache is True else (Path(cache) if cache else None)
    fitted, excluded = [], []
    for le in evs:
        if not any(o.fitted for o in le.event.observations):
            excluded.append({"file": Path(le.file).name, "name": le.event.name, "reason": "no fitted observations"})
        else:
            fitted.append(le)
    if not fitted:
        raise ValueError("no event to fit: give at least one event with fitted observations")
    fitted.sort(key=lambda le: (str(getattr(le, "date", None) or ""), le.stem))   # the result does not depend on the order given
    stems = [le.stem for le in fitted]
    if len(set(stems)) != len(stems):
        raise ValueError(f"an event is given twice: {stems}")

    # 1. designs, one event per worker
    jobs = [(le, seed, design_settings(le, s), cache_dir) for le in fitted]
    per = np.cumsum([j[2].particles * j[2].rounds for j in jobs]).tolist()
    designs: list[EventDesign] = []
    if s.workers > 1 and len(jobs) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(s.workers, len(jobs)), mp_context=mp.get_context("spawn")) as pool:
            for k, d in enumerate(pool.map(_design_job, jobs)):
                designs.append(_raise_if_error(d))
                if progress:
                    progress(per[k])
    else:
        for k, job in enumerate(jobs):
            designs.append(_raise_if_error(_design_job(job)))
            if progress:
                progress(per[k])

    # 2. the global parameter split (all events' catalogs merged)
    cat, targets, _ = prepare_events(fitted)
    gprior: PriorModel = build_prior(cat, [t.compiled for t in targets], family=FAMILY)
    hier = [c for c in gprior.latent if group_of(c) is not None]
    groups = [g for g in GROUPS if any(group_of(c) == g for c in hier)]
    ev_terms = []
    for d in designs:
        cols = [k for k, c in enumerate(d.latent) if c in hier]
        U = np.clip(d.U[:, cols], 1e-12, 1 - 1e-12)
        ev_terms.append((ndtri(U), d.log_w, np.array([hier.index(d.latent[k]) for k in cols], dtype=np.int64),
                         np.array([groups.index(_group(d.latent[k])) for k in cols], dtype=np.int64)))
    h = _Hyper(hier, groups, ev_terms, s)
    h.build_emulators()

    # 3. hyperparameters by Metropolis
    chains, acc = _metropolis(h, seed, progress, per[-1])
    M = len(hier)
    diag = _diagnose(chains, h.names)
    diag["acceptance"] = round(acc, 4)
    pooled = chains.reshape(-1, h.dim)

    # 4. draws for a new exchange
    P = s.draws
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(7,)))
    pick = np.round(np.linspace(0, pooled.shape[0] - 1, P)).astype(np.int64)
    th = pooled[pick]
    eta = rng.standard_normal((P, M))
    tau = np.exp(th[:, M:])
    gidx = np.array([groups.index(_group(c)) for c in hier], dtype=np.int64)
    x_new = th[:, :M] + tau[:, gidx] * eta
    U = rng.random((P, gprior.dim))                          # nuisance coordinates: their catalog prior
    for j, c in enumerate(hier):
        U[:, gprior.latent.index(c)] = np.clip(ndtr(x_new[:, j]), 1e-12, 1 - 1e-12)
    values = gprior.values(U)
    free = gprior.free()
    U_free = rng.random((P, len(free)))
    for j, sp in enumerate(free):
        values[sp.name] = sp.ppf(U_free[:, j])

    # per-event posteriors of the hierarchical coordinates and the importance ESS at the hyperparameters
    sub = pooled[np.round(np.linspace(0, pooled.shape[0] - 1, min(200, pooled.shape[0]))).astype(np.int64)]
    rep = {c: next(sp for sp in gprior.fitted() if gprior.coord[sp.name] == gprior.latent.index(c)) for c in hier}
    design_diag = []
    erng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(8,)))
    for e, (d, (X, lw, mi, ti)) in enumerate(zip(designs, ev_terms)):
        t = h.event_log_terms(sub, e)                        # (S, n)
        ess = np.array([_ess_w(r) for r in t])
        event_post: dict[str, dict] = {}
        if mi.size:
            Xe = _event_posterior_x(h, e, pooled, erng)
            for k, j in enumerate(mi):
                c = hier[j]
                v = rep[c].ppf(ndtr(Xe[:, k]))
                event_post[c] = {"parameter": rep[c].name, "mean": round(float(v.mean()), 6), "sd": round(float(v.std()), 6)}
        design_diag.append({
            "event": d.stem, "design_points": int(d.U.shape[0]), "design_ess": d.diagnostics["ess"],
            "design_log_evidence": d.diagnostics["log_evidence"],
            "alpha_reached_1": bool(any(r.get("alpha_next") == 1.0 for r in d.diagnostics["rounds"])),
            "hierarchical_coordinates": [hier[j] for j in mi],
            "importance_ess_at_posterior": {"median": round(float(np.median(ess)), 1), "min": round(float(ess.min()), 1)},
            "posterior": event_post,
        })
    diag["design"] = design_diag

    hyper: dict[str, dict] = {}
    for j, c in enumerate(hier):
        mu = pooled[:, j]
        hyper[f"mu[{c}]"] = {**_summary(mu), "population_median_value": {
            "parameter": rep[c].name, **_summary(rep[c].ppf(ndtr(mu)))}}
    for g_i, g in enumerate(groups):
        hyper[f"tau[{g}]"] = _summary(np.exp(pooled[:, M + g_i]))

    params = []
    for sp in gprior.specs:
        if sp.fixed:
            continue
        x = values[sp.name]
        pm, psd = sp.prior_moments()
        post = _summary(x)
        grp = gprior.latent[gprior.coord[sp.name]] if sp.name in gprior.coord else None
        status = ("hierarchical" if grp in hier else "exchange-level (prior)") if grp else "prior only"
        params.append({
            "name": sp.name, "status": status, "group": grp, "prior": sp.spec(),
            "prior_mean": round(pm, 6), "prior_sd": round(psd, 6), "posterior": _round(post),
            "contraction": round(1.0 - (post["sd"] / psd) ** 2, 4) if psd > 0 else None,
            "against_bound": against_bound(x, sp.low, sp.high, psd) if grp in hier else None,
        })
    label = "posterior:hierarchical:" + "+".join(stems)
    manifest = {
        "redline_version": __version__,
        "method": HIER_METHOD,
        "seed": int(seed),
        "draws": int(P),
        "settings": s.record(),
        "events": [d.record | {"design_sha256": d.key} for d in designs],
        "excluded": excluded,
        "latent": list(gprior.latent),
        "hierarchy": {"coordinates": {c: group_of(c) for c in hier}, "groups": groups, "family": FAMILY,
                      "hyperprior": {"mu": f"N(0, {s.mu_sd:g}) on the probit scale of the catalog prior",
                                     "tau": f"Gamma({s.tau_shape:g}, rate {s.tau_rate:g})"}},
        "hyperparameters": hyper,
        "diagnostics": diag,
        "parameters": params,
    }
    vals = {sp.name: values[sp.name] for sp in gprior.specs if not sp.fixed}
    return Posterior(label, manifest, vals)
