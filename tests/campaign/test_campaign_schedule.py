"""Campaign schedules, extends merging of campaign blocks, per-trial totals, and run refusing campaigns (issue 10)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import redline
from redline.campaign import load_campaign, parse_campaign, plan_waves, run_campaign
from redline.errors import InputError

# A posture with no defence at all: every threat that does not fail reaches its aim point.
UNDEFENDED = """
name: undefended
sites:
  shiraz:  {lat: 29.61, lon: 52.53, kind: launch_area, radius_km: 50}
  kermanshah: {lat: 34.31, lon: 47.07, kind: launch_area, radius_km: 50}
  nevatim: {lat: 31.21, lon: 35.01, kind: air_base, radius_km: 3, value: 10}
raid:
  - {name: bm-a, threat: emad,  count: 10, launch: shiraz, window_min: [0, 5], aim: {nevatim: 1}}
  - {name: bm-b, threat: ghadr, count: 30, launch: shiraz, window_min: [0, 5], aim: {nevatim: 1}}
  - {name: dr,   threat: shahed-136, count: 5, launch: kermanshah, window_min: [0, 5], aim: {nevatim: 1}}
trials: 100
seed: 1
campaign:
  days: 3
"""
SCHEDULE = """  schedule:
    - {day: 1, salvos: {bm-a: 7, 1: 3}}
    - {day: 2, classes: {ballistic: 60, drone: 10}}
"""


def _camp(extra: str = SCHEDULE, base: str = UNDEFENDED):
    return parse_campaign(base + extra, "s.yaml")


# ------------------------------------------------------------------------------ schedules
def test_schedule_gives_the_counts_of_each_wave():
    sc, camp = _camp()
    plans, _ = plan_waves(sc, camp)
    # day 1 by salvo (name and index); day 2 by class, shared 10:30 among the ballistic salvos; day 3 has no entry
    assert [p.counts for p in plans] == [(7, 3, 0), (15, 45, 10), (0, 0, 0)]


def test_undefended_schedule_launches_exactly_the_schedule_and_everything_lands_or_fails():
    """Closed form: with no defence, launched = schedule per day and class, intercepted = 0 and
    failed + leaked = launched in every trial."""
    sc, camp = _camp()
    res = run_campaign(sc, camp, trials=64, seed=3, params="prior", keep_daily=True)
    want = {1: {"ballistic": 10, "drone": 0}, 2: {"ballistic": 60, "drone": 10}, 3: {"ballistic": 0, "drone": 0}}
    for d, by in want.items():
        for c, n in by.items():
            assert (res.samples(f"{c}.launched", d) == n).all()
            assert (res.samples(f"{c}.intercepted", d) == 0).all()
            assert (res.samples(f"{c}.failed", d) + res.samples(f"{c}.leaked", d) == n).all()
    assert (res.samples("ballistic.launched") == 70).all() and (res.samples("drone.launched") == 10).all()


def test_attrition_wave_scale_and_stocks_still_apply_to_a_schedule():
    extra = """  launcher_attrition_per_day: 0.5
  wave_scale: 2.0
  missile_stocks: {ghadr: {initial: 40}}
  schedule:
    - {day: 1, salvos: {bm-a: 10, bm-b: 10}}
    - {day: 2, salvos: {bm-a: 10, bm-b: 30}}
    - {day: 3, salvos: {bm-a: 10, bm-b: 30}}
"""
    sc, camp = _camp(extra)
    plans, stocks = plan_waves(sc, camp)
    # x2 scale, x0.5 a day: bm-a 20, 10, 5; ghadr wants 20, 30, 15 but only 40 exist: 20, 20, 0
    assert [p.counts[:2] for p in plans] == [(20, 20), (10, 20), (5, 0)]
    assert [s["ghadr"] for s in stocks] == [20, 0, 0]


@pytest.mark.parametrize("entry, field", [
    ("{day: 4, salvos: {bm-a: 1}}", r"campaign\.schedule\[0\]\.day = 4: after the campaign's last day"),
    ("{day: 1, wave: 2, salvos: {bm-a: 1}}", r"campaign\.schedule\[0\]\.wave = 2"),
    ("{day: 1, salvos: {nope: 1}}", r"campaign\.schedule\[0\]\.salvos\.nope = 'nope': no salvo of the raid has this name"),
    ("{day: 1, salvos: {9: 1}}", r"campaign\.schedule\[0\]\.salvos\.9 = 9: the raid has 3 salvos"),
    ("{day: 1, salvos: {bm-a: -1}}", r"campaign\.schedule\[0\]\.salvos\.bm-a = -1: input should be greater than or equal to 0"),
    ("{day: 1, classes: {ballistic: -2}}", r"campaign\.schedule\[0\]\.classes\.ballistic = -2"),
    ("{day: 1, classes: {missiles: 2}}", r"campaign\.schedule\[0\]\.classes\.missiles = 'missiles': unknown threat class"),
    ("{day: 1, classes: {cruise: 2}}", r"campaign\.schedule\[0\]\.classes\.cruise = 2: the raid has no cruise salvo"),
    ("{day: 1, salvos: {bm-a: 1, 0: 2}}", r"campaign\.schedule\[0\]\.salvos\.0 = 0: salvo 0 is named twice"),
])
def test_bad_schedule_names_the_field_in_one_line(entry, field):
    with pytest.raises(InputError, match=r"^s\.yaml: " + field) as err:
        _camp(f"  schedule:\n    - {entry}\n")
    assert "\n" not in str(err.value)


def test_schedule_refuses_day_scale_and_duplicate_waves():
    with pytest.raises(InputError, match=r"campaign\.day_scale = .*either day_scale or schedule"):
        _camp("  day_scale: [1, 1, 1]\n  schedule: []\n")
    with pytest.raises(InputError, match=r"campaign\.schedule\[1\] = .*already given by schedule\[0\]"):
        _camp("  schedule:\n    - {day: 2}\n    - {day: 2, wave: 1}\n")


def test_wave_size_cap_counts_scheduled_waves():
    with pytest.raises(InputError, match="MAX_RAID_THREATS|threats in one wave"):
        _camp("  wave_scale: 100\n  schedule:\n    - {day: 1, classes: {ballistic: 90000}}\n")


# ------------------------------------------------------------------------------ extends merges campaign blocks
PARENT = UNDEFENDED + """  waves_per_day: 2
  launcher_attrition_per_day: 0.1
  missile_stocks: {emad: {initial: 100, production_per_day: 2}, ghadr: {initial: 50}}
  resupply: []
