"""ASGI guards of the web app: trusted Host header, access token, body size, and the YAML pre-check.

Each guard answers with the app's JSON error shape, ``{"error": "one line", "field": ...}``:

* :class:`TrustedHost` — 400 unless the ``Host`` header names a trusted host
  (loopback names by default). A page on another site whose DNS name is
  rebound to 127.0.0.1 sends its own name in ``Host``, so it is refused.
* :class:`TokenGate` — 401 unless the request carries the server's token, as
  ``Authorization: Bearer TOKEN`` or the ``redline_token`` cookie that a visit
  to ``/?token=TOKEN`` sets (that visit is redirected to the same page without
  the token in its address).
* :class:`BodyLimit` — 413 for a body over the limit, whether it declares a
  ``Content-Length`` or streams in chunks; the body is counted as it arrives
  and never held beyond the limit.
* :func:`yaml_shape_check` — refuses an uploaded YAML text whose aliases would
  expand beyond a node budget, or that nests too deep, before anything walks it.
"""
from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlencode

__all__ = ["TrustedHost", "TokenGate", "BodyLimit", "LOOPBACK_HOSTS", "TOKEN_COOKIE", "yaml_shape_check",
           "YamlShapeError", "MAX_YAML_ALIASES", "MAX_YAML_NODES", "MAX_YAML_DEPTH"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Hosts trusted by default: the server listens on loopback and is reached by these names."""
TOKEN_COOKIE = "redline_token"
MAX_YAML_ALIASES = 100
"""Most alias references (``*name``) in an uploaded scenario."""
MAX_YAML_NODES = 200_000
"""Most YAML nodes of an uploaded scenario once every alias is expanded."""
MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists in an uploaded scenario."""
_DRAIN_LIMIT = 64 * 1024 * 1024
"""Past the body limit, read (and drop) up to this many bytes so the client can read its 413 [bytes]."""
_DRAIN_STALL_S = 2.0
"""Stop draining an over-limit body when the client sends nothing for this long [s]."""


async def _send_json(send, status: int, body: dict[str, Any], headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": data})


def _header(scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v
    return None


def _host_name(raw: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[1:raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


class TrustedHost:
    """Refuse requests whose ``Host`` header is not one of ``hosts`` (``"*"`` trusts every host)."""

    def __init__(self, app, hosts: Iterable[str] = LOOPBACK_HOSTS):
        self.app = app
        self.hosts = frozenset(_host_name(h) if h != "*" else "*" for h in hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or "*" in self.hosts:      # the app has no websockets
            return await self.app(scope, receive, send)
        raw = (_header(scope, b"host") or b"").decode("latin-1")
        if _host_name(raw) not in self.hosts:
            shown = raw[:80] if raw else "(none)"
            return await _send_json(send, 400, {
                "error": f"Host header {shown!r} is not trusted by this server; open it as "
                         f"http://127.0.0.1:PORT/ or start it with --trusted-host NAME",
                "field": "host"})
        return await self.app(scope, receive, send)


class TokenGate:
    """Require ``token`` on every request: a bearer header, or the cookie set by visiting ``?token=``."""

    def __init__(self, app, token: str):
        self.app = app
        self.token = token.encode()

    def _ok(self, value: bytes | str | None) -> bool:
        if value is None:
            return False
        if isinstance(value, str):
            value = value.encode()
        return secrets.compare_digest(value, self.token)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        auth = _header(scope, b"authorization") or b""
        if auth[:7].lower() == b"bearer " and self._ok(auth[7:].strip()):
            return await self.app(scope, receive, send)
        for part in (_header(scope, b"cookie") or b"").split(b";"):
            name, _, value = part.strip().partition(b"=")
            if name == TOKEN_COOKIE.encode() and self._ok(value):
                return await self.app(scope, receive, send)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == "token"]
        if scope.get("method") == "GET" and given and self._ok(given[0]):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            cookie = f"{TOKEN_COOKIE}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"
            return await _send_json(send, 303, {"location": location},
                                    [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode())])
        return await _send_json(send, 401, {
            "error": "this server needs its access token: send 'Authorization: Bearer TOKEN' or open /?token=TOKEN",
            "field": "token"}, [(b"www-authenticate", b'Bearer realm="redline"')])


class BodyLimit:
    """Read the whole request body, at most ``limit`` bytes, before the app sees it; 413 past the limit."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = int(limit)

    async def _too_big(self, receive, send, seen: int, more: bool) -> None:
        # let the client finish sending (dropping the bytes), so that it reads the answer; a client
        # that sends more than _DRAIN_LIMIT, or stalls, is answered at once and the connection closed
        while more and seen <= _DRAIN_LIMIT:
            try:
                msg = await asyncio.wait_for(receive(), timeout=_DRAIN_STALL_S)
            except asyncio.TimeoutError:
                break
            if msg["type"] != "http.request":
                return
            seen += len(msg.get("body", b""))
            more = msg.get("more_body", False)
        await _send_json(send, 413, {"error": f"request body over {self.limit:,} bytes; send a smaller scenario",
                                     "field": "body"}, [(b"connection", b"close")])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                n = int(declared)
                if n < 0:
                    raise ValueError(n)
            except ValueError:
                return await _send_json(send, 400, {"error": "bad Content-Length header", "field": "content-length"})
            if n > self.limit:
                return await self._too_big(receive, send, 0, True)
        chunks: list[bytes] = []
        seen, more = 0, True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":        # the client went away
                return
            body = msg.get("body", b"")
            seen += len(body)
            more = msg.get("more_body", False)
            if seen > self.limit:
                return await self._too_big(receive, send, seen, more)
            chunks.append(body)
        whole = b"".join(chunks)
        chunks.clear()
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class YamlShapeError(ValueError):
    """An uploaded YAML text that would expand or nest beyond the server's bounds."""


def yaml_shape_check(text: str, what: str = "scenario_yaml") -> None:
    """Refuse YAML whose aliases expand past :data:`MAX_YAML_NODES` or that nests past :data:`MAX_YAML_DEPTH`.

    One pass over the parser's events (nothing is constructed, so this costs time and
    memory in proportion to the text): every anchored node's size is recorded when it
    closes, and an alias adds the size of the node it names. Syntax errors are left to
    the scenario parser, which reports them with a line and column.

    Raises
    ------
    YamlShapeError
        With a one-line message naming the bound and what to do.
    """
    import yaml

    from ..yamlio import LOADER          # the reader's own safe loader (libyaml when built with it)

    cap = MAX_YAML_NODES + 1
    sizes: dict[str, int] = {}           # anchor -> values under it (its own node included)
    open_anchors: set[str] = set()
    stack: list[list] = [[None, 0]]      # open collections: [anchor, values so far]; the root at the bottom
    aliases = 0
    try:
        for ev in yaml.parse(text, Loader=LOADER):   # events only: no object is built
            if isinstance(ev, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise YamlShapeError(f"{what} uses more than {MAX_YAML_ALIASES} YAML aliases; write the values out")
                if ev.anchor in open_anchors:
                    raise YamlShapeError(f"{what}: the alias *{ev.anchor} refers to a value that contains it; "
                                         "write the values out")
                stack[-1][1] = min(cap, stack[-1][1] + sizes.get(ev.anchor or "", 1))
            elif isinstance(ev, yaml.ScalarEvent):
                if ev.anchor is not None:
                    sizes[ev.anchor] = 1
                stack[-1][1] = min(cap, stack[-1][1] + 1)
            elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) > MAX_YAML_DEPTH:
                    raise YamlShapeError(f"{what} nests lists and mappings more than {MAX_YAML_DEPTH} deep; flatten it")
                if ev.anchor is not None:
                    open_anchors.add(ev.anchor)
                stack.append([ev.anchor, 1])
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, n = stack.pop()
                if anchor is not None:
                    sizes[anchor] = n
                    open_anchors.discard(anchor)
                stack[-1][1] = min(cap, stack[-1][1] + n)
            if stack[0][1] > MAX_YAML_NODES:
                break
    except yaml.YAMLError:
        return
    if stack[0][1] > MAX_YAML_NODES:
        raise YamlShapeError(f"{what}: its aliases expand to more than {MAX_YAML_NODES:,} values; write the "
                             "repeated parts once, or run the file with `redline run` locally")
