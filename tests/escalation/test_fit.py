"""Calibration: priors, parameter mapping, the shipped posterior matches its inputs."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from redline.errors import InputError
from redline.escalation.fit import (
    CALIBRATION_END,
    duration_counts,
    fit,
    load_posterior,
    log_prior,
    n_free,
    posterior_matrix,
    theta,
)
from redline.escalation.history import replay
from redline.escalation.io import data_path, file_sha256, load_history
from redline.escalation.layout import NA, NDUR, P_BASE, P_DURH, P_LAM, P_RHO


def test_theta_and_prior(model):
    z = np.zeros(n_free(model))
    th = theta(z, model, 0.1, np.full(NDUR, 1 / NDUR), np.full(NDUR, 1 / NDUR))
    assert th[P_LAM] == 1.0 and th[P_RHO] == 0.5
    assert abs(th[P_BASE:P_BASE + NA].sum() - 1) < 1e-12      # NA actor slots (10 since issue 12)
    assert np.isfinite(log_prior(z, model))


def test_duration_counts(model):
    rp = replay(model, load_history())
    ch, cq = duration_counts(model, rp)
    assert ch.sum() + cq.sum() == len(rp.movers) - 1


def test_shipped_posterior_matches_its_inputs(model):
    post = load_posterior()
    assert post["calibration_window"]["end"] == str(CALIBRATION_END)
    assert post["inputs"]["history_sha256"] == file_sha256(data_path("history.yaml")), \
        "history.yaml changed: refit with `redline maintain fit-escalation --into-package`"
    assert post["inputs"]["model_sha256"] == model.sha256, \
        "game, levers or effects changed: refit with `redline maintain fit-escalation --into-package`"
    assert post["diagnostics"]["rhat_max"] < 1.1
    TH = posterior_matrix(post, model)
    assert TH.shape[0] == len(post["draws"]["lambda"]) and np.all(np.isfinite(TH))
    assert np.allclose(TH[:, P_DURH:P_DURH + NDUR].sum(axis=1), 1.0, atol=1e-5)


def test_fit_refuses_data_after_the_window():
    with pytest.raises(InputError, match="calibration window"):
        fit(until=dt.date(2025, 7, 1))             # the window ends on 24 June 2025 (issue 12)


def test_fit_smoke(model):
    doc = fit(model, draws=20, chains=2, iters=300, burn=100, seed=3)
    assert len(doc["draws"]["lambda"]) == 20 and np.isfinite(doc["map_log_likelihood"])
