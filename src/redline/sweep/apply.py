"""Turn a design point's values into a scenario and a parameter set.

Targets (``ParameterSpec.name``):

- ``pk.<interceptor>.<class>``: single-shot kill probability;
- ``reliability.<threat>`` / ``cep_m.<threat>``: per threat type, or
  ``reliability.<class>`` for every threat type of a class (drone, cruise,
  ballistic);
- ``pd.<sensor>``: detection probability;
- ``scenario.<path>``: a scenario field, e.g. ``scenario.doctrine.look_s``,
  ``scenario.fire_units[arrow3-central].magazine`` (list items by ``name``,
  index or ``*`` for all), ``scenario.raid[*].count``. Integer fields are
  rounded to the nearest integer;
- ``campaign.<path>``: a field of a campaign sweep's ``campaign`` block, e.g.
  ``campaign.launcher_attrition_per_day``, ``campaign.depot.israel.arrow-3``.

A parameter-set value replaces the entry for every draw of the base set
(posterior draws keep their other parameters). Scenario and campaign paths
are set by :func:`redline.scenario.transforms.set_paths`.
"""
from __future__ import annotations

from ..campaign.schema import Campaign
from ..catalog import THREAT_CLASSES, Catalog
from ..engagement.params import ParamSet
from ..errors import InputError
from ..scenario.schema import Salvo, Scenario, check_wave_sizes
from ..scenario.transforms import set_paths

__all__ = ["check_outputs", "check_targets", "apply_point", "apply_campaign"]

def _threats_for(cat: Catalog, key: str, name: str, file: str) -> list[str]:
    if key in THREAT_CLASSES:
        return sorted(t for t, v in cat.threats.items() if v.klass == key)
    if key in cat.threats:
        return [key]
    raise InputError(file, f"parameters.{name}", key,
                     f"not a threat type or class; use a class ({', '.join(THREAT_CLASSES)}) or one of {', '.join(sorted(cat.threats))}")


def _param_updates(cat: Catalog, name: str, value: float, file: str) -> tuple[str, dict] | None:
    table, _, rest = name.partition(".")
    if table == "pk":
        it, _, cl = rest.rpartition(".")
        if it not in cat.interceptors or cl not in THREAT_CLASSES:
            raise InputError(file, f"parameters.{name}", name,
                             f"write pk.<interceptor>.<class> with an interceptor of {', '.join(sorted(cat.interceptors))} "
                             f"and a class of {', '.join(THREAT_CLASSES)}")
        return "pk", {(it, cl): [value]}
    if table in ("reliability", "cep_m"):
        return table, {t: [value] for t in _threats_for(cat, rest, name, file)}
    if table == "pd":
        if rest not in cat.sensors:
            raise InputError(file, f"parameters.{name}", rest, f"unknown sensor type; use one of {', '.join(sorted(cat.sensors))}")
        return "pd", {rest: [value]}
    if table in ("scenario", "campaign"):
        return None
    raise InputError(file, f"parameters.{name}", name,
                     "a parameter name starts with pk., reliability., cep_m., pd., scenario. or campaign.")


def apply_point(sc: Scenario, cat: Catalog, base: ParamSet, names: tuple[str, ...], values: tuple[float, ...],
                file: str = "<sweep>") -> tuple[Scenario, ParamSet]:
    """The scenario and parameter set of one design point."""
    tables: dict[str, dict] = {}
    scen_paths = []
    for name, v in zip(names, values):
        upd = _param_updates(cat, name, float(v), file)
        if upd is None:
            if name.startswith("scenario."):
                scen_paths.append((name, float(v)))
        else:
            tables.setdefault(upd[0], {}).update(upd[1])
    sc = set_paths(sc, scen_paths, file)
    ps = base.with_values(**tables) if tables else base
    return sc, ps


def apply_campaign(camp: Campaign | None, names: tuple[str, ...], values: tuple[float, ...],
                   file: str = "<sweep>", raid: tuple[Salvo, ...] | None = None) -> Campaign | None:
    """The campaign block of one design point (``campaign.<path>`` parameters applied).

    With ``raid`` (the point's salvos), the point's largest wave is checked against
    :data:`redline.limits.MAX_RAID_THREATS`: a sweep over ``wave_scale`` or ``day_scale`` cannot
    push a wave past the cap that a campaign file is held to.
    """
    paths = [(n, float(v)) for n, v in zip(names, values) if n.startswith("campaign.")]
    if not paths:
        return camp
    if camp is None:
        raise InputError(file, f"parameters.{paths[0][0]}", paths[0][0],
                         "campaign parameters need a campaign sweep; add `campaign: true` to the spec")
    out = set_paths(camp, paths, file)
    if raid is not None:
        try:
            check_wave_sizes(raid, out)
        except ValueError as exc:
            raise InputError(file, "parameters", dict(paths), str(exc)) from None
    return out


def check_targets(sc: Scenario, cat: Catalog, base: ParamSet, names: tuple[str, ...], X, file: str,
                  campaign: Campaign | None = None) -> None:
    """Apply the first and last design points once so that bad names fail before any work starts."""
    if len(X):
        for row in (X[0], X[-1]):
            sc_row, _ = apply_point(sc, cat, base, names, tuple(row), file)
            apply_campaign(campaign, names, tuple(row), file, raid=sc_row.raid)


def check_outputs(outputs: tuple[str, ...], of: str, file: str) -> None:
    """Refuse, before any work, an output whose first key is not a field of the point's summary.

    ``of`` is ``"run"`` or ``"campaign"``; deeper keys (a site, a class) are checked when the
    first point's summary exists (a missing one is then the same one-line error).
    """
    from ..records import CampaignSummary, RunSummary

    fields = sorted(set((CampaignSummary if of == "campaign" else RunSummary).model_fields) - {"manifest"})
    for k, o in enumerate(outputs):
        head = o.split(".", 1)[0]
        if head not in fields:
            raise InputError(file, f"outputs[{k}]", o, f"a {of} summary has no {head!r}; start the path with one of "
                             f"{', '.join(fields)}")
