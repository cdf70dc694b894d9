"""Redline's own scores against the ``scoringrules`` package (an outside authority).

The scoreboard and ``redline validate`` compute CRPS themselves (an ensemble form in
``calibration.scoring`` and an exact form for discrete predictives in
``calibration.reference_forecasts``); these tests check both against scoringrules'
estimators on random ensembles and on a beta-binomial predictive.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

sr = pytest.importorskip("scoringrules")

from redline.calibration.reference_forecasts import betabinom_pmf, crps_pmf, log_score_pmf
from redline.calibration.scoring import crps_sample


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 300), y=st.floats(-20, 80))
def test_ensemble_crps_equals_scoringrules_energy_estimator(seed, n, y):
    x = np.random.default_rng(seed).poisson(12.0, size=n).astype(float)
    ours = crps_sample(x, y)
    theirs = float(sr.crps_ensemble(y, x, estimator="nrg"))
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("n,a,b", [(20, 1.0, 1.0), (180, 2.5, 30.0), (14, 12.0, 1.5)])
@pytest.mark.parametrize("y", [0, 3, 9, 14])
def test_exact_pmf_crps_equals_scoringrules_on_a_large_ensemble(n, a, b, y):
    """The exact discrete CRPS equals the CRPS of the ensemble that repeats each value by its mass."""
    pmf = betabinom_pmf(n, a, b)
    # an ensemble whose empirical distribution is the pmf to 1e-6 (integer repeat counts)
    reps = np.round(pmf * 1_000_000).astype(int)
    x = np.repeat(np.arange(pmf.size, dtype=float), reps)
    theirs = float(sr.crps_ensemble(float(y), x, estimator="pwm"))
    assert crps_pmf(pmf, float(y)) == pytest.approx(theirs, rel=2e-4, abs=2e-4)


def test_log_score_matches_scoringrules_for_a_binomial():
    """With a = b -> infinity the beta-binomial is a binomial; scoringrules has the binomial log score."""
    n, p = 30, 0.2
    a = 1e7 * p
    pmf = betabinom_pmf(n, a, 1e7 - a)
    for y in (0, 6, 12):
        assert log_score_pmf(pmf, y) == pytest.approx(float(sr.logs_binomial(y, n, p)), rel=1e-4)
