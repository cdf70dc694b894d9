"""Reading and checking the escalation game's files (the I/O edge).

``parse_*`` functions build models from YAML text; ``read_*`` open files; ``load_*`` return the
shipped defaults (cached) or a user's file. Every problem is raised as a one-line
:class:`~redline.errors.InputError` naming the file, the field, the value and the fix.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError
from ..hashing import file_sha256  # re-exported: its home is redline.hashing
from ..yamlio import field_path as _field_path
from ..yamlio import load_mapping, read_text


def _load_yaml(text: str, file: str) -> dict:
    return load_mapping(text, file, "expected a YAML mapping at the top level")


def _read(path: str | Path) -> str:
    return read_text(path)
from .schema import (
    MAX_ACTORS,
    MAX_PARTNERS,
    MAX_STOCKS,
    CommitmentEffect,
    ContextRow,
    Game,
    LeverBook,
    MisperceptionEffect,
    Move,
    MovesFile,
    StartState,
    StocksEffect,
    PartnersEffect,
    UtilityEffect,
    VariantEffect,
)

__all__ = [
    "data_path",
    "file_sha256",
    "load_game",
    "load_history",
    "load_levers",
    "load_states",
    "parse_game",
    "parse_levers",
    "parse_moves",
    "read_game",
    "read_moves",
]


def data_path(name: str) -> Path:
    """Path of a shipped file under ``redline/data/escalation``."""
    return Path(str(resources.files("redline") / "data" / "escalation" / name))


def _validation_error(exc: ValidationError, file: str, prefix: str = "") -> InputError:
    err = exc.errors()[0]
    field = _field_path(err["loc"])
    if prefix:
        field = prefix if field == "<top>" else f"{prefix}.{field}"
    msg = err["msg"].removeprefix("Value error, ")
    return InputError(file, field, err.get("input"), f"{msg}; fix it in the file")


def _validate(model: type[BaseModel], raw: Any, file: str, prefix: str = "") -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, file, prefix) from None


def _one_of(file: str, field: str, value: Any, known: Any, what: str) -> None:
    if value not in known:
        raise InputError(file, field, value, f"unknown {what}; use one of: {', '.join(sorted(map(str, known)))}")


# --------------------------------------------------------------------------- game
def _check_game(g: Game, file: str) -> None:
    names = list(g.actors)
    if len(names) > MAX_ACTORS:
        raise InputError(file, "actors", len(names), f"at most {MAX_ACTORS} actors are supported; merge some")
    if len(g.partners) > MAX_PARTNERS:
        raise InputError(file, "actors", list(g.partners), f"at most {MAX_PARTNERS} partner actors are supported")
    if len(g.stocks) > MAX_STOCKS:
        raise InputError(file, "stocks", len(g.stocks), f"at most {MAX_STOCKS} stocks are supported")
    if [r.rung for r in g.ladder] != list(range(len(g.ladder))) or len(g.ladder) != 9:
        raise InputError(file, "ladder", [r.rung for r in g.ladder], "the ladder lists rungs 0..8 in order")
    for a, x in g.actors.items():
        if x.role == "proxy":
            _one_of(file, f"actors.{a}.patron", x.patron, [k for k, v in g.actors.items() if v.role == "decide"], "deciding actor")
        if x.front is not None:
            _one_of(file, f"actors.{a}.front.target", x.front.target, names, "actor")
        for h in x.hosts:
            _one_of(file, f"actors.{a}.hosts", h, names, "actor")
        if x.influenced_by is not None:
            _one_of(file, f"actors.{a}.influenced_by", x.influenced_by, names, "actor")
        if x.absent_variant is not None:
            _one_of(file, f"actors.{a}.absent_variant", x.absent_variant, g.variants, "variant")
    for a in g.actions:
        _one_of(file, f"actions.{a}", a, names, "actor")
    for a in g.movers:
        acts = g.actions.get(a, {})
        if not acts:
            raise InputError(file, f"actions.{a}", None, "every deciding actor and proxy needs a list of actions")
        if not any(x.rung == 0 for x in acts.values()):
            raise InputError(file, f"actions.{a}", list(acts), "each actor needs a rung-0 action (restraint or hold)")
    for a, acts in g.actions.items():
        for k, act in acts.items():
            if act.target is not None:
                _one_of(file, f"actions.{a}.{k}.target", act.target, names, "actor")
                if act.target == a:
                    raise InputError(file, f"actions.{a}.{k}.target", act.target, "an actor cannot target itself")
            if act.raid is not None:
                _one_of(file, f"actions.{a}.{k}.raid", act.raid, g.raids, "raid template")
    for vn, var in g.variants.items():
        for r in var.templates or ():
            _one_of(file, f"variants.{vn}.templates", r, g.raids, "raid template")
            if g.raids[r].base is None:
                raise InputError(file, f"variants.{vn}.templates", r, "name a template with an engagement scenario (base)")
    for r, raid in g.raids.items():
        if raid.base is not None and raid.via_partners and not g.partners:
            raise InputError(file, f"raids.{r}.via_partners", True, "no partner actors are defined")
    for s, d in g.stocks.items():
        _one_of(file, f"stocks.{s}.owner", d.owner, names, "actor")
    for itype, stock in g.interceptors.items():
        if stock != "none":
            _one_of(file, f"interceptors.{itype}", stock, list(g.stocks) + ["none"], "stock")


def parse_game(text: str, file: str = "<string>") -> Game:
    """Build and check a :class:`Game` from YAML text."""
    g = _validate(Game, _load_yaml(text, file), file)
    _check_game(g, file)
    return g


def read_game(path: str | Path) -> Game:
    return parse_game(_read(path), str(path))


@lru_cache(maxsize=1)
def _builtin_game() -> Game:
    return parse_game(data_path("game.yaml").read_text(encoding="utf-8"), "escalation/game.yaml")


def load_game(path: str | Path | None = None) -> Game:
    """The shipped game, or a user's game file of the same schema."""
    return _builtin_game() if path is None else read_game(path)


