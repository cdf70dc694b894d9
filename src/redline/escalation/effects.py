"""Military effects of raid templates, computed by the engagement engine and cached.

A raid template (``game.yaml: raids``) names an engagement scenario and transforms (scale the
weapon counts by class, re-aim salvos, remove a partner's units, deepen magazines, launch part of
each salvo from a forward site). :func:`build_scenario` applies them to the scenario data;
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
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..userdata import output_path
from .io import data_path, load_game, load_levers
from .schema import THREAT_CLASSES, Game, LeverBook, Raid, Variant, VariantEffect

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


# ------------------------------------------------------------------------------ transforms
def _gc_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _transform(d: dict, raid: Raid, variants: list[Variant], threat_class: dict[str, str],
               threat_range_km: dict[str, float]) -> dict:
    """Apply a template's and variants' transforms to a scenario dict (mode='json' dump)."""
    scale = {k: 1.0 for k in THREAT_CLASSES}
    for k, v in raid.scale.items():
        scale[k] *= v
    for var in variants:
        for k, v in var.scale.items():
            scale[k] *= v
    sites = dict(d["sites"])

    def reach(salvo: dict, site: dict) -> bool:
        launch = sites[salvo["launch"]]
        return _gc_km(launch["lat"], launch["lon"], site["lat"], site["lon"]) <= threat_range_km[salvo["threat"]]

    raid_out = []
    for s in d["raid"]:
        n = round(s["count"] * scale[threat_class[s["threat"]]])
        if n > 0:
            raid_out.append({**s, "count": n})
    if raid.retarget is not None:
        rt = raid.retarget
        site = {"lat": rt.lat, "lon": rt.lon, "kind": rt.kind, "radius_km": rt.radius_km, "value": rt.value,
                "note": "raid template aim point (escalation model)"}
        sites[rt.site] = site
        raid_out = [{**s, "aim": {rt.site: 1.0}, "waypoints": []} if reach(s, site) else s for s in raid_out]
    for var in variants:
        if var.forward_launch is not None:
            fl = var.forward_launch
            site = {"lat": fl.lat, "lon": fl.lon, "kind": "launch_area", "radius_km": 20.0, "value": 0.0,
                    "note": "forward launch area (escalation model)"}
            sites[fl.site] = site
            split = []
            for s in raid_out:
                nf = round(s["count"] * fl.fraction)
                aims_ok = all(_gc_km(fl.lat, fl.lon, sites[a]["lat"], sites[a]["lon"]) <= threat_range_km[s["threat"]]
                              for a in s["aim"])
                if nf > 0 and aims_ok:
                    split.append({**s, "count": nf, "launch": fl.site, "waypoints": []})
                    if s["count"] - nf > 0:
                        split.append({**s, "count": s["count"] - nf})
                else:
                    split.append(s)
            raid_out = split
    if not raid_out:
        raise InputError("escalation/game.yaml", "raids", raid.base, "the transforms leave no munitions; raise a scale factor")
    d = {**d, "sites": sites, "raid": raid_out}
    units = list(d.get("fire_units", []))
    sensors = list(d.get("sensors", []))
    doctrine = dict(d.get("doctrine", {}))
    for var in variants:
        if var.exclude_owners:
            units = [u for u in units if u["owner"] not in var.exclude_owners]
            sensors = [s for s in sensors if s["owner"] not in var.exclude_owners]
        if var.close_airspace and doctrine.get("airspace"):
            air = {k: [c for c in v if c != var.close_airspace] for k, v in doctrine["airspace"].items()
                   if k != var.close_airspace}
            doctrine["airspace"] = air
        new_units = []
        for u in units:
            u = dict(u)
            if u["kind"] == "fighter" and u["owner"] in var.scale_fighters:
                f = var.scale_fighters[u["owner"]]
                if u.get("aircraft") is not None:
                    u["aircraft"] = max(1, round(u["aircraft"] * f))
                if u.get("magazine") is not None:
                    u["magazine"] = max(1, round(u["magazine"] * f))
                u["channels"] = max(1, round(u["channels"] * f))
            if u["kind"] != "fighter" and u["owner"] in var.scale_magazines and u.get("magazine") is not None:
                u["magazine"] = max(1, round(u["magazine"] * var.scale_magazines[u["owner"]]))
            new_units.append(u)
        units = new_units
    return {**d, "fire_units": units, "sensors": sensors, "doctrine": doctrine}


def build_scenario(raid: Raid, variants: Sequence[Variant] = (), name: str = "raid"):
    """The engagement :class:`~redline.scenario.schema.Scenario` of a raid template (needs the engine)."""
    from ..scenario import load_scenario
    from ..scenario.io import scenario_catalog
    from ..scenario.schema import Scenario

    if raid.base is None:
        raise ValueError(f"raid template {name!r} has an assumed effect and no engagement scenario")
    base = load_scenario(raid.base)
    cat = scenario_catalog(base)
    tclass: dict[str, str] = {k: t.klass for k, t in cat.threats.items()}
    trange = {k: t.range_km.high for k, t in cat.threats.items()}
    d = base.model_dump(mode="json", by_alias=True)
    d = _transform(d, raid, list(variants), tclass, trange)
    d["name"] = name
    d["hypothetical"] = True
    d["title"] = f"Escalation raid template {name} (from {raid.base})"
    return Scenario.model_validate(d)


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
        provenance=f"engine (params: {getattr(res, 'manifest', {}).get('params', 'unknown')})",
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


def raid_variants(game: Game, book: LeverBook) -> list[str]:
    """Every variant name the crisis model needs for a `via_partners` template."""
    out = ["default"]
    for q in range(4):
        v = combo_variant(game, q)
        if v not in out:
            out.append(v)
    for v in lever_variants(book):
        if v not in out:
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
        names = raid_variants(game, book) if raid.via_partners else ["default"]
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
