"""The file formats as JSON Schema, and the scenario reference generated from it.

:func:`json_schema` gives the JSON Schema (draft 2020-12) of each input file
Redline reads, generated from its pydantic model (``model_json_schema()``)
and completed with what the model cannot say itself:

* the descriptions, units and examples of the scenario's fields (the table
  :data:`FIELD_DOCS`, used where a field has no ``description=`` of its own;
  kept here so that the scenario models, whose serialisation keys the
  effects table through :mod:`redline.hashing`, do not change),
* the defaults of fields filled by a factory (``doctrine.shots``),
* the keys a scenario *file* may hold beyond the model (``extends``,
  ``exclude_owners``, ``exclude_units``, ``override_units``; with
  ``extends`` nothing else is required; a site may give a ``gazetteer`` key,
  or no ``lat`` and ``lon``, to take its position from the gazetteer),
* JSON Schema spellings of pydantic's bounds (``minimum``, not ``ge``).

The same schemas ship in ``redline/data/schemas/*.json`` (a test checks
that they equal the generated ones), so an editor can complete scenario
files with a ``# yaml-language-server: $schema=...`` comment.

:func:`render_reference` writes ``docs/scenarios.md``: every field of the
scenario file with its type, unit, default, meaning and an example, around
hand-written prose and worked examples (``docs/scenarios.in.md``).
"""
from __future__ import annotations

import copy
import json
import typing
from typing import Any

from pydantic import BaseModel

__all__ = ["SCHEMA_KINDS", "FIELD_DOCS", "FILE_KEYS", "MARKER", "json_schema", "schema_text", "schema_id", "field_reference",
           "render_reference", "unit_of"]

#: Schema kind -> (model, title, what the file is).
SCHEMA_KINDS: dict[str, tuple[str, str, str]] = {
    "scenario": ("redline.scenario.schema:Scenario", "Redline scenario file",
                 "A raid against a defence posture (docs/scenarios.md)."),
    "campaign": ("redline.scenario.campaign:Campaign", "Redline campaign block",
                 "The campaign: block of a scenario file: waves over days with stocks (docs/campaigns.md)."),
    "events": ("redline.calibration.events:Event", "Redline event file",
               "Publicly observed figures of one exchange (docs/calibration.md)."),
    "moves": ("redline.escalation.schema:MovesFile", "Redline moves file",
              "Coded escalation moves, schema redline-moves/1 (docs/escalation.md)."),
    "sweep": ("redline.sweep.spec:SweepSpec", "Redline sweep file",
              "A design over parameters of a scenario (docs/sweeps.md)."),
}


def schema_id(kind: str) -> str:
    """The ``$id`` of a schema: a name, not a network address (nothing is fetched)."""
    return f"urn:redline:schema:{kind}"


