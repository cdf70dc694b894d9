"""Escalation designs: do the policy packages' rankings survive the judgements behind them?

:func:`lever_robustness` runs :func:`redline.escalation.compare_policies` (common random numbers)
under named designs, each changing one judgement the lever file or the game makes:

``levers x F``
    every utility delta, partner bonus and commitment weight of every lever scaled by ``F``;
``ceasefire equal``
    the Gaza pause lasts as long as a full ceasefire (half-life 240 days for both);
``misperception x F``
    the posterior's misperception probability scaled by ``F`` (it is not identified by the history);
``war count=N``
    the reported war rule (a report: it changes P(regional war) only).

It returns, per design, each package's P(major strike) and P(regional war) and the ranking by
P(major strike), and says which pairwise orderings of the baseline hold in every design.

A sweep file with ``kind: escalation`` (:class:`EscalationSweepSpec`; example
``src/redline/data/sweeps/escalation-lever-robustness.yaml``) runs these designs from
``redline sweep SPEC``: the engagement sweep runner's designs are over scenario and parameter
values, these over the escalation model's judgements, so they run here (one process, common
random numbers across designs) and write ``summary.json`` into the sweep folder.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from itertools import combinations
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DESIGNS", "EscalationDesign", "EscalationSweepSpec", "lever_robustness", "run_escalation_sweep",
           "scaled_levers"]

#: The default designs: (name, kind, value).
DESIGNS: tuple[tuple[str, str, Any], ...] = (
    ("baseline", "none", None),
    ("levers x 0.5", "levers", 0.5),
    ("levers x 2", "levers", 2.0),
    ("ceasefire equal", "ceasefire", 240.0),
    ("misperception x 0.5", "misperception", 0.5),
    ("misperception x 2", "misperception", 2.0),
    ("war count=2", "war", "count=2"),
)


def scaled_levers(book, factor: float):
    """The lever book with every lever's utility deltas, partner bonuses and commitment weights x ``factor``."""
    from ..escalation.schema import CommitmentEffect, PartnersEffect, UtilityEffect

    levers = {}
    for name, lev in book.levers.items():
        effs = []
        for e in lev.effects:
            if isinstance(e, UtilityEffect):
                e = e.model_copy(update={"delta": e.delta * factor})
            elif isinstance(e, PartnersEffect):
                e = e.model_copy(update={"logit": e.logit * factor})
            elif isinstance(e, CommitmentEffect):
                e = e.model_copy(update={"weight": min(1.0, e.weight * factor)})
            effs.append(e)
        levers[name] = lev.model_copy(update={"effects": tuple(effs)})
    return book.model_copy(update={"levers": levers})


def _ceasefire(book, half_life: float):
    from ..escalation.schema import GazaEffect

    levers = {}
    for name, lev in book.levers.items():
        effs = tuple(e.model_copy(update={"half_life_days": {"full": half_life, "pause": half_life}})
                     if isinstance(e, GazaEffect) else e for e in lev.effects)
        levers[name] = lev.model_copy(update={"effects": effs})
    return book.model_copy(update={"levers": levers})


