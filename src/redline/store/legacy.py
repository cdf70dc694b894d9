"""The one adapter for runs saved before manifests were typed (rows with ``record_version`` NULL).

Until typed records, every command wrote its own manifest shape into the store:

=====================  ===============================================================
kind                   legacy manifest keys
=====================  ===============================================================
run                    scenario, scenario_sha256, seed, trials, engine, version, params,
                       param_draws, elapsed_s
campaign               campaign, scenario_sha256, campaign_sha256, seed, trials,
                       block_trials, engine, version, params, param_draws,
                       compiled_waves, elapsed_s
crisis, compare        schema, redline_version, model_sha256, effects, posterior, seed,
                       paths, draws, rounds, (rounds_run, policy), start, horizon_days,
                       (common_random_numbers)
validate               none (the summary had no manifest)
sweep                  spec_sha256, version, trials_per_point, seed, seeding, params;
                       the summary carried ``elapsed_s`` at its top level
sweep-point            the run or campaign keys above and sweep, sweep_sha256, point, values
=====================  ===============================================================

:func:`legacy_manifest` maps them onto :class:`~redline.manifest.Manifest` with the table
:data:`LEGACY_FIELDS` (``version`` from ``version`` or ``redline_version``; ``subject`` from
``scenario``, ``campaign``, ``start`` or ``sweep``; ``samples`` from ``trials`` or ``paths``;
every ``<role>_sha256`` into ``inputs[role]``, with ``sweep_sha256`` as ``spec``; ``created`` from
the row's save time; a version the manifest lacks from the row's ``version`` column). Every other key goes under ``details``, so nothing is lost.
:func:`legacy_summary` puts that manifest into the summary and moves a sweep's top-level
``elapsed_s`` into it. Nothing else in Redline reads the old shapes.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping

from ..manifest import KINDS, Manifest, Samples

__all__ = ["LEGACY_FIELDS", "legacy_manifest", "legacy_summary"]

#: Manifest field <- legacy keys, first present wins.
LEGACY_FIELDS: dict[str, tuple[str, ...]] = {
    "version": ("version", "redline_version"),
    "subject": ("scenario", "campaign", "start", "sweep"),
    "samples": ("trials", "paths"),
    "seed": ("seed",),
    "params": ("params",),
    "elapsed_s": ("elapsed_s",),
}
_ROLE_OF = {"sweep_sha256": "spec"}
_UNIT_OF = {"trials": "trials", "paths": "paths"}


def _first(d: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for k in keys:
        if d.get(k) is not None:
            return k, d[k]
    return None, None


def legacy_manifest(kind: str, manifest: Mapping[str, Any], summary: Mapping[str, Any],
                    created: _dt.datetime, row_version: str | None = None) -> Manifest:
    """The :class:`Manifest` of a run saved in the legacy shape (see the module notes).

    ``created`` and ``row_version`` are the row's save time and version column (the version
    fills in for manifests that did not record one, such as validate's).
    """
    if kind not in KINDS:
        raise ValueError(f"legacy run of kind {kind!r}: the store knows {', '.join(KINDS)}")
    used: set[str] = set()
    values: dict[str, Any] = {}
    for field, keys in LEGACY_FIELDS.items():
        key, value = _first(manifest, keys)
        if key is None:
            key, value = _first(summary, keys)    # a sweep's name and elapsed time sat in its summary
        else:
            used.add(key)
        values[field] = value
    unit_key, count = _first(manifest, LEGACY_FIELDS["samples"])
    if kind == "sweep":
        count, unit = summary.get("points", 0), "points"
    elif kind == "validate":
        count, unit = 0, "trials"                 # not recorded before typed records
    else:
        unit = _UNIT_OF.get(unit_key or "", "trials")
    inputs = {_ROLE_OF.get(k, k.removesuffix("_sha256")): str(v) for k, v in manifest.items()
              if k.endswith("_sha256") and isinstance(v, str)}
    used |= {k for k in manifest if k.endswith("_sha256")}
    if kind == "sweep":
        values["subject"] = summary.get("sweep", values["subject"])
    if kind == "validate" and values["subject"] is None:
        values["subject"] = ", ".join(str(e.get("name", "?")) for e in summary.get("events", []))
    if kind == "sweep-point" and "of" not in manifest:
        details_of = {"of": "campaign" if "campaign" in manifest else "run"}
    else:
        details_of = {}
    details = {**details_of, **{k: v for k, v in manifest.items() if k not in used}}
    seed = values["seed"]
    return Manifest(
        kind=kind,  # type: ignore[arg-type]
        version=str(values["version"] or row_version or "unknown"),
        created=created.replace(microsecond=0).isoformat() + "Z",
        subject=str(values["subject"] or ""),
        seed=None if seed is None else int(seed),
        samples=Samples(count=int(count or 0), unit=unit),  # type: ignore[arg-type]
        inputs=inputs,
        params=None if values["params"] is None else str(values["params"]),
        elapsed_s=None if values["elapsed_s"] is None else float(values["elapsed_s"]),
        details=details,
    )


def legacy_summary(kind: str, summary: Mapping[str, Any], manifest: Manifest) -> dict[str, Any]:
    """A legacy summary with its typed manifest in place (and a sweep's ``elapsed_s`` moved into it)."""
    out = {k: v for k, v in summary.items() if k != "manifest"}
    if kind == "sweep":
        out.pop("elapsed_s", None)
    out["manifest"] = manifest.model_dump(mode="json")
    return out