"""


def test_extends_merges_the_campaign_block_key_by_key(tmp_path):
    (tmp_path / "parent.yaml").write_text(PARENT)
    child = """extends: parent.yaml
name: child
campaign:
  days: 5
  missile_stocks: {emad: {initial: 40}, ghadr: null}
"""
    (tmp_path / "child.yaml").write_text(child)
    sc, camp = redline.campaign.read_campaign(tmp_path / "child.yaml")
    assert camp.days == 5                                   # child's value
    assert camp.waves_per_day == 2 and camp.launcher_attrition_per_day == 0.1   # parent's, kept
    assert set(camp.missile_stocks) == {"emad"}            # null removes the parent's key
    assert camp.missile_stocks["emad"].initial == 40        # mapping merged recursively ...
    assert camp.missile_stocks["emad"].production_per_day == 2.0   # ... keeping the parent's other keys
    assert sc.campaign is None and sc.name == "child"


def test_extends_replaces_lists_and_null_drops_the_block(tmp_path):
    (tmp_path / "parent.yaml").write_text(PARENT + SCHEDULE)
    (tmp_path / "a.yaml").write_text("extends: parent.yaml\nname: a\ncampaign:\n  schedule:\n    - {day: 3, salvos: {dr: 2}}\n")
    _, camp = redline.campaign.read_campaign(tmp_path / "a.yaml")
    assert [(e.day, dict(e.salvos)) for e in camp.schedule] == [(3, {"dr": 2})]
    assert camp.waves_per_day == 2
    (tmp_path / "b.yaml").write_text("extends: parent.yaml\nname: b\ncampaign: null\n")
    _, camp = redline.campaign.read_campaign(tmp_path / "b.yaml")
    assert camp == redline.campaign.Campaign()
    # a child with no block inherits the parent's whole block
    (tmp_path / "c.yaml").write_text("extends: parent.yaml\nname: c\n")
    _, camp = redline.campaign.read_campaign(tmp_path / "c.yaml")
    assert camp.waves_per_day == 2 and len(camp.schedule) == 2


def test_merged_block_is_checked_against_the_childs_raid(tmp_path):
    (tmp_path / "parent.yaml").write_text(PARENT + SCHEDULE)
    child = """extends: parent.yaml
name: child
raid:
  - {threat: emad, count: 10, launch: shiraz, window_min: [0, 5], aim: {nevatim: 1}}
