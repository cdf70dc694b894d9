"""Set a scenario's (or campaign block's) numeric fields by path, as sweep parameters name them.

Part of the scenario transforms: use it as :func:`redline.scenario.transforms.set_paths`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InputError

__all__ = ["set_paths"]

M = TypeVar("M", bound=BaseModel)
_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def _tokens(path: str) -> list[str]:
    return [a or b for a, b in _TOKEN.findall(path)]


def _set(node: Any, tokens: list[str], value: float, name: str, file: str) -> None:
    key, rest = tokens[0], tokens[1:]
    targets: list[Any]
    if isinstance(node, list):
        if key == "*":
            targets = list(range(len(node)))
        elif key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
            targets = [int(key)]
        else:
            targets = [i for i, item in enumerate(node) if isinstance(item, dict) and item.get("name") == key]
        if not targets:
            raise InputError(file, f"parameters.{name}", key, "no list item with this name or index; check the path")
    elif isinstance(node, dict):
        if key not in node:
            raise InputError(file, f"parameters.{name}", key,
                             f"no such field; fields here are {', '.join(sorted(map(str, node)))}")
        targets = [key]
    else:
        raise InputError(file, f"parameters.{name}", key, "path goes past a plain value; shorten it")
    for t in targets:
        if rest:
            _set(node[t], rest, value, name, file)
        else:
            old = node[t]
            if isinstance(old, bool) or isinstance(old, (dict, list)):
                raise InputError(file, f"parameters.{name}", old, "only numeric fields can be swept")
            node[t] = int(round(value)) if isinstance(old, int) else float(value)


def set_paths(model: M, values: Sequence[tuple[str, float]], file: str = "<sweep>") -> M:
    """Set numeric fields by path, as a sweep's parameters name them.

    Parameters
    ----------
    model : Scenario or Campaign (any pydantic model)
    values : sequence of (name, value)
        ``name`` is ``<prefix>.<path>``, e.g. ``scenario.doctrine.look_s``,
        ``scenario.fire_units[arrow3-central].magazine`` (list items by
        ``name``, by index or ``*`` for all) or ``campaign.depot.israel.arrow-3``;
        the prefix names the model in errors. Integer fields are rounded to the
        nearest integer (half to even).
    file : str
        Name used in error messages.

    Returns
    -------
    model
        A new model of the same type, validated.
    """
    if not values:
        return model
    raw = model.model_dump(mode="json")
    for name, v in values:
        _set(raw, _tokens(name.partition(".")[2]), v, name, file)
    try:
        out = type(model).model_validate(raw)
    except ValidationError as exc:  # report the point's value and the first broken field, on one line
        what = values[0][0].partition(".")[0]
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"])) or what
        raise InputError(file, "parameters", dict(values),
                         f"the {what} is invalid at this point ({where}: {err['msg']}); narrow the range") from None
    if getattr(model, "_base_dir", None) is not None:   # where a scenario's relative catalog paths point
        out._base_dir = model._base_dir  # type: ignore[attr-defined]
    return out
