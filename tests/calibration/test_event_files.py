"""The built-in event files: one per exchange of the calibration window, each complete and scorable."""
import datetime as dt

import pytest

from redline.calibration.events import TAGS, builtin_events, event_scenario, load_event
from redline.calibration.scoring import check_event

WINDOW_END = dt.date(2025, 6, 24)

EXPECTED = {   # s4.md's shared names: file stem -> (scenario, campaign?)
    "april-2024": ("april-2024", False),
    "isfahan-2024": ("isfahan-2024", False),
    "october-2024": ("october-2024", False),
    "days-of-repentance-2024": ("days-of-repentance-2024", False),
    "al-udeid-2025": ("al-udeid-2025", False),
    "twelve-day-war-2025": ("twelve-day-war-2025", True),
    "houthi-fire-2024": ("houthi-fire-2024", True),
}


def test_every_exchange_of_the_window_has_its_event_file():
    assert set(EXPECTED) <= set(builtin_events())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_event_file_is_dated_sourced_tagged_and_resolves(name):
    le = load_event(name)
    scenario, campaign = EXPECTED[name]
    assert le.event.scenario == scenario and le.is_campaign is campaign
    assert le.date is not None and le.date <= WINDOW_END
    sc, _ = event_scenario(le)
    assert sc.hypothetical is False
    for i, o in enumerate(le.event.observations):
        where = f"{name} observations[{i}] {o.metric}"
        assert o.source and o.tag in TAGS and o.definition, where
        assert o.date is not None and le.date <= o.date <= WINDOW_END, where
        if o.day is not None:
            assert campaign, where
        # a launch count is a scenario input; nothing else is
        assert o.input == o.metric.endswith(".launched"), where
    check_event(le)      # every metric path and day names something the scenario produces
    assert any(not o.input for o in le.event.observations), f"{name} has no scored observation"


def test_campaign_nights_match_the_schedule_days():
    # twelve-day-war: day d is the night starting on the evening of (12 + d) June 2025
    for o in load_event("twelve-day-war-2025").event.observations:
        if o.day is not None:
            assert o.night == dt.date(2025, 6, 12 + o.day), o


def test_april_inputs_are_not_fitted():
    obs = load_event("april-2024").event.observations
    inputs = [o.metric for o in obs if o.input]
    assert inputs == ["by_class.drone.launched", "by_class.cruise.launched", "by_class.ballistic.launched"]
    assert not any(o.fitted for o in obs if o.input)
    from redline.calibration.pipeline import prepare_targets

    _, targets, records = prepare_targets([load_event("april-2024")])
    assert records[0]["observations_fitted"] == sum(o.fit and not o.input for o in obs) == 8
    assert len(targets[0].samplers) == 8
