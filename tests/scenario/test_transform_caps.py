"""Edited scenarios are validated again: a transform or sweep point cannot push a field past its cap."""
import pytest
from pydantic import ValidationError

from redline import limits
from redline.errors import InputError
from redline.scenario import transforms as T
from redline.scenario.io import scenario_catalog


@pytest.fixture(scope="module")
def cat():
    import redline

    return scenario_catalog(redline.load_scenario("april-2024"))


def test_sweep_point_past_a_cap_is_one_input_error(april):
    with pytest.raises(InputError, match="MAX_SALVO_COUNT") as info:
        T.set_paths(april, [("scenario.raid[0].count", 1e9)], "w.yaml")
    assert "\n" not in str(info.value) and str(info.value).startswith("w.yaml: parameters")


def test_sweep_point_with_an_infinite_value_is_refused(april):
    with pytest.raises(InputError, match="finite"):
        T.set_paths(april, [("scenario.doctrine.look_s", float("inf"))], "w.yaml")


def test_scaling_a_raid_past_the_raid_cap_is_refused(april, cat):
    factor = 2 * limits.MAX_RAID_THREATS / sum(s.count for s in april.raid)
    with pytest.raises(ValidationError, match="MAX_RAID_THREATS"):
        T.scale_classes(april, {"drone": factor, "cruise": factor, "ballistic": factor}, cat)


def test_scaling_magazines_past_the_cap_is_refused(april):
    with pytest.raises(ValidationError, match="MAX_MAGAZINE"):
        T.scale_magazines(april, {"israel": 1e9})


def test_sweep_over_wave_scale_cannot_push_a_wave_past_the_cap():
    # a campaign sweep point is held to the same wave cap as a campaign file
    from redline.campaign.io import load_campaign
    from redline.errors import InputError
    from redline.limits import MAX_RAID_THREATS
    from redline.sweep.apply import apply_campaign

    sc, camp = load_campaign("twelve-day-campaign")
    per_wave = sum(s.count for s in sc.raid)
    scale = 2.0 * MAX_RAID_THREATS / per_wave
    ok = apply_campaign(camp, ("campaign.wave_scale",), (1.0,), "<sweep>", raid=sc.raid)
    assert ok is not None
    with pytest.raises(InputError, match="MAX_RAID_THREATS"):
        apply_campaign(camp, ("campaign.wave_scale",), (scale,), "<sweep>", raid=sc.raid)