# ------------------------------------------------------------------------------ field documentation
#: (model, field) -> (description, example as YAML flow text). Units come from the name (:func:`unit_of`).
FIELD_DOCS: dict[tuple[str, str], tuple[str, str]] = {
    # campaign schedules (a day log replayed wave by wave; docs/campaigns.md)
    ("Campaign", "schedule"): ("Counts per day and wave, by salvo or by threat class (replaces day_scale): "
                               "a day log replayed; salvos and classes not listed fly nothing that wave.",
                               "[{day: 1, classes: {ballistic: 100}}]"),
    ("Salvo", "name"): ("Label of the salvo, for campaign schedules (unset: not written out).", "night-1-bms"),
    ("ScheduleEntry", "day"): ("Campaign day, 1 to days.", "1"),
    ("ScheduleEntry", "wave"): ("Wave of that day, 1 to waves_per_day.", "1"),
    ("ScheduleEntry", "salvos"): ("Salvo name (or 0-based index) -> threats it flies in this wave.", "{night-1-bms: 60}"),
    ("ScheduleEntry", "classes"): ("Threat class -> threats shared among that class's unnamed salvos, "
                                   "in proportion to their raid counts.", "{ballistic: 100, drone: 50}"),
    ("ScheduleEntry", "note"): ("Free text: the source of the day's counts.", '"IDF, 14 June [E12]"'),
    # Point / Site
    ("Point", "lat"): ("Latitude, WGS84, north positive.", "32.82"),
    ("Point", "lon"): ("Longitude, WGS84, east positive.", "34.99"),
    ("Site", "lat"): ("Latitude, WGS84, north positive; leave lat and lon out for a gazetteer site.", "32.82"),
    ("Site", "lon"): ("Longitude, WGS84, east positive; leave lat and lon out for a gazetteer site.", "34.99"),
    ("Site", "kind"): ("What the place is. Descriptive only: the engine treats every kind alike.", "air_base"),
    ("Site", "radius_km"): ("A warhead landing within this distance of the site counts as a hit on it "
                            "(and, with impact prediction, as aimed at it).", "3"),
    ("Site", "value"): ("Defended value: threats whose (predicted) impact point has value 0 are not engaged; "
                        "higher values are defended first.", "10"),
    ("Site", "note"): ("Free text: where the position and figures come from.", '"Nevatim, [G20]"'),
    # SensorPlacement
    ("SensorPlacement", "name"): ("Name of this sensor, unique in the scenario (used by exclude_units).", "green-pine-south"),
    ("SensorPlacement", "type"): ("Sensor type id from the catalog (`redline catalog`).", "green-pine"),
    ("SensorPlacement", "owner"): ("Nation slug of the owner (used by exclude_owners).", "israel"),
    ("SensorPlacement", "site"): ("Name of the site it stands at (give site or at).", "nevatim"),
    ("SensorPlacement", "at"): ("Position, when it is not at a named site.", "{lat: 0, lon: 45}"),
    ("SensorPlacement", "note"): ("Free text.", '"assumed position"'),
    # Patrol
    ("Patrol", "site"): ("Centre of the patrol circle: a site name (give site or at).", "patrol-jordan"),
    ("Patrol", "at"): ("Centre of the patrol circle as a position.", "{lat: 31.7, lon: 36.2}"),
    ("Patrol", "radius_km"): ("Radius of the circle the fighters can reach a threat in.", "150"),
    ("Patrol", "on_station_min"): ("[start, end] of the time on station, from time zero.", "[0, 600]"),
    # FireUnit
    ("FireUnit", "name"): ("Name of the unit, unique in the scenario (used by exclude_units and override_units).",
                           "arrow3-central"),
    ("FireUnit", "kind"): ("battery or ship (at a site or position, with a magazine) or fighter (a patrol).", "battery"),
    ("FireUnit", "type"): ("Interceptor type id from the catalog; fighters carry an air_to_air type.", "arrow-3"),
    ("FireUnit", "owner"): ("Nation slug of the owner: credits kills and applies the airspace rules.", "israel"),
    ("FireUnit", "site"): ("Site name of a battery or ship (give site or at).", "palmachim"),
    ("FireUnit", "at"): ("Position of a battery or ship.", "{lat: 33.5, lon: 34.3}"),
    ("FireUnit", "patrol"): ("A fighter unit's patrol circle and time on station.",
                             "{site: patrol-jordan, radius_km: 150, on_station_min: [0, 600]}"),
    ("FireUnit", "magazine"): ("Interceptors ready to fire (batteries and ships need it; fighters default to "
                               "aircraft x missiles_each).", "24"),
    ("FireUnit", "aircraft"): ("Fighters on patrol.", "8"),
    ("FireUnit", "missiles_each"): ("Air-to-air missiles each fighter carries.", "4"),
    ("FireUnit", "channels"): ("Engagements the unit can start per decision interval.", "2"),
    ("FireUnit", "reaction_s"): ("Time from a usable track to the first launch.", "30"),
    ("FireUnit", "magazine_plan"): ("Threat class -> share of this unit's magazine planned for it (overrides "
                                    "doctrine.magazine_plan for the unit; shares sum to 1).", "{cruise: 0.75, drone: 0.25}"),
    ("FireUnit", "note"): ("Free text: the source of the magazine and position.", '"ASSUMPTION: two batteries"'),
    # Salvo
    ("Salvo", "threat"): ("Threat type id from the catalog (`redline catalog`).", "fateh-110"),
    ("Salvo", "count"): ("Threats launched in this salvo.", "40"),
    ("Salvo", "launch"): ("Name of the site they are launched from (a launch area).", "south-lebanon"),
    ("Salvo", "window_min"): ("[start, end] of the launch times (uniform), from time zero.", "[0, 30]"),
    ("Salvo", "aim"): ("Site name -> weight: each threat aims at one site, drawn with these weights.",
                       "{haifa: 3, ramat-david: 1}"),
    ("Salvo", "waypoints"): ("Sites or positions the route passes through, in order (great circles between).",
                             "[{lat: 32.0, lon: 38.0}]"),
    ("Salvo", "aircraft"): ("Air launch: the carrier aircraft type from the catalog's aircraft table (with base).",
                            "f-15i"),
    ("Salvo", "base"): ("Air launch: the site the aircraft flies from (with aircraft).", "tel-nof"),
    ("Salvo", "note"): ("Free text: the source of the count and timing.", '"[A04]: about 120"'),
    # Doctrine
    ("Doctrine", "shots"): ("Interceptors per engagement, by layer (exo, upper_endo, middle, lower, naval, "
                            "air_to_air); layers not given keep their defaults.", "{exo: 1, middle: 2}"),
    ("Doctrine", "shoot_look_shoot"): ("Look at the result of an engagement before firing again at the same "
                                       "threat (false: one engagement per threat and unit).", "true"),
    ("Doctrine", "max_engagements"): ("Engagements of one threat by one unit (with shoot-look-shoot).", "2"),
    ("Doctrine", "salvos_in_flight"): ("Salvos in flight at one threat at once, over all units "
                                       "(network shoot-look-shoot).", "1"),
    ("Doctrine", "look_s"): ("Time to assess a kill before re-engaging.", "20"),
    ("Doctrine", "impact_prediction"): ("Threat classes whose impact point the defence predicts, so that it lets "
                                        "through those falling where nothing is defended.", "[ballistic]"),
    ("Doctrine", "reserve"): ("Interceptor type -> fraction of each unit's magazine kept back.", "{arrow-3: 0.2}"),
    ("Doctrine", "allocation"): ("Shot allocation rule: greedy (maximum marginal return) or exact (MILP; small "
                                 "cases).", "greedy"),
    ("Doctrine", "decision_interval_s"): ("Length of one allocation round.", "30"),
    ("Doctrine", "airspace"): ("Nation -> countries (slugs, or sea) over which its units may engage; unset: "
                               "anywhere. Nations not listed may not engage.",
                               "{israel: [israel, jordan, sea], jordan: [jordan]}"),
    ("Doctrine", "withhold"): ("Nation -> interceptor type -> threat classes it holds fire on when a unit of a "
                               "strictly cheaper interceptor can engage the threat.", "{israel: {arrow-3: [drone, cruise]}}"),
    ("Doctrine", "magazine_plan"): ("Nation -> interceptor type -> threat class -> share of each such unit's "
                                    "magazine planned for that class before the raid (shares sum to 1; a class not "
                                    "listed is not engaged); a unit of several classes fights as one section per "
                                    "class (redline.engagement.magazine_plan).",
                                    "{israel: {iron-dome: {drone: 0.8, cruise: 0.2}}}"),
    ("Doctrine", "airspace_ceiling_km"): ("Above this altitude an intercept is in no state's airspace.", "100"),
    # Scenario
    ("Scenario", "name"): ("Short name of the scenario (the subject of its runs).", "hezbollah-haifa"),
    ("Scenario", "title"): ("One-line title (`redline scenarios` lists it).", '"Hypothetical: a rocket raid on Haifa"'),
    ("Scenario", "description"): ("What the scenario represents and where its figures come from.",
                                  '"Posture after [A01]; counts assumed."'),
    ("Scenario", "hypothetical"): ("True for a raid no public reporting describes (reports flag it).", "true"),
    ("Scenario", "sources"): ("Source keys of docs/sources.md behind the scenario.", "[A01, A04]"),
    ("Scenario", "catalog"): ("Extra catalog files (threats, interceptors, sensors) added to or replacing the "
                              "shipped entries; relative paths are relative to the scenario file.",
                              "[my-weapons.yaml]"),
    ("Scenario", "sites"): ("Site name -> site: launch areas, aim points, unit and sensor positions.",
                            "{nevatim: {lat: 31.21, lon: 35.01, kind: air_base, value: 10}}"),
    ("Scenario", "sensors"): ("The sensors that give tracks (a threat no sensor detects is never engaged).",
                              "[{name: radar, type: elm-2084, owner: israel, site: nevatim}]"),
    ("Scenario", "fire_units"): ("The batteries, ships and fighter patrols.",
                                 "[{name: dome, kind: battery, type: iron-dome, owner: israel, site: haifa, magazine: 20}]"),
    ("Scenario", "raid"): ("The salvos (at least one).",
                           "[{threat: shahed-136, count: 20, launch: kermanshah, aim: {nevatim: 1}}]"),
    ("Scenario", "doctrine"): ("How the defence fights.", "{shoot_look_shoot: false}"),
    ("Scenario", "participation"): ("Nation -> probability that it takes part, drawn per trial (a nation sitting "
                                    "out starts with empty magazines); nations not listed always take part.",
                                    "{jordan: 0.5}"),
    ("Scenario", "trials"): ("Monte Carlo trials when the command gives none (`--trials`).", "10000"),
    ("Scenario", "seed"): ("Random seed when the command gives none (`--seed`).", "1"),
    ("Scenario", "campaign"): ("Schedule over days for `redline campaign` (a plain run flies the raid once).",
                               "{days: 12, waves_per_day: 2}"),
    # Campaign block (redline.scenario.campaign)
    ("Campaign", "days"): ("Length of the campaign.", "12"),
    ("Campaign", "waves_per_day"): ("Waves flown each day; each wave is the scenario's raid.", "2"),
    ("Campaign", "wave_scale"): ("Multiplier on every salvo count of the raid.", "0.5"),
    ("Campaign", "day_scale"): ("Per-day multiplier on the wave, one per day.", "[2, 1, 1]"),
    ("Campaign", "launcher_attrition_per_day"): ("Fraction of launchers destroyed each day: day d launches "
                                                 "(1 - a)^(d - 1) of the planned salvo.", "0.1"),
    ("Campaign", "missile_stocks"): ("Threat type -> the attacker's stock; types not listed are unlimited.",
                                     "{fateh-110: {initial: 400, production_per_day: 5}}"),
    ("Campaign", "depot"): ("Nation -> interceptor type -> spare rounds beyond the ready magazines.",
                            "{israel: {arrow-3: 20}}"),
    ("Campaign", "production_per_day"): ("Nation -> interceptor type -> rounds made per day (usable next day).",
                                         "{israel: {iron-dome: 10}}"),
    ("Campaign", "resupply"): ("One-off deliveries of rounds.",
                               "[{day: 5, owner: united-states, type: thaad, rounds: 24}]"),
    ("Campaign", "adapt"): ("Doctrine that adapts to stocks (reserves, rationing).",
                            "{conserve: {arrow-3: {below: 0.5, commit: 0.5}}}"),
    ("Campaign", "note"): ("Free text.", '"ASSUMPTION: stocks after [S12]"'),
    ("MissileStock", "initial"): ("Missiles (or drones) on hand at the start.", "400"),
    ("MissileStock", "production_per_day"): ("Made per day.", "5"),
    ("Resupply", "day"): ("Day the rounds arrive (usable from its start).", "5"),
    ("Resupply", "owner"): ("Nation that receives them.", "united-states"),
    ("Resupply", "type"): ("Interceptor type.", "thaad"),
    ("Resupply", "rounds"): ("Rounds delivered.", "24"),
    ("Resupply", "note"): ("Free text.", '"assumed airlift"'),
    ("Conserve", "below"): ("Ration once the stock falls below this fraction of its start.", "0.5"),
    ("Conserve", "commit"): ("While rationed, each wave commits this fraction of the rounds above reserve.", "0.5"),
    ("Adapt", "reserve"): ("Interceptor type -> fraction of each nation's starting stock never fired.",
                           "{arrow-3: 0.1}"),
    ("Adapt", "conserve"): ("Interceptor type -> rationing rule.", "{arrow-3: {below: 0.5, commit: 0.5}}"),
    ("Adapt", "plan"): ("Interceptor type -> an even ration per wave over a planning horizon, fixed before the campaign.",
                        "{fighter-aam: {horizon_days: 14}}"),
    ("Plan", "horizon_days"): ("Days the defence plans its stock for (the war it expects).", "14"),
}

