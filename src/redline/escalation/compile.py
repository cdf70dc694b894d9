"""Compile the game, the levers and the effects table into the kernel's arrays.

:func:`compile_model` returns a :class:`Model`: the frozen inputs, names of actors and actions,
and the named kernel tables :class:`~redline.escalation.kernel.tables.Tables`. State vectors are
built with :func:`blank_state`, then set by context changes, lever settings and stock levels.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .effects import Effect, combo_variant, lever_variants, load_table, table_effect, variant_applies
from .io import load_game, load_levers
from .kernel.state import set_gaza
from .kernel.tables import Tables
from .layout import (
    C_HOST,
    C_INFL,
    C_INFLW,
    F_BASED,
    F_KIND,
    G_BASINGC,
    G_DEFENDL,
    G_NUCB0,
    G_NUCBHIT,
    G_NUCBTHIRD,
    G_PRESSC,
    G_STANCE,
    KIND_CODE,
    ROLE_PDECIDE,
    RUNG_WAR,
    C_AUTON,
    C_FAMILY,
    C_FIRSTA,
    C_FLOSS,
    C_FTGT,
    C_GAZAM,
    C_GAZASENS,
    C_NACT,
    C_OILS,
    C_PATRON,
    C_PLOGIT,
    C_PSLOT,
    C_RESOLVE,
    C_WARC,
    F_ACTOR,
    F_CAP,
    F_DCOST,
    F_DEFSTK,
    F_ECON,
    F_HOSTILE,
    F_NUC,
    F_OIL,
    F_OWNSTK,
    F_PROXYFRONT,
    F_LVAR,
    F_RUNG,
    F_TARGET,
    F_TFAM,
    F_THIRD,
    F_VIA,
    G_DEFHL,
    G_DEPL,
    G_DOWN,
    G_DUR,
    G_WARW,
    G_GAZALEV,
    G_GRHL,
    G_GRL,
    G_GRR,
    G_L0,
    G_NUCH,
    G_NUCV,
    G_PRECHL,
    G_PRET,
    G_PSLOT0,
    G_QUIETN,
    G_RAIDFAM,
    G_WARCNT,
    G_WARDAYS,
    G_WARMIN,
    MAX_ACTIONS,
    NA,
    NC,
    NCOMBO,
    NDUR,
    NF,
    NG,
    NLEV,
    NOUT,
    NRING,
    NST,
    NVAR,
    ROLE_CODE,
    ROLE_NONE,
    RUNG_FRONT,
    RUNG_HOSTILE,
    S_CEASE,
    S_GAZA,
    S_HIT,
    S_LASTHT,
    S_LEV,
    S_NUC,
    S_PS,
    S_STK,
    SDIM,
)
from .schema import (
    Action,
    CommitmentEffect,
    Game,
    GazaEffect,
    LeverBook,
    MisperceptionEffect,
    NuclearEffect,
    PartnersEffect,
    StartState,
    StocksEffect,
    UtilityEffect,
    VariantEffect,
    WarCostEffect,
)

__all__ = ["Model", "apply_context", "blank_state", "compile_model", "model_from_files", "parse_war_rule", "set_levers",
           "set_stocks", "with_war_rule"]


@dataclass(frozen=True)
class Model:
    """A compiled game: names, inputs and the kernel tables."""

    game: Game
    book: LeverBook
    actors: tuple[str, ...]
    actions: tuple[str, ...]                 # "actor:action" by global index
    action_index: dict[str, int]
    interceptor_types: tuple[str, ...]
    stocks: tuple[str, ...]
    levers: tuple[str, ...]
    tables: Tables
    effects_provenance: dict
    sha256: str                              # of the game, levers and effects that built it

    def actor_id(self, name: str) -> int:
        return self.actors.index(name)

    def actions_of(self, actor: str) -> list[str]:
        return [a for a in self.actions if a.split(":", 1)[0] == actor]


def _effect_of(game: Game, table: dict, raid_id: str, variant: str) -> Effect:
    raid = game.raids[raid_id]
    if raid.assumed is not None:
        o = raid.assumed.outcome
        return Effect(severity=(o[0], o[1], o[2]), launched={str(k): v for k, v in raid.assumed.launched.items()},
                      interceptors_used=dict(raid.assumed.interceptors),
                      cost_usd={"attacker": raid.assumed.cost_usd_bn * 1e9, "defender": 0.0},
                      provenance="assumption")
    eff = table_effect(table, raid_id, variant)
    if eff is None and variant != "default":
        eff = table_effect(table, raid_id, "default")
    if eff is None:
        raise InputError("escalation/effects.json", f"entries.{raid_id}.{variant}", None,
                         "missing from the effects table; rebuild it: redline maintain rebuild-effects")
    return eff


def compile_model(game: Game | None = None, book: LeverBook | None = None, table: dict | None = None) -> Model:
    """Compile game, levers and effects into kernel tables."""
    game = game or load_game()
    book = book or (load_levers() if game is load_game() else load_levers(game=game))
    table = table if table is not None else load_table()
    actors = list(game.actors)
    aid = {a: k for k, a in enumerate(actors)}
    stocks = list(game.stocks)
    sid = {s: k for k, s in enumerate(stocks)}
    levers = list(book.levers)
    if len(levers) > NLEV:
        raise InputError("levers.yaml", "levers", len(levers), f"at most {NLEV} levers are supported")
    lvars = lever_variants(book)
    # interceptor types: from the game's map and from every effect
    itypes: list[str] = list(game.interceptors)
    for rid in game.raids:
        for e in table.get("entries", {}).get(rid, {}).values():
            for k in e.get("interceptors_used", {}):
                if k not in itypes:
                    itypes.append(k)
    for actor_def in game.actors.values():
        if actor_def.front:
            for k in actor_def.front.interceptors_per_day:
                if k not in itypes:
                    itypes.append(k)
    tid = {t: k for k, t in enumerate(itypes)}
    imap = np.full(len(itypes), -1.0)
    for t, s in game.interceptors.items():
        if s != "none":
            imap[tid[t]] = sid[s]

    names: list[str] = []
    rows: list[tuple[int, Action]] = []
    ACT = np.zeros((NA, NC))
    role = np.full(NA, ROLE_NONE, np.int64)
    ACT[:, C_PATRON] = -1
    ACT[:, C_FTGT] = -1
    ACT[:, C_PSLOT] = -1
    ACT[:, C_HOST] = -1
    ACT[:, C_INFL] = -1
    for k in range(NA):
        ACT[k, C_FAMILY] = k
    partners = list(game.partners)
    for k, name in enumerate(actors):
        ax = game.actors[name]
        role[k] = ROLE_CODE[ax.role]
        if ax.role == "partner" and game.actions.get(name):
            role[k] = ROLE_PDECIDE          # a partner that decides: it moves
        for h in ax.hosts:
            ACT[aid[h], C_HOST] = k
        if ax.influenced_by:
            ACT[k, C_INFL] = aid[ax.influenced_by]
            ACT[k, C_INFLW] = ax.influence
        ACT[k, C_PATRON] = aid[ax.patron] if ax.patron else -1
        ACT[k, C_AUTON] = ax.autonomy if ax.role == "proxy" else 1.0
        ACT[k, C_RESOLVE] = ax.resolve
        ACT[k, C_WARC] = ax.war_cost
        ACT[k, C_GAZAM] = ax.gaza_motive
        ACT[k, C_OILS] = ax.oil_sensitivity
        ACT[k, C_FAMILY] = aid[ax.patron] if ax.patron else k
        if ax.front is not None:
            ACT[k, C_FTGT] = aid[ax.front.target]
            ACT[k, C_FLOSS] = ax.front.loss_per_day
        ACT[k, C_PLOGIT] = ax.participation_logit
        ACT[k, C_GAZASENS] = ax.gaza_sensitivity
        if name in partners:
            ACT[k, C_PSLOT] = partners.index(name)
        acts = game.actions.get(name, {})
        ACT[k, C_FIRSTA] = len(names)
        ACT[k, C_NACT] = len(acts)
        if len(acts) > MAX_ACTIONS:
            raise InputError("game.yaml", f"actions.{name}", len(acts),
                             f"at most {MAX_ACTIONS} actions per actor are supported")
        for an, act in acts.items():
            names.append(f"{name}:{an}")
            rows.append((k, act))
    for k, name in enumerate(actors):
        ax = game.actors[name]
        if ax.role == "proxy":
            assert ax.patron is not None
            ACT[k, C_RESOLVE] = ax.autonomy * ax.resolve + (1 - ax.autonomy) * game.actors[ax.patron].resolve
            ACT[k, C_WARC] = ax.autonomy * ax.war_cost + (1 - ax.autonomy) * game.actors[ax.patron].war_cost
    A = len(names)
    NI = len(itypes)
    AF = np.zeros((A, NF))
    AO = np.zeros((A, NCOMBO + NVAR, NOUT))
    AI = np.zeros((A, NI))
    ASTK = np.zeros((A, NST))
    raid_fam = -1.0
    for a, (k, act) in enumerate(rows):
        AF[a, F_ACTOR] = k
        AF[a, F_RUNG] = act.rung
        AF[a, F_TARGET] = aid[act.target] if act.target else -1
        AF[a, F_HOSTILE] = 1.0 if act.rung >= RUNG_HOSTILE else 0.0
        AF[a, F_CAP] = act.capability
        AF[a, F_NUC] = 1.0 if act.nuclear else 0.0
        AF[a, F_OIL] = act.oil_usd_bn
        AF[a, F_ECON] = act.cost_usd_bn
        AF[a, F_THIRD] = act.third_party
        AF[a, F_KIND] = KIND_CODE[act.effect]
        AF[a, F_BASED] = 1.0 if act.uses_bases else 0.0
        AF[a, F_PROXYFRONT] = 1.0 if (game.actors[actors[k]].role == "proxy" and act.rung >= RUNG_FRONT) else 0.0
        if act.raid is None:
            for q in range(NCOMBO + NVAR):
                AO[a, q] = act.outcome if act.outcome is not None else (1.0, 0.0, 0.0)
            continue
        raid = game.raids[act.raid]
        via = raid.via_partners and raid.base is not None
        AF[a, F_VIA] = 1.0 if via else 0.0
        if via:
            raid_fam = ACT[k, C_FAMILY]
        base = _effect_of(game, table, act.raid, "default")
        for q in range(NCOMBO):
            e = _effect_of(game, table, act.raid, combo_variant(game, q)) if via else base
            AO[a, q] = e.severity
        for v in range(NVAR):
            own = v < len(lvars) and variant_applies(game, act.raid, lvars[v])
            e = _effect_of(game, table, act.raid, lvars[v]) if own else base
            AO[a, NCOMBO + v] = e.severity
            if own and not via:
                AF[a, F_LVAR] = 1.0
        AF[a, F_ECON] += base.cost_usd.get("attacker", 0.0) / 1e9
        AF[a, F_DCOST] = base.cost_usd.get("defender", 0.0) / 1e9
        for t, n in base.interceptors_used.items():
            AI[a, tid[t]] = n
            if imap[tid[t]] >= 0:
                ASTK[a, int(imap[tid[t]])] += n
        bal = base.launched.get("ballistic", 0.0)
        for s, d in game.stocks.items():
            if d.owner == actors[k] and s.endswith("ballistic"):
                ASTK[a, sid[s]] += bal

    for a, (k, act) in enumerate(rows):
        AF[a, F_TFAM] = ACT[aid[act.target], C_FAMILY] if act.target else -1.0
        for si, sname in enumerate(stocks):
            if ASTK[a, si] > 0:
                if game.stocks[sname].owner == actors[k]:
                    AF[a, F_OWNSTK] = 1.0
                else:
                    AF[a, F_DEFSTK] = 1.0
    GP = np.zeros(NG)
    dyn = game.dynamics
    GP[G_L0:G_L0 + NOUT] = [dyn.loss_points["contained"], dyn.loss_points["damaging"], dyn.loss_points["severe"]]
    GP[G_GRR] = dyn.grievance["per_rung"]
    GP[G_GRL] = dyn.grievance["per_loss_point"]
    GP[G_GRHL] = dyn.grievance["half_life_days"]
    GP[G_DEFHL] = dyn.deficit["half_life_days"]
    GP[G_WARDAYS] = dyn.war["window_days"]
    GP[G_WARCNT] = dyn.war["count"]
    GP[G_WARMIN] = dyn.war["min_rung"]
    GP[G_QUIETN] = dyn.deescalation["quiet_rounds"]
    GP[G_DOWN] = dyn.misperception["down_share"]
    GP[G_NUCH] = dyn.nuclear["hazard_per_day"]
    GP[G_NUCV] = dyn.nuclear["value_per_status"]
    GP[G_DEPL] = dyn.depletion["max_shift"]
    GP[G_PRET] = dyn.partner_retaliation
    GP[G_PRECHL] = dyn.precedent["half_life_days"]
    GP[G_PSLOT0] = aid[partners[0]] if len(partners) > 0 else -1
    GP[G_PSLOT0 + 1] = aid[partners[1]] if len(partners) > 1 else -1
    GP[G_RAIDFAM] = raid_fam
    GP[G_DUR:G_DUR + NDUR] = dyn.duration_bins_days
    for r, p in dyn.war_risk.items():      # rung 8 is set to 1 where the kernel reads it
        GP[G_WARW + r] = p
    GP[G_STANCE] = dyn.partner_stance["logit"]
    GP[G_BASINGC] = dyn.basing["cost"]
    GP[G_PRESSC] = dyn.iraq_pressure["cost"]
    GP[G_DEFENDL] = dyn.us_defence["partner_logit"]
    GP[G_NUCB0] = dyn.nuclear.get("breakout_value", 0.0)
    GP[G_NUCBHIT] = dyn.nuclear.get("per_programme_damage", 0.0)
    GP[G_NUCBTHIRD] = dyn.nuclear.get("breakout_third_party", 0.0)
    GP[G_GAZALEV] = -1

    LU = np.zeros((NLEV, A))
    LUC = np.zeros((NLEV, A))
    LCA = np.full(NLEV, -1.0)
    COM = np.zeros((NLEV, NA, NA))
    MIS = np.zeros((NLEV, NA, NA))
    LPART = np.zeros((NLEV, 2))
    LVAR = np.full(NLEV, -1.0)
    LGAZA = np.zeros((NLEV, 2))
    LNUC = np.ones(NLEV)
    LWAR = np.ones(NLEV)
    LPROD = np.ones((NLEV, NST))
    for l, ln in enumerate(levers):
        for e in book.levers[ln].effects:
            if isinstance(e, UtilityEffect):
                tgts = None if e.targets is None else {aid[t] for t in e.targets}
                for a, (k, act) in enumerate(rows):
                    if actors[k] not in e.actors or not e.rungs[0] <= act.rung <= e.rungs[1]:
                        continue
                    if e.actions is not None and names[a].split(":", 1)[1] not in e.actions:
                        continue
                    if tgts is not None and (act.target is None or aid[act.target] not in tgts):
                        continue
                    if e.scale_by_credibility:
                        ca = aid[e.scale_by_credibility]
                        if LCA[l] >= 0 and LCA[l] != ca:
                            raise InputError("levers.yaml", f"levers.{ln}", e.scale_by_credibility,
                                             "one lever can scale by one actor's credibility only")
                        LCA[l] = ca
                        LUC[l, a] += e.delta
                    else:
                        LU[l, a] += e.delta
            elif isinstance(e, CommitmentEffect):
                for t in e.protects:
                    COM[l, aid[e.actor], aid[t]] = e.weight
            elif isinstance(e, MisperceptionEffect):
                for p0, p1 in e.pairs:
                    MIS[l, aid[p0], aid[p1]] = e.reduction
            elif isinstance(e, PartnersEffect):
                for slot, pn in enumerate(partners):
                    if e.partners is None or pn in e.partners:
                        LPART[l, slot] += e.logit
            elif isinstance(e, VariantEffect):
                LVAR[l] = lvars.index(e.variant)
            elif isinstance(e, GazaEffect):
                LGAZA[l] = [e.half_life_days["full"], e.half_life_days["pause"]]
                GP[G_GAZALEV] = l
            elif isinstance(e, NuclearEffect):
                LNUC[l] = e.multiplier
            elif isinstance(e, WarCostEffect):
                LWAR[l] = e.multiplier
            elif isinstance(e, StocksEffect):
                for s, m in e.production.items():
                    LPROD[l, sid[s]] = m
    PROD = np.zeros(NST)
    STKOWN = np.full(NST, -1.0)
    for s, d in game.stocks.items():
        STKOWN[sid[s]] = aid[d.owner]
    FSTK = np.zeros((NA, NST))
    FINT = np.zeros((NA, NI))
    for k, name in enumerate(actors):
        f = game.actors[name].front
        if f is None:
            continue
        for t, n in f.interceptors_per_day.items():
            FINT[k, tid[t]] = n
            if imap[tid[t]] >= 0:
                FSTK[k, int(imap[tid[t]])] += n
    ELT = AO @ GP[G_L0:G_L0 + NOUT]          # expected loss points per combination and variant
    # What a regional war would cost each actor beyond its residual war_cost (docs: "War as an
    # outcome"): the expected loss points of every rung-8 campaign aimed at it (third-party entry
    # included: the US campaign counts for Iran), and the largest oil shock of any campaign.
    WLOSS = np.zeros(NA)
    WOIL = 0.0
    for a, (k, act) in enumerate(rows):
        if act.rung >= RUNG_WAR:
            WOIL = max(WOIL, act.oil_usd_bn)
            if act.target is not None:
                WLOSS[aid[act.target]] += ELT[a, NCOMBO - 1]
    T = Tables(action=AF, outcome=AO, interceptors=AI, actor=ACT, role=role, glob=GP, lever_utility=LU,
               lever_utility_cred=LUC, lever_cred_actor=LCA, commitment=COM, misperception=MIS, partner_logit=LPART,
               lever_variant=LVAR, gaza_half_life=LGAZA, nuclear_mult=LNUC, war_cost_mult=LWAR,
               production_mult=LPROD, production=PROD, stock_use=ASTK, stock_owner=STKOWN, front_stock=FSTK,
               front_interceptors=FINT, expected_loss=np.ascontiguousarray(ELT), war_loss=WLOSS,
               war_oil=np.array([WOIL]))
    blob = json.dumps({"game": game.model_dump(mode="json"), "levers": book.model_dump(mode="json"),
                       "effects": table.get("entries", {})}, sort_keys=True).encode()
    return Model(
        game=game, book=book, actors=tuple(actors), actions=tuple(names),
        action_index={n: k for k, n in enumerate(names)}, interceptor_types=tuple(itypes),
        stocks=tuple(stocks), levers=tuple(levers), tables=T,
        effects_provenance=dict(table.get("provenance", {})), sha256=hashlib.sha256(blob).hexdigest(),
    )


_WAR_KEYS = {"count": "count", "window": "window_days", "window_days": "window_days", "min-rung": "min_rung",
             "min_rung": "min_rung"}


def parse_war_rule(spec: str | dict | None) -> dict[str, float] | None:
    """The reported war rule from ``"count=3,window=90,min-rung=5"`` (or a mapping); None: the game's.

    Raises :class:`InputError` (one line) on an unknown key, a non-number or a value out of range.
    """
    if spec is None or spec == "":
        return None
    items = spec.items() if isinstance(spec, dict) else (
        (kv.split("=", 1) if "=" in kv else (kv, None)) for kv in str(spec).split(",") if kv.strip())
    out: dict[str, float] = {}
    for k, v in items:
        key = _WAR_KEYS.get(str(k).strip())
        if key is None:
            raise InputError("--war-rule", str(k).strip(), v, "use count=N,window=DAYS,min-rung=R (any of the three)")
        try:
            x = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError("--war-rule", str(k).strip(), v, "give a number, e.g. count=3,window=90,min-rung=5") from None
        out[key] = x
    c, w, r = out.get("count", 3), out.get("window_days", 90), out.get("min_rung", 5)
    if not (1 <= c <= 5 and c == int(c)):
        raise InputError("--war-rule", "count", c, "give a whole number of moves from 1 to 5")
    if not w > 0:
        raise InputError("--war-rule", "window", w, "give a positive number of days")
    if not (1 <= r <= 8 and r == int(r)):
        raise InputError("--war-rule", "min-rung", r, "give a rung from 1 to 8")
    return out


def with_war_rule(model: Model, rule: str | dict | None) -> Model:
    """A copy of ``model`` whose *reported* war rule is ``rule`` (see :func:`parse_war_rule`).

    Only the report changes: no choice reads the rule, so action probabilities are unchanged.
    """
    r = parse_war_rule(rule)
    if not r:
        return model
    GP = model.tables.glob.copy()
    GP[G_WARCNT] = r.get("count", GP[G_WARCNT])
    GP[G_WARDAYS] = r.get("window_days", GP[G_WARDAYS])
    GP[G_WARMIN] = r.get("min_rung", GP[G_WARMIN])
    return Model(**{**model.__dict__, "tables": model.tables._replace(glob=GP)})


def war_rule_of(model: Model) -> dict[str, float]:
    """The reported war rule of a compiled model."""
    GP = model.tables.glob
    return {"count": int(GP[G_WARCNT]), "window_days": float(GP[G_WARDAYS]), "min_rung": int(GP[G_WARMIN])}


def model_from_files(game: str | None = None, levers: str | None = None, war_rule: str | dict | None = None) -> Model:
    """The model of override files (``--game``, ``--levers``, same schemas as the shipped ones)
    and a reported war rule; without any, the shipped model."""
    if game is None and levers is None:
        from .crisis import default_model

        base = default_model()
    else:
        g = load_game(game) if game is not None else load_game()
        book = load_levers(levers, game=g) if levers is not None else load_levers(game=g)
        base = compile_model(g, book)
    return with_war_rule(base, war_rule)


def with_production(model: Model, prod: dict[str, float]) -> Model:
    """A copy of the model whose stock production per day is ``prod`` (start-state data)."""
    PROD = np.zeros(NST)
    for s, v in prod.items():
        PROD[model.stocks.index(s)] = v
    return Model(**{**model.__dict__, "tables": model.tables._replace(production=PROD)})


# ------------------------------------------------------------------------------ states
def blank_state() -> np.ndarray:
    """A state with no history: nothing pending, no postures, empty move ring."""
    S = np.zeros(SDIM)
    S[S_PS:S_PS + NA] = -1.0
    S[S_LASTHT] = -1.0
    S[S_HIT:S_HIT + NRING] = -1e9
    S[S_STK:S_STK + NST] = 1e9       # unconstrained until a start state sets stocks
    return S


def set_levers(S: np.ndarray, model: Model, levers: dict[str, float]) -> None:
    """Set lever intensities; a Gaza-ceasefire lever above zero stops the Gaza war (with a collapse hazard)."""
    for ln, x in levers.items():
        if ln not in model.levers:
            raise InputError("<levers>", "levers", ln, f"unknown lever; use one of: {', '.join(model.levers)}")
        if not 0.0 <= float(x) <= 1.0:
            raise InputError("<levers>", f"levers.{ln}", x, "a lever intensity lies in [0, 1]")
        l = model.levers.index(ln)
        S[S_LEV + l] = float(x)
        is_gaza = any(isinstance(e, GazaEffect) for e in model.book.levers[ln].effects)
        if is_gaza and x > 0 and S[S_GAZA] > 0:
            set_gaza(S, False, model.tables)
            S[S_CEASE] = 1.0


def apply_context(S: np.ndarray, model: Model, gaza_war: bool | None = None, nuclear_status: int | None = None,
                  levers: dict[str, float] | None = None, gaza_offensive: bool | None = None) -> None:
    """A dated change of context from a moves file (history levers are set without ceasefire logic).

    ``gaza_offensive`` true starts a major offensive in Gaza (a Rafah-offensive trigger): the Gaza
    war is on and weighs ``game.dynamics.gaza_offensive.intensity`` in every Gaza term (proxies'
    motives up, partners' participation down); false ends it (back to the war as usual)."""
    if gaza_war is not None:
        if bool(S[S_GAZA]) != bool(gaza_war):
            set_gaza(S, bool(gaza_war), model.tables)
        S[S_CEASE] = 0.0
    if gaza_offensive is not None:
        if gaza_offensive:
            if not S[S_GAZA]:
                set_gaza(S, True, model.tables)
            S[S_GAZA] = float(model.game.dynamics.gaza_offensive["intensity"])
            S[S_CEASE] = 0.0
        elif S[S_GAZA]:
            S[S_GAZA] = 1.0
    if nuclear_status is not None:
        S[S_NUC] = float(nuclear_status)
    for ln, x in (levers or {}).items():
        if ln not in model.levers:
            raise InputError("<moves>", "context.levers", ln, f"unknown lever; use one of: {', '.join(model.levers)}")
        S[S_LEV + model.levers.index(ln)] = float(x)


def set_stocks(S: np.ndarray, model: Model, start: StartState) -> dict[str, float]:
    """Set stock levels from a start state, scaled by the levers in ``S``; returns production per day."""
    S[S_STK:S_STK + NST] = 0.0
    prod = {}
    for s, init in start.stocks.items():
        k = model.stocks.index(s)
        m = 1.0
        for l, ln in enumerate(model.levers):
            x = S[S_LEV + l]
            for e in model.book.levers[ln].effects:
                if isinstance(e, StocksEffect) and s in e.level and x > 0:
                    m *= 1.0 + x * (e.level[s] - 1.0)
        S[S_STK + k] = init.level * m
        prod[s] = init.production_per_day
    return prod
