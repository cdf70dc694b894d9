"""Request and response bodies of the web API (pydantic; validated before anything runs)."""
from __future__ import annotations

import re
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..catalog import ThreatClass  # one list of classes: the catalog's

__all__ = ["Limits", "Knobs", "RunRequest", "ParseRequest", "CompareRequest", "DiffRequest", "ErrorBody", "JobStatus"]

Layer = Literal["exo", "upper_endo", "middle", "lower", "naval", "air_to_air"]

MAX_TRIALS = 200_000
"""Hard ceiling on trials per web run (a server may set a lower one)."""
MAX_YAML_BYTES = 256 * 1024
"""Largest scenario text accepted [bytes]."""
MAX_CLASS_COUNT = 5_000
"""Largest raid size per threat class a knob may ask for."""
MAX_CUSTOM_PACKAGES = 5
"""Most custom policy packages in one comparison."""
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
MAX_COMPARE_PATHS = 20_000
"""Most crisis paths per policy package in one comparison (it runs while the request waits)."""


class Limits(BaseModel):
    """Bounds a server enforces on every request."""

    model_config = ConfigDict(frozen=True)

    max_trials: int = Field(default=MAX_TRIALS, ge=1, le=MAX_TRIALS)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_yaml_bytes: int = Field(default=MAX_YAML_BYTES, ge=1024)
    max_threats: int = Field(default=5_000, ge=1)
    max_fire_units: int = Field(default=300, ge=1)
    time_limit_s: float = Field(default=120.0, gt=0)
    max_concurrent_runs: int = Field(default=2, ge=1)
    max_compare_work: int = Field(default=50_000, ge=1)
    """Most crisis paths in one comparison, summed over its packages (it runs while the request waits)."""


class _Strict(BaseModel):
    """Request bodies: unknown keys refused, and no coercion (``"1000"`` and ``true`` are not numbers)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Knobs(_Strict):
    """The main knobs of a run, applied on top of the chosen scenario.

    Attributes
    ----------
    raid : {class: count}
        Total threats per class; the class's salvos are scaled in proportion
        (largest remainders), keeping launch windows and aims.
    exclude_owners : list of nation slugs
        Partners that stay out: their fire units and sensors are removed.
    closed_airspace : list of country slugs (or "sea")
        Territory over which no one may engage.
    shoot_look_shoot, shots, impact_prediction
        Doctrine: re-engage after assessing a kill; interceptors per
        engagement by layer; classes whose impact point is predicted (those
        predicted to fall outside defended sites are not engaged).
    """

    raid: dict[ThreatClass, int] = Field(default_factory=dict)
    exclude_owners: list[str] = Field(default_factory=list, max_length=50)
    closed_airspace: list[str] = Field(default_factory=list, max_length=100)
    shoot_look_shoot: Optional[bool] = None
    shots: dict[Layer, int] = Field(default_factory=dict)
    impact_prediction: Optional[list[ThreatClass]] = None

    @model_validator(mode="after")
    def _bounds(self) -> "Knobs":
        for k, v in self.raid.items():
            if not 0 <= v <= MAX_CLASS_COUNT:
                raise ValueError(f"raid.{k} = {v}: give a count between 0 and {MAX_CLASS_COUNT}")
        for layer, n in self.shots.items():
            if not 1 <= n <= 8:
                raise ValueError(f"shots.{layer} = {n}: give 1 to 8 interceptors per engagement")
        return self


class RunRequest(_Strict):
    """Run a built-in scenario (``scenario``) or an uploaded one (``scenario_yaml``) with knobs."""

    scenario: Optional[str] = Field(default=None, max_length=200, description="Built-in scenario name.")
    scenario_yaml: Optional[str] = Field(default=None, max_length=MAX_YAML_BYTES, description="Scenario file text (YAML).")
    trials: int = Field(default=1000, ge=1, le=MAX_TRIALS)
    seed: Optional[int] = Field(default=None, ge=0, le=2**63 - 1)
    params: Literal["default", "prior"] = "default"
    knobs: Knobs = Field(default_factory=Knobs)
    save: bool = Field(default=True, description="Save the run in the server's run store (when it has one).")

    @model_validator(mode="after")
    def _one_source(self) -> "RunRequest":
        if (self.scenario is None) == (self.scenario_yaml is None):
            raise ValueError("give exactly one of scenario (a built-in name) or scenario_yaml (the file's text)")
        return self


class ParseRequest(_Strict):
    """Check an uploaded scenario and describe its knobs."""

    scenario_yaml: str = Field(..., max_length=MAX_YAML_BYTES)


class DiffRequest(_Strict):
    """Paired comparison B - A of two built-in scenarios on common random numbers (``redline diff``)."""

    a: str = Field(..., min_length=1, max_length=200, description="Built-in scenario A.")
    b: str = Field(..., min_length=1, max_length=200, description="Built-in scenario B; differences are B - A.")
    trials: int = Field(default=1000, ge=1, le=MAX_TRIALS, description="Trials of each run.")
    seed: Optional[int] = Field(default=None, ge=0, le=2**63 - 1)
    params: Literal["default", "prior"] = "default"


class CompareRequest(_Strict):
    """Compare policy packages with the escalation model."""

    policies: Optional[list[str]] = Field(default=None, max_length=20, description="Package names (default: all shipped).")
    start: Optional[str] = Field(default=None, max_length=100, description="Named start state (default: the model's).")
    horizon_days: Optional[float] = Field(default=None, gt=0, le=3650, description="Horizon [days].")
    paths: int = Field(default=2000, ge=1, le=MAX_COMPARE_PATHS, description="Crisis paths per package.")
    seed: Optional[int] = Field(default=None, ge=0, le=2**63 - 1)
    custom: dict[str, dict[str, float]] = Field(
        default_factory=dict, max_length=MAX_CUSTOM_PACKAGES,
        description="Custom packages, name -> {lever: intensity in [0, 1]}, compared beside the named ones.")

    @model_validator(mode="after")
    def _custom(self) -> "CompareRequest":
        for name, levers in self.custom.items():
            if not _PACKAGE_NAME.fullmatch(name):
                raise ValueError(f"custom: package name {name[:60]!r} must be 1-40 letters, digits or dashes")
            if len(levers) > 50:
                raise ValueError(f"custom.{name}: at most 50 levers")
            for lever, v in levers.items():
                if not 0.0 <= v <= 1.0:
                    raise ValueError(f"custom.{name}.{lever[:60]} = {v}: give an intensity between 0 and 1")
        return self


class ErrorBody(BaseModel):
    """Every error: a one-line message, the request field it is about (when one is), details where there are several."""

    error: str
    field: Optional[str] = None
    detail: Any = None


class JobStatus(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "error"]
    done: int
    total: int
    elapsed_s: float
    error: Optional[str] = None
    result: Optional[dict[str, Any]] = None
