"""Every input hash in one place: the SHA-256 that a manifest's ``inputs`` records for each role.

=============  =========================================================================
role           what is hashed
=============  =========================================================================
``scenario``   :func:`scenario_sha256`: the scenario's canonical JSON (without ``trials``
               and ``seed``, unset optional fields left out) with the catalog entries it uses
``campaign``   :func:`campaign_sha256`: the scenario hash together with the campaign block
``params``     :func:`params_sha256`: a parameter set's label and draw arrays
``spec``       :func:`spec_sha256`: a sweep spec's canonical JSON (what decides its results)
``events``,    :func:`file_sha256` / :func:`text_sha256`: the bytes of an input file
``moves``...
=============  =========================================================================

The values are part of the project's data: the shipped escalation effects table is keyed by
scenario hashes, sweep folders refuse to resume under another spec, scenario or parameter hash,
and stored runs record them. A test checks the built-in scenarios' hashes against values
recorded before these functions moved here.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imports for annotations only; the functions import lazily (no import cycles)
    from .campaign.schema import Campaign
    from .catalog import Catalog
    from .engagement.params import ParamSet
    from .scenario.schema import Scenario
    from .sweep.spec import SweepSpec

__all__ = ["campaign_sha256", "canonical_sha256", "file_sha256", "params_sha256", "scenario_sha256",
           "spec_sha256", "text_sha256"]


def canonical_sha256(doc: Any) -> str:
    """SHA-256 of ``doc`` as canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def text_sha256(text: str) -> str:
    """SHA-256 of ``text`` encoded as UTF-8 (an input file as read)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_THREAT_FIELDS_ADDED = ("manoeuvre_pk_factor", "submunitions")
"""Optional threat fields added after hashes were recorded: left out of the hash when unset."""


def _without_unset(doc: dict, names: tuple[str, ...]) -> dict:
    return {k: v for k, v in doc.items() if not (k in names and v is None)}


def scenario_sha256(scenario: "Scenario", catalog: "Catalog | None" = None) -> str:
    """SHA-256 of the scenario's canonical JSON together with the catalog entries it uses.

    ``trials`` and ``seed`` are left out (they are the manifest's own fields), and so are unset
    optional fields, so adding an optional field to the schema keeps old hashes.
    """
    if catalog is None:
        from .scenario.io import scenario_catalog

        catalog = scenario_catalog(scenario)
    cat = catalog
    used = {
        "threats": {k: _without_unset(cat.threats[k].model_dump(mode="json", by_alias=True), _THREAT_FIELDS_ADDED)
                    for k in sorted({s.threat for s in scenario.raid})},
        "interceptors": {k: cat.interceptors[k].model_dump(mode="json") for k in sorted({u.type for u in scenario.fire_units})},
        "sensors": {k: cat.sensors[k].model_dump(mode="json") for k in sorted({s.type for s in scenario.sensors})},
    }
    doc = {"scenario": scenario.model_dump(mode="json", exclude={"trials", "seed"}, exclude_none=True), "catalog": used}
    return canonical_sha256(doc)


def campaign_sha256(scenario: "Scenario", campaign: "Campaign") -> str:
    """SHA-256 of the scenario's hash together with the campaign block."""
    return canonical_sha256({"scenario": scenario_sha256(scenario), "campaign": campaign.model_dump(mode="json")})


def params_sha256(ps: "ParamSet") -> str:
    """SHA-256 of a parameter set's label and arrays (sorted by table and key)."""
    h = hashlib.sha256(ps.label.encode())
    for name in ("pk", "reliability", "cep_m", "pd"):
        for k, v in sorted(getattr(ps, name).items(), key=lambda kv: str(kv[0])):
            h.update(f"{name}:{k}".encode())
            h.update(np.ascontiguousarray(np.asarray(v, dtype=float)).tobytes())
    return h.hexdigest()


def spec_sha256(spec: "SweepSpec") -> str:
    """SHA-256 of a sweep spec's canonical JSON (everything that decides the results)."""
    return canonical_sha256(spec.model_dump(mode="json", exclude={"title", "description", "retries"}))
