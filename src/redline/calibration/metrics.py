"""Per-trial values of the metrics named by dotted paths into ``redline run --json``.

The summary printed by ``redline run --json`` gives each metric's mean and
percentiles; scoring and calibration need the per-trial values behind
them. :func:`metric_sampler` turns a path such as
``intercepts_detail.united-states.naval.ballistic`` into a function of a
run's :class:`~redline.engagement.runner.RawOutcome` returning a (trials,)
array whose mean is the summary's ``mean`` (a test checks every path).

Paths (a trailing ``.mean`` is accepted and ignored):

- ``by_class.<class>.<launched|failed|intercepted|leaked|impacted|fell_outside>``
- ``by_type.<threat type>.<launched|failed|intercepted|leaked|impacted|fell_outside>``
- ``kills_by_nation_airspace.<nation>.<airspace>`` (a country, ``sea`` or ``exo``)
- ``intercepts_by_nation.<nation>``, ``intercepts_by_layer.<layer>``, ``intercepts_by_unit.<unit>``
- ``intercepts_detail.<nation>.<layer>.<class>``
- ``interceptors_used.<interceptor type>``
- ``cost_usd.defender``, ``cost_usd.attacker`` [USD], ``cost_usd.exchange_ratio`` (per trial, defender/attacker)
- ``hits_by_site.<site>``

One part may name several choices joined by ``+``; the metric is their sum
per trial, e.g. ``interceptors_used.patriot-pac-3+patriot-pac-3-mse`` (not
for ``cost_usd``).

Campaign events (:func:`campaign_sampler`) use paths into ``redline campaign
--json``, per trial:

- totals (an observation without ``day``): ``totals.by_class.<class>.<count>``,
  ``totals.leaked``, ``totals.impacted`` (all classes),
  ``totals.interceptors_used_by_type.<interceptor type>``;
- one night (an observation with ``day: N``): ``by_class.<class>.<count>`` and
  ``interceptors_used_by_type.<type>``, the counts of ``daily[N-1]``;
  ``cumulative.<the same>`` and ``cumulative.leaked``, ``cumulative.impacted``
  (alias ``impacted_cumulative``) sum days 1..N.

``<count>`` is one of launched, failed, intercepted, leaked, impacted, fell_outside.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..catalog import THREAT_CLASSES
from ..engagement.compile import Compiled
from ..engagement.runner import RawOutcome
from ..errors import InputError
from ..results import COUNTS, OUTCOMES
from ..scenario.schema import LAYERS

__all__ = ["metric_sampler", "metric_paths", "is_count_metric", "Sampler", "CampaignShape", "campaign_sampler",
           "campaign_metric_paths", "CampaignSampler"]

Sampler = Callable[[RawOutcome], np.ndarray]

_STATS = ("p05", "p50", "p95")


def is_count_metric(path: str) -> bool:
    """True for counts of threats or rounds; False for money and ratios (``cost_usd.*``)."""
    return not path.startswith("cost_usd.")


def metric_paths(c: Compiled) -> list[str]:
    """Every metric path a run of compiled scenario ``c`` can be scored on."""
    out = [f"by_class.{k}.{w}" for k in THREAT_CLASSES for w in OUTCOMES]
    out += [f"by_type.{t}.{w}" for t in c.threat_types for w in OUTCOMES]
    out += [f"kills_by_nation_airspace.{n}.{a}" for n in c.nations for a in c.airspaces]
    out += [f"intercepts_by_nation.{n}" for n in c.nations]
    out += [f"intercepts_by_layer.{l}" for l in LAYERS]
    out += [f"intercepts_by_unit.{u}" for u in c.unit_names]
    for k, n in enumerate(c.nations):
        for l in sorted(set(c.un_layer[c.un_nation == k].tolist())):
            out += [f"intercepts_detail.{n}.{LAYERS[l]}.{cl}" for cl in THREAT_CLASSES]
    out += [f"interceptors_used.{t}" for t in c.interceptor_types]
    out += ["cost_usd.defender", "cost_usd.attacker", "cost_usd.exchange_ratio"]
    out += [f"hits_by_site.{s}" for s in c.site_names]
    return out


def _unit_costs(c: Compiled) -> np.ndarray:
    return np.array([c.catalog.interceptors[c.interceptor_types[k]].cost_usd.value for k in c.un_type], dtype=float)


def _attack_cost(c: Compiled) -> float:
    return float(sum(c.catalog.threats[c.threat_types[t]].cost_usd.value for t in c.th_type))


def metric_sampler(c: Compiled, path: str, file: str = "<event>", field: str = "metric") -> Sampler:
    """A function ``raw -> (trials,) array`` for the metric at ``path``.

    Parameters
    ----------
    c : Compiled
        The compiled scenario the metric refers to.
    path : str
        Dotted path into ``redline run --json`` (see module notes).
    file, field : str
        Where the path came from, for the error message.

    Raises
    ------
    InputError
        When the path names nothing in this scenario's output; the message
        lists the valid choices at the first part that fails.
    """
    parts = _strip_stat(path, file, field)
    summed = _expand_sum(parts, path, file, field, forbid=("cost_usd",))
    if summed is not None:
        subs = [metric_sampler(c, p, file, field) for p in summed]
        return lambda raw: np.sum([f(raw) for f in subs], axis=0)

    def bad(pos: int, choices) -> InputError:
        head = ".".join(parts[:pos]) or "<top>"
        got = parts[pos] if pos < len(parts) else "<nothing>"
        return InputError(file, field, path,
                          f"unknown metric: after {head!r} came {got!r}; choose one of: {', '.join(choices)}")

    def need(n: int) -> None:
        if len(parts) != n:
            raise InputError(file, field, path, f"a {parts[0]} metric has {n} parts, e.g. "
                                                 f"{_EXAMPLES[parts[0]]}")

    top = parts[0]
    if top in ("totals", "cumulative"):
        raise InputError(file, field, path, f"{top}. paths are for campaign events, and this scenario is a single "
                                             "raid; use a run metric such as by_class.ballistic.impacted")
    tops = ("by_class", "by_type", "intercepts_by_nation", "intercepts_by_layer", "intercepts_by_unit",
            "intercepts_detail", "interceptors_used", "cost_usd", "hits_by_site", "kills_by_nation_airspace")
    if top not in tops:
        raise bad(0, tops)
    if top in ("by_class", "by_type"):
        need(3)
        names = THREAT_CLASSES if top == "by_class" else c.threat_types
        if parts[1] not in names:
            raise bad(1, names)
        if parts[2] not in OUTCOMES:
            raise bad(2, OUTCOMES)
        ci = names.index(parts[1])
        table = "cls" if top == "by_class" else "by_type"
        if parts[2] == "fell_outside":
            return lambda raw: (getattr(raw, table)[:, ci, 3] - getattr(raw, table)[:, ci, 4]).astype(float)
        wi = COUNTS.index(parts[2])
        return lambda raw: getattr(raw, table)[:, ci, wi].astype(float)
    if top == "kills_by_nation_airspace":
        need(3)
        if parts[1] not in c.nations:
            raise bad(1, c.nations)
        if parts[2] not in c.airspaces:
            raise bad(2, c.airspaces)
        nk, ak = c.nations.index(parts[1]), c.airspaces.index(parts[2])
        return lambda raw: raw.kills_na[:, nk, ak].astype(float)
    if top == "intercepts_by_nation":
        need(2)
        if parts[1] not in c.nations:
            raise bad(1, c.nations)
        sel = c.un_nation == c.nations.index(parts[1])
        return lambda raw: raw.unit_kills[:, sel, :].sum(axis=(1, 2)).astype(float)
    if top == "intercepts_by_layer":
        need(2)
        if parts[1] not in LAYERS:
            raise bad(1, LAYERS)
        sel = c.un_layer == LAYERS.index(parts[1])
        return lambda raw: raw.unit_kills[:, sel, :].sum(axis=(1, 2)).astype(float)
    if top == "intercepts_by_unit":
        need(2)
        if parts[1] not in c.unit_names:
            raise bad(1, c.unit_names)
        k = c.unit_names.index(parts[1])
        return lambda raw: raw.unit_kills[:, k, :].sum(axis=1).astype(float)
    if top == "intercepts_detail":
        need(4)
        if parts[1] not in c.nations:
            raise bad(1, c.nations)
        nk = c.nations.index(parts[1])
        layers = [LAYERS[l] for l in sorted(set(c.un_layer[c.un_nation == nk].tolist()))]
        if parts[2] not in layers:
            raise bad(2, layers)
        if parts[3] not in THREAT_CLASSES:
            raise bad(3, THREAT_CLASSES)
        sel = (c.un_nation == nk) & (c.un_layer == LAYERS.index(parts[2]))
        ci = THREAT_CLASSES.index(parts[3])
        return lambda raw: raw.unit_kills[:, sel, ci].sum(axis=1).astype(float)
    if top == "interceptors_used":
        need(2)
        if parts[1] not in c.interceptor_types:
            raise bad(1, c.interceptor_types)
        sel = c.un_type == c.interceptor_types.index(parts[1])
        return lambda raw: raw.unit_shots[:, sel].sum(axis=1).astype(float)
    if top == "cost_usd":
        need(2)
        choices = ("defender", "attacker", "exchange_ratio")
        if parts[1] not in choices:
            raise bad(1, choices)
        cost = _unit_costs(c)
        attack = _attack_cost(c)
        if parts[1] == "defender":
            return lambda raw: raw.unit_shots @ cost
        if parts[1] == "attacker":
            return lambda raw: np.full(raw.cls.shape[0], attack)
        return lambda raw: (raw.unit_shots @ cost) / attack if attack > 0 else np.full(raw.cls.shape[0], np.inf)
    # hits_by_site
    need(2)
    if parts[1] not in c.site_names:
        raise bad(1, c.site_names)
    k = c.site_names.index(parts[1])
    return lambda raw: raw.site_hits[:, k].astype(float)


def _strip_stat(path: str, file: str, field: str) -> list[str]:
    parts = path.split(".")
    if parts and parts[-1] == "mean":
        parts = parts[:-1]
    elif parts and parts[-1] in _STATS:
        raise InputError(file, field, path, "observations are compared with the predicted distribution; "
                                             f"drop the trailing .{parts[-1]} (or write .mean)")
    return parts


def _expand_sum(parts: list[str], path: str, file: str, field: str, forbid: tuple[str, ...] = ()) -> list[str] | None:
    """The paths a ``a+b`` part stands for (None when no part has a ``+``)."""
    plus = [k for k, p in enumerate(parts) if "+" in p]
    if not plus:
        return None
    if len(plus) > 1:
        raise InputError(file, field, path, "only one part of a metric may sum choices with +; "
                                             "write one observation per sum")
    k = plus[0]
    names = parts[k].split("+")
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InputError(file, field, path, "a sum names distinct choices joined by +, e.g. "
                                             "interceptors_used.patriot-pac-3+patriot-pac-3-mse")
    if parts[0] in forbid or k == 0:
        raise InputError(file, field, path, f"{parts[0] if k else 'the first part'} cannot be summed with +; "
                                             "sum counts only, after the first part")
    return [".".join(parts[:k] + [n] + parts[k + 1:]) for n in names]


# --- campaign events ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignShape:
    """What a campaign's per-trial output holds: its number of days and its interceptor types."""

    days: int
    types: tuple[str, ...]