campaign: {missile_stocks: {ghadr: null}}
"""
    (tmp_path / "child.yaml").write_text(child)
    with pytest.raises(InputError, match=r"campaign\.schedule\[0\]\.salvos\.bm-a"):
        redline.campaign.read_campaign(tmp_path / "child.yaml")


# ------------------------------------------------------------------------------ run never flies one wave of a campaign
def test_api_run_refuses_a_campaign_with_a_pointer():
    with pytest.raises(InputError, match=r"twelve-day-war-2025: campaign = '11 days x 1 wave\(s\) a day': .*"
                                         r"`redline campaign twelve-day-war-2025`"):
        redline.run("twelve-day-war-2025", trials=5)
    sc, _ = _camp()
    with pytest.raises(InputError, match="redline campaign"):
        redline.run(redline.load_scenario("twelve-day-campaign"), trials=5)
    # one wave only on purpose: drop the block explicitly
    one = redline.load_scenario("twelve-day-campaign").model_copy(update={"campaign": None})
    assert redline.run(one, trials=8, seed=1, params="prior").summary()["by_class"]["ballistic"]["launched"]["mean"] == 24


def test_cli_run_refuses_a_campaign_and_campaign_runs_it():
    from typer.testing import CliRunner

    from redline.cli.main import app

    out = CliRunner().invoke(app, ["run", "houthi-fire-2024", "--trials", "5", "--no-store"])
    assert out.exit_code == 2
    assert "redline campaign houthi-fire-2024" in out.output and "never one wave" in out.output
    out = CliRunner().invoke(app, ["campaign", "houthi-fire-2024", "--trials", "20", "--days", "2", "--params", "prior",
                                   "--json", "--no-store"])
    assert out.exit_code == 0, out.output
    s = json.loads(out.stdout)
    assert s["totals"]["launched"] == {"houthi-palestine-2": 0, "samad-3": 30} and "per_trial" not in s


# ------------------------------------------------------------------------------ per-trial totals
@pytest.fixture(scope="module")
def war_run():
    sc, camp = load_campaign("twelve-day-war-2025")
    camp = camp.model_copy(update={"days": 3, "schedule": camp.schedule[:3]})
    return run_campaign(sc, camp, trials=60, seed=2, params="prior", keep_daily=True)


def test_per_day_totals_add_up_to_the_campaign_totals(war_run):
    res = war_run
    d = res.trial_daily
    assert (d["cls"].sum(axis=1) == res.trial_totals["cls"]).all()
    assert (d["used_type"].sum(axis=1) == res.trial_totals["used_type"]).all()
    # rounds by type per trial agree with the stock accounting per (owner, type)
    for ti, t in enumerate(res.types):
        cols = [k for k, (_, tt) in enumerate(res.groups.keys) if tt == t]
        assert (res.used_total[:, cols].sum(axis=1) == res.trial_totals["used_type"][:, ti]).all()
    s = res.summary()
    for c in res.classes:
        for w in ("launched", "intercepted", "leaked", "impacted"):
            daily = sum(day["by_class"][c][w]["mean"] for day in s["daily"])
            assert s["totals"]["by_class"][c][w]["mean"] == pytest.approx(daily, abs=1e-4)
            st = s["totals"]["by_class"][c][w]
            assert st["p05"] <= st["p50"] <= st["p95"]
    assert s["totals"]["impacted"]["mean"] == pytest.approx(s["daily"][-1]["impacted_cumulative"]["mean"], abs=1e-6)
    assert s["totals"]["launched"] == {"shahed-136": 280, "kheibar-shekan": 124, "emad": 123, "ghadr": 123}
    for t in res.types:
        used = sum(day["interceptors_used_by_type"][t]["mean"] for day in s["daily"])
        assert s["totals"]["interceptors_used_by_type"][t]["mean"] == pytest.approx(used, abs=1e-4)


def test_per_trial_record_matches_the_arrays(war_run):
    res = war_run
    rec = res.record(per_trial=True)
    pt = rec.per_trial
    assert pt.trials == 60 and len(pt.daily) == 3
    assert pt.totals.by_class["ballistic"]["impacted"] == res.samples("ballistic.impacted").tolist()
    assert pt.daily[1].by_class["drone"]["intercepted"] == res.samples("drone.intercepted", 2).tolist()
    assert pt.daily[0].interceptors_used_by_type["thaad"] == res.samples("used_type.thaad", 1).tolist()
    json.dumps(res.summary(per_trial=True))
    # without keep_daily only the totals are per trial
    sc, camp = load_campaign("houthi-fire-2024")
    short = run_campaign(sc, camp.model_copy(update={"days": 1, "schedule": camp.schedule[:4]}), trials=10, seed=1,
                         params="prior")
    assert short.record(per_trial=True).per_trial.daily is None
    with pytest.raises(ValueError, match="keep_daily"):
        short.samples("drone.launched", 1)


# ------------------------------------------------------------------------------ the built-in campaigns
def test_twelve_day_war_replays_the_day_log():
    sc, camp = load_campaign("twelve-day-war-2025")
    plans, _ = plan_waves(sc, camp)
    bm = [i for i, s in enumerate(sc.raid) if s.threat != "shahed-136"]
    per_night = [sum(p.counts[i] for i in bm) for p in plans]
    assert per_night == [150, 120, 100, 15, 15, 30, 25, 30, 40, 5, 20] and sum(per_night) == 550
    drones = [p.counts[0] for p in plans]
    assert drones[0] == 100 and sum(drones) == 1000
    assert not sc.hypothetical and camp.days == 11


def test_houthi_fire_is_monthly_with_weekly_waves():
    sc, camp = load_campaign("houthi-fire-2024")
    plans, _ = plan_waves(sc, camp)
    month = lambda d, cls: sum(p.counts[i] for p in plans if p.day == d  # noqa: E731
                               for i, s in enumerate(sc.raid) if (s.threat == "houthi-palestine-2") == (cls == "ballistic"))
    assert [month(d, "ballistic") for d in range(1, 8)] == [0, 0, 3, 3, 3, 15, 6]
    assert [month(d, "drone") for d in range(1, 8)] == [15, 15, 15, 15, 15, 20, 5]
    assert camp.days == 7 and camp.waves_per_day == 4
