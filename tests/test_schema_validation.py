"""Every field of every input file is validated: one InputError line naming the file, the field and the fix.

One parametrised case per class of malformed input that issue 13's fuzzing found
(infinite or NaN numbers, malformed ``exclude_owners``, empty names, counts that
hang or overflow, over-long ``extends`` names, empty raids, campaign and design
sizes that exhaust memory, Morris levels of 1, Pk ranges outside [0, 1]), each a
minimal bad file. Caps are checked while the file is validated: the cap tests
replace the engine entry points with a function that fails the test if reached.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

import redline
from redline import limits
from redline.calibration.events import builtin_events, load_event, parse_events
from redline.campaign.io import load_campaign, parse_campaign
from redline.catalog import load_catalog
from redline.errors import InputError
from redline.escalation.io import load_game, load_history, load_levers, load_states, parse_game, parse_moves, read_moves
from redline.scenario.io import builtin_scenarios, load_scenario, parse_scenario, read_scenario
from redline.sweep.spec import builtin_sweeps, load_sweep_spec, parse_sweep_spec
from tests.conftest import one_layer_yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "redline" / "data"
INF, NAN = float("inf"), float("nan")


def _set(doc, path: str, value):
    """``doc`` with the value at a dotted path (``raid.0.count``) replaced; ``DEL`` removes it."""
    doc = copy.deepcopy(doc)
    node = doc
    keys = [int(k) if k.lstrip("-").isdigit() else k for k in path.split(".")]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return doc


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _expect(call, file: str, field: str, fix: str) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    msg = str(info.value)
    assert "\n" not in msg, msg
    assert msg.startswith(f"{file}: "), msg
    assert info.value.field == field, msg
    assert fix in msg, msg
    return info.value


@pytest.fixture
def no_engine(monkeypatch):
    """Fail the test if any engine entry point is reached (the error must come from validation)."""
    def reached(*a, **k):
        raise AssertionError("the engine was reached: the input should have been refused while it was validated")

    import redline.api
    import redline.campaign.runner
    import redline.campaign.stocks
    import redline.sweep.design

    for mod, name in [(redline.api, "compile_scenario"), (redline.api, "run_compiled"),
                      (redline.campaign.runner, "compile_scenario"), (redline.campaign.runner, "run_compiled"),
                      (redline.campaign.runner, "plan_waves"), (redline.campaign.runner, "stock_groups"),
                      (redline.campaign.stocks, "plan_waves"), (redline.sweep.design, "design_matrix")]:
        monkeypatch.setattr(mod, name, reached)


# ------------------------------------------------------------------------------ scenarios
GOOD = yaml.safe_load(one_layer_yaml())

SCENARIO = {
    # infinite or NaN values in radius_km, aim weights, launch windows, reaction times
    "radius-inf": ("sites.target.radius_km", INF, "sites.target.radius_km", "finite number"),
    "radius-nan": ("sites.target.radius_km", NAN, "sites.target.radius_km", "finite number"),
    "radius-zero": ("sites.target.radius_km", 0, "sites.target.radius_km", "greater than 0"),
    "radius-beyond-earth": ("sites.target.radius_km", 1e12, "sites.target.radius_km", "MAX_RADIUS_KM"),
    "aim-inf": ("raid.0.aim.target", INF, "raid[0].aim.target", "finite number"),
    "aim-nan": ("raid.0.aim.target", NAN, "raid[0].aim.target", "finite number"),
    "window-inf": ("raid.0.window_min", [0, INF], "raid[0].window_min[1]", "finite number"),
    "window-nan": ("raid.0.window_min", [NAN, 5], "raid[0].window_min[0]", "finite number"),
    "window-reversed": ("raid.0.window_min", [10, 5], "raid[0]", "end >= start"),
    "window-beyond-a-week": ("raid.0.window_min", [0, 1e9], "raid[0].window_min[1]", "MAX_WINDOW_MIN"),
    "reaction-inf": ("fire_units.0.reaction_s", INF, "fire_units[0].reaction_s", "finite number"),
    "reaction-nan": ("fire_units.0.reaction_s", NAN, "fire_units[0].reaction_s", "finite number"),
    "look-inf": ("doctrine.look_s", INF, "doctrine.look_s", "finite number"),
    "lat-nan": ("sites.battery.lat", NAN, "sites.battery.lat", "finite number"),
    # empty names
    "empty-name": ("name", "", "name", "must not be empty"),
    "empty-owner": ("fire_units.0.owner", "", "fire_units[0].owner", "must not be empty"),
    "empty-launch": ("raid.0.launch", "", "raid[0].launch", "must not be empty"),
    # counts that hang in a Python loop or overflow
    "salvo-1e7": ("raid.0.count", 10**7, "raid[0].count", "MAX_SALVO_COUNT"),
    "salvo-1e9": ("raid.0.count", 10**9, "raid[0].count", "MAX_SALVO_COUNT"),
    "salvo-10**30": ("raid.0.count", 10**30, "raid[0].count", "integer too large"),   # the reader's int64 rule comes first
    "salvo-float-1e30": ("raid.0.count", 1e30, "raid[0].count", "far too large"),
    "salvo-fraction": ("raid.0.count", 2.5, "raid[0].count", "whole number"),
    "salvo-bool": ("raid.0.count", True, "raid[0].count", "not a count"),
    "raid-total": ("raid", [dict(GOOD["raid"][0], count=60_000)] * 2, "raid", "MAX_RAID_THREATS"),
    "magazine-huge": ("fire_units.0.magazine", 10**12, "fire_units[0].magazine", "MAX_MAGAZINE"),
    "channels-huge": ("fire_units.0.channels", 10**9, "fire_units[0].channels", "MAX_CHANNELS"),
    "shots-huge": ("doctrine.shots", {"exo": 10**9}, "doctrine.shots.exo", "MAX_SHOTS"),
    "engagements-huge": ("doctrine.max_engagements", 10**9, "doctrine.max_engagements", "MAX_SHOTS"),
    "trials-huge": ("trials", 10**12, "trials", "MAX_TRIALS"),
    "seed-overflow": ("seed", 2**70, "seed", "integer too large"),                     # likewise
    # raid: [] (was a stack error with no file or field)
    "raid-empty": ("raid", [], "raid", "at least one salvo"),
    "raid-null": ("raid", None, "raid", "at least one salvo"),
}


@pytest.mark.parametrize("case", sorted(SCENARIO))
def test_bad_scenario_field_is_one_input_error(tmp_path, no_engine, case):
    path, value, field, fix = SCENARIO[case]
    p = tmp_path / "bad.yaml"
    p.write_text(_dump(_set(GOOD, path, value)))
    _expect(lambda: redline.run(str(p), trials=1), str(p), field, fix)


def test_fighter_rounds_stay_within_the_magazine_cap():
    # aircraft x missiles_each cannot pass the magazine cap: the two caps multiply to it
    assert limits.MAX_AIRCRAFT * limits.MAX_MISSILES_EACH <= limits.MAX_MAGAZINE


# ------------------------------------------------------------------------------ extends and exclude_owners
OWNERS = "owners are: france, israel, jordan, united-kingdom, united-states"
VARIANT = {
    "exclude-true": ("extends: april-2024\nexclude_owners: true\n", "exclude_owners", "give a list of nations"),
    "exclude-string": ("extends: april-2024\nexclude_owners: jordan\n", "exclude_owners", "give a list of nations"),
    "exclude-unknown": ("extends: april-2024\nexclude_owners: [jordan, mars]\n", "exclude_owners[1]", OWNERS),
    "exclude-nested": ("extends: april-2024\nexclude_owners: [[jordan]]\n", "exclude_owners[0]", OWNERS),
    "exclude-substring": ("extends: april-2024\nexclude_owners: [jord]\n", "exclude_owners[0]", OWNERS),
    "exclude-without-extends": (one_layer_yaml() + "exclude_owners: [israel]\n", "exclude_owners", "add extends"),
    "extends-too-long": ("extends: " + "x" * 300 + "\n", "extends", "not a usable file name"),
    "extends-too-long-path": ("extends: " + "d/" * 3 + "x" * 300 + ".yaml\n", "extends", "not a usable file name"),
    "extends-bool": ("extends: true\n", "extends", "give a built-in scenario name"),
    "extends-empty": ("extends: ''\n", "extends", "give a built-in scenario name"),
    "extends-missing": ("extends: april-2025\n", "extends", "no such built-in scenario or file"),
}


@pytest.mark.parametrize("case", sorted(VARIANT))
def test_bad_variant_is_one_input_error(tmp_path, case):
    text, field, fix = VARIANT[case]
    p = tmp_path / "variant.yaml"
    p.write_text(text)
    _expect(lambda: read_scenario(p), str(p), field, fix)


def test_exclude_owners_still_excludes_and_accepts_an_empty_list():
    sc = parse_scenario("extends: april-2024\nexclude_owners: [jordan, france]\n")
    assert {u.owner for u in sc.fire_units} == {"israel", "united-states", "united-kingdom"}
    assert parse_scenario("extends: april-2024\nexclude_owners: []\n") == load_scenario("april-2024")


# ------------------------------------------------------------------------------ campaigns
CAMP = {"days": 12, "waves_per_day": 2, "missile_stocks": {"shahed-136": {"initial": 1500, "production_per_day": 20}},
        "depot": {"israel": {"arrow-3": 48}}, "production_per_day": {"israel": {"arrow-3": 0.5}},
        "resupply": [{"day": 6, "owner": "united-states", "type": "sm-3", "rounds": 16}]}
CAMPAIGN = {
    "days-huge": ("days", 10**9, "campaign.days", "MAX_CAMPAIGN_DAYS"),
    "waves-huge": ("waves_per_day", 10**9, "campaign.waves_per_day", "MAX_WAVES_PER_DAY"),
    "days-x-waves": ("*", {"days": 1000, "waves_per_day": 100}, "campaign", "MAX_CAMPAIGN_WAVES"),
    "depot-huge": ("depot.israel.arrow-3", 10**12, "campaign.depot.israel.arrow-3", "MAX_STOCK"),
    "depot-nan": ("depot.israel.arrow-3", NAN, "campaign.depot.israel.arrow-3", "finite number"),
    "stock-huge": ("missile_stocks.shahed-136.initial", 10**15, "campaign.missile_stocks.shahed-136.initial", "MAX_STOCK"),
    "production-huge": ("production_per_day.israel.arrow-3", 1e12, "campaign.production_per_day.israel.arrow-3",
                        "MAX_PRODUCTION_PER_DAY"),
    "production-inf": ("production_per_day.israel.arrow-3", INF, "campaign.production_per_day.israel.arrow-3",
                       "finite number"),
    "resupply-huge": ("resupply.0.rounds", 10**12, "campaign.resupply[0].rounds", "MAX_STOCK"),
    "wave-scale-inf": ("wave_scale", INF, "campaign.wave_scale", "finite number"),
    "wave-scale-huge": ("wave_scale", 1e6, "campaign.wave_scale", "MAX_RAID_THREATS"),
    "day-scale-nan": ("day_scale", [NAN] * 12, "campaign.day_scale[0]", "finite number"),
    "attrition-nan": ("launcher_attrition_per_day", NAN, "campaign.launcher_attrition_per_day", "finite number"),
}


@pytest.mark.parametrize("case", sorted(CAMPAIGN))
def test_bad_campaign_block_is_one_input_error(tmp_path, no_engine, case):
    path, value, field, fix = CAMPAIGN[case]
    block = {**CAMP, **value} if path == "*" else _set(CAMP, path, value)
    p = tmp_path / "camp.yaml"
    p.write_text(_dump({"extends": "april-2024", "name": "c", "campaign": block}))
    _expect(lambda: load_campaign(str(p)), str(p), field, fix)


def test_campaign_totals_over_the_campaign_are_capped(tmp_path):
    block = dict(CAMP, days=5000, waves_per_day=1, production_per_day={"israel": {"arrow-3": 100_000}})
    p = tmp_path / "camp.yaml"
    p.write_text(_dump({"extends": "april-2024", "name": "c", "campaign": block}))
    _expect(lambda: load_campaign(str(p)), str(p), "campaign", "arrow-3 of israel over the campaign")


def test_campaign_block_must_be_a_mapping(tmp_path):
    p = tmp_path / "camp.yaml"
    p.write_text("extends: april-2024\ncampaign: true\n")
    _expect(lambda: load_campaign(str(p)), str(p), "campaign", "mapping")


def test_campaign_block_read_as_a_scenario_checks_wave_sizes_too(tmp_path):
    p = tmp_path / "camp.yaml"
    p.write_text(_dump({"extends": "april-2024", "name": "c", "campaign": dict(CAMP, wave_scale=1e6)}))
    _expect(lambda: read_scenario(p), str(p), "campaign.wave_scale", "MAX_RAID_THREATS")  # the field, as the campaign reader names it


# ------------------------------------------------------------------------------ sweeps
MORRIS = yaml.safe_load((DATA / "sweeps" / "april-2024-pk-morris.yaml").read_text())
SWEEP = {
    "morris-levels-1": ("design", {"method": "morris", "n": 8, "levels": 1}, "design", "levels >= 2"),
    "levels-huge": ("design", {"method": "morris", "n": 8, "levels": 10**9}, "design.levels", "MAX_LEVELS"),
    "n-huge": ("design", {"method": "sobol", "n": 10**9}, "design.n", "MAX_DESIGN_POINTS"),
    "sobol-points": ("design", {"method": "sobol", "n": 50_000}, "parameters", "MAX_DESIGN_POINTS"),
    "range-inf": ("parameters.0.range", [0.5, INF], "parameters[0].range[1]", "finite number"),
    "range-nan": ("parameters.0.range", [NAN, 0.9], "parameters[0].range[0]", "finite number"),
    "pk-range-outside-0-1": ("parameters.0.range", [-1, 2], "parameters[0]", "probability in [0, 1]"),
    "trials-huge": ("trials", 10**12, "trials", "MAX_TRIALS"),
    "retries-huge": ("retries", 10**12, "retries", "MAX_RETRIES"),
}


@pytest.mark.parametrize("case", sorted(SWEEP))
def test_bad_sweep_is_one_input_error(no_engine, case):
    path, value, field, fix = SWEEP[case]
    _expect(lambda: parse_sweep_spec(_dump(_set(MORRIS, path, value)), "w.yaml"), "w.yaml", field, fix)


def test_grid_design_size_is_counted_before_it_is_built(no_engine):
    spec = {"name": "g", "scenario": "april-2024", "design": {"method": "grid"}, "outputs": ["by_class.drone.leaked"],
            "parameters": [{"name": f"scenario.fire_units[{i}].magazine", "values": list(range(1, 11))} for i in range(10)]}
    _expect(lambda: parse_sweep_spec(_dump(spec), "g.yaml"), "g.yaml", "parameters", "10,000,000,000")
    empty = _set(spec, "parameters", [{"name": "scenario.trials", "values": []}])
    _expect(lambda: parse_sweep_spec(_dump(empty), "g.yaml"), "g.yaml", "parameters[0].values", "at least 1")


# ------------------------------------------------------------------------------ event files
EVENT = yaml.safe_load((DATA / "events" / "april-2024.yaml").read_text())
EVENTS = {
    "value-inf": ("observations.0.value", INF, "observations[0].value", "finite number"),
    "value-nan": ("observations.0.value", NAN, "observations[0].value", "finite number"),
    "range-inf": ("observations.0.range", [0, INF], "observations[0].range[1]", "finite number"),
    "sd-nan": ("observations.0.sd", NAN, "observations[0].sd", "finite number"),
    "empty-name": ("name", "", "name", "must not be empty"),
}


@pytest.mark.parametrize("case", sorted(EVENTS))
def test_bad_event_file_is_one_input_error(case):
    path, value, field, fix = EVENTS[case]
    _expect(lambda: parse_events(_dump(_set(EVENT, path, value)), "e.yaml"), "e.yaml", field, fix)


# ------------------------------------------------------------------------------ catalogs
def _catalog_case(tmp_path, table, entry, path, value):
    raw = yaml.safe_load((DATA / "catalog" / f"{table}.yaml").read_text())
    p = tmp_path / "cat.yaml"
    p.write_text(_dump({table: {entry: _set(raw[table][entry], path, value)}}))
    return p


CATALOG = {
    "pk-range": ("interceptors", "arrow-3", "pk.ballistic.range", [-1, 2], "interceptors.arrow-3.pk", "[0, 1]"),
    "pk-value": ("interceptors", "arrow-3", "pk.drone", {"value": 1.5, "confidence": "E", "source": "[x]"},
                 "interceptors.arrow-3.pk", "[0, 1]"),
    "pk-inf": ("interceptors", "arrow-3", "pk.cruise.value", INF, "interceptors.arrow-3.pk.cruise.value", "finite"),
    "min-above-max": ("interceptors", "arrow-3", "min_range_km", {"value": 5000, "confidence": "E", "source": "[x]"},
                      "interceptors.arrow-3", "swap them"),
    "reliability": ("threats", "emad", "reliability", {"value": 1.2, "range": [1.0, 1.5], "confidence": "E", "source": "[x]"},
                    "threats.emad.reliability", "[0, 1]"),
    "negative-range": ("threats", "emad", "range_km", {"value": -5, "confidence": "E", "source": "[x]"},
                       "threats.emad.range_km", "above 0"),
    "pd": ("sensors", "green-pine", "pd", {"value": 0.9, "range": [0.5, 1.2], "confidence": "E", "source": "[x]"},
           "sensors.green-pine.pd", "[0, 1]"),
}


@pytest.mark.parametrize("case", sorted(CATALOG))
def test_bad_catalog_entry_is_one_input_error(tmp_path, case):
    table, entry, path, value, field, fix = CATALOG[case]
    p = _catalog_case(tmp_path, table, entry, path, value)
    _expect(lambda: load_catalog(p), str(p), field, fix)


# ------------------------------------------------------------------------------ escalation files
def test_game_and_moves_refuse_infinite_numbers():
    game = yaml.safe_load((DATA / "escalation" / "game.yaml").read_text())
    actor = next(iter(game["actors"]))
    _expect(lambda: parse_game(_dump(_set(game, f"actors.{actor}.resolve", INF)), "g.yaml"), "g.yaml",
            f"actors.{actor}.resolve", "finite number")
    moves = yaml.safe_load((DATA / "escalation" / "history.yaml").read_text())
    if moves.get("start", {}).get("levers"):
        lever = next(iter(moves["start"]["levers"]))
        _expect(lambda: parse_moves(_dump(_set(moves, f"start.levers.{lever}", NAN)), None, "m.yaml"), "m.yaml",
                f"start.levers.{lever}", "finite number")
    row = next(i for i, m in enumerate(moves["moves"]) if "context" not in m)
    _expect(lambda: parse_moves(_dump(_set(moves, f"moves.{row}.rung", 10**6)), None, "m.yaml"), "m.yaml",
            f"moves[{row}].rung", "less than or equal to 8")


# ------------------------------------------------------------------------------ everything shipped still loads
def test_every_shipped_file_loads():
    for name in builtin_scenarios():
        assert load_scenario(name).raid
        load_campaign(name)
    assert load_catalog().interceptors
    for name in builtin_events():
        load_event(name)
    game = load_game()
    load_levers()
    load_states()
    assert load_history().moves and game.actors
    for name in builtin_sweeps():
        load_sweep_spec(name)
    for p in (ROOT / "examples").glob("*.yaml"):
        if p.name.startswith("moves-"):
            read_moves(p, extra_sources=load_history().sources)   # may cite the shipped history's keys, as backtest allows
        else:
            read_scenario(p)


def test_documented_caps_match_the_constants():
    doc = (ROOT / "docs" / "limits.md").read_text()
    rows = dict(re.findall(r"^\| `(MAX_[A-Z_]+)` \| ([^|]+) \|", doc, flags=re.M))
    assert set(rows) == set(limits.CAPS)
    for name, value in limits.CAPS.items():
        shown = rows[name].strip()
        assert (eval(shown) if "**" in shown else int(shown.replace(",", ""))) == value, name  # noqa: S307
        assert name in (limits.__doc__ or ""), name


def test_caps_are_ten_times_the_largest_shipped_case():
    sc = load_scenario("april-2024")
    _, camp = load_campaign("twelve-day-campaign")
    assert limits.MAX_SALVO_COUNT >= 10 * 1000 and limits.MAX_RAID_THREATS >= 10 * (550 + 1000)  # sourced cases
    assert limits.MAX_SALVO_COUNT >= 10 * max(s.count for s in sc.raid)
    assert limits.MAX_MAGAZINE >= 10 * max(u.rounds for u in sc.fire_units)
    assert limits.MAX_CAMPAIGN_DAYS >= 10 * camp.days and limits.MAX_WAVES_PER_DAY >= 10 * camp.waves_per_day
    assert limits.MAX_STOCK >= 10 * max(m.initial for m in camp.missile_stocks.values())
    assert limits.MAX_TRIALS >= 10 * sc.trials
    from redline.sweep.spec import design_size

    assert limits.MAX_DESIGN_POINTS >= 10 * max(design_size(s.design, s.parameters)
                                                for s in map(load_sweep_spec, builtin_sweeps())
                                                if hasattr(s, "design"))     # escalation specs: no design points


def test_a_thousand_rocket_barrage_still_validates():
    raid = [dict(GOOD["raid"][0], count=1000)]
    assert sum(s.count for s in parse_scenario(_dump(_set(GOOD, "raid", raid))).raid) == 1000


def test_run_trials_and_campaign_days_overrides_are_capped(no_engine):
    # The caps hold for the overrides too, not only for the fields of a file: redline.run(trials=...)
    # and `redline campaign --days` are checked before any work (no_engine fails the test if reached).
    from typer.testing import CliRunner

    from redline.cli.main import app
    from redline.limits import MAX_CAMPAIGN_DAYS, MAX_TRIALS

    with pytest.raises(InputError, match="trials"):
        redline.run("april-2024", trials=MAX_TRIALS + 1)
    r = CliRunner().invoke(app, ["campaign", "twelve-day-campaign", "--days", str(MAX_CAMPAIGN_DAYS + 1), "--no-store"])
    assert r.exit_code == 2 and "days" in r.output and "MAX_CAMPAIGN_DAYS" in r.output


def test_a_salvo_aimed_at_its_own_launch_area_is_refused_with_its_field(tmp_path):
    # it used to reach the ballistic profile and fail there as "range must be positive, got 0.0 m"
    bad = tmp_path / "self-aim.yaml"
    bad.write_text("extends: april-2024\nname: self-aim\nraid:\n"
                   "  - {threat: emad, count: 3, launch: kermanshah, window_min: [0, 5], aim: {kermanshah: 1}}\n")
    with pytest.raises(InputError, match=r"raid\[0\]\.aim\.kermanshah.*0 m long"):
        read_scenario(bad)


def test_sweep_parameter_names_are_printable_paths(tmp_path):
    # found by make fuzz: a name with control characters reached SALib and failed there with a KeyError
    text = (ROOT / "src/redline/data/sweeps/april-2024-pk-morris.yaml").read_text()
    spec = yaml.safe_load(text)
    spec["parameters"][0]["name"] = "\u202e\x00"
    with pytest.raises(InputError, match=r"parameters\[0\]\.name.*dotted path"):
        parse_sweep_spec(yaml.safe_dump(spec), "s.yaml")
