"""Observed exchanges as data: event files and their observations.

An *event file* (YAML) records what was publicly observed in one exchange,
as figures comparable with the output of ``redline run --json``::

    name: 13-14 April 2024 Iranian strike on Israel
    scenario: april-2024            # built-in scenario name, or a path relative to this file
    observations:
      - metric: by_class.ballistic.impacted   # dotted path into `redline run --json` (the mean is compared)
        value: 9                              # best public value
        range: [7, 9]                         # optional: spread between sources
        source: "[A06][A07][A08]"
        note: "landed at two Negev air bases"

Optional keys of an observation beyond the issue's schema, both with
defaults that leave older files valid:

``sd``
    Reporting-error scale in the metric's units, used by the calibration
    likelihood (default ``max(1, 0.1 * |value|)``).
``fit``
    ``false`` keeps an observation out of the fit while ``redline validate``
    still scores it (for figures known not to be comparable one to one).

Fields of session 4 (docs/calibration.md §1), all optional so that older
files stay valid; the built-in files set them (a test checks):

``date`` (top level)
    The night of the event, ``YYYY-MM-DD``; for a campaign, its first night.
``input``
    ``true``: the figure is an input of the scenario (a launch count). It is
    never fitted, and ``validate`` shows it (marked) but leaves it out of
    coverage and CRPS.
``definition``
    What is counted, over which denominator.
``tag``
    Confidence tag of the figure: ``W``, ``S``, ``E``, ``C``, ``D`` or ``assumption``.
``night``, ``day``
    For one night of a campaign: its date and its campaign day (1-based, as
    in the campaign's schedule). Both or neither. Campaign totals have
    neither and use ``totals.`` metric paths (:mod:`redline.calibration.metrics`).

``read_events(path)`` opens a file; ``parse_events(text)`` builds the
objects; every problem raises :class:`redline.errors.InputError` naming the
file, the field, the value and the fix.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import InputError
from ..hashing import text_sha256
from ..yamlio import field_path as _field_path
from ..yamlio import load_mapping, parse_yaml, read_text

__all__ = ["Observation", "Event", "LoadedEvent", "parse_events", "read_events", "builtin_events", "load_event",
           "event_scenario", "event_campaign", "TAGS"]

#: Confidence tags of an observed figure (as in the reference notes and the catalog).
TAGS = ("W", "S", "E", "C", "D", "assumption")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)  # observed figures are finite


class Observation(_Frozen):
    """One observed figure: a metric path, a best value and optionally a range."""

    metric: str = Field(min_length=1)
    value: float
    range: tuple[float, float] | None = None
    sd: float | None = Field(default=None, gt=0)
    fit: bool = True
    input: bool = Field(default=False, description="true: a scenario input (a launch count); never fitted, shown by "
                                                     "validate but left out of coverage and CRPS")
    definition: str | None = Field(default=None, min_length=1,
                                   description="what is counted, over which denominator")
    tag: Literal["W", "S", "E", "C", "D", "assumption"] | None = Field(
        default=None, description="confidence tag of the figure: W well sourced, S single source, E estimate, "
                                  "C claim, D disputed, assumption")
    night: dt.date | None = Field(default=None, description="a campaign night's date (the evening it starts); "
                                                            "with day")
    day: int | None = Field(default=None, ge=1, description="the campaign day of the night, 1-based as in the "
                                                           "campaign's schedule; with night")
    source: str | None = None
    note: str | None = None
    _event_date: dt.date | None = PrivateAttr(default=None)

    @field_validator("metric")
    @classmethod
    def _metric_shape(cls, v: str) -> str:
        parts = v.split(".")
        if any(not p for p in parts) or len(parts) < 2:
            raise ValueError("a metric is a dotted path such as by_class.ballistic.impacted")
        return v

    @model_validator(mode="after")
    def _check(self) -> "Observation":
        # every metric an event can observe is a count, a cost or a ratio of them: none is negative
        if self.value < 0 or (self.range is not None and self.range[0] < 0):
            raise ValueError(f"an observed {self.metric.rsplit('.', 1)[-1]} cannot be negative; give a value and "
                             "range of at least 0")
        if (self.night is None) != (self.day is None):
            raise ValueError("a campaign night needs both night (its date) and day (its campaign day, 1-based); "
                             "give both, or neither for an event total")
        if self.range is not None:
            lo, hi = self.range
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] is reversed; write [low, high]")
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        return self

    @property
    def date(self) -> dt.date | None:
        """The night this figure belongs to: ``night`` if set, else its event's ``date``."""
        return self.night if self.night is not None else self._event_date

    @property
    def fitted(self) -> bool:
        """Used by a fit: ``fit`` and not a scenario ``input``."""
        return self.fit and not self.input

    @property
    def low(self) -> float:
        return self.range[0] if self.range else self.value

    @property
    def high(self) -> float:
        return self.range[1] if self.range else self.value

    @property
    def error_sd(self) -> float:
        """Reporting-error scale [metric units]: ``sd`` or ``max(1, 0.1 |value|)``."""
        return float(self.sd) if self.sd is not None else max(1.0, 0.1 * abs(self.value))


