"""The 13-14 April 2024 night as reported (issue 10 item 5; docs/engagement-realism.md).

Arrival times are computed from the compiled scenario (launch time plus modelled
flight time, ``th_t0 + th_T``), so these tests check the data and the kinematics
together. Clock anchors, all Israel time (IDT):

* first sirens / first arrivals shortly before 02:00 [A51][A53] (also [A39]);
* drones expected over Israel between 02:00 and 04:00 [A21];
* cruise missile launches reported about an hour after 22:45 [A21];
* the all-clear at 03:30 [A52]; the night lasted "about 5 hours" [A08][A24].

Time zero (the first drone launch) is ~19:40 IDT, as april-2024's description says: the catalog's
drone speed needs ~7.2-7.5 h to the Negev. A first re-timing (~19:10, commit 9b73bb1) was reverted
because the calibration could not fit the reported kills (ESS 246 of 32,000): cruise missiles and
drones crossed Jordan together, and the Jordanian and French patrols, then on the cruise missiles'
straight route, spent their missiles on cruise missiles the IAF is reported to have downed (25 of
30 [A09]). With the partner patrols on the drone routes (docs/engagement-realism.md §3-4) a reduced
calibration fits again (``redline calibrate ... --draws 250 --seed 20240413``: pooled ESS 969,
12.1 %, tempering reaching 1; main's night 1,230, 15.4 %).
"""
from __future__ import annotations

import numpy as np
import pytest

from redline.engagement.compile import compile_scenario
from redline.scenario.io import load_scenario, scenario_catalog

T0_CLOCK_MIN = 19 * 60 + 40          # time zero as april-2024 states it: ~19:40 IDT (its description)


@pytest.fixture(scope="module")
def april():
    sc = load_scenario("april-2024")
    cat = scenario_catalog(sc)
    c = compile_scenario(sc, cat)
    arrive = (c.th_t0 + c.th_T) / 60.0                      # minutes after time zero
    klass = np.array([cat.threats[c.threat_types[t]].klass for t in c.th_type])
    launch = np.array([sc.raid[s].launch for s in c.th_salvo])
    iran = np.isin(launch, ["kermanshah", "shiraz"])
    return c, arrive, klass, iran


def _clock(minutes: float) -> float:
    """Minutes after midnight of 13-14 April (negative before midnight)."""
    return T0_CLOCK_MIN + minutes - 24 * 60


def test_median_ballistic_arrival_within_90_min_of_iranian_drones(april):
    """Issue 10 item 5: the raid converges as designed."""
    _, arrive, klass, iran = april
    bm = np.median(arrive[klass == "ballistic"])
    dr = np.median(arrive[(klass == "drone") & iran])
    assert abs(bm - dr) <= 90.0, (bm, dr)


def test_first_ballistic_arrivals_near_two_am(april):
    """First arrivals shortly before 02:00 [A51][A53]: the first modelled impact is 01:45-02:15."""
    _, arrive, klass, _ = april
    first = _clock(arrive[klass == "ballistic"].min())
    assert 105.0 <= first <= 135.0, first


def test_ballistic_arrivals_span_tens_of_minutes_not_hours(april):
    """Launch windows give a wave, not a trickle: all ballistic missiles land within 45 min."""
    _, arrive, klass, _ = april
    a = arrive[klass == "ballistic"]
    assert 10.0 <= a.max() - a.min() <= 45.0


def test_drones_from_iran_arrive_in_the_expected_window(april):
    """IDF: drones, if not shot down, over Israel between 02:00 and 04:00 [A21]. The modelled
    arrivals (catalog speed) may run 30 min either side of it, no more."""
    _, arrive, klass, iran = april
    a = np.array([_clock(x) for x in arrive[(klass == "drone") & iran]])
    assert a.min() >= 120.0 - 30.0 and a.max() <= 240.0 + 30.0, (a.min(), a.max())
    assert 120.0 <= np.median(a) <= 240.0


