"""Military effects of raid templates, computed by the engagement engine and cached.

A raid template (``game.yaml: raids``) names an engagement scenario and transforms (scale the
weapon counts by class, re-aim salvos, remove a partner's units, deepen magazines, launch part of
each salvo from a forward site). :func:`build_scenario` applies them with the scenario transforms
of :mod:`redline.scenario.transforms`;
:func:`evaluate` runs the engine (imported lazily: this module works without it) and reduces the
per-trial results to an :class:`Effect`: the probabilities of a contained, damaging or severe
outcome (from the total number of munitions that reached the ground, thresholds by aim in
``game.yaml``), and mean launches, interceptors used and costs. A template whose base is a
campaign scenario (a ``campaign:`` block) is built with its campaign (scaled by class in its
schedule, depots deepened with the magazines, cut to the template's first ``days``) and flown
whole by :func:`evaluate_campaign`: each trial's total over the campaign meets the same
thresholds. Effects are cached by the scenario's SHA-256 (in memory, and in an optional JSON
file; a campaign block is part of the hash).

The crisis runner reads the precomputed table ``data/escalation/effects.json`` so that it never
needs the engine (``$REDLINE_EFFECTS_TABLE`` points it at another file); :func:`regenerate`
rebuilds the table (``redline maintain rebuild-effects``) into the user data folder, or into the
package only when asked to (see :mod:`redline.userdata`).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..userdata import output_path
from .io import data_path, load_game, load_levers
from .schema import THREAT_CLASSES, Game, LeverBook, Raid, Variant, VariantEffect

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = [
    "ENV_TABLE",
    "TABLE_FILE",
    "Effect",
    "EffectsCache",
    "build_scenario",
    "compute_table",
    "evaluate",
    "evaluate_campaign",
    "first_days",
    "load_table",
    "raid_variants",
    "regenerate",
    "scale_depots",
    "scale_schedule",
    "severity_from_totals",
    "table_path",
    "table_scenarios",
]

TABLE_FILE = "effects.json"
ENV_TABLE = "REDLINE_EFFECTS_TABLE"      # an effects table to read instead of the shipped one


@dataclass(frozen=True)
class Effect:
    """The reduced effect of one raid (one template under one variant)."""

    severity: tuple[float, float, float]                 # P(contained, damaging, severe)
    impacted: dict[str, float] = field(default_factory=dict)        # total impacted: mean, p05, p50, p95
    launched: dict[str, float] = field(default_factory=dict)        # mean launched by threat class
    interceptors_used: dict[str, float] = field(default_factory=dict)   # mean by interceptor type
    cost_usd: dict[str, float] = field(default_factory=dict)        # mean defender and attacker cost
    scenario: str = ""
    scenario_sha256: str | None = None
    provenance: str = "engine"

    def to_json(self) -> dict:
        d = asdict(self)
        d["severity"] = list(self.severity)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Effect:
        d = dict(d)
        d["severity"] = tuple(float(x) for x in d["severity"])
        return cls(**d)


def severity_from_totals(totals: np.ndarray, thresholds: tuple[float, float]) -> tuple[float, float, float]:
    """Fractions of trials whose total impacted count is <= t1 (contained), <= t2 (damaging), > t2 (severe)."""
    x = np.asarray(totals, dtype=float)
    if x.size == 0:
        raise ValueError("no trials")
    c = float(np.mean(x <= thresholds[0]))
    d = float(np.mean((x > thresholds[0]) & (x <= thresholds[1])))
    return (c, d, max(0.0, 1.0 - c - d))


# ------------------------------------------------------------------------------ scenarios
def build_scenario(raid: Raid, variants: Sequence[Variant] = (), name: str = "raid") -> Scenario:
    """The engagement :class:`~redline.scenario.schema.Scenario` of a raid template.

    Parameters
    ----------
    raid : Raid
        The template: a base scenario, scale factors by threat class and an
        optional new aim point.
    variants : sequence of Variant
        Engagement-level variants, applied in order.
    name : str
        The built scenario's name (part of its hash).

    Notes
    -----
    The edits are those of :mod:`redline.scenario.transforms`, in this order:
    salvo counts scaled by the product of the template's and the variants'
    factors per class (:func:`~redline.scenario.transforms.scale_classes`);
    salvos in range re-aimed at the template's aim point
    (:func:`~redline.scenario.transforms.retarget`); each variant's forward
    launch share (:func:`~redline.scenario.transforms.forward_launch`); then
    per variant, partners removed, airspace closed (the closing country stands
    down), fighters and magazines scaled.
    """
    from ..catalog import THREAT_CLASSES as CLASSES
    from ..scenario import load_scenario
    from ..scenario import transforms as T
    from ..scenario.io import scenario_catalog
    from ..scenario.schema import Site

    if raid.base is None:
        raise ValueError(f"raid template {name!r} has an assumed effect and no engagement scenario")
    base = load_scenario(raid.base)
    cat = scenario_catalog(base)
    camp = base.campaign
    if raid.days is not None and camp is None:
        raise InputError("escalation/game.yaml", f"raids.{name.split('--')[0]}.days", raid.days,
                         f"{raid.base} is one raid, not a campaign; drop days or use a campaign scenario")
    factors = {k: 1.0 for k in CLASSES}
    for k, v in raid.scale.items():
        factors[k] *= v
    variants = ([raid.posture] if raid.posture is not None else []) + list(variants)
    for var in variants:
        for k, v in var.scale.items():
            factors[k] *= v
    if camp is not None and camp.schedule is not None:
        # a schedule gives the counts (the raid's are weights): scale the schedule, keep the salvos
        camp = scale_schedule(camp, base, factors, cat)
        sc = base
    else:
        sc = T.scale_classes(base, factors, cat)
    if raid.retarget is not None:
        rt = raid.retarget
        aim = Site(lat=rt.lat, lon=rt.lon, kind=rt.kind, radius_km=rt.radius_km, value=rt.value,
                   note="raid template aim point (escalation model)")
        sc = T.retarget(sc, rt.site, aim, cat)
    for var in variants:
        if var.forward_launch is not None:
            fl = var.forward_launch
            area = Site(lat=fl.lat, lon=fl.lon, kind=fl.kind, radius_km=20.0 if fl.kind == "launch_area" else 15.0, value=0.0,
                        note="forward launch area (escalation model)")
            sc = T.forward_launch(sc, fl.site, area, fl.fraction, cat)
    if not sc.raid:
        raise InputError("escalation/game.yaml", "raids", raid.base, "the transforms leave no munitions; raise a scale factor")
    for var in variants:
        sc = T.exclude_owners(sc, var.exclude_owners)
        if var.close_airspace:
            sc = T.close_airspace(sc, [var.close_airspace], stand_down=True)
        sc = T.scale_magazines(T.scale_fighters(sc, var.scale_fighters), var.scale_magazines)
        if camp is not None:
            camp = scale_depots(camp, var.scale_magazines, sc)
    if camp is not None:
        camp = first_days(camp, raid.days)
        # depots, production and resupply of the owners and types a variant removed are dropped
        owners = {(u.owner, u.type) for u in sc.fire_units}
        nations = {o for o, _ in owners}

        def present(per_owner):
            return {o: {t: v for t, v in d.items() if (o, t) in owners} for o, d in per_owner.items() if o in nations}

        camp = camp.model_copy(update={"depot": present(camp.depot),
                                       "production_per_day": present(camp.production_per_day),
                                       "resupply": tuple(r for r in camp.resupply if (r.owner, r.type) in owners)})
    return sc.model_copy(update={"name": name, "hypothetical": True, "campaign": camp,
                                 "title": f"Escalation raid template {name} (from {raid.base})"})


# ------------------------------------------------------------------------------ campaign bases
def scale_schedule(camp, sc, factors, cat):
    """A campaign whose schedule counts are scaled by class: ``round(count x factor)`` (half to even).

    Class counts are scaled by their class's factor; counts given per salvo by that salvo's
    threat class. The raid's salvo counts (weights of the class counts) are left alone, so
    salvo names and indices keep their meaning.
    """
    from ..campaign.stocks import salvo_index

    if all(v == 1.0 for v in factors.values()):
        return camp
    entries = []
    for e in camp.schedule:
        classes = {k: round(n * factors.get(k, 1.0)) for k, n in e.classes.items()}
        salvos = {key: round(n * factors.get(cat.threats[sc.raid[salvo_index(sc, key)].threat].klass, 1.0))
                  for key, n in e.salvos.items()}
        entries.append(e.model_copy(update={"classes": classes, "salvos": salvos}))
    return camp.model_copy(update={"schedule": tuple(entries)})


def scale_depots(camp, factors, sc):
    """Deepen or thin a campaign's depots by owner, as :func:`~redline.scenario.transforms.scale_magazines`
    does the ready magazines: ``round(rounds x f)``. Like it, fighters' missiles are left alone
    (a depot of an owner's type that only its fighters fire)."""
    if not factors:
        return camp
    ground = {(u.owner, u.type) for u in sc.fire_units if u.kind != "fighter"}
    depot = {o: {t: (round(n * factors[o]) if o in factors and (o, t) in ground else n) for t, n in d.items()}
             for o, d in camp.depot.items()}
    return camp.model_copy(update={"depot": depot})


def first_days(camp, days: int | None):
    """The campaign cut to its first ``days`` days (None or at least its length: unchanged).

    Schedule entries, resupplies and ``day_scale`` factors of later days are dropped.
    """
    if days is None or days >= camp.days:
        return camp
    upd: dict[str, Any] = {"days": days, "resupply": tuple(r for r in camp.resupply if r.day <= days)}
    if camp.schedule is not None:
        upd["schedule"] = tuple(e for e in camp.schedule if e.day <= days)
    if camp.day_scale is not None:
        upd["day_scale"] = tuple(camp.day_scale[:days])
    return camp.model_copy(update=upd)


class EffectsCache:
    """Effects keyed by scenario hash, trials, seed and parameter label; optional JSON file."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.mem: dict[str, dict] = {}
        if self.path is not None and self.path.is_file():
            self.mem.update(json.loads(self.path.read_text(encoding="utf-8")))

    def get(self, key: str) -> Effect | None:
        d = self.mem.get(key)
        return Effect.from_json(d) if d is not None else None

    def put(self, key: str, eff: Effect) -> None:
        self.mem[key] = eff.to_json()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.mem, indent=1, sort_keys=True), encoding="utf-8")


def evaluate(scenario, aim: str, thresholds: tuple[float, float], trials: int = 4000, seed: int = 20240413,
             cache: EffectsCache | None = None, run: Callable | None = None, params: Any = None,
             run_campaign: Callable | None = None) -> Effect:
    """Run the engine on a scenario and reduce the result to an :class:`Effect` (cached by hash).

    ``run`` defaults to :func:`redline.run` and ``run_campaign`` (for a scenario with a
    ``campaign`` block, see :func:`evaluate_campaign`) to :func:`redline.campaign.run_campaign`;
    tests pass stand-ins. ``params`` (None: the engine's default) is passed to either.
    """
    from ..scenario.io import scenario_sha256

    sha = scenario_sha256(scenario)
    label = "" if params is None else f"|{params if isinstance(params, str) else params.label}"
    key = hashlib.sha256(f"{sha}|{aim}|{list(thresholds)}|{trials}|{seed}{label}".encode()).hexdigest()
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    if getattr(scenario, "campaign", None) is not None:
        eff = evaluate_campaign(scenario, thresholds, trials, seed, params=params, run_campaign=run_campaign)
        eff = Effect(**{**asdict(eff), "scenario_sha256": sha})
        if cache is not None:
            cache.put(key, eff)
        return eff
    if run is None:
        from ..api import run as engine_run  # lazy: the engine is only needed here

        run = engine_run
    res = run(scenario, trials=trials, seed=seed) if params is None else run(scenario, trials=trials, seed=seed, params=params)
    frame = res.to_frame()
    totals = np.zeros(len(frame))
    launched = {}
    for k in THREAT_CLASSES:
        col = f"{k}.impacted"
        if col in frame:
            totals += frame[col].to_numpy(dtype=float)
            launched[k] = float(frame[f"{k}.launched"].mean())
    used = {c.removeprefix("used."): float(frame[c].mean()) for c in frame.columns if c.startswith("used.")}
    q = np.percentile(totals, [5, 50, 95])
    eff = Effect(
        severity=severity_from_totals(totals, thresholds),
        impacted={"mean": float(totals.mean()), "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2])},
        launched=launched,
        interceptors_used=used,
        cost_usd={"defender": float(frame["cost_usd.defender"].mean()), "attacker": float(frame["cost_usd.attacker"].mean())},
        scenario=str(getattr(scenario, "name", "")),
        scenario_sha256=sha,
        provenance=f"engine (params: {res.manifest.params})",
    )
    if cache is not None:
        cache.put(key, eff)
    return eff


def evaluate_campaign(scenario, thresholds: tuple[float, float], trials: int = 4000, seed: int = 20240413,
                      params: Any = None, run_campaign: Callable | None = None) -> Effect:
    """The :class:`Effect` of a campaign template: the campaign flown whole, reduced per trial.

    The scenario carries its (already cut and scaled) ``campaign`` block. Each trial's total
    number of munitions that reached a site over every day of the campaign (all classes,
    ``CampaignResult.samples("all.impacted")``) is compared with the aim's thresholds exactly as
    one raid's is (:func:`severity_from_totals`): a campaign is one move of the game, and its
    severity is that of everything it landed. Launches are the campaign's totals by class (the
    same in every trial); interceptors used are per-trial campaign totals by type, averaged;
    the defender's cost is rounds used x unit cost, the attacker's the launched munitions' unit
    costs.
    """
    if run_campaign is None:
        from ..campaign import run_campaign as _run  # lazy: the engine is only needed here
        run_campaign = _run
    from ..catalog import THREAT_CLASSES as CLASSES
    from ..scenario.io import scenario_catalog

    camp = scenario.campaign
    sc = scenario.model_copy(update={"campaign": None})
    cat = scenario_catalog(sc)
    res = run_campaign(sc, camp, trials=trials, seed=seed, params=params)
    totals = np.asarray(res.samples("all.impacted"), dtype=float)
    by_type: dict[str, int] = {}
    for d in range(1, camp.days + 1):
        for t, n in res.launched(d).items():
            by_type[t] = by_type.get(t, 0) + n
    launched: dict[str, float] = {k: 0.0 for k in CLASSES if any(cat.threats[s.threat].klass == k for s in sc.raid)}
    for t, n in by_type.items():
        launched[cat.threats[t].klass] += float(n)
    used = {t: float(np.mean(res.samples(f"used_type.{t}"))) for t in res.types}
    q = np.percentile(totals, [5, 50, 95])
    return Effect(
        severity=severity_from_totals(totals, thresholds),
        impacted={"mean": float(totals.mean()), "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2])},
        launched=launched,
        interceptors_used=used,
        cost_usd={"defender": float(sum(used[t] * res.unit_cost_usd[t] for t in used)),
                  "attacker": float(sum(n * cat.threats[t].cost_usd.value for t, n in by_type.items()))},
        scenario=str(getattr(scenario, "name", "")),
        provenance=f"engine campaign, {camp.days} days (params: {res.manifest.params})",
    )


# ------------------------------------------------------------------------------ the table
def lever_variants(book: LeverBook) -> list[str]:
    """Variant names used by policy levers, in lever order (at most 4)."""
    out: list[str] = []
    for lev in book.levers.values():
        for e in lev.effects:
            if isinstance(e, VariantEffect) and e.variant not in out:
                out.append(e.variant)
    if len(out) > 4:
        raise ValueError("at most 4 lever variants of raid effects are supported")
    return out


def combo_variant(game: Game, q: int) -> str:
    """Variant name for partner combination ``q`` (bit k set: partner slot k takes part)."""
    names: list[str] = []
    for slot, p in enumerate(game.partners):
        absent = game.actors[p].absent_variant
        if not (q >> slot) & 1 and absent:
            names.append(absent)
    return "+".join(sorted(set(names))) or "default"


def variant_applies(game: Game, raid_id: str, variant: str) -> bool:
    """Does lever variant ``variant`` have an engine effect of its own on template ``raid_id``?"""
    raid = game.raids[raid_id]
    if raid.base is None:
        return False
    t = game.variants[variant].templates
    return raid.via_partners if t is None else raid_id in t


def raid_variants(game: Game, book: LeverBook, raid_id: str | None = None) -> list[str]:
    """Every variant name the crisis model needs for a `via_partners` template (or for ``raid_id``:
    its partner combinations if it is `via_partners`, and the lever variants that apply to it)."""
    out = ["default"]
    if raid_id is None or game.raids[raid_id].via_partners:
        for q in range(4):
            v = combo_variant(game, q)
            if v not in out:
                out.append(v)
    for v in lever_variants(book):
        ok = game.variants[v].templates is None if raid_id is None else variant_applies(game, raid_id, v)
        if v not in out and ok:
            out.append(v)
    return out


def table_scenarios(game: Game | None = None, book: LeverBook | None = None) -> Iterator[tuple[str, str, Raid, Any]]:
    """Every engine-backed (raid template, variant) of the table, with the scenario built for it.

    Yields ``(raid_id, variant, raid, scenario)`` in table order; the variant is ``"default"`` or
    variant names joined by ``+``. :func:`compute_table` runs the engine on these scenarios, and a
    test checks that the shipped table's scenario hashes are the ones built here today.
    """
    game = game or load_game()
    book = book or load_levers()
    for rid, raid in game.raids.items():
        if raid.base is None:
            continue
        names = raid_variants(game, book, rid)
        for vn in names:
            parts = [] if vn == "default" else [game.variants[x] for x in vn.split("+")]
            yield rid, vn, raid, build_scenario(raid, parts, name=f"{rid}--{vn}")


def compute_table(game: Game | None = None, book: LeverBook | None = None, trials: int = 4000,
                  seed: int = 20240413, cache: EffectsCache | None = None, run: Callable | None = None,
                  progress: Callable[[str], None] | None = None, run_campaign: Callable | None = None) -> dict:
    """Evaluate every engine-backed raid template under every needed variant.

    ``run`` and ``run_campaign`` (stand-ins in tests) are passed to :func:`evaluate`: templates on a
    campaign scenario are flown with ``run_campaign``, the others with ``run``.
    """
    from .._version import __version__

    game = game or load_game()
    entries: dict[str, dict] = {}
    for rid, vn, raid, sc in table_scenarios(game, book):
        if progress:
            progress(f"{rid} / {vn}")
        lo, hi = game.severity_thresholds[raid.aim]
        eff = evaluate(sc, raid.aim, (lo, hi), trials, seed, cache, run, run_campaign=run_campaign)
        entries.setdefault(rid, {})[vn] = eff.to_json()
    return {
        "format": "redline-effects/1",
        "provenance": {
            "generator": "redline.escalation.effects.regenerate",
            "redline_version": __version__,
            "engine_params": "default (catalog best values unless a calibrated posterior is installed)",
            "trials": trials, "seed": seed, "status": "computed",
            "note": "Regenerate after the engagement calibration lands or a scenario changes; "
                    "refit the escalation posterior afterwards (the fit reads these effects).",
        },
        "entries": entries,
    }


@lru_cache(maxsize=4)
def _load_table_cached(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def table_path(path: str | Path | None = None) -> Path:
    """The effects table to read: ``path``, else ``$REDLINE_EFFECTS_TABLE``, else the shipped file."""
    raw = path if path not in (None, "") else os.environ.get(ENV_TABLE) or None
    return Path(raw).expanduser() if raw is not None else data_path(TABLE_FILE)


def load_table(path: str | Path | None = None) -> dict:
    """The effects table: ``path``, else ``$REDLINE_EFFECTS_TABLE``, else the shipped table."""
    p = table_path(path)
    if not p.is_file():
        raise InputError(str(p), "<file>", None,
                         "no effects table there; check the path, or build one with `redline maintain rebuild-effects`")
    return _load_table_cached(str(p))


def table_effect(table: dict, raid_id: str, variant: str) -> Effect | None:
    e = table.get("entries", {}).get(raid_id, {}).get(variant)
    return Effect.from_json(e) if e is not None else None


def regenerate(path: str | Path | None = None, trials: int = 4000, seed: int = 20240413,
               cache_path: str | Path | None = None, progress: Callable[[str], None] | None = None,
               into_package: bool = False) -> Path:
    """Rebuild the effects table from the engine and write it.

    Parameters
    ----------
    path : path-like, optional
        Output file. Default: ``escalation/effects.json`` in the user data folder
        (:func:`redline.userdata.data_home`).
    trials, seed : int
        Engine trials per (template, variant) and the seed of every run; 4000 and 20240413
        reproduce the shipped table.
    cache_path : path-like, optional
        JSON cache of effects by scenario hash, trials, seed and thresholds (reused across calls).
    progress : callable, optional
        Called with ``"raid / variant"`` before each engine run.
    into_package : bool
        Allow writing inside the installed package; without ``path``, overwrite the shipped table.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        ``path`` or ``cache_path`` lies inside the installed package and ``into_package`` is not
        set (checked before any engine run).
    """
    out = output_path(path, ("escalation", TABLE_FILE), data_path(TABLE_FILE), into_package, "effects table")
    if cache_path:
        cache = EffectsCache(output_path(cache_path, (), data_path(TABLE_FILE), into_package, "effects cache"))
    else:
        cache = EffectsCache()
    table = compute_table(trials=trials, seed=seed, cache=cache, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    _load_table_cached.cache_clear()
    return out