# --------------------------------------------------------------------------- levers
def _check_levers(book: LeverBook, game: Game, file: str) -> None:
    names = list(game.actors)
    for ln, lev in book.levers.items():
        for k, e in enumerate(lev.effects):
            f = f"levers.{ln}.effects[{k}]"
            if isinstance(e, UtilityEffect):
                for a in e.actors:
                    _one_of(file, f"{f}.actors", a, game.movers, "moving actor")
                for t in e.targets or ():
                    _one_of(file, f"{f}.targets", t, names, "actor")
                for an in e.actions or ():
                    _one_of(file, f"{f}.actions", an, {x for a in e.actors for x in game.actions.get(a, {})}, "action of the lever's actors")
                if not 0 <= e.rungs[0] <= e.rungs[1] <= 8:
                    raise InputError(file, f"{f}.rungs", list(e.rungs), "give [lo, hi] with 0 <= lo <= hi <= 8")
                if e.scale_by_credibility is not None:
                    _one_of(file, f"{f}.scale_by_credibility", e.scale_by_credibility, game.movers, "moving actor")
            elif isinstance(e, CommitmentEffect):
                _one_of(file, f"{f}.actor", e.actor, game.movers, "moving actor")
                for t in e.protects:
                    _one_of(file, f"{f}.protects", t, names, "actor")
            elif isinstance(e, MisperceptionEffect):
                for p in e.pairs:
                    for a in p:
                        _one_of(file, f"{f}.pairs", a, names, "actor")
            elif isinstance(e, VariantEffect):
                _one_of(file, f"{f}.variant", e.variant, game.variants, "variant")
            elif isinstance(e, PartnersEffect):
                for pn in e.partners or ():
                    _one_of(file, f"{f}.partners", pn, game.partners, "partner with a participation slot")
            elif isinstance(e, StocksEffect):
                for s in list(e.level) + list(e.production):
                    _one_of(file, f"{f}.stocks", s, game.stocks, "stock")
    for pn, pk in book.packages.items():
        for ln in pk.levers:
            _one_of(file, f"packages.{pn}.levers", ln, book.levers, "lever")


def parse_levers(text: str, game: Game, file: str = "<string>") -> LeverBook:
    book = _validate(LeverBook, _load_yaml(text, file), file)
    _check_levers(book, game, file)
    return book


@lru_cache(maxsize=1)
def _builtin_levers() -> LeverBook:
    return parse_levers(data_path("levers.yaml").read_text(encoding="utf-8"), load_game(), "escalation/levers.yaml")


def load_levers(path: str | Path | None = None, game: Game | None = None) -> LeverBook:
    """The shipped levers and packages, or a user's file of the same schema."""
    if path is None and game is None:
        return _builtin_levers()
    return parse_levers(_read(path or data_path("levers.yaml")), game or load_game(), str(path or "escalation/levers.yaml"))


# --------------------------------------------------------------------------- start states
@lru_cache(maxsize=1)
def _builtin_states() -> dict[str, StartState]:
    return load_states(data_path("states.yaml"))


