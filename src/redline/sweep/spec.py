"""Sweep specifications: what to vary, over which design, and what to measure.

A sweep file is YAML::

    name: april-2024-pk-reliability
    scenario: april-2024          # built-in name, or a path relative to this file
    trials: 1000                  # Monte Carlo trials per design point
    seed: 7
    params: default               # base parameter set: default (calibrated if shipped) or prior
    design: {method: sobol, n: 64}
    parameters:
      - {name: pk.arrow-3.ballistic, range: [0.5, 0.95]}
      - {name: reliability.ballistic, range: [0.6, 0.95]}
    outputs: [by_class.ballistic.leaked, by_class.ballistic.impacted]

See docs/sweeps.md for every field.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from .. import limits as L
from ..errors import InputError
from ..hashing import spec_sha256  # re-exported: its home is redline.hashing
from ..yamlio import parse_yaml, read_text

__all__ = ["ParameterSpec", "DesignSpec", "SweepSpec", "parse_sweep_spec", "read_sweep_spec", "load_sweep_spec",
           "spec_sha256", "builtin_sweeps", "design_size"]


class _Frozen(BaseModel):
    # every number is a bound or a setting: inf and nan are refused everywhere
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


Levels = Annotated[int, L.NOT_BOOL, Field(ge=1), L.capped("MAX_LEVELS", "levels", "use fewer levels")]
Samples = Annotated[int, L.NOT_BOOL, Field(ge=1), L.capped("MAX_DESIGN_POINTS", "samples", "use fewer samples")]
Trials = Annotated[int, L.NOT_BOOL, Field(ge=1),
                   L.capped("MAX_TRIALS", "trials per point", "run fewer trials per point")]
Seed = Annotated[int, L.NOT_BOOL, Field(ge=0), L.capped("MAX_SEED", "(int64)", "give a smaller seed")]
Retries = Annotated[int, L.NOT_BOOL, Field(ge=0), L.capped("MAX_RETRIES", "retries", "give a few retries")]


_PARAMETER_BOUNDS = {"pk": (0.0, 1.0), "reliability": (0.0, 1.0), "pd": (0.0, 1.0), "cep_m": (0.0, float("inf"))}


class ParameterSpec(_Frozen):
    """One swept quantity.

    ``name`` is ``pk.<interceptor>.<class>``, ``reliability.<threat or class>``,
    ``cep_m.<threat or class>``, ``pd.<sensor>``, ``scenario.<path>`` (for
    example ``scenario.fire_units[arrow3-central].magazine``) or, in a campaign
    sweep, ``campaign.<path>`` (``campaign.depot.israel.arrow-3``). Give ``range``
    (all designs) or, for a grid, ``values`` or ``range`` with ``levels``.
    """

    name: str = Field(min_length=1, max_length=200)
    range: tuple[float, float] | None = None
    values: tuple[float, ...] | None = Field(default=None, min_length=1)
    levels: Levels | None = None

    @field_validator("name")
    @classmethod
    def _printable_path(cls, v: str) -> str:
        # a dotted path of printable words (pk.arrow-3.ballistic, scenario.fire_units[arrow3-central].magazine);
        # control characters reached SALib as names and failed there with a KeyError
        if not re.fullmatch(r"[A-Za-z0-9_.\[\]\-]+", v):
            raise ValueError("a parameter name is a dotted path of letters, digits and _ - . [ ] "
                             "(e.g. pk.arrow-3.ballistic); rename it")
        return v
    label: str = ""

    @model_validator(mode="after")
    def _check(self) -> "ParameterSpec":
        if self.range is None and self.values is None:
            raise ValueError(f"parameter {self.name}: give range: [low, high] or values: [...]")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"parameter {self.name}: range must be [low, high] with low < high")
        kind = self.name.partition(".")[0]
        low, high = _PARAMETER_BOUNDS.get(kind, (float("-inf"), float("inf")))
        for v in (*(self.range or ()), *(self.values or ())):
            if not low <= v <= high:
                what = "a probability in [0, 1]" if high == 1.0 else f"at least {low:g}"
                raise ValueError(f"parameter {self.name}: {v} is out of bounds; a {kind} value is {what}")
        return self


class DesignSpec(_Frozen):
    """How design points are chosen.

    ``grid``: every combination of each parameter's ``values`` (or ``levels``
    evenly spaced values over its range, default 3). ``lhs``: ``n`` Latin
    hypercube points. ``sobol``: Saltelli sampling with ``n`` base samples,
    ``n (D + 2)`` points (``n (2D + 2)`` with ``second_order``). ``morris``:
    ``n`` trajectories of ``D + 1`` points on ``levels`` levels.
    """

    method: Literal["grid", "lhs", "sobol", "morris"]
    n: Samples | None = None
    levels: Levels = 4
    second_order: bool = False

    @model_validator(mode="after")
    def _check(self) -> "DesignSpec":
        if self.method != "grid" and self.n is None:
            raise ValueError(f"design method {self.method} needs n (samples or trajectories)")
        if self.method == "morris" and self.levels < 2:
            raise ValueError("a Morris design needs levels >= 2 (the grid each parameter steps on; 4 is usual)")
        return self



class SweepSpec(_Frozen):
    """A sweep: a scenario, a design over parameters, outputs to measure.

    With ``campaign: true`` the scenario is read as a campaign file and every
    point flies the whole campaign (:func:`redline.campaign.run_campaign`);
    outputs are then paths into the campaign summary.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = ""
    description: str = ""
    scenario: str
    campaign: bool = False
    trials: Trials = 1000
    seed: Seed = 0
    params: Literal["default", "prior"] = "default"
    seeding: Literal["per_point", "common"] = "per_point"
    design: DesignSpec
    parameters: tuple[ParameterSpec, ...] = Field(min_length=1, max_length=L.MAX_SWEEP_PARAMETERS)
    outputs: tuple[str, ...] = Field(min_length=1)
    retries: Retries = 2

    @model_validator(mode="after")
    def _check(self) -> "SweepSpec":
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError("parameter names must be unique")
        if self.design.method != "grid":
            for p in self.parameters:
                if p.range is None:
                    raise ValueError(f"parameter {p.name}: design {self.design.method} needs range: [low, high]")
        return self

    @field_validator("parameters")
    @classmethod
    def _design_size(cls, parameters: tuple[ParameterSpec, ...], info: ValidationInfo) -> tuple[ParameterSpec, ...]:
        # counted from the design and the parameters (the design is validated first), before any point is built
        if "design" in info.data:
            points = design_size(info.data["design"], parameters)
            if points > L.MAX_DESIGN_POINTS:
                raise ValueError(L.cap_message("MAX_DESIGN_POINTS", f"design points (this design has {points:,})",
                                               "use fewer samples, levels or values"))
        return parameters


