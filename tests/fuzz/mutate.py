"""Mutations of the shipped files: text-level (what the reader must refuse) and value-level (the schemas).

Every mutation is a pure function of a ``random.Random``; :func:`case` derives one from
``(type, seed, index)`` so a run of the fuzz suite is the same inputs on every machine.
A :class:`Case` says whether the mutation makes the file *certainly* invalid (``invalid``):
an accepted input is only counted as "accepted-invalid" when it is.

Reader mutations (``READER_OPS``) break the text the way the issue's 2,522 files did:
bytes that are not UTF-8, a repeated key, deep nesting, an alias bomb, non-finite and
oversized numbers, control characters, truncation. Value mutations (``VALUE_OPS``) parse
the seed, change one field to a hostile value (a huge count, a quoted ``"inf"``, a wrong
type, an empty list, a 300-character name) and dump it again.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

import yaml

from redline.yamlio import parse_yaml


@dataclass(frozen=True)
class Case:
    """One fuzz input: the file's bytes, the name it is written under, what was done, and whether it is invalid."""

    type: str
    name: str
    data: bytes
    op: str
    invalid: bool

    def label(self) -> str:
        return f"{self.type}/{self.name}/{self.op}"


# --- text-level mutations -----------------------------------------------------------------------------



class _Span:
    """Where a plain number stands in the text (byte offsets), like a regex match's group 1."""

    def __init__(self, start: int, end: int):
        self._s, self._e = start, end

    def start(self, _group: int = 0) -> int:
        return self._s

    def end(self, _group: int = 0) -> int:
        return self._e


_SPANS: dict[bytes, list[_Span]] = {}


def _numbers(data: bytes) -> list[_Span]:
    """The plain int and float values of a (seed) document: never a number in a comment or a string."""
    if data not in _SPANS:
        text = data.decode("utf-8")
        out: list[_Span] = []
        plain: list[_Span] = []
        stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                stack += [v for _k, v in node.value]
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value
            elif not node.style:
                start = len(text[: node.start_mark.index].encode("utf-8"))
                span = _Span(start, start + len(node.value.encode("utf-8")))
                (out if node.tag.endswith((":int", ":float")) else plain).append(span)
        _SPANS[data] = sorted(out or plain, key=lambda s: s.start())   # plain strings when there is no number
    return _SPANS[data]