def test_cruise_missiles_arrive_before_or_with_the_ballistic_missiles(april):
    """Cruise launches ~23:45 [A21], ~2 h flight [A21]: over Israel before the ballistic wave ends."""
    _, arrive, klass, _ = april
    cm = arrive[klass == "cruise"]
    bm = arrive[klass == "ballistic"]
    assert cm.min() >= bm.min() - 60.0 and np.median(cm) <= np.median(bm)


def test_cruise_launch_about_an_hour_after_2245(april):
    """Cruise launches reported about an hour after 22:45 [A21]: first launch 23:15-00:15."""
    c, _, klass, _ = april
    first = _clock(c.th_t0[klass == "cruise"].min() / 60.0)
    assert -45.0 <= first <= 15.0, first


def test_first_drones_left_before_2245(april):
    """At 22:45 drones had already left Iran [A21]: the first launch precedes it."""
    c, _, klass, iran = april
    assert _clock(c.th_t0[(klass == "drone") & iran].min() / 60.0) < -75.0


def test_variants_inherit_the_timeline():
    """The what-ifs change the defence, never the raid's clock."""
    base = load_scenario("april-2024")
    for name in ("april-2024-jordan-closed", "april-2024-no-partners"):
        v = load_scenario(name)
        assert [(s.threat, s.count, s.window_min) for s in v.raid] == \
               [(s.threat, s.count, s.window_min) for s in base.raid]


def test_some_drones_fly_over_southern_syria(april):
    """US jets downed drones over Sweida and Daraa [A16] and the RAF over Syria [A13]: a drone
    route crosses Syria, inside the US and UK patrol circles."""
    from redline.geo.countries import countries_at
    c, _, klass, _ = april
    over = set()
    for trk in c.tracks:
        if c.catalog.threats[trk.threat].klass == "drone":
            over |= {x for x in countries_at(trk.lat, trk.lon) if x}
    assert "syria" in over


# --- the what-ifs against the baseline (issue 10 "done": no fewer ballistic impacts) ---------------

def _paired_ballistic(variant: str, trials: int, reliable: bool = False):
    import redline
    from redline.api import default_params
    from redline.catalog import THREAT_CLASSES

    base = load_scenario("april-2024")
    ps = default_params(scenario_catalog(base))
    if reliable:                         # every missile flies: the defence saturates and magazines bind
        ps = ps.with_values(reliability={t: [1.0] * len(v) for t, v in ps.reliability.items()})
    b = THREAT_CLASSES.index("ballistic")
    a = redline.run(base, trials=trials, seed=3, params=ps).raw.cls[:, b, 4].astype(float)
    v = redline.run(load_scenario(variant), trials=trials, seed=3, params=ps).raw.cls[:, b, 4].astype(float)
    d = v - a
    return d.mean(), d.std(ddof=1) / np.sqrt(trials)


@pytest.mark.parametrize("variant", ["april-2024-jordan-closed", "april-2024-no-partners"])
def test_what_ifs_give_no_fewer_ballistic_impacts(variant):
    """Closing Jordan or removing every partner never lowers ballistic impacts (paired draws; the
    engine before the allocator's look-ahead gave -0.071, SE 0.009, at 20,000 trials for Jordan)."""
    m, se = _paired_ballistic(variant, 3000)
    assert m > -3 * se, (m, se)


def test_closing_jordan_does_not_help_a_saturated_defence():
    """The mechanism of the old inversion, made large: with every missile reliable Arrow 2 south (first
    in reach, over Jordan) emptied its magazine while Arrow 2 central kept rounds, and closing Jordan
    spread the work: -1.05 impacts (SE 0.04, 10,000 trials), ~10 SE at this trial count. With the
    look-ahead's tie rule (equal units share the work) it is within noise."""
    m, se = _paired_ballistic("april-2024-jordan-closed", 1000, reliable=True)
    assert m > -3 * se, (m, se)
