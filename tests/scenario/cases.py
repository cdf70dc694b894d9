"""Scenario edits whose results were recorded before the transforms moved to one module.

``recorded.json`` holds, for every case below, the scenario hash and the SHA-256 of the full
JSON dump of the edited scenario as computed at commit 8e7c6ad (before issue 9 part 3), recorded
again at issue 10 (the catalog, the April 2024 scenario data and the built-in list changed on purpose;
the transforms did not), by
``python -m tests.scenario.cases > tests/scenario/recorded.json`` run from the repository root.
The test recomputes every case with today's code and compares.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import sys


def _dump_sha(sc) -> str:
    blob = json.dumps(sc.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def _record(sc) -> dict[str, str]:
    from redline.scenario.io import scenario_sha256

    return {"scenario_sha256": scenario_sha256(sc), "dump_sha256": _dump_sha(sc)}


def effects_cases() -> dict[str, dict[str, str]]:
    """Every engine-backed raid template under every subset of the game's variants."""
    from redline.escalation.effects import build_scenario
    from redline.escalation.io import load_game

    game = load_game()
    out = {}
    names = sorted(game.variants)
    for rid, raid in game.raids.items():
        if raid.base is None:
            continue
        subsets = [()] + [c for r in range(1, len(names) + 1) for c in itertools.combinations(names, r)]
        if not raid.via_partners:
            subsets = [()]
        for sub in subsets:
            vn = "+".join(sub) or "default"
            sc = build_scenario(raid, [game.variants[v] for v in sub], name=f"{rid}--{vn}")
            out[f"{rid}/{vn}"] = _record(sc)
    return out


def builtin_cases() -> dict[str, dict[str, str]]:
    """Every built-in scenario as a scenario and as a campaign (with its campaign hash)."""
    from redline.campaign.io import load_campaign
    from redline.campaign.runner import campaign_sha256
    from redline.scenario.io import builtin_scenarios, load_scenario

    out = {}
    for name in builtin_scenarios():
        out[f"scenario/{name}"] = _record(load_scenario(name))
        sc, camp = load_campaign(name)
        out[f"campaign/{name}"] = {**_record(sc), "campaign_sha256": campaign_sha256(sc, camp)}
    return out


KNOBS = {
    "none": {},
    "raid": {"raid": {"drone": 85, "ballistic": 120}},
    "raid-zero": {"raid": {"drone": 0, "cruise": 7}},
    "exclude": {"exclude_owners": ["jordan", "france"]},
    "closed": {"closed_airspace": ["syria", "sea"]},
    "doctrine": {"shoot_look_shoot": False, "shots": {"exo": 2, "lower": 3}, "impact_prediction": ["ballistic", "cruise"]},
    "all": {"raid": {"drone": 85, "ballistic": 120}, "closed_airspace": ["syria"], "shots": {"exo": 2},
            "shoot_look_shoot": False, "impact_prediction": [], "exclude_owners": ["united-kingdom"]},
}


def knobs_cases() -> dict[str, dict[str, str]]:
    """The web app's knobs on built-in scenarios and on april-2024 without partner airspace rules."""
    from redline.scenario.io import load_scenario
    from redline.web.knobs import apply_knobs
    from redline.web.models import Knobs

    april = load_scenario("april-2024")
    open_sky = april.model_copy(update={"name": "open-sky", "doctrine": april.doctrine.model_copy(update={"airspace": None})})
    out = {}
    for sc in (april, load_scenario("lebanon-launch"), open_sky):
        for label, k in KNOBS.items():
            out[f"{sc.name}/{label}"] = _record(apply_knobs(sc, Knobs(**k)))
    return out


SWEEP = {
    "look": (("scenario.doctrine.look_s",), (35.0,)),
    "magazine": (("scenario.fire_units[arrow3-central].magazine",), (40.6,)),
    "counts": (("scenario.raid[*].count",), (12.0,)),
    "index": (("scenario.raid[0].count", "scenario.fire_units[-1].channels", "scenario.sites[nevatim].value"), (7.0, 3.2, 9.5)),
    "mixed": (("pk.arrow-3.ballistic", "scenario.doctrine.decision_interval_s"), (0.7, 12.0)),
}


def sweep_cases() -> dict[str, dict[str, str]]:
    """Sweep design points applied to april-2024 and to the twelve-day campaign block."""
    from redline.api import default_params
    from redline.campaign.io import load_campaign
    from redline.scenario.io import load_scenario, scenario_catalog
    from redline.sweep.apply import apply_campaign, apply_point

    sc = load_scenario("april-2024")
    cat = scenario_catalog(sc)
    base = default_params(cat)
    out = {}
    for label, (names, values) in SWEEP.items():
        out[f"point/{label}"] = _record(apply_point(sc, cat, base, names, values)[0])
    _, camp = load_campaign("twelve-day-campaign")
    for label, (names, values) in {
        "attrition": (("campaign.launcher_attrition_per_day",), (0.2,)),
        "depot": (("campaign.depot.israel.arrow-3", "campaign.days"), (200.0, 9.6)),
    }.items():
        c = apply_campaign(camp, names, values)
        blob = json.dumps(c.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
        out[f"campaign/{label}"] = {"dump_sha256": hashlib.sha256(blob).hexdigest()}
    return out


def all_cases() -> dict[str, dict[str, dict[str, str]]]:
    return {"effects": effects_cases(), "builtin": builtin_cases(), "knobs": knobs_cases(), "sweep": sweep_cases()}


if __name__ == "__main__":  # pragma: no cover
    json.dump(all_cases(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