CampaignSampler = Callable[["object"], np.ndarray]   # CampaignResult -> (trials,) array


def campaign_metric_paths(shape: CampaignShape, daily: bool) -> list[str]:
    """Every campaign metric path: totals (``daily=False``) or a night's (``daily=True``)."""
    inner = [f"by_class.{k}.{w}" for k in THREAT_CLASSES for w in OUTCOMES]
    inner += [f"interceptors_used_by_type.{t}" for t in shape.types]
    if not daily:
        return [f"totals.{p}" for p in inner + ["leaked", "impacted"]]
    return inner + [f"cumulative.{p}" for p in inner + ["leaked", "impacted"]] + ["impacted_cumulative"]


def campaign_sampler(shape: CampaignShape, path: str, day: int | None, file: str = "<event>",
                     field: str = "metric") -> CampaignSampler:
    """A function ``CampaignResult -> (trials,) array`` for a campaign metric (see module notes).

    ``day`` (1-based) selects one night; None the campaign totals. The result must have been run
    with ``keep_daily=True`` when ``day`` is set.

    Raises
    ------
    InputError
        For a path or day that names nothing in this campaign; the message lists the choices.
    """
    parts = _strip_stat(path, file, field)
    summed = _expand_sum(parts, path, file, field)
    if summed is not None:
        subs = [campaign_sampler(shape, p, day, file, field) for p in summed]
        return lambda res: np.sum([f(res) for f in subs], axis=0)
    day_field = field.rsplit(".", 1)[0] + ".day" if "." in field else "day"
    if day is None:
        if parts[0] != "totals":
            raise InputError(file, field, path, "this event is a campaign: a campaign total's metric starts with totals. "
                                                 "(e.g. totals.by_class.ballistic.impacted); a night's metric needs "
                                                 "night and day")
        rest, cumulative = parts[1:], False
    else:
        if day > shape.days:
            raise InputError(file, day_field, day, f"the campaign has {shape.days} days; give a day from 1 to {shape.days}")
        if parts[0] == "totals":
            raise InputError(file, field, path, "totals. paths are campaign totals: drop night and day, or use "
                                                 "by_class.<class>.<count> for the night")
        if parts == ["impacted_cumulative"]:
            parts = ["cumulative", "impacted"]
        cumulative = parts[0] == "cumulative"
        rest = parts[1:] if cumulative else parts
    choices = campaign_metric_paths(shape, day is not None)
    head = ("totals." if day is None else "cumulative." if cumulative else "")

    def bad() -> InputError:
        return InputError(file, field, path, f"unknown campaign metric; choose one of: {', '.join(choices[:12])}, "
                                             f"... ({len(choices)} in all; see docs/calibration.md)")

    if rest in (["leaked"], ["impacted"]) and (day is None or cumulative):
        key = f"all.{rest[0]}"
    elif len(rest) == 3 and rest[0] == "by_class":
        if rest[1] not in THREAT_CLASSES:
            raise InputError(file, field, path, f"unknown class {rest[1]!r} after {head}by_class; choose one of: "
                                                 f"{', '.join(THREAT_CLASSES)}")
        if rest[2] not in OUTCOMES:
            raise InputError(file, field, path, f"unknown count {rest[2]!r}; choose one of: {', '.join(OUTCOMES)}")
        key = f"{rest[1]}.{rest[2]}"
    elif len(rest) == 2 and rest[0] == "interceptors_used_by_type":
        if rest[1] not in shape.types:
            raise InputError(file, field, path, f"no stock of interceptor type {rest[1]!r} in this campaign; choose one "
                                                 f"of: {', '.join(shape.types)}")
        key = f"used_type.{rest[1]}"
    else:
        raise bad()

    def one(res, d):
        if key.endswith(".fell_outside"):
            h = key.rsplit(".", 1)[0]
            return (res.samples(f"{h}.leaked", d) - res.samples(f"{h}.impacted", d)).astype(float)
        return res.samples(key, d).astype(float)

    if day is None:
        return lambda res: one(res, None)
    if not cumulative:
        return lambda res: one(res, day)
    return lambda res: np.sum([one(res, d) for d in range(1, day + 1)], axis=0)


_EXAMPLES = {
    "by_class": "by_class.ballistic.impacted",
    "by_type": "by_type.emad.impacted",
    "kills_by_nation_airspace": "kills_by_nation_airspace.united-states.jordan",
    "intercepts_by_nation": "intercepts_by_nation.united-states",
    "intercepts_by_layer": "intercepts_by_layer.exo",
    "intercepts_by_unit": "intercepts_by_unit.erbil-patriot",
    "intercepts_detail": "intercepts_detail.united-states.naval.ballistic",
    "interceptors_used": "interceptors_used.arrow-3",
    "cost_usd": "cost_usd.defender",
    "hits_by_site": "hits_by_site.nevatim",
}