def load_states(path: str | Path | None = None, game: Game | None = None) -> dict[str, StartState]:
    """Named start states (shipped ``states.yaml`` or a user's file)."""
    if path is None and game is None:
        return _builtin_states()
    p = path or data_path("states.yaml")
    file = str(p)
    raw = _load_yaml(_read(p), file)
    g = game or load_game()
    out = {}
    for name, body in raw.items():
        st = _validate(StartState, body, file, str(name))
        for s in st.stocks:
            _one_of(file, f"{name}.stocks", s, g.stocks, "stock")
        out[str(name)] = st
    return out


# --------------------------------------------------------------------------- moves
def _apply_fallback(row: dict, g: Game, file: str, field: str) -> dict | None:
    """A move coded with an action id the game may lack: keep it, use its fallback, or skip it.

    ``fallback: {action: ID, rung: N}`` codes the move with that action when the game has no
    ``actor.action``; ``fallback: skip`` drops the move then (an actor or action of a newer game).
    """
    row = dict(row)
    fb = row.pop("fallback")
    actor, action = row.get("actor"), row.get("action")
    if actor in g.actions and action in g.actions[actor]:
        return row
    if fb == "skip":
        return None
    if not isinstance(fb, dict) or set(fb) != {"action", "rung"}:
        raise InputError(file, f"{field}.fallback", fb, "give `skip` or {action: ID, rung: N}")
    note = row.get("note") or ""
    return {**row, "action": fb["action"], "rung": fb["rung"],
            "note": f"{note} [coded as {fb['action']}: the game has no {actor}.{action}]".strip()}


def parse_moves(text: str, game: Game | None = None, file: str = "<string>",
                extra_sources: dict | None = None) -> MovesFile:
    """Build and check a file of coded moves against the game.

    Every move names a known actor and one of its actions, gives the action's rung, an outcome
    when hostile, and at least one source key defined in the file's ``sources`` (or in
    ``extra_sources``, e.g. the shipped history's keys when scoring a continuation).
    """
    g = game or load_game()
    raw = _load_yaml(text, file)
    rows = raw.get("moves")
    if not isinstance(rows, list) or not rows:
        raise InputError(file, "moves", rows, "a moves file needs a non-empty list `moves`")
    parsed = []
    for k, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(file, f"moves[{k}]", row, "each move is a mapping with date, actor, action, rung, sources")
        if "fallback" in row:
            row = _apply_fallback(row, g, file, f"moves[{k}]")
            if row is None:
                continue
        model = ContextRow if "context" in row else Move
        parsed.append(_validate(model, row, file, f"moves[{k}]"))
    body = dict(raw)
    body["moves"] = parsed
    mf = _validate(MovesFile, body, file)
    known_sources = set(mf.sources) | set(extra_sources or {})
    lever_names = set(load_levers().levers) if game is None else None
    for k, m in enumerate(mf.moves):
        f = f"moves[{k}]"
        if not m.sources:
            raise InputError(file, f"{f}.sources", None, "every entry needs at least one source key")
        for s in m.sources:
            _one_of(file, f"{f}.sources", s, known_sources, "source key (define it under `sources`)")
        if isinstance(m, ContextRow):
            if lever_names is not None:
                for ln in m.context.levers:
                    _one_of(file, f"{f}.context.levers", ln, lever_names, "lever")
            continue
        _one_of(file, f"{f}.actor", m.actor, g.movers, "moving actor")
        acts = g.actions[m.actor]
        _one_of(file, f"{f}.action", m.action, acts, f"action of {m.actor}")
        a = acts[m.action]
        if m.rung != a.rung:
            raise InputError(file, f"{f}.rung", m.rung, f"{m.actor}.{m.action} is on rung {a.rung}; code that rung or another action")
        if a.rung >= 2 and m.outcome is None:
            raise InputError(file, f"{f}.outcome", None, "a hostile move needs outcome: contained, damaging or severe")
        if m.partners is not None:
            for p in m.partners:
                _one_of(file, f"{f}.partners", p, g.partners, "partner actor")
    return mf


def read_moves(path: str | Path, game: Game | None = None, extra_sources: dict | None = None) -> MovesFile:
    return parse_moves(_read(path), game, str(path), extra_sources)


@lru_cache(maxsize=1)
def _builtin_history() -> MovesFile:
    return parse_moves(data_path("history.yaml").read_text(encoding="utf-8"), None, "escalation/history.yaml")


def load_history(path: str | Path | None = None) -> MovesFile:
    """The shipped calibration history (2018 - 19 April 2024), or a user's moves file."""
    return _builtin_history() if path is None else read_moves(path)
