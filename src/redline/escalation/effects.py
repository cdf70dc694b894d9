"""Military effects of raid templates, computed by the engagement engine and cached.

A raid template (``game.yaml: raids``) names an engagement scenario and transforms (scale the
weapon counts by class, re-aim salvos, remove a partner's units, deepen magazines, launch part of
each salvo from a forward site). :func:`build_scenario` applies them with the scenario transforms
of :mod:`redline.scenario.transforms`;
:func:`evaluate` runs the engine (imported lazily: this module works without it) and reduces the
per-trial results to an :class:`Effect`: the probabilities of a contained, damaging or severe
outcome (from the total number of munitions that reached the ground, thresholds by aim in
``game.yaml``), and mean launches, interceptors used and costs. Effects are cached by the
scenario's SHA-256 (in memory, and in an optional JSON file).

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
    "load_table",
    "raid_variants",
    "regenerate",
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
    factors = {k: 1.0 for k in CLASSES}
    for k, v in raid.scale.items():
        factors[k] *= v
    variants = ([raid.posture] if raid.posture is not None else []) + list(variants)
    for var in variants:
        for k, v in var.scale.items():
            factors[k] *= v
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
    return sc.model_copy(update={"name": name, "hypothetical": True,
                                 "title": f"Escalation raid template {name} (from {raid.base})"})


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
             cache: EffectsCache | None = None, run: Callable | None = None) -> Effect:
    """Run the engine on a scenario and reduce the result to an :class:`Effect` (cached by hash).

    ``run`` defaults to :func:`redline.run`; tests pass a stand-in.
    """
    if run is None:
        from ..api import run as engine_run  # lazy: the engine is only needed here

        run = engine_run
    from ..scenario.io import scenario_sha256

    sha = scenario_sha256(scenario)
    key = hashlib.sha256(f"{sha}|{aim}|{list(thresholds)}|{trials}|{seed}".encode()).hexdigest()
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    res = run(scenario, trials=trials, seed=seed)
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
                  progress: Callable[[str], None] | None = None) -> dict:
    """Evaluate every engine-backed raid template under every needed variant."""
    from .._version import __version__

    game = game or load_game()
    entries: dict[str, dict] = {}
    for rid, vn, raid, sc in table_scenarios(game, book):
        if progress:
            progress(f"{rid} / {vn}")
        lo, hi = game.severity_thresholds[raid.aim]
        eff = evaluate(sc, raid.aim, (lo, hi), trials, seed, cache, run)
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