#: Keys a scenario *file* may hold that the model does not (they edit the scenario the file extends).
FILE_KEYS: dict[str, tuple[dict, str, str]] = {
    "extends": ({"type": "string", "minLength": 1},
                "A built-in scenario name or a path (relative to this file) that this file edits: mappings merge "
                "key by key over it, lists replace its lists.", "april-2024"),
    "exclude_owners": ({"type": "array", "items": {"type": "string"}},
                       "With extends: nations whose fire units and sensors are removed.", "[jordan]"),
    "exclude_units": ({"type": "array", "items": {"type": "string"}},
                      "With extends: names of fire units or sensors to remove.", "[us-destroyers]"),
    "override_units": ({"type": "object", "additionalProperties": {"type": "object"}},
                       "With extends: fire unit or sensor name -> fields to change (mappings merge, e.g. "
                       "patrol: {radius_km: 200}); name cannot change.", "{arrow3-central: {magazine: 8, channels: 2}}"),
}

#: The ``gazetteer`` key of a sites entry (read by the scenario reader, not a field of the Site model).
GAZETTEER_DOC = ("Gazetteer key this site takes its position, kind and radius from (the other fields given override "
                 "them); an entry with neither lat nor lon and no gazetteer key is the gazetteer site of its own name.",
                 "bandar-abbas")

