"""Run a campaign: waves in time order, stocks carried per trial from wave to wave.

Trials are processed in blocks of :data:`BLOCK_TRIALS`; each block flies the
whole campaign and adds its per-day counts to exact integer histograms
(:mod:`redline.campaign.histogram`), so memory grows with the block size and
the number of days, not with the number of trials. Wave ``w`` of block ``b``
draws from ``SeedSequence(seed, spawn_key=(b, w))``; trial ``j`` of the
campaign uses parameter draw ``j % P`` as in a single run.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ..api import default_params
from ..catalog import THREAT_CLASSES
from ..engagement.compile import Compiled, compile_scenario
from ..engagement.params import ParamSet, catalog_params
from ..engagement.runner import run_compiled
from ..hashing import campaign_sha256, scenario_sha256
from ..manifest import make_manifest
from ..results import COUNTS
from ..scenario.io import scenario_catalog
from ..scenario.schema import Scenario
from .histogram import IntHistogram
from .result import CampaignResult
from .schema import Campaign
from .stocks import WavePlan, plan_waves, release, reload, stock_groups, unit_demand

__all__ = ["run_campaign", "BLOCK_TRIALS", "wave_seed"]

BLOCK_TRIALS = 16384
"""Trials per campaign block (fixed: a multiple of the engine's chunk; changing it changes results)."""


def wave_seed(seed: int, block: int, wave: int) -> int:
    """The engine seed of wave ``wave`` (0-based, in time order) of trial block ``block``."""
    a, b = np.random.SeedSequence(int(seed), spawn_key=(int(block), int(wave))).generate_state(2, np.uint32)
    return int(a) << 32 | int(b)


def _rolled(ps: ParamSet, shift: int) -> ParamSet:
    """The parameter set whose draw ``j`` is ``ps``'s draw ``(j + shift) % P``."""
    if ps.size == 1 or shift % ps.size == 0:
        return ps
    roll = lambda t: {k: (np.roll(v, -shift) if np.asarray(v).shape[0] > 1 else v) for k, v in t.items()}  # noqa: E731
    return ParamSet(pk=roll(ps.pk), reliability=roll(ps.reliability), cep_m=roll(ps.cep_m), pd=roll(ps.pd),
                    label=ps.label, meta=ps.meta)


def _resolve_params(params, cat) -> ParamSet:
    if params is None or params == "default":
        return default_params(cat)
    if params == "prior":
        return catalog_params(cat)
    if isinstance(params, ParamSet):
        return params
    raise ValueError(f"params must be a ParamSet, 'default' or 'prior', got {params!r}")


class _Days:
    """Histograms of per-trial counts, per day and metric."""

    def __init__(self, days: int):
        self.h: list[dict[str, IntHistogram]] = [{} for _ in range(days)]

    def add(self, day: int, key: str, values: np.ndarray) -> None:
        self.h[day - 1].setdefault(key, IntHistogram()).add(values)


#: Most per-trial daily values ``keep_daily`` may hold (trials x days x (classes x counts + interceptor types)).
MAX_DAILY_VALUES = 50_000_000


def run_campaign(scenario: Scenario, campaign: Campaign, trials: int | None = None, seed: int | None = None,
                 params: ParamSet | str | None = None,
                 progress: Callable[[int, int], None] | None = None, keep_daily: bool = False) -> CampaignResult:
    """Fly a campaign of waves over days with stocks carried from wave to wave.

    Parameters
    ----------
    scenario : Scenario
        Its raid is one wave; its fire units, sensors and doctrine the posture.
    campaign : Campaign
        Days, waves, stocks, production, resupply, attrition, adaptation.
    trials, seed : int, optional
        Override the scenario's own.
    params : ParamSet or {"default", "prior"}, optional
        As for :func:`redline.run`.
    progress : callable, optional
        Called with (waves done, waves in all) over all blocks.
    keep_daily : bool
        Also keep every trial's per-day counts (``CampaignResult.trial_daily``);
        per-trial campaign totals are always kept. Costs trials x days x
        (classes x 5 + types) integers, at most :data:`MAX_DAILY_VALUES`.

    Returns
    -------
    CampaignResult
    """
    t_start = time.perf_counter()
    sc = scenario
    cat = scenario_catalog(sc)
    ps = _resolve_params(params, cat)
    n = int(trials if trials is not None else sc.trials)
    s = int(seed if seed is not None else sc.seed)
    if n < 1:
        raise ValueError(f"trials must be at least 1, got {n}")
    plans, missile_curve = plan_waves(sc, campaign, cat)
    grp = stock_groups(sc, campaign)
    planned = grp.ration is not None
    G, K, D = len(grp.keys), len(sc.fire_units), campaign.days
    site_names = sorted(sc.sites, key=lambda x: (-sc.sites[x].value, x))
    aimed = {a for salvo in sc.raid for a in salvo.aim}
    site_keep = [j for j, x in enumerate(site_names) if sc.sites[x].value > 0 or x in aimed]
    present: list[str] = sorted({cat.threats[t.threat].klass for t in sc.raid}, key=THREAT_CLASSES.index)
    types = sorted({t for _, t in grp.keys})
    type_of_group = np.array([types.index(t) for _, t in grp.keys])
    NC, NW, T = len(THREAT_CLASSES), len(COUNTS), len(types)
    if keep_daily and n * D * (NC * NW + T) > MAX_DAILY_VALUES:
        raise ValueError(f"keep_daily would hold {n * D * (NC * NW + T):,} values (trials x days x counts), more than "
                         f"{MAX_DAILY_VALUES:,}; run fewer trials or days, or use the per-day histograms")
    # per trial: campaign totals by class and count, rounds used by interceptor type
    total_cls = np.zeros((n, NC, NW), dtype=np.int32)
    total_used_type = np.zeros((n, T), dtype=np.int32)
    daily_cls = np.zeros((n, D, NC, NW), dtype=np.int32) if keep_daily else None
    daily_used_type = np.zeros((n, D, T), dtype=np.int32) if keep_daily else None

    cache: dict[tuple[int, ...], Compiled] = {}
    days = _Days(D)
    final_remaining = np.zeros((n, G), dtype=np.int32)
    used_total = np.zeros((n, G), dtype=np.int32)
    reached_h = {lab: IntHistogram() for lab in grp.labels}
    n_blocks = (n + BLOCK_TRIALS - 1) // BLOCK_TRIALS
    done = 0
    for b in range(n_blocks):
        t0, t1 = b * BLOCK_TRIALS, min(n, (b + 1) * BLOCK_TRIALS)
        m = t1 - t0
        ps_b = _rolled(ps, t0)
        rounds = np.broadcast_to(grp.capacity, (m, K)).copy()
        depot = np.broadcast_to(grp.depot0, (m, G)).copy()
        used_cum = np.zeros((m, G), dtype=np.int64)
        impacted_cum = np.zeros(m, dtype=np.int64)
        reached = np.full((m, G), D + 1, dtype=np.int64)
        for d in range(1, D + 1):
            depot += grp.deliveries[d - 1]
            day_cls = np.zeros((m, NC, NW), dtype=np.int64)
            day_used = np.zeros((m, G), dtype=np.int64)
            day_hits = np.zeros((m, len(site_keep)), dtype=np.int64)
            for w in range(campaign.waves_per_day):
                wi = (d - 1) * campaign.waves_per_day + w
                plan = plans[wi]
                reload(grp, rounds, depot)
                comp, demand = _compiled(cache, sc, cat, ps, plan) if sum(plan.counts) > 0 else (None, None)
                mags = release(grp, rounds, depot, wi, demand if planned else None)
                if comp is not None:
                    raw = run_compiled(comp, ps_b, m, wave_seed(s, b, wi), magazines=mags)
                    rounds -= raw.unit_shots
                    day_cls[:, : raw.cls.shape[1]] += raw.cls
                    for k, members in enumerate(grp.members):
                        day_used[:, k] += raw.unit_shots[:, members].sum(axis=1)
                    day_hits += raw.site_hits[:, site_keep]
                done += 1
                if progress:
                    progress(done, n_blocks * len(plans))
            loaded = np.stack([rounds[:, mm].sum(axis=1) for mm in grp.members], axis=1) if G else np.zeros((m, 0), np.int64)
            remaining = loaded + depot
            used_cum += day_used
            impacted_cum += day_cls[:, :, 4].sum(axis=1)
            reached = np.where((reached > D) & (remaining <= grp.reserve_level), d, reached)
            for c in present:
                ci = THREAT_CLASSES.index(c)
                for wi_, what in enumerate(COUNTS):
                    days.add(d, f"{c}.{what}", day_cls[:, ci, wi_])
            days.add(d, "all.leaked", day_cls[:, :, 3].sum(axis=1))
            days.add(d, "all.impacted", day_cls[:, :, 4].sum(axis=1))
            days.add(d, "all.impacted_cumulative", impacted_cum)
            for k, lab in enumerate(grp.labels):
                days.add(d, f"used.{lab}", day_used[:, k])
                days.add(d, f"remaining.{lab}", remaining[:, k])
            day_used_type = np.zeros((m, T), dtype=np.int64)
            for ti, t in enumerate(types):
                sel = type_of_group == ti
                day_used_type[:, ti] = day_used[:, sel].sum(axis=1)
                days.add(d, f"used_type.{t}", day_used_type[:, ti])
                days.add(d, f"remaining_type.{t}", remaining[:, sel].sum(axis=1))
            total_cls[t0:t1] += day_cls.astype(np.int32)
            total_used_type[t0:t1] += day_used_type.astype(np.int32)
            if daily_cls is not None and daily_used_type is not None:
                daily_cls[t0:t1, d - 1] = day_cls
                daily_used_type[t0:t1, d - 1] = day_used_type
            for j, si in enumerate(site_keep):
                days.add(d, f"hits.{site_names[si]}", day_hits[:, j])
        final_remaining[t0:t1] = remaining
        used_total[t0:t1] = used_cum
        for k, lab in enumerate(grp.labels):
            reached_h[lab].add(reached[:, k])
    manifest = make_manifest("campaign", sc.name, seed=s, samples=n, unit="trials",
                             inputs={"scenario": scenario_sha256(sc, cat), "campaign": campaign_sha256(sc, campaign)},
                             params=ps.label, elapsed_s=time.perf_counter() - t_start,
                             details={"engine": "fast", "param_draws": ps.size, "block_trials": BLOCK_TRIALS,
                                      "compiled_waves": len(cache)})
    return CampaignResult(scenario=sc, campaign=campaign, groups=grp, plans=plans, missile_stocks=missile_curve,
                          classes=present, sites=[site_names[j] for j in site_keep], types=types,
                          histograms=days.h, reached=reached_h, final_remaining=final_remaining, used_total=used_total,
                          trial_totals={"cls": total_cls, "used_type": total_used_type},
                          trial_daily=(None if daily_cls is None or daily_used_type is None
                                       else {"cls": daily_cls, "used_type": daily_used_type}),
                          unit_cost_usd={t: float(cat.interceptors[t].cost_usd.value) for t in types},
                          manifest=manifest)


def _compiled(cache: dict, sc: Scenario, cat, ps: ParamSet, plan: WavePlan) -> tuple[Compiled, np.ndarray]:
    """The wave's compiled scenario and its :func:`~.stocks.unit_demand`, built once per raid size."""
    if plan.counts not in cache:
        raid = tuple(salvo.model_copy(update={"count": c}) for salvo, c in zip(sc.raid, plan.counts))
        comp = compile_scenario(sc.model_copy(update={"raid": raid}), cat, ps)
        cache[plan.counts] = (comp, unit_demand(comp))
    return cache[plan.counts]

