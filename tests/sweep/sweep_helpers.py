"""Point functions for sweep tests: count runs with marker files, die on purpose.

Workers find the marker folder in the environment variable REDLINE_TEST_MARKERS
(spawned processes and Dask workers inherit the environment).
"""
from __future__ import annotations

import math
import os
import uuid
from pathlib import Path

from redline.sweep.worker import run_point


def _markers() -> Path:
    return Path(os.environ["REDLINE_TEST_MARKERS"])


def counting_point(base, point):
    """Run the point and leave one marker file per run."""
    (_markers() / f"ran-{point.index}-{uuid.uuid4().hex}").touch()
    return run_point(base, point)


def dying_once_point(base, point):
    """Point 2 kills its own worker process the first time it runs."""
    died = _markers() / "died-2"
    if point.index == 2 and not died.exists():
        died.touch()
        os._exit(13)
    return counting_point(base, point)


def always_dying_point(base, point):
    """Point 1 kills its worker every time."""
    if point.index == 1:
        (_markers() / f"died-1-{uuid.uuid4().hex}").touch()
        os._exit(13)
    return counting_point(base, point)


def ishigami_point(base, point):
    """The Ishigami function of the point's three values mapped from [0, 1] to [-pi, pi].

    Ishigami, T. and Homma, T. (1990), "An importance quantification technique in
    uncertainty analysis for computer models", ISUMA '90; a=7, b=0.1.
    """
    x1, x2, x3 = (-math.pi + 2 * math.pi * v for v in point.values)
    y = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)
    return {"index": point.index, "values": dict(zip(base.names, point.values)), "seed": point.seed,
            "outputs": {"y": y}, "summary": {"y": y}, "manifest": {"point": point.index}, "timing": {}}