def _splice(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + new + data[end:]


def op_not_utf8(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    bad = r.choice([b"\xff", b"\xfe\xff", b"\xc3", b"\xe9t\xe9", b"\xed\xa0\x80", b"\x80\x80"])
    at = r.randrange(len(data) + 1)
    return _splice(data, at, at, bad), True


def op_utf16(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    return data.decode("utf-8").encode(r.choice(["utf-16", "utf-16-le", "utf-32"])), True


_KEYS: dict[bytes, list[tuple[int, int]]] = {}


def _key_lines(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte offsets of the lines that begin with a plain key of a block mapping."""
    if data not in _KEYS:
        text = data.decode("utf-8")
        out = []
        stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    stack.append(v)
                    if node.flow_style or k.style or not isinstance(k, yaml.ScalarNode):
                        continue
                    line_start = text.rfind("\n", 0, k.start_mark.index) + 1
                    if text[line_start:k.start_mark.index].strip():
                        continue                       # "- key:" opens a list item; not a plain key line
                    line_end = text.find("\n", k.start_mark.index)
                    line_end = len(text) if line_end < 0 else line_end
                    out.append((len(text[:line_start].encode()), len(text[:line_end].encode())))
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value
        _KEYS[data] = sorted(out)
    return _KEYS[data]


def op_duplicate_key(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    start, end = r.choice(_key_lines(data))
    line = data[start:end]
    if line.rstrip().endswith(b":") or b"#" in line:   # a block header (or a comment): repeat the key with a value
        line = line[: line.index(b":") + 1] + b" 1"
    return _splice(data, end, end, b"\n" + line), True


def _nest(depth: int, lists: bool) -> bytes:
    if lists:
        return b"[" * depth + b"1" + b"]" * depth
    return b"{a: " * depth + b"1" + b"}" * depth


def op_deep(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    nums = _numbers(data)
    depth = r.choice([65, 100, 1_000, 10_000, 200_000])
    m = r.choice(nums)
    return _splice(data, m.start(1), m.end(1), _nest(depth, r.random() < 0.5)), True


def _bomb(levels: int, width: int) -> bytes:
    parts = [b"&a0 [" + b", ".join([b"x"] * width) + b"]"]
    for i in range(1, levels):
        parts.append(b"&a%d [" % i + b", ".join([b"*a%d" % (i - 1)] * width) + b"]")
    return b"[" + b", ".join(parts) + b"]"


def campaign_alias_bomb(pad_to: int = 0) -> str:
    """Issue 13's web upload: ten levels of nine aliases in a scenario's campaign block (9**10 values
    once expanded), padded with a plain string to ``pad_to`` characters (the reported one was 1.9 KB)."""
    lines = ["extends: april-2024", "campaign:", "  x: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    prev = "a"
    for i in range(10):
        lines.append(f"  y{i}: &b{i} [{', '.join([f'*{prev}'] * 9)}]")
        prev = f"b{i}"
    if pad_to:
        lines.append("  pad: " + "z" * max(0, pad_to - len("\n".join(lines)) - 8))
    return "\n".join(lines) + "\n"


def op_alias_bomb(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    nums = _numbers(data)
    m = r.choice(nums)
    levels, width = r.choice([(9, 9), (6, 10), (12, 4), (30, 2)])
    return _splice(data, m.start(1), m.end(1), _bomb(levels, width)), True


def op_many_aliases(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    nums = _numbers(data)
    m = r.choice(nums)
    n = r.choice([1_001, 5_000, 100_000])
    return _splice(data, m.start(1), m.end(1), b"[&z 1, " + b", ".join([b"*z"] * n) + b"]"), True


def op_nonfinite(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    m = r.choice(_numbers(data))
    new = r.choice([b".inf", b"-.inf", b".nan", b".NaN", b"inf", b"-inf", b"nan", b"NaN", b"Infinity", b"1e999",
                    b"1.0e+999", b"-1.0e+400", b"!!float inf"])
    return _splice(data, m.start(1), m.end(1), new), True


def op_big_number(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    m = r.choice(_numbers(data))
    new = r.choice([b"9223372036854775808", b"1" + b"0" * 30, b"-" + b"9" * 40, b"9" * 5000, b"0x" + b"f" * 40])
    return _splice(data, m.start(1), m.end(1), new), True


def op_control_char(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    at = r.randrange(len(data) + 1)
    return _splice(data, at, at, r.choice([b"\x00", b"\x07", b"\x1b", b"\x7f"])), True


def op_bad_tag(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    m = r.choice(_numbers(data))
    new = r.choice([b"!!int abc", b"!!bool maybe", b"!!timestamp x", b"2024-02-30", b"!!python/object:os.system {}",
                    b"!!binary '%%%'", b"!custom 1", b"*undefined"])
    return _splice(data, m.start(1), m.end(1), new), True


def op_truncate(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    return data[: r.randrange(len(data))], False


def op_byte_flip(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    at = r.randrange(len(data))
    return _splice(data, at, at + 1, bytes([r.randrange(256)])), False


def op_bom(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    return b"\xef\xbb\xbf" + data, False


def op_oversize(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    return data + b"\n#" + b"x" * (4 * 1024 * 1024), False


def op_two_documents(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    return data + b"\n---\n" + data, True


READER_OPS: dict[str, Callable[[bytes, random.Random], tuple[bytes, bool]]] = {
    "not-utf8": op_not_utf8, "utf16": op_utf16, "duplicate-key": op_duplicate_key, "deep": op_deep,
    "alias-bomb": op_alias_bomb, "many-aliases": op_many_aliases, "nonfinite": op_nonfinite,
    "big-number": op_big_number, "control-char": op_control_char, "bad-tag": op_bad_tag, "truncate": op_truncate,
    "byte-flip": op_byte_flip, "bom": op_bom, "oversize": op_oversize, "two-documents": op_two_documents,
}

# --- value-level mutations ----------------------------------------------------------------------------

#: (value, certainly invalid wherever a number stood) used in place of a number.
NUMBER_VALUES: list[tuple[Any, bool]] = [
    ("inf", True), ("nan", True), ("-inf", True), ("1e999", True), ("Infinity", True),
    (-1, False), (0, False), (10**7, False), (10**9, False), (2**62, False), (1e30, False), (-1e30, False),
    (0.5, False), (1e-300, False), (True, False), ("", True), ("x", True), ([], True), ({}, True), (None, False),
    ([1, 2], True),
]
#: in place of a string.
STRING_VALUES: list[tuple[Any, bool]] = [
    ("", False), ("x" * 300, False), ("../" * 20 + "etc/passwd", False), (True, False), (1, False), ([], False),
    ({}, False), (None, False), ("jor", False), ("nobody", False), ("\u202e\u0000", False), ("a/b", False),
]
#: in place of a list or a mapping.
CONTAINER_VALUES: list[tuple[Any, bool]] = [
    ([], False), ({}, False), (True, False), ("", False), (None, False), (0, False), ("x", False),
]


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, path + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _set(node: Any, path: tuple, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _where(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "<top>"


def _dump(tree: Any) -> bytes:
    return yaml.dump(tree, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     allow_unicode=True).encode("utf-8")


def _tree(data: bytes) -> Any:
    return parse_yaml(data.decode("utf-8"), "<seed>")


def val_replace(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    path = r.choice(_paths(tree)[1:])
    old = _get(tree, path)
    if isinstance(old, bool) or old is None:
        value, invalid = r.choice(STRING_VALUES + NUMBER_VALUES)
        invalid = False
    elif isinstance(old, (int, float)):
        value, invalid = r.choice(NUMBER_VALUES)
    elif isinstance(old, str):
        value, invalid = r.choice(STRING_VALUES)
    else:
        value, invalid = r.choice(CONTAINER_VALUES)
    _set(tree, path, value)
    return _dump(tree), invalid, f"{_where(path)}={value!r:.20}"


def val_scale(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    nums = [p for p in _paths(tree)[1:] if isinstance(_get(tree, p), (int, float)) and not isinstance(_get(tree, p), bool)]
    if not nums:
        return _dump(tree), False
    path = r.choice(nums)
    old = _get(tree, path)
    k = r.choice([3, 5, 7, 9, 12, 30])
    _set(tree, path, old * 10**k if isinstance(old, int) else old * float(10**k))
    return _dump(tree), False, f"{_where(path)}*1e{k}"


def val_delete(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    keyed = [p for p in _paths(tree)[1:] if isinstance(_get(tree, p[:-1]), dict)]
    if not keyed:
        return _dump(tree), False
    path = r.choice(keyed)
    del _get(tree, path[:-1])[path[-1]]
    return _dump(tree), False, _where(path)


def val_unknown_key(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    maps = [p for p in _paths(tree) if isinstance(_get(tree, p), dict)]
    _get(tree, r.choice(maps))["zz_" + str(r.randrange(1000))] = 1
    return _dump(tree), False


def val_repeat_items(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    lists = [p for p in _paths(tree) if isinstance(_get(tree, p), list) and _get(tree, p)]
    if not lists:
        return _dump(tree), False
    path = r.choice(lists)
    items = _get(tree, path)
    n = r.choice([10, 1_000, 20_000])
    if path == ():
        return _dump(items * n), False, f"<top>*{n}"
    _set(tree, path, items * n)
    return _dump(tree), False, f"{_where(path)}*{n}"


def val_empty_list(data: bytes, r: random.Random) -> tuple[bytes, bool]:
    tree = _tree(data)
    lists = [p for p in _paths(tree)[1:] if isinstance(_get(tree, p), list)]
    if not lists:
        return _dump(tree), False
    path = r.choice(lists)
    _set(tree, path, [])
    return _dump(tree), False, _where(path)


VALUE_OPS: dict[str, Callable[[bytes, random.Random], tuple[bytes, bool]]] = {
    "replace": val_replace, "scale": val_scale, "delete": val_delete, "unknown-key": val_unknown_key,
    "repeat-items": val_repeat_items, "empty-list": val_empty_list,
}
ALL_OPS = {**READER_OPS, **VALUE_OPS}


def mutate(type_: str, seeds: list[tuple[str, bytes]], r: random.Random, ops: dict | None = None,
           op: str | None = None) -> Case:
    """One mutated input of ``type_``, drawn with ``r`` from ``seeds`` and ``ops`` (or the one named ``op``)."""
    ops = ops or ALL_OPS
    name, data = r.choice(seeds)
    op = op or r.choice(sorted(ops))
    out, invalid, *detail = ALL_OPS[op](data, r)
    return Case(type_, name, out, f"{op}:{detail[0]}" if detail else op, invalid)


def case(type_: str, seeds: list[tuple[str, bytes]], seed: int, index: int, ops: dict | None = None) -> Case:
    """The ``index``-th input of a run with ``seed``: the same bytes on every machine."""
    return mutate(type_, seeds, random.Random(f"{type_}:{seed}:{index}"), ops)
