"""Magazine plans (redline.engagement.magazine_plan; docs/engagement-realism.md §6.6).

Authorities: the largest-remainder apportionment (closed forms), a two-unit raid with every
interceptor and threat perfect (Pk 1, reliability 1), where each section's kills are its rounds,
and the fast/reference agreement on the same seed.
"""
from __future__ import annotations

import numpy as np
import pytest

import redline
from redline.engagement.compile import compile_scenario
from redline.engagement.magazine_plan import apportion, planned_units
from redline.errors import InputError
from redline.scenario import parse_scenario
from redline.scenario.transforms import exclude_units
from tests.conftest import fixed_params


def _two_units(plan_a: str = "{drone: 0.75, cruise: 0.25}", plan_b: str = "{cruise: 1.0}", b_rounds: int = 3,
               campaign: str = "") -> str:
    """10 drones and 5 cruise missiles from Kermanshah on one target; Iron Dome A (8 rounds) at the target,
    Iron Dome B (3 rounds) 50 km up the threats' route."""
    return f"""
name: test-magazine-plan
sites:
  launch: {{lat: 34.31, lon: 47.07, kind: launch_area}}
  target: {{lat: 31.21, lon: 35.01, kind: air_base, radius_km: 50, value: 1}}
  battery: {{lat: 31.30, lon: 35.00}}
  forward: {{lat: 31.50, lon: 35.50}}
sensors:
  - {{name: mmr, type: elm-2084, owner: israel, site: battery}}
  - {{name: aew, type: aew, owner: israel, site: forward}}
fire_units:
  - {{name: a, kind: battery, type: iron-dome, owner: israel, site: battery, magazine: 8, channels: 8, reaction_s: 0,
     magazine_plan: {plan_a}}}
  - {{name: b, kind: battery, type: iron-dome, owner: israel, site: forward, magazine: {b_rounds}, channels: 4, reaction_s: 0,
     magazine_plan: {plan_b}}}
raid:
  - {{threat: paveh, count: 5, launch: launch, window_min: [0, 20], aim: {{target: 1}}}}
  - {{threat: shahed-136, count: 10, launch: launch, window_min: [0, 60], aim: {{target: 1}}}}
doctrine:
  shots: {{lower: 1}}
  shoot_look_shoot: false
  max_engagements: 1
  impact_prediction: []
  salvos_in_flight: 1
{campaign}
"""


def _run(sc, engine="fast", trials=40):
    return redline.run(sc, trials=trials, seed=3, params=fixed_params(sc, pk={"iron-dome": 1.0}), engine=engine)


def test_apportion_is_largest_remainder():
    assert apportion(32, {"cruise": 0.75, "drone": 0.25}) == {"drone": 8, "cruise": 24}
    # 10 x (0.45, 0.35, 0.2) = 4.5, 3.5, 2: floors 4, 3, 2 and the one left to the earlier class of equal remainder
    assert apportion(10, {"drone": 0.45, "cruise": 0.35, "ballistic": 0.2}) == {"drone": 5, "cruise": 3, "ballistic": 2}
    # 7 x 1/3 each = 2.33: one round left, to the first class in THREAT_CLASSES order
    assert apportion(7, {"ballistic": 1 / 3, "cruise": 1 / 3, "drone": 1 / 3}) == {"drone": 3, "cruise": 2, "ballistic": 2}
    for total in range(0, 40):
        assert sum(apportion(total, {"drone": 0.9, "cruise": 0.1}).values()) == total


def test_a_planned_unit_fights_as_one_section_per_class():
    sc = parse_scenario(_two_units(), file="<test>")
    units, parent, allowed = planned_units(sc)
    assert [u.name for u in units] == ["a/drone", "a/cruise", "b"]
    assert [u.rounds for u in units] == [6, 2, 3]
    assert [u.channels for u in units] == [6, 2, 4]
    assert parent == [0, 0, 1]
    assert allowed == [frozenset({"drone"}), frozenset({"cruise"}), frozenset({"cruise"})]
    c = compile_scenario(sc, redline.load_catalog())
    cls = c.th_class[c.ev_threat]
    assert set(cls[c.ev_unit == 0].tolist()) == {0} and set(cls[c.ev_unit == 1].tolist()) == {1}
    assert set(cls[c.ev_unit == 2].tolist()) == {1}
    # the planned scenario the run keeps (its sections, each assigned to its class) compiles to the same units
    again = compile_scenario(c.scenario, redline.load_catalog())
    assert again.unit_names == c.unit_names and (again.un_key == c.un_key).all()
    assert (again.ev_unit == c.ev_unit).all() and (again.ev_L == c.ev_L).all()


