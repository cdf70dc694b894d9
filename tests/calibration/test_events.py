"""Event files: the shipped April 2024 file, and errors that name file, field, value and fix."""
import pytest
from typer.testing import CliRunner

from redline.calibration.events import builtin_events, event_scenario, load_event, parse_events, read_events
from redline.calibration.metrics import metric_sampler
from redline.cli.main import app
from redline.engagement.compile import compile_scenario
from redline.errors import InputError

runner = CliRunner()

GOOD = """
name: test
scenario: april-2024
observations:
  - metric: by_class.ballistic.impacted
    value: 8
    range: [7, 9]
"""


def test_april_2024_event_file_is_complete_and_resolves():
    le = load_event("april-2024")
    ev = le.event
    assert ev.scenario == "april-2024" and "april-2024" in builtin_events()
    metrics = {o.metric for o in ev.observations}
    # every usable figure of the reference notes, by kind
    for m in ("by_class.drone.launched", "by_class.cruise.launched", "by_class.ballistic.launched",
              "by_class.ballistic.failed", "by_class.ballistic.impacted", "by_class.drone.leaked",
              "by_class.cruise.leaked", "intercepts_detail.united-states.air_to_air.drone",
              "intercepts_detail.united-states.naval.ballistic", "intercepts_by_unit.erbil-patriot",
              "intercepts_detail.israel.air_to_air.cruise", "cost_usd.defender"):
        assert m in metrics, m
    assert all(o.source for o in ev.observations), "every observation names its sources"
    # every metric path names something in the scenario's output
    sc, cat = event_scenario(le)
    comp = compile_scenario(sc, cat)
    for i, o in enumerate(ev.observations):
        metric_sampler(comp, o.metric, le.file, f"observations[{i}].metric")
    # the defence-cost figure is not comparable one to one: scored, not fitted
    cost = next(o for o in ev.observations if o.metric == "cost_usd.defender")
    assert cost.fit is False and cost.range == (1.08e9, 1.35e9)


def test_reporting_error_scale_default():
    le = parse_events(GOOD)
    assert le.event.observations[0].error_sd == 1.0
    o = parse_events(GOOD.replace("value: 8", "value: 60").replace("[7, 9]", "[57, 65]")).event.observations[0]
    assert o.error_sd == 6.0


@pytest.mark.parametrize("text, field, words", [
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: by_class.ballistic.impacted\n    range: [1, 2]\n",
     "observations[0].value", "missing"),
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: by_class.ballistic.impacted\n    value: 8\n    range: [9, 12]\n",
     "observations[0]", "outside its range"),
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: by_class.ballistic.impacted\n    value: eight\n",
     "observations[0].value", "number"),
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: by_class.ballistic.impacted\n    value: 8\n    sauce: 1\n",
     "observations[0].sauce", "unknown field"),
    ("name: x\nscenario: april-2024\nobservations: []\n", "observations", "empty"),
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: impacted\n    value: 8\n",
     "observations[0].metric", "dotted path"),
    ("name: x\nscenario: april-2024\nobservations:\n  - metric: by_class.ballistic.impacted\n    value: 8\n    sd: 0\n",
     "observations[0].sd", "greater than 0"),
])
def test_schema_errors_name_the_field(text, field, words):
    with pytest.raises(InputError) as e:
        parse_events(text, "ev.yaml")
    assert e.value.file == "ev.yaml" and e.value.field == field
    assert words in str(e.value), str(e.value)


def test_malformed_yaml_names_the_line():
    with pytest.raises(InputError) as e:
        parse_events("name: x\nobservations:\n  - metric: [unclosed\n", "ev.yaml")
    assert "malformed YAML" in str(e.value) and e.value.field.startswith("line ")


def test_not_a_mapping():
    with pytest.raises(InputError, match="mapping with name, scenario and observations"):
        parse_events("- just\n- a list\n", "ev.yaml")


@pytest.mark.parametrize("metric, words", [
    ("by_class.ballistic.impactd", "choose one of: launched, failed, intercepted, leaked, impacted"),
    ("intercepts_by_nation.atlantis", "united-states"),
    ("intercepts_detail.united-kingdom.naval.drone", "air_to_air"),
    ("hits_by_site.tel-aviv", "nevatim"),
    ("intercepts_by_unit.erbil-patriot.ballistic", "has 2 parts"),
    ("cost_usd.defender.p95", "drop the trailing .p95"),
    ("leakers.ballistic", "choose one of: by_class"),
])
def test_unknown_metric_paths_list_the_choices(metric, words):
    le = parse_events(GOOD.replace("by_class.ballistic.impacted", metric), "ev.yaml")
    sc, cat = event_scenario(le)
    comp = compile_scenario(sc, cat)
    with pytest.raises(InputError) as e:
        metric_sampler(comp, metric, le.file, "observations[0].metric")
    assert e.value.field == "observations[0].metric" and words in str(e.value), str(e.value)


def test_trailing_mean_is_accepted():
    le = parse_events(GOOD.replace("by_class.ballistic.impacted", "by_class.ballistic.impacted.mean"))
    sc, cat = event_scenario(le)
    metric_sampler(compile_scenario(sc, cat), le.event.observations[0].metric)


def test_scenario_path_is_relative_to_the_event_file(tmp_path):
    from .conftest import TOY_SCENARIO

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "toy.yaml").write_text(TOY_SCENARIO)
    (tmp_path / "sub" / "ev.yaml").write_text(GOOD.replace("april-2024", "toy.yaml"))
    sc, _ = event_scenario(read_events(tmp_path / "sub" / "ev.yaml"))
    assert sc.name == "toy-ballistic"
    (tmp_path / "sub" / "ev2.yaml").write_text(GOOD.replace("april-2024", "nowhere.yaml"))
    with pytest.raises(InputError, match="no such built-in scenario or scenario file"):
        event_scenario(read_events(tmp_path / "sub" / "ev2.yaml"))