def lever_robustness(policies: list[str] | None = None, designs=DESIGNS, start: str = "april-2024",
                     horizon_days: float = 365.0, paths: int = 4000, seed: int = 1,
                     progress: Callable[[str], None] | None = None) -> dict:
    """Compare the packages under every design; which baseline orderings by P(major strike) survive."""
    from ..escalation import compare_policies
    from ..escalation.compile import compile_model
    from ..escalation.crisis import default_model
    from ..escalation.fit import ENV_POSTERIOR, load_posterior

    base = default_model()
    out: dict[str, Any] = {"start": start, "horizon_days": horizon_days, "paths": paths, "seed": seed, "designs": {}}
    for name, kind, value in designs:
        model, war_rule, env = base, None, None
        if kind == "levers":
            model = compile_model(base.game, scaled_levers(base.book, float(value)))
        elif kind == "ceasefire":
            model = compile_model(base.game, _ceasefire(base.book, float(value)))
        elif kind == "war":
            war_rule = value
        elif kind == "misperception":
            doc = json.loads(json.dumps(load_posterior()))
            doc["draws"]["misperception"] = [min(0.45, x * float(value)) for x in doc["draws"]["misperception"]]
            fd, env = tempfile.mkstemp(suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(doc, f)
        old = os.environ.get(ENV_POSTERIOR)
        try:
            if env:
                os.environ[ENV_POSTERIOR] = env
            r = compare_policies(policies, start=start, horizon_days=horizon_days, paths=paths, seed=seed,
                                 model=model, war_rule=war_rule, max_paths=0)
        finally:
            if env:
                if old is None:
                    os.environ.pop(ENV_POSTERIOR, None)
                else:
                    os.environ[ENV_POSTERIOR] = old
                os.unlink(env)
        rows = {p.name: {"p_major_strike": p.p_major_strike.mean, "p_regional_war": p.p_regional_war.mean,
                         "p_breakout": p.p_breakout.mean if p.p_breakout is not None else None}
                for p in r.policies}
        rank = sorted(rows, key=lambda k: (rows[k]["p_major_strike"], k))
        out["designs"][name] = {"packages": rows, "ranking_major_strike": rank}
        if progress:
            progress(f"{name}: " + " < ".join(rank))
    b = out["designs"][designs[0][0]]["packages"]
    names = list(b)
    survive = []
    for x, y in combinations(names, 2):
        lo, hi = (x, y) if b[x]["p_major_strike"] < b[y]["p_major_strike"] else (y, x)
        holds = [d for d, v in out["designs"].items()
                 if v["packages"][lo]["p_major_strike"] < v["packages"][hi]["p_major_strike"]]
        survive.append({"lower": lo, "higher": hi, "holds_in": len(holds), "of": len(out["designs"]),
                        "fails_in": [d for d in out["designs"] if d not in holds]})
    out["pairwise"] = survive
    return out


# ------------------------------------------------------------------ the sweep spec kind
class EscalationDesign(BaseModel):
    """One design: ``kind`` none (the baseline), levers (factor), ceasefire (the pause's half-life,
    days), misperception (factor) or war (a ``--war-rule`` string such as ``count=2``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    name: str = Field(min_length=1, max_length=80)
    kind: Literal["none", "levers", "ceasefire", "misperception", "war"]
    value: float | str | None = None

    @model_validator(mode="after")
    def _check(self) -> "EscalationDesign":
        if self.kind == "none":
            if self.value is not None:
                raise ValueError(f"design {self.name}: kind none takes no value")
        elif self.kind == "war":
            from ..errors import InputError
            from ..escalation.compile import parse_war_rule

            if not isinstance(self.value, str):
                raise ValueError(f"design {self.name}: kind war needs value: a war rule such as count=2,window=90")
            try:
                parse_war_rule(self.value)
            except InputError as e:
                raise ValueError(f"design {self.name}: {e.fix if hasattr(e, 'fix') else e}") from None
        elif isinstance(self.value, str) or self.value is None or not self.value > 0:
            raise ValueError(f"design {self.name}: kind {self.kind} needs a positive number as value")
        return self


class EscalationSweepSpec(BaseModel):
    """A sweep of escalation designs (``kind: escalation``): the packages compared under each."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    kind: Literal["escalation"]
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = ""
    description: str = ""
    policies: tuple[str, ...] | None = Field(default=None, min_length=2, max_length=40)
    start: str = "april-2024"
    horizon_days: float = Field(default=365.0, gt=0, le=3650)
    paths: int = Field(default=4000, ge=100, le=200_000)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    designs: tuple[EscalationDesign, ...] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _check(self) -> "EscalationSweepSpec":
        names = [d.name for d in self.designs]
        if len(set(names)) != len(names):
            raise ValueError("design names must be unique")
        if self.designs[0].kind != "none":
            raise ValueError("the first design is the baseline the others are compared with: give it kind none")
        return self


def check_escalation_spec(spec: EscalationSweepSpec) -> None:
    """Check a spec's packages and start state before any path is run (one-line InputErrors)."""
    from ..escalation.crisis import default_model, policy_levers, start_state

    model = default_model()
    levers = {}
    for p in spec.policies or ():
        levers = policy_levers(p, model.book)
    start_state(model, spec.start, levers)


def run_escalation_sweep(spec: EscalationSweepSpec, folder: str | None = None,
                         progress: Callable[[str], None] | None = None) -> dict:
    """Run an escalation sweep spec (:func:`lever_robustness`); write ``summary.json`` into ``folder``."""
    from pathlib import Path

    check_escalation_spec(spec)

    designs = tuple((d.name, d.kind, d.value) for d in spec.designs)
    r = lever_robustness(list(spec.policies) if spec.policies else None, designs=designs, start=spec.start,
                         horizon_days=spec.horizon_days, paths=spec.paths, seed=spec.seed, progress=progress)
    r = {"sweep": spec.name, "kind": "escalation", **r}
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "summary.json").write_text(json.dumps(r, indent=1, default=str) + "\n", encoding="utf-8")
        r["folder"] = str(folder)
    return r