def test_saturated_sections_fire_at_their_last_opportunities():
    """Rounds fewer than one salvo for every threat in reach: each pair keeps its last max_engagements events."""
    sc = parse_scenario(_two_units(), file="<test>")
    cat = redline.load_catalog()
    c = compile_scenario(sc, cat)
    free = compile_scenario(sc.model_copy(update={"fire_units": tuple(
        u.model_copy(update={"magazine": 100}) for u in sc.fire_units)}), cat)   # enough for every threat: not late
    for k in range(c.n_units):
        pairs = c.ev_threat[c.ev_unit == k]
        assert np.bincount(pairs).max() == 1                          # max_engagements: 1
    for k in range(free.n_units):
        assert np.bincount(free.ev_threat[free.ev_unit == k]).max() > 1
    # the event kept is the pair's latest
    for k in range(c.n_units):
        for i in np.unique(c.ev_threat[c.ev_unit == k]):
            kept = c.ev_L[(c.ev_unit == k) & (c.ev_threat == i)]
            allL = free.ev_L[(free.ev_unit == k) & (free.ev_threat == i)]
            assert kept.max() == allL.max()


def test_each_section_kills_its_rounds_and_removing_a_unit_moves_no_round_across_classes():
    """Pk 1 and reliability 1. B (5 rounds, assigned to cruise missiles, one for each: not saturated) kills the
    5 cruise missiles first; A's drone section kills 6 drones, its cruise section (2 rounds, firing late) finds
    none left. Without B the drones lose nothing (4 impacts either way) and A's cruise section kills 2 of the 5
    (3 impacts). Without the plan, A's 8 rounds follow what B leaves: 8 drones killed with B, 3 without."""
    drone, cruise = 0, 1
    sc = parse_scenario(_two_units(b_rounds=5), file="<test>")
    full = _run(sc)
    assert (full.raw.unit_kills[:, 0, drone] == 6).all() and (full.raw.unit_kills[:, 1, cruise] == 0).all()
    assert (full.raw.unit_kills[:, 2, cruise] == 5).all()
    assert (full.raw.cls[:, drone, 4] == 4).all() and (full.raw.cls[:, cruise, 4] == 0).all()
    alone = _run(exclude_units(sc, ["b"]))
    assert (alone.raw.unit_kills[:, 0, drone] == 6).all() and (alone.raw.unit_kills[:, 1, cruise] == 2).all()
    assert (alone.raw.cls[:, drone, 4] == 4).all() and (alone.raw.cls[:, cruise, 4] == 3).all()
    free = sc.model_copy(update={"fire_units": (sc.fire_units[0].model_copy(update={"magazine_plan": None}),
                                                sc.fire_units[1])})
    f_full, f_alone = _run(free), _run(exclude_units(free, ["b"]))
    assert (f_full.raw.unit_kills[:, 0, drone] == 8).all() and (f_full.raw.cls[:, drone, 4] == 2).all()
    assert (f_alone.raw.unit_kills[:, 0] == [3, 5, 0, 0]).all() and (f_alone.raw.cls[:, drone, 4] == 7).all()


def test_a_planned_scenario_is_the_same_in_both_engines():
    sc = parse_scenario(_two_units(), file="<test>")
    fast, ref = _run(sc), _run(sc, engine="reference", trials=20)
    for f in ("cls", "unit_shots", "unit_kills", "fate", "killer"):
        np.testing.assert_array_equal(getattr(fast.raw, f)[:20], getattr(ref.raw, f), err_msg=f)
    np_fast = redline.run("april-2024-no-partners", trials=8, seed=2)
    np_ref = redline.run("april-2024-no-partners", trials=8, seed=2, engine="reference")
    for f in ("cls", "unit_shots", "unit_kills"):
        np.testing.assert_array_equal(getattr(np_fast.raw, f), getattr(np_ref.raw, f), err_msg=f)


