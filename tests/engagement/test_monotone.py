"""Monotonicity of the defence (issue 10 item 5; docs/engagement-realism.md §4).

Removing a fire unit or closing a country's airspace must never lower the expected impacts of
any threat class beyond Monte Carlo noise. Draws are counter-based (keyed by seed, trial,
threat, unit; redline.engagement.draws), so a scenario and its variant on the same seed are
paired: the test takes the per-trial difference and requires its mean to exceed
-3 standard errors (and -0.02, for differences whose paired SE is ~0).

Hypothesis draws a few changes per built-in scenario (the exhaustive run over every change is
scripts/monotonicity.py; its table is in the doc). Changes with a known violation whose cause
is in the engine (the compile step's choice of engagement opportunities, the greedy
allocator's magazine myopia) are listed in KNOWN and checked by an xfail test instead, so
the suite says when an engine fix lands.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.api import default_params, run
from redline.errors import InputError
from redline.scenario.io import builtin_scenarios, load_scenario, scenario_catalog

_spec = importlib.util.spec_from_file_location(
    "monotonicity_script", Path(__file__).resolve().parents[2] / "scripts" / "monotonicity.py")
mono = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mono)

TRIALS = 300
SEED = 7

# (scenario, change) -> why; measured with scripts/monotonicity.py --trials 1000 --seed 1 (campaigns: 200 trials).
# houthi-eilat without arrow3-south and days-of-repentance-2024 without khordad-parchin were the greedy's
# blocking of a better later salvo, fixed by the allocator's look-ahead (kernel semantics 3a). What is left
# is magazines and stocks that bind across classes or nights (docs/engagement-realism.md §6.4): a closure
# that takes away one class's engagements frees rounds for another, so that class's impacts fall. Per
# class, no allocator that draws on one magazine can avoid it (one round, a cruise missile first and a drone
# later: close the cruise missile's airspace and the round kills the drone); a magazine planned per class
# before the raid does (redline.engagement.magazine_plan; in campaigns one class a unit, with the stock plan).
KNOWN: dict = {}

# Former KNOWN entries an engine change fixed, checked as plain tests (not left to Hypothesis's draw).
# april-2024-no-partners: Israel alone, its Iron Dome and IAF magazines spent in every trial; fixed by the
# magazine plan it now states (redline.engagement.magazine_plan; docs/engagement-realism.md §6.6).
# twelve-day-war-2025 (campaign stocks): the rationed US patrol, firing at its first chances over Iraq, spent
# missiles on drones that would have failed on the way, and the depot the Iron Dome batteries share lasted
# into nights 9-11 when a closure moved drones between them; fixed by a one-class magazine plan for the US
# patrol (late fire) and the nightly stock plan for Iron Dome (docs/engagement-realism.md §6.8).
FIXED = [("april-2024-no-partners", "close israel"), ("april-2024-no-partners", "close jordan"),
         ("twelve-day-war-2025", "close iraq"), ("twelve-day-war-2025", "close jordan")]

CAMPAIGN_TRIALS = 100                    # a campaign flies every wave: fewer trials keep the suite cheap

_cache: dict = {}


def _prepared(name: str):
    if name not in _cache:
        sc = load_scenario(name)
        cat = scenario_catalog(sc)
        params = default_params(cat)
        trials = CAMPAIGN_TRIALS if sc.campaign is not None else TRIALS
        try:
            base = mono.impacts(sc, params, trials, SEED)
        except (InputError, ValueError) as exc:       # a scenario that cannot run
            _cache[name] = exc
            return exc
        changes = dict(mono.variants(sc, cat))
        _cache[name] = (params, base, changes, trials)
    return _cache[name]


def _check(name: str, label: str) -> None:
    prep = _prepared(name)
    if isinstance(prep, Exception):
        pytest.skip(f"{name}: {prep}")
    params, base, changes, trials = prep
    m, se = mono.paired(base, mono.impacts(changes[label], params, trials, SEED))
    for k in range(m.size):
        assert not mono.violated(m[k], se[k]), (name, label, k, float(m[k]), float(se[k]))


def _labels(name: str) -> list[str]:
    prep = _prepared(name)
    if isinstance(prep, Exception):
        return []
    return sorted(lab for lab in prep[2] if (name, lab) not in KNOWN)


@pytest.mark.parametrize("name", sorted(builtin_scenarios()))
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_removing_a_unit_or_closing_an_airspace_never_helps(name, data):
    labels = _labels(name)
    if not labels:
        pytest.skip(f"{name}: no run or no change")
    _check(name, data.draw(st.sampled_from(labels), label="change"))


@pytest.mark.parametrize("name,label", FIXED)
def test_fixed_violations_stay_fixed(name, label):
    _check(name, label)


@pytest.mark.parametrize("name,label", sorted(KNOWN))
@pytest.mark.xfail(strict=False, reason="magazines binding across classes or nights, see KNOWN and "
                                        "docs/engagement-realism.md §6.4")
def test_known_violations(name, label):
    _check(name, label)


def test_paired_statistic_flags_a_real_drop_and_not_noise():
    """The statistic itself: a systematic drop of 0.5 per trial is flagged, pure noise is not."""
    rng = np.random.default_rng(0)
    base = rng.poisson(5.0, size=(TRIALS, 1)).astype(float)
    noise = base + rng.normal(0.0, 1.0, size=base.shape)
    m, se = mono.paired(base, noise - noise.mean() + base.mean())
    assert not mono.violated(m[0], se[0])
    m, se = mono.paired(base, base - 0.5 + rng.normal(0.0, 0.3, size=base.shape))
    assert mono.violated(m[0], se[0])