def design_size(design: DesignSpec, parameters: tuple[ParameterSpec, ...]) -> int:
    """Number of points of ``design`` over ``parameters`` (see :class:`DesignSpec`), without building them."""
    D = len(parameters)
    if design.method == "grid":
        return math.prod(len(p.values) if p.values is not None else (p.levels or 3) for p in parameters)
    n = int(design.n or 0)
    if design.method == "sobol":
        return n * (2 * D + 2 if design.second_order else D + 2)
    if design.method == "morris":
        return n * (D + 1)
    return n


def _to_input_error(exc: ValidationError, file: str) -> InputError:
    from ..scenario.io import _pydantic_to_input_error

    return _pydantic_to_input_error(exc, file)


def _exists(p: Path, test: str = "exists") -> bool:
    """``p.exists()`` (or ``p.is_file()``), false for a name the file system cannot hold (too long, NUL)."""
    try:
        return bool(getattr(p, test)())
    except (OSError, ValueError):
        return False


def parse_sweep_spec(text: str, file: str = "<string>", base_dir: Path | None = None) -> SweepSpec:
    """Build a :class:`SweepSpec` from YAML text; a relative scenario path is made relative to ``base_dir``."""
    raw = parse_yaml(text, file)
    if not isinstance(raw, dict):
        raise InputError(file, "<top>", type(raw).__name__, "a sweep file is a YAML mapping with scenario, design, parameters, outputs")
    if raw.get("kind") == "escalation":        # escalation designs (redline.sweep.escalation)
        from .escalation import EscalationSweepSpec

        try:
            return EscalationSweepSpec.model_validate(raw)     # type: ignore[return-value]
        except ValidationError as exc:
            raise _to_input_error(exc, file) from None
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise _to_input_error(exc, file) from None
    scen = spec.scenario
    if base_dir is not None and scen.endswith((".yaml", ".yml")) and not Path(scen).is_absolute():
        cand = base_dir / scen
        if _exists(cand):
            spec = spec.model_copy(update={"scenario": str(cand)})
    return spec


def read_sweep_spec(path: str | Path) -> SweepSpec:
    """Read a sweep file."""
    p = Path(path)
    text = read_text(p, "sweep file")
    return parse_sweep_spec(text, str(p), p.parent)


def _builtin_root():
    from importlib import resources

    return resources.files("redline") / "data" / "sweeps"


def builtin_sweeps() -> dict[str, str]:
    """Example sweep specs shipped with Redline: name -> title."""
    out = {}
    for entry in sorted(_builtin_root().iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            raw = parse_yaml(entry.read_text(encoding="utf-8"), entry.name) or {}
            out[entry.name[:-5]] = str(raw.get("title", ""))
    return out


def load_sweep_spec(name_or_path: str | Path) -> SweepSpec:
    """A shipped example sweep by name (see :func:`builtin_sweeps`) or a sweep file by path."""
    s = str(name_or_path)
    p = Path(s)
    if _exists(p) or "/" in s or s.endswith((".yaml", ".yml")):
        return read_sweep_spec(p)
    if s in builtin_sweeps():
        return parse_sweep_spec((_builtin_root() / f"{s}.yaml").read_text(encoding="utf-8"), s, None)
    raise InputError(s, "spec", s, f"no such sweep file or shipped example; examples are: {', '.join(builtin_sweeps())}")