@pytest.mark.parametrize("plan,fix", [("{drone: 0.5, cruise: 0.4}", "must sum to 1"),
                                      ("{drone: 1.5}", "less than or equal to 1")])
def test_a_bad_plan_is_refused_with_the_field(plan, fix):
    with pytest.raises(InputError, match=fix):
        parse_scenario(_two_units(plan_a=plan), file="<test>")


_CAMPAIGN = "campaign:\n  days: 2\n  waves_per_day: 1"


def test_a_plan_of_several_classes_in_a_campaign_is_refused_with_the_field():
    """A campaign keeps stocks per fire unit: a plan that would split a unit into sections is refused."""
    with pytest.raises(InputError, match=r"fire_units\[0\]\.magazine_plan"):
        parse_scenario(_two_units(campaign=_CAMPAIGN), file="<test>")
    text = (_two_units(plan_a="{drone: 1.0}", campaign=_CAMPAIGN).replace("     magazine_plan: {cruise: 1.0}}", "}")
            .replace("  salvos_in_flight: 1\n", "  salvos_in_flight: 1\n  magazine_plan: {israel: {iron-dome: {drone: 0.5, cruise: 0.5}}}\n"))
    with pytest.raises(InputError, match=r"doctrine\.magazine_plan\.israel\.iron-dome"):
        parse_scenario(text, file="<test>")


def test_a_one_class_plan_runs_in_a_campaign_with_the_units_own_stock():
    """Pk 1, reliability 1, no depot, two waves. Wave 1: A ({drone: 1}, 8 rounds against 10 drones, so it fires
    late) kills 8 drones, B ({cruise: 1}, 5 rounds) the 5 cruise missiles; wave 2: no round left, all 15 impact.
    The units stay whole (no sections) and each spends its own stock."""
    from redline.campaign import run_campaign
    from redline.campaign.runner import _compiled
    from redline.campaign.stocks import plan_waves

    sc = parse_scenario(_two_units(plan_a="{drone: 1.0}", b_rounds=5, campaign=_CAMPAIGN), file="<test>")
    cat = redline.load_catalog()
    params = fixed_params(sc, pk={"iron-dome": 1.0})
    r = run_campaign(sc, sc.campaign, trials=20, seed=3, params=params, keep_daily=True)
    drone, cruise = 0, 1
    day = r.trial_daily["cls"]
    assert (day[:, 0, drone, 4] == 2).all() and (day[:, 0, cruise, 4] == 0).all()
    assert (day[:, 1, drone, 4] == 10).all() and (day[:, 1, cruise, 4] == 5).all()
    assert (r.final_remaining == 0).all()
    # the campaign's wave compiles the units whole, A at its last chance on each drone
    comp, _ = _compiled({}, sc, cat, params, plan_waves(sc, sc.campaign, cat)[0][0])
    assert comp.unit_names == ["a", "b"]
    free = compile_scenario(sc.model_copy(update={"campaign": None, "fire_units": (
        sc.fire_units[0].model_copy(update={"magazine": 100}), sc.fire_units[1])}), cat)
    for i in np.unique(comp.ev_threat[comp.ev_unit == 0]):
        assert comp.ev_L[(comp.ev_unit == 0) & (comp.ev_threat == i)].max() == \
            free.ev_L[(free.ev_unit == 0) & (free.ev_threat == i)].max()
    assert (comp.ev_L[comp.ev_unit == 0].min() > free.ev_L[free.ev_unit == 0].min())


def test_a_doctrine_plan_names_a_known_owner_and_type():
    text = _two_units(plan_a="{drone: 1.0}") + "  magazine_plan: {nowhere: {iron-dome: {drone: 1.0}}}\n"
    with pytest.raises(InputError, match="doctrine.magazine_plan.nowhere"):
        parse_scenario(text, file="<test>")
    text = _two_units(plan_a="{drone: 1.0}") + "  magazine_plan: {israel: {no-such-type: {drone: 1.0}}}\n"
    with pytest.raises(InputError, match="doctrine.magazine_plan.israel.no-such-type"):
        parse_scenario(text, file="<test>")