_UNITS = (("_km", "km"), ("_min", "min"), ("_deg", "deg"), ("_per_day", "per day"), ("_usd", "US$"), ("_s", "s"),
          ("_m", "m"))


def unit_of(field: str) -> str:
    """The unit a field's name gives (``radius_km`` -> ``km``; ``lat``, ``lon`` -> ``deg``), else ``""``."""
    if field in ("lat", "lon"):
        return "deg"
    for suffix, unit in _UNITS:
        if field.endswith(suffix):
            return unit
    return ""


# ------------------------------------------------------------------------------ schemas
def _model(kind: str) -> type[BaseModel]:
    import importlib

    if kind not in SCHEMA_KINDS:
        raise KeyError(f"unknown schema {kind!r}; use one of {', '.join(SCHEMA_KINDS)}")
    mod, _, name = SCHEMA_KINDS[kind][0].partition(":")
    return getattr(importlib.import_module(mod), name)


def _models_in(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``model``'s fields, by class name (the ``$defs`` keys)."""
    out: dict[str, type[BaseModel]] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in out:
                return
            out[tp.__name__] = tp
            for f in tp.model_fields.values():
                visit(f.annotation)
            return
        for a in typing.get_args(tp):
            visit(a)

    visit(model)
    return out


_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _fix_bounds(node: Any) -> None:
    """pydantic writes ``ge``/``gt`` for bounds it cannot place (after a validator); use the JSON Schema words."""
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for k, std in _BOUNDS.items():
                if k in node and std not in node:
                    node[std] = node.pop(k)
        for v in node.values():
            _fix_bounds(v)
    elif isinstance(node, list):
        for v in node:
            _fix_bounds(v)


def _document(schema: dict, models: dict[str, type[BaseModel]], root: str) -> None:
    """Descriptions, examples and factory defaults of every property (see the module notes)."""
    for name, model in models.items():
        node = schema if name == root else schema.get("$defs", {}).get(name)
        if node is None:
            continue
        for field, info in model.model_fields.items():
            key = info.alias or field
            prop = node.get("properties", {}).get(key)
            if prop is None:
                continue
            doc = FIELD_DOCS.get((name, field))
            if doc is None and name == "Site":
                doc = FIELD_DOCS.get(("Point", field))
            if "description" not in prop and (info.description or doc):
                prop["description"] = info.description or (doc[0] if doc else "")
            if "examples" not in prop and doc is not None:
                prop["examples"] = [_yaml_value(doc[1])]
            unit = unit_of(field)
            if unit and "x-unit" not in prop:
                prop["x-unit"] = unit
            if info.default_factory is not None and "default" not in prop:
                prop["default"] = json.loads(json.dumps(_dump(info.get_default(call_default_factory=True))))


def _dump(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json", exclude_defaults=True)
    return v


def _yaml_value(text: str) -> Any:
    from ..yamlio import parse_yaml

    return parse_yaml(f"x: {text}", "<example>")["x"]


def json_schema(kind: str) -> dict:
    """The JSON Schema of one input file kind (see :data:`SCHEMA_KINDS`).

    Parameters
    ----------
    kind : {"scenario", "campaign", "events", "moves", "sweep"}

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12) with ``$id`` and ``title``; the same
        document every time (the shipped ``data/schemas/KIND.json``).
    """
    model = _model(kind)
    schema = copy.deepcopy(model.model_json_schema())
    _document(schema, _models_in(model), model.__name__)
    if kind == "scenario":
        props = schema["properties"]
        for key, (sub, desc, example) in FILE_KEYS.items():
            props[key] = {**sub, "description": desc, "examples": [_yaml_value(example)]}
        required = schema.pop("required", [])
        schema["anyOf"] = [{"required": ["extends"]}, {"required": required}]
        site = schema["$defs"]["Site"]       # a site without lat and lon is a gazetteer site (docs/gazetteer.md)
        site["required"] = [r for r in site.get("required", []) if r not in ("lat", "lon")]
        if not site["required"]:
            del site["required"]
        site["properties"]["gazetteer"] = {"type": "string", "minLength": 1, "description": GAZETTEER_DOC[0],
                                           "examples": [GAZETTEER_DOC[1]]}
    _fix_bounds(schema)
    _, title, what = SCHEMA_KINDS[kind]
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id(kind), "title": title,
            "description": what + ("\n\n" + schema["description"] if schema.get("description") else "")}
    schema.pop("title", None)
    schema.pop("description", None)
    return {**head, **schema}


def schema_text(kind: str) -> str:
    """:func:`json_schema` as the text ``redline schema KIND`` prints (and the shipped file holds)."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------ the reference
_SCENARIO_ORDER = ("Scenario", "Site", "Point", "SensorPlacement", "FireUnit", "Patrol", "Salvo", "Doctrine",
                   "Campaign", "MissileStock", "Resupply", "Adapt", "Conserve", "Plan")


def _type_text(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})" if name in defs else name
    if "anyOf" in prop:
        parts = [p for p in prop["anyOf"] if p.get("type") != "null"]
        txt = " or ".join(_type_text(p, defs) for p in parts)
        return txt + (" or null" if len(parts) < len(prop["anyOf"]) else "")
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    t = prop.get("type")
    if t == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type_text(p, defs) for p in prop["prefixItems"]) + "]"
        return "list of " + _type_text(prop.get("items", {}), defs)
    if t == "object":
        extra = prop.get("additionalProperties")
        return "mapping name → " + _type_text(extra, defs) if isinstance(extra, dict) and extra else "mapping"
    names = {"string": "text", "number": "number", "integer": "whole number", "boolean": "true/false"}
    txt = names.get(str(t), str(t or "any"))
    lo = prop.get("minimum", prop.get("exclusiveMinimum"))
    hi = prop.get("maximum", prop.get("exclusiveMaximum"))
    if lo is not None or hi is not None:
        lo_s = "" if lo is None else (f"> {lo:g}" if "exclusiveMinimum" in prop else f"≥ {lo:g}")
        hi_s = "" if hi is None else (f"< {hi:g}" if "exclusiveMaximum" in prop else f"≤ {hi:g}")
        txt += " " + ", ".join(s for s in (lo_s, hi_s) if s)
    return txt


def _flow(v: Any) -> str:
    """A value in YAML flow style, as a scenario file would write it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return f"{v:.1f}"
    if isinstance(v, (int, float)):
        return f"{v:g}" if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return json.dumps(v) if (not v or any(c in v for c in ":#{}[],\"'") or v.strip() != v) else v
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return str(v)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(node: dict, defs: dict, required: set[str]) -> list[str]:
    rows = ["| field | type | unit | default | meaning | example |", "|---|---|---|---|---|---|"]
    for key, prop in node.get("properties", {}).items():
        unit = prop.get("x-unit", "")
        if key in required:
            default = "**required**"
        elif prop.get("default") == {} and "$ref" in prop:
            default = "its fields' defaults"
        elif "default" in prop:
            default = f"`{_flow(prop['default'])}`"
        else:
            default = "(unset)"
        ex = prop.get("examples") or [""]
        example = f"`{key}: {_flow(ex[0])}`" if ex[0] != "" else ""
        rows.append("| " + " | ".join(_cell(c) for c in (f"`{key}`", _type_text(prop, defs), unit, default,
                                                           prop.get("description", ""), example)) + " |")
    return rows


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n")[0].replace("\n", " ").replace("``", "`")


def field_reference() -> str:
    """The generated part of docs/scenarios.md: one table per model of the scenario file."""
    schema = json_schema("scenario")
    defs = schema.get("$defs", {})
    out: list[str] = []
    for name in _SCENARIO_ORDER:
        if name == "Scenario":
            node = schema
            req = set(schema["anyOf"][1]["required"])
            title = "Scenario (the top level of the file)"
            about = ("Required unless the file gives `extends` (then it edits the scenario it names and may "
                     "give any of these keys; `exclude_owners`, `exclude_units` and `override_units` only go "
                     "with `extends`).")
        elif name in defs:
            node = defs[name]
            req = set(node.get("required", []))
            title = name
            about = _first_paragraph(node.get("description", ""))
        else:
            continue
        out += [f"### {title}", "", about, ""] if about else [f"### {title}", ""]
        out += _table(node, defs, req)
        out.append("")
    rest = sorted(set(defs) - set(_SCENARIO_ORDER))
    for name in rest:  # models added later land here, still documented
        node = defs[name]
        out += [f"### {name}", "", _first_paragraph(node.get("description", "")), ""]
        out += _table(node, defs, set(node.get("required", [])))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


MARKER = "<!-- FIELD REFERENCE (generated) -->"


def render_reference(template: str) -> str:
    """docs/scenarios.md: ``template`` (docs/scenarios.in.md) with :data:`MARKER` replaced by the field tables."""
    if MARKER not in template:
        raise ValueError(f"the template has no {MARKER} line")
    head = ("<!-- Generated by scripts/gen_scenario_docs.py from docs/scenarios.in.md and the scenario schema; "
            "edit those, not this file. -->\n\n")
    return head + template.replace(MARKER, field_reference().rstrip())