class Event(_Frozen):
    """An observed exchange: its name, the scenario that models it, and its observations."""

    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    date: dt.date | None = Field(default=None, description="the night of the event, YYYY-MM-DD (a campaign: its "
                                                            "first night)")
    description: str = ""
    observations: tuple[Observation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates(self) -> "Event":
        for o in self.observations:
            o._event_date = self.date
        return self


@dataclass(frozen=True)
class LoadedEvent:
    """An event with where it came from.

    Attributes
    ----------
    event : Event
    file : str
        Path or built-in name, for messages.
    sha256 : str
        SHA-256 of the file's bytes (UTF-8 text), recorded in manifests.
    base_dir : Path or None
        Directory that a relative ``scenario`` path refers to.
    """

    event: Event
    file: str
    sha256: str
    base_dir: Path | None

    @property
    def stem(self) -> str:
        return Path(self.file).name.rsplit(".", 1)[0]

    @property
    def date(self) -> dt.date | None:
        """The night of the event (for a campaign, its first night); None if the file gives none."""
        return self.event.date

    @cached_property
    def is_campaign(self) -> bool:
        """True when the event's scenario has a campaign block (validate then runs the campaign)."""
        return event_scenario(self)[0].campaign is not None


_FIXES = {
    "missing": "required field is missing; add it",
    "extra_forbidden": "unknown field; allowed are metric, value, range, sd, fit, input, definition, tag, night, "
                       "day, source, note (observations) and name, scenario, date, description, observations (top level)",
    "literal_error": "must be one of the confidence tags W, S, E, C, D, assumption",
    "date_type": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date written YYYY-MM-DD (no time of day)",
    "int_type": "must be a whole number (the campaign day, 1-based)",
    "int_parsing": "must be a whole number (the campaign day, 1-based)",
    "int_from_float": "must be a whole number (the campaign day, 1-based)",
    "greater_than_equal": "must be at least 1 (campaign days count from 1)",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "finite_number": "must be a finite number (not inf or nan); give the observed figure",
    "string_type": "must be a text string; quote it",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "tuple_type": "must be a list ([low, high] for a range); write it as one",
    "model_type": "must be a mapping of its fields; write it as one",
}


def parse_events(text: str, file: str = "<string>", base_dir: Path | None = None) -> LoadedEvent:
    """Build an event from YAML text (see the module notes for the schema).

    Metric paths are checked against a scenario later, by
    :func:`redline.calibration.metrics.metric_sampler`.
    """
    raw = load_mapping(text, file, "an event file is a YAML mapping with name, scenario and observations")
    try:
        ev = Event.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        fix = _FIXES.get(err["type"]) or err["msg"].removeprefix("Value error, ")
        value = err.get("input") if err["type"] != "missing" else None
        raise InputError(file, _field_path(err["loc"]), value, fix) from None
    for i, o in enumerate(ev.observations):
        if o.night is not None and ev.date is not None and o.night < ev.date:
            raise InputError(file, f"observations[{i}].night", o.night.isoformat(),
                             f"a night cannot come before the event's date {ev.date} (its first night); "
                             "correct the night or the date")
    return LoadedEvent(ev, file, text_sha256(text), base_dir)


def _is_file(p: Path) -> bool:
    """``p.is_file()``, false for a name the file system cannot hold (too long, NUL)."""
    try:
        return p.is_file()
    except (OSError, ValueError):
        return False


def _builtin_root():
    return resources.files("redline") / "data" / "events"


def builtin_events() -> dict[str, str]:
    """Built-in event files by name, with their titles."""
    out = {}
    for entry in sorted(_builtin_root().iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            raw = parse_yaml(entry.read_text(encoding="utf-8"), entry.name) or {}
            out[entry.name[:-5]] = str(raw.get("name", ""))
    return out


def read_events(path: str | Path) -> LoadedEvent:
    """Read an event file."""
    p = Path(path)
    return parse_events(read_text(p, "event file"), str(p), p.parent)


def load_event(name_or_path: str | Path) -> LoadedEvent:
    """A built-in event by name (e.g. ``april-2024``) or an event file by path."""
    s = str(name_or_path)
    p = Path(s)
    if _is_file(p):
        return read_events(p)
    if "/" not in s and s in builtin_events():
        entry = _builtin_root() / f"{s}.yaml"
        return parse_events(entry.read_text(encoding="utf-8"), f"{s}.yaml", None)
    known = ", ".join(builtin_events()) or "none"
    raise InputError(s, "<file>", s, f"no such event file or built-in event; built-ins are: {known}")


def event_scenario(le: LoadedEvent):
    """The scenario an event names (built-in name, or a path relative to the event file) and its catalog.

    Returns
    -------
    (Scenario, Catalog)
    """
    from ..scenario.io import builtin_scenarios, read_scenario, scenario_catalog

    name = le.event.scenario
    if "/" not in name and not name.endswith((".yaml", ".yml")) and name in builtin_scenarios():
        from ..scenario.io import load_scenario

        sc = load_scenario(name)
        return sc, scenario_catalog(sc)
    p = Path(name)
    if le.base_dir is not None and not p.is_absolute():
        p = le.base_dir / p
    if not _is_file(p):
        known = ", ".join(builtin_scenarios())
        raise InputError(le.file, "scenario", name, f"no such built-in scenario or scenario file; built-ins are: {known}")
    sc = read_scenario(p)
    return sc, scenario_catalog(sc, p.parent)


def event_campaign(le: LoadedEvent):
    """The campaign an event's scenario defines: ``(scenario without its block, Campaign, Catalog)``.

    Raises
    ------
    InputError
        When the scenario has no campaign block.
    """
    from ..campaign.io import load_campaign, read_campaign
    from ..scenario.io import builtin_scenarios, scenario_catalog

    name = le.event.scenario
    if not le.is_campaign:
        raise InputError(le.file, "scenario", name, "this scenario is not a campaign; use run metric paths "
                                                    "(no totals., no night/day)")
    if "/" not in name and not name.endswith((".yaml", ".yml")) and name in builtin_scenarios():
        sc, camp = load_campaign(name)
        return sc, camp, scenario_catalog(sc)
    p = Path(name)
    if le.base_dir is not None and not p.is_absolute():
        p = le.base_dir / p
    sc, camp = read_campaign(p)
    return sc, camp, scenario_catalog(sc, p.parent)
