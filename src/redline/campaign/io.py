"""Reading campaigns: a scenario file with a ``campaign:`` block.

``parse_campaign(text)`` builds ``(Scenario, Campaign)`` from text,
``read_campaign(path)`` opens a file and ``load_campaign(name_or_path)``
also knows the built-in names. The ``campaign`` block is taken out and the
rest is read as a scenario, so ``extends: april-2024`` and
``exclude_owners`` work as in any scenario. A file that
``extends`` a campaign file merges its own block into the parent's. A
scenario without the block gets the default
:class:`~redline.scenario.campaign.Campaign` (its raid once a day for seven
days, no production).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..catalog import Catalog
from ..errors import InputError
from ..yamlio import read_text
from ..scenario.io import _exists, _load_yaml, _parse_raw, builtin_scenarios, scenario_catalog
from ..scenario.schema import Scenario, check_wave_sizes
from .schema import Campaign
from .stocks import schedule_counts

__all__ = ["parse_campaign", "read_campaign", "load_campaign", "check_campaign"]


def check_campaign(camp: Campaign, sc: Scenario, cat: Catalog, file: str) -> None:
    """Check that every type and nation the campaign names exists in the scenario, and that no wave is too big."""
    try:
        check_wave_sizes(sc.raid, camp)
    except ValueError as exc:
        raise InputError(file, "campaign.wave_scale", camp.wave_scale, getattr(exc, "fix", str(exc))) from None
    if camp.schedule is not None:
        schedule_counts(sc, camp, cat, file)     # every salvo and class it names exists
    groups = {(u.owner, u.type) for u in sc.fire_units}
    types = {u.type for u in sc.fire_units}
    owners = {u.owner for u in sc.fire_units}
    raid_threats = {s.threat for s in sc.raid}
    for t in camp.missile_stocks:
        if t not in raid_threats:
            raise InputError(file, f"campaign.missile_stocks.{t}", t,
                             f"not a threat type of the raid; use one of {', '.join(sorted(raid_threats))}")
    for table in ("depot", "production_per_day"):
        for owner, by_type in getattr(camp, table).items():
            if owner not in owners:
                raise InputError(file, f"campaign.{table}.{owner}", owner,
                                 f"no fire unit has this owner; use one of {', '.join(sorted(owners))}")
            for t in by_type:
                if (owner, t) not in groups:
                    have = sorted(k for o, k in groups if o == owner)
                    raise InputError(file, f"campaign.{table}.{owner}.{t}", t,
                                     f"{owner} has no fire unit of this type; use one of {', '.join(have)}")
    for i, r in enumerate(camp.resupply):
        if (r.owner, r.type) not in groups:
            raise InputError(file, f"campaign.resupply[{i}]", f"{r.owner}/{r.type}",
                             "no fire unit of this owner and type; check both names against fire_units")
    for table in ("reserve", "conserve", "plan"):
        for t in getattr(camp.adapt, table):
            if t not in types:
                raise InputError(file, f"campaign.adapt.{table}.{t}", t,
                                 f"no fire unit fires this interceptor type; use one of {', '.join(sorted(types))}")


def parse_campaign(text: str, file: str = "<string>", base_dir: Path | None = None) -> tuple[Scenario, Campaign]:
    """Build ``(scenario, campaign)`` from the YAML text of a campaign (or plain scenario) file.

    The campaign is the file's ``campaign`` block merged over the blocks of the
    files it ``extends`` (mappings merged key by key, lists replaced, a key set
    to null removed; ``campaign: null`` drops the inherited block); a file whose
    chain gives no block gets the default campaign. The scenario is the rest,
    read as by :func:`~redline.scenario.parse_scenario`, and returned without its
    campaign block (its hash is the scenario's; the block has its own).
    """
    raw = _load_yaml(text, file)
    block = raw.get("campaign")
    if block is not None and not isinstance(block, dict):
        raise InputError(file, "campaign", block, "the campaign block is a mapping (days, waves_per_day, ...); write it as one")
    # the block is validated with the scenario model, before the scenario's routes are walked
    sc = _parse_raw(raw, file, base_dir)
    camp = sc.campaign if sc.campaign is not None else Campaign()
    sc = sc.model_copy(update={"campaign": None})
    check_campaign(camp, sc, scenario_catalog(sc, base_dir), file)
    return sc, camp


def read_campaign(path: str | Path) -> tuple[Scenario, Campaign]:
    """Read and check a campaign file."""
    p = Path(path)
    text = read_text(p, "campaign file")
    return parse_campaign(text, str(p), p.parent)


def load_campaign(name_or_path: str | Path) -> tuple[Scenario, Campaign]:
    """A built-in campaign or scenario by name, or a campaign file by path."""
    s = str(name_or_path)
    if s in builtin_scenarios():
        text = (resources.files("redline") / "data" / "scenarios" / f"{s}.yaml").read_text(encoding="utf-8")
        return parse_campaign(text, s, None)
    p = Path(s)
    if p.suffix in (".yaml", ".yml") or _exists(p):
        return read_campaign(p)
    known = ", ".join(builtin_scenarios())
    raise InputError(s, "scenario", s, f"no built-in scenario of that name and no such file; built-ins are: {known}")
