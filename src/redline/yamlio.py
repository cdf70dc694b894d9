"""Reading input files at the edge: text, YAML documents and pydantic field paths.

Every YAML document Redline reads (scenarios, catalogs, event files, the escalation
game and its priors, campaigns, sweeps, web uploads, the titles of built-in files)
is parsed by :func:`parse_yaml`, the one choke point: a missing file, text that is not
UTF-8, a YAML syntax error or a document over one of the limits below reads the same
everywhere, one line naming the file, the field and the fix
(:class:`redline.errors.InputError`), and limits on what a document may hold belong
here and nowhere else.

The parser is PyYAML's libyaml-backed ``CSafeLoader`` (safe tags only), with the
pure-Python ``SafeLoader`` as a fallback when PyYAML was built without libyaml. The C
parser turns the text into events; a small composer here (:class:`_GuardedLoader`)
builds the node graph from those events and checks every limit *while* it builds, so
an alias bomb is refused after counting, never expanded, and a deep document is
refused before anything recurses. The safe constructor then builds the Python objects
as before: the same objects from the same document as plain ``yaml.safe_load`` (a test
checks this for every shipped YAML file).

Limits of the reader
--------------------
========================  ===========  =======================  ===================================
limit                     value        largest shipped file     why
========================  ===========  =======================  ===================================
bytes of text             4 MiB        26,788 (history.yaml)    memory and time of one parse
nesting depth             64           7 (levers.yaml)          no RecursionError downstream
nodes, aliases expanded   250,000      1,771 (history.yaml)     an alias bomb expands to gigabytes
aliases (``*name``)       1,000        0                        rare in hand-written input
integer magnitude         2**63 - 1    1.35e9 (events file)     int64 kernels; no 4,300-digit parse
========================  ===========  =======================  ===================================

and, whatever the size: the text must be UTF-8; a mapping may not repeat a key (PyYAML
silently keeps the last one); keys are plain values (no mappings or lists as keys);
``.inf``, ``.nan``, floats that overflow to infinity (``1.0e+999``) and unquoted text
that pydantic would read as one (``inf``, ``nan``, ``1e999``) are refused unless the
caller passes ``allow_nonfinite=True``; values with an explicit tag that cannot be
built (``!!int abc``, an impossible date ``2024-02-30``) are refused with their place, and
so are ``!!binary``, ``!!set``, ``!!omap`` and ``!!pairs`` (bytes and sets that a schema
would silently coerce).
Caps on what a field may hold (salvo counts, magazines, days, design sizes) belong to
the schemas; ``docs/limits.md`` lists both.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import InputError

__all__ = ["LOADER", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_ALIASES", "MAX_INT",
           "read_text", "parse_yaml", "load_mapping", "field_path"]

#: The loader class every read builds on: libyaml's safe loader when compiled in.
LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest YAML text accepted [bytes of UTF-8].
MAX_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 64
#: Most nodes in one document, counting every alias as the whole subtree it stands for.
MAX_NODES = 250_000
#: Most aliases (``*name``) in one document.
MAX_ALIASES = 1_000
#: Largest integer magnitude accepted (int64).
MAX_INT = 2**63 - 1

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
#: Safe tags no Redline file uses, refused so that bytes, sets and pairs never reach a schema (pydantic would
#: coerce ``!!binary`` bytes to a string, a set to a list in arbitrary order).
_REFUSED_TAGS = {f"tag:yaml.org,2002:{t}": t for t in ("binary", "set", "omap", "pairs")}


_NUMERIC_START = frozenset("+-.0123456789iInN")

#: Plain and quoted scalars' resolved tags, keyed by (text, implicit flags): the safe resolver's answer depends on
#: nothing else (its tables are fixed), and a catalog repeats the same keys and words thousands of times.
_RESOLVED: dict[tuple[str, Any], str] = {}
_RESOLVED_MAX = 20_000


def _nonfinite_text(value: str) -> bool:
    """Plain text that pydantic would read as inf or nan: ``inf``, ``-Infinity``, ``nan``, ``1e999``."""
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False


class _Refused(Exception):
    """A limit hit while composing; :func:`parse_yaml` turns it into an :class:`InputError`."""

    def __init__(self, path: list, value: Any, fix: str, mark: Any):
        super().__init__(fix)
        self.path, self.value, self.fix, self.mark = list(path), value, fix, mark


def _line(mark: Any) -> str:
    return f"line {mark.line + 1}" if mark is not None else "the document"


class _GuardedLoader(LOADER):  # type: ignore[misc,valid-type]
    """The safe loader with a composer that checks the limits as it builds the node graph.

    Replaces the parser's own ``get_single_node`` (``yaml.composer.Composer``'s logic,
    written out so that it counts); scanning and parsing stay in libyaml, construction
    stays ``SafeConstructor``'s.
    """

    def __init__(self, stream: str, allow_nonfinite: bool = False):
        super().__init__(stream)
        self.allow_nonfinite = allow_nonfinite
        self._anchors: dict[str, tuple[Any, int]] = {}
        self._path: list = []
        self._nodes = 0
        self._aliases = 0

    def _refuse(self, value: Any, fix: str, mark: Any) -> _Refused:
        return _Refused(self._path, value, fix, mark)

    def get_single_node(self) -> Any:
        self.get_event()                                   # stream start
        node = None
        if not self.check_event(StreamEndEvent):
            self.get_event()                               # document start
            node = self._compose(0)
            self.get_event()                               # document end
            self._anchors = {}
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError("expected a single document in the stream",
                                              node.start_mark if node else None,
                                              "but found another document", event.start_mark)
        self.get_event()                                   # stream end
        return node

    def _refused_tag(self, tag: str, event: Any) -> _Refused:
        return self._refuse(f"!!{_REFUSED_TAGS[tag]}", f"a {_REFUSED_TAGS[tag]} value (on {_line(event.start_mark)}); "
                                                       "Redline files hold mappings, lists, text, numbers, booleans "
                                                       "and dates: remove the tag", event.start_mark)

    def _count(self, n: int, mark: Any) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:  # noqa: SIM102
            raise self._refuse(None, f"the document holds more than {MAX_NODES:,} values (aliases counted as the "
                                     f"values they repeat) near {_line(mark)}; split the file or write less", mark)

    def _compose(self, depth: int) -> Any:
        event = self.peek_event()
        kind = type(event)
        if kind is ScalarEvent and event.anchor is None:   # the common case, kept short
            self.get_event()
            self._count(1, event.start_mark)
            return self._scalar(event)
        if kind is AliasEvent:
            self.get_event()
            if event.anchor not in self._anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._refuse(f"*{event.anchor}", f"more than {MAX_ALIASES:,} aliases in one document "
                                                       f"(at {_line(event.start_mark)}); write the values out",
                                   event.start_mark)
            node, size = self._anchors[event.anchor]
            self._count(size, event.start_mark)
            return node
        anchor = event.anchor
        if anchor is not None and anchor in self._anchors:
            raise self._refuse(f"&{anchor}", f"anchor defined twice (first on "
                                             f"{_line(self._anchors[anchor][0].start_mark)}, again on "
                                             f"{_line(event.start_mark)}); rename one", event.start_mark)
        before = self._nodes
        self._count(1, event.start_mark)
        self.get_event()
        if kind is ScalarEvent:
            node = self._scalar(event)
        else:
            if depth >= MAX_DEPTH:
                raise self._refuse(None, f"nested more than {MAX_DEPTH} levels deep (at {_line(event.start_mark)}); "
                                         "flatten the structure", event.start_mark)
            if kind is SequenceStartEvent:
                node = self._sequence(event, depth, anchor)
            elif kind is MappingStartEvent:
                node = self._mapping(event, depth, anchor)
            else:  # pragma: no cover - the parser emits nothing else here
                raise yaml.composer.ComposerError(None, None, f"unexpected {type(event).__name__}", event.start_mark)
        if anchor is not None:
            self._anchors[anchor] = (node, self._nodes - before)
        return node

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            key = (event.value, event.implicit)
            tag = _RESOLVED.get(key)
            if tag is None:                                # the resolver's answer depends on these two only
                tag = self.resolve(ScalarNode, event.value, event.implicit)
                if len(_RESOLVED) < _RESOLVED_MAX and len(event.value) <= 64:
                    _RESOLVED[key] = tag
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if tag in _REFUSED_TAGS:
            raise self._refused_tag(tag, event)
        if tag == _STR:
            if (not event.style and not self.allow_nonfinite and event.value[:1] in _NUMERIC_START
                    and _nonfinite_text(event.value)):
                raise self._refuse(event.value, f"reads as a non-finite number (on {_line(event.start_mark)}); "
                                                "write a finite value, or quote it if it is text", event.start_mark)
            self.constructed_objects[node] = event.value   # what construct_yaml_str returns, without its calls
            return node
        if tag == _INT and len(event.value) > 40:
            raise self._refuse(event.value[:40] + "...", f"integer too large (on {_line(event.start_mark)}); "
                                                          f"integers are at most {MAX_INT:,} in magnitude",
                               event.start_mark)
        constructor = self.yaml_constructors.get(tag)
        if constructor is None or tag == _MERGE:
            return node                                    # left to the constructor (which refuses unknown tags)
        try:
            value = constructor(self, node)
        except yaml.YAMLError:
            raise
        except Exception as exc:                           # e.g. !!int abc, 2024-02-30, !!bool maybe
            raise self._refuse(event.value, f"cannot be read as {tag.rsplit(':', 1)[-1]} ({exc}) on "
                                            f"{_line(event.start_mark)}; fix the value or quote it", event.start_mark)
        if tag == _FLOAT and not self.allow_nonfinite and not math.isfinite(value):
            raise self._refuse(event.value, f"not a finite number (on {_line(event.start_mark)}); "
                                            "write a finite value", event.start_mark)
        if tag == _INT and abs(value) > MAX_INT:
            raise self._refuse(event.value, f"integer too large (on {_line(event.start_mark)}); integers are at most "
                                            f"{MAX_INT:,} in magnitude", event.start_mark)
        self.constructed_objects[node] = value             # built once: construct_object returns this
        return node

    def _sequence(self, event: Any, depth: int, anchor: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, event.implicit)
        if tag in _REFUSED_TAGS:
            raise self._refused_tag(tag, event)
        node = SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        path = self._path
        path.append(0)
        index = 0
        while type(self.peek_event()) is not SequenceEndEvent:
            path[-1] = index
            node.value.append(self._compose(depth + 1))
            index += 1
        path.pop()
        node.end_mark = self.get_event().end_mark
        return node

    def _mapping(self, event: Any, depth: int, anchor: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(MappingNode, None, event.implicit)
        if tag in _REFUSED_TAGS:
            raise self._refused_tag(tag, event)
        node = MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        seen: dict = {}
        path = self._path
        path.append("<key>")
        while type(self.peek_event()) is not MappingEndEvent:
            key_mark = self.peek_event().start_mark
            path[-1] = "<key>"
            key_node = self._compose(depth + 1)
            if not isinstance(key_node, ScalarNode):
                raise self._refuse(None, f"a key is a {'list' if isinstance(key_node, SequenceNode) else 'mapping'} "
                                         f"(on {_line(key_mark)}); keys are plain names", key_mark)
            key = key_node.value if key_node.tag == _STR else self.constructed_objects.get(key_node, key_node.value)
            path[-1] = key
            if key_node.tag != _MERGE:
                try:
                    first = seen.setdefault(key, key_mark)
                except TypeError:                          # an unhashable key: the constructor says so
                    first = key_mark
                if first is not key_mark:
                    raise self._refuse(key, f"duplicate key (first on {_line(first)}, again on {_line(key_mark)}); "
                                            "keep one of them", key_mark)
            value_node = self._compose(depth + 1)
            node.value.append((key_node, value_node))
        path.pop()
        node.end_mark = self.get_event().end_mark
        return node


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of ``path``, checked to be UTF-8 and at most :data:`MAX_BYTES` long.

    Raises
    ------
    InputError
        The file cannot be read, is too large or is not UTF-8.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), "<file>", None, f"cannot read {what} ({exc.strerror}); check the path") from None
    except ValueError as exc:                              # e.g. a NUL byte in the path
        raise InputError(str(path), "<file>", None, f"cannot read {what} ({exc}); check the path") from None
    if len(data) > MAX_BYTES:
        raise InputError(str(path), "<file>", None, f"{what} is over {MAX_BYTES:,} bytes; split or trim it")
    return _decode(data, str(path))


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(file, f"line {line}", data[exc.start:exc.start + 4],
                         f"not UTF-8 text (byte {exc.start}: {exc.reason}); save the file as UTF-8") from None


def parse_yaml(text: str | bytes, file: str = "<string>", allow_nonfinite: bool = False) -> Any:
    """Parse one YAML document with the safe loader; the only YAML reader in Redline.

    Parameters
    ----------
    text : str or bytes
        The document (bytes must be UTF-8).
    file : str
        Name used in error messages.
    allow_nonfinite : bool
        Accept ``.inf``, ``.nan`` and floats that overflow; refused by default.

    Returns
    -------
    Any
        The document's value (``None`` for an empty document).

    Raises
    ------
    InputError
        The document is not UTF-8, not valid YAML, or over one of the limits in the
        module docstring; the field names the place (a dotted path or a line).
    """
    if isinstance(text, (bytes, bytearray)):
        size = len(text)
        doc = _decode(bytes(text), file) if size <= MAX_BYTES else ""
    else:
        doc = text
        try:
            size = len(doc.encode("utf-8"))
        except UnicodeEncodeError as exc:                  # a lone surrogate, e.g. from JSON "\ud800"
            raise InputError(file, "<text>", doc[exc.start:exc.start + 1],
                             f"not UTF-8 text (character {exc.start}); remove the stray character") from None
    if size > MAX_BYTES:
        raise InputError(file, "<text>", None, f"the YAML text is over {MAX_BYTES:,} bytes; split or trim it")
    loader = _GuardedLoader(doc, allow_nonfinite)
    try:
        return loader.get_single_data()
    except _Refused as exc:
        shown = field_path(tuple(exc.path[:12])) + ("..." if len(exc.path) > 12 else "")
        raise InputError(file, shown, exc.value, exc.fix) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(file, where, None, f"malformed YAML ({problem}); fix the syntax there") from None
    finally:
        loader.dispose()


def load_mapping(text: str | bytes, file: str, expect: str, allow_empty: bool = False,
                 allow_nonfinite: bool = False) -> dict:
    """Parse YAML ``text`` that must hold a mapping.

    Parameters
    ----------
    text : str or bytes
        The document.
    file : str
        Name used in error messages.
    expect : str
        The fix shown when the document is not a mapping, e.g. "a scenario file
        is a YAML mapping with name, sites and raid".
    allow_empty : bool
        Treat an empty document as an empty mapping.
    allow_nonfinite : bool
        Passed to :func:`parse_yaml`.
    """
    raw = parse_yaml(text, file, allow_nonfinite)
    if raw is None and allow_empty:
        return {}
    if not isinstance(raw, dict):
        raise InputError(file, "<top>", type(raw).__name__, expect)
    return raw


def field_path(loc: tuple) -> str:
    """A pydantic error location as a dotted path, e.g. ``raid[2].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "<top>"