@pytest.mark.parametrize("body, words", [
    (GOOD.replace("by_class.ballistic.impacted", "by_class.ballistic.landed"), "unknown metric"),
    ("name: x\nscenario: [oops\n", "malformed YAML"),
    (GOOD.replace("    value: 8\n", ""), "required field is missing"),
])
def test_cli_reports_bad_event_files_in_one_line(tmp_path, body, words):
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    for cmd in (["validate", str(p), "--trials", "10", "--params", "prior"], ["calibrate", str(p), "--draws", "5", "--out", str(tmp_path / "o.json")]):
        r = runner.invoke(app, cmd)
        assert r.exit_code == 2, r.output
        assert words in r.output and str(p) in r.output
        assert "Traceback" not in r.output
    assert not (tmp_path / "o.json").exists()


def test_cli_missing_event_file(tmp_path):
    r = runner.invoke(app, ["validate", str(tmp_path / "none.yaml")])
    assert r.exit_code == 2 and "no such event file" in r.output


# --- session 4 fields: date, input, definition, tag, night, day --------------------------------

NEW = """
name: test
scenario: april-2024
date: 2024-04-13
observations:
  - {metric: by_class.ballistic.launched, value: 120, input: true, tag: D, definition: "launched"}
  - {metric: by_class.ballistic.impacted, value: 9, tag: W, definition: "landed on the bases"}
"""


def test_new_fields_load_with_their_defaults():
    import datetime as dt

    le = parse_events(NEW)
    a, b = le.event.observations
    assert le.date == dt.date(2024, 4, 13) and a.date == b.date == le.date
    assert a.input and not a.fitted and a.fit        # an input is never fitted, whatever `fit` says
    assert not b.input and b.fitted and b.tag == "W" and b.definition == "landed on the bases"
    # older files (no date, no new fields) stay valid
    old = parse_events(GOOD)
    o = old.event.observations[0]
    assert old.date is None and o.date is None and o.input is False and o.tag is None and o.day is None
    assert old.is_campaign is False


def test_a_night_dates_its_observation():
    import datetime as dt

    text = NEW.replace('definition: "landed on the bases"}', 'definition: "x", night: 2024-04-14, day: 2}')
    b = parse_events(text).event.observations[1]
    assert b.night == b.date == dt.date(2024, 4, 14) and b.day == 2


@pytest.mark.parametrize("old, new, field, words", [
    ("tag: W", "tag: X", "observations[1].tag", "W, S, E, C, D, assumption"),
    ("tag: W", "tag: w", "observations[1].tag", "confidence tags"),
    ("date: 2024-04-13", "date: 13 April 2024", "date", "YYYY-MM-DD"),
    ("input: true", "input: sometimes", "observations[0].input", "true or false"),
    ('definition: "launched"', 'definition: ""', "observations[0].definition", "must not be empty"),
    ('tag: W,', 'tag: W, day: 2,', "observations[1]", "both night"),
    ('tag: W,', 'tag: W, night: 2024-04-14,', "observations[1]", "both night"),
    ('tag: W,', 'tag: W, night: 2024-04-14, day: 0,', "observations[1].day", "at least 1"),
    ('tag: W,', 'tag: W, night: 2024-04-14, day: 1.5,', "observations[1].day", "whole number"),
    ('tag: W,', 'tag: W, night: 2024-04-12, day: 1,', "observations[1].night", "before the event's date"),
    ('tag: W,', 'tag: W, nite: 2024-04-14,', "observations[1].nite", "night, day"),
])
def test_new_field_errors_name_file_field_and_fix(old, new, field, words):
    text = NEW.replace(old, new, 1)
    assert text != NEW
    with pytest.raises(InputError) as e:
        parse_events(text, "ev.yaml")
    assert e.value.file == "ev.yaml" and e.value.field == field, str(e.value)
    assert words in str(e.value) and "\n" not in str(e.value), str(e.value)


@pytest.mark.parametrize("metric, words", [
    ("interceptors_used.arrow-3+arrow-2+arrow-3", "distinct choices"),
    ("interceptors_used.arrow-3+", "distinct choices"),
    ("cost_usd.defender+attacker", "cannot be summed"),
    ("intercepts_detail.united-states+israel.naval+air_to_air.ballistic", "only one part"),
    ("interceptors_used.arrow-3+thaad", "choose one of"),        # each summand is checked
    ("totals.by_class.ballistic.impacted", "for campaign events"),
])
def test_sums_and_campaign_paths_on_a_single_raid(metric, words):
    le = parse_events(GOOD.replace("by_class.ballistic.impacted", metric), "ev.yaml")
    sc, cat = event_scenario(le)
    with pytest.raises(InputError) as e:
        metric_sampler(compile_scenario(sc, cat), metric, le.file, "observations[0].metric")
    assert words in str(e.value), str(e.value)


def test_a_sum_is_the_sum_of_its_parts():
    from redline.engagement.runner import run_compiled

    le = load_event("april-2024")
    sc, cat = event_scenario(le)
    comp = compile_scenario(sc, cat)
    from redline.engagement.params import catalog_params

    raw = run_compiled(comp, catalog_params(cat), 50, 1)
    f = metric_sampler(comp, "interceptors_used.arrow-3+arrow-2")
    a, b = metric_sampler(comp, "interceptors_used.arrow-3"), metric_sampler(comp, "interceptors_used.arrow-2")
    assert (f(raw) == a(raw) + b(raw)).all() and f(raw).sum() > 0
