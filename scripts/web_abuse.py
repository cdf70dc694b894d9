"""Bounded abuse of `redline serve` on loopback: bad requests, health latency, server memory.

Starts ``redline serve`` on 127.0.0.1 (a free port, no store, a short run time
limit), sends ``--requests`` bad or hostile requests from a few threads —
strings and booleans for numbers, malformed JSON and YAML, alias bombs, deep
nesting, foreign Host headers, missing Host headers, bodies over the limit
with and without Content-Length (a few of 50 MiB, chunked), unknown paths and
methods, runs that the time limit stops, runs refused while every slot is
busy — while a monitor thread asks ``/api/health`` every 0.5 s and samples the
server's resident memory. Then it prints counts by status, health-check
latencies and the server's peak RSS, and checks the targets of issue 13:

* no 500 and no other 5xx (the app documents none: busy is 429);
* every error answer is JSON (except uvicorn's own 400 for a request that is
  not valid HTTP/1.1, such as one with no Host header: the app never sees it);
* a run stopped by its time limit answers 408 (documented);
* server peak RSS under 500 MB;
* ``/api/health`` answered every time.

Every request goes to 127.0.0.1; the loop stops after ``--requests`` requests
or ``--max-seconds``, whichever comes first. Exit status 0 when every target
is met, 1 otherwise.

    python scripts/web_abuse.py                  # 10,000 requests
    python scripts/web_abuse.py --requests 500   # a quick look
"""
from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fuzz.mutate import campaign_alias_bomb  # noqa: E402  (one generator, shared with the tests)

HOST = "127.0.0.1"
APRIL_MIN = """name: tiny
sites:
  launch: {lat: 34.31, lon: 47.07, kind: launch_area}
  target: {lat: 31.21, lon: 35.01, kind: air_base, radius_km: 5, value: 1}
  battery: {lat: 31.40, lon: 35.00}
fire_units:
  - {name: b1, kind: battery, type: arrow-3, owner: israel, site: battery, magazine: 20}
raid:
  - {threat: kheibar-shekan, count: 4, launch: launch, aim: {target: 1}}
"""


def _j(obj) -> bytes:
    return json.dumps(obj).encode()


def cases() -> list[tuple[str, int, dict]]:
    """(name, weight, request) — a request is method, path, body, headers, and how to send it."""
    bomb = campaign_alias_bomb(pad_to=1900)   # the 1.9 KB upload of issue 13
    deep = "a: " + "[" * 200 + "]" * 200 + "\n"
    post = {"Content-Type": "application/json"}
    c = [
        ("trials as string", 8, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "trials": "1000"}))),
        ("trials as true", 8, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "trials": True}))),
        ("trials float", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "trials": 10.5}))),
        ("trials negative", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "trials": -1}))),
        ("trials huge", 4, dict(m="POST", p="/api/runs", b=b'{"scenario": "april-2024", "trials": 1' + b"0" * 4000 + b"}")),
        ("seed as string", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "seed": "7"}))),
        ("knob as string", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "knobs": {"raid": {"drone": "9"}}}))),
        ("unknown knob", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024", "knobs": {"warp": 9}}))),
        ("malformed json", 8, dict(m="POST", p="/api/runs", b=b'{"scenario": "april')),
        ("json not an object", 4, dict(m="POST", p="/api/runs", b=b"[1, 2, 3]")),
        ("deep json", 3, dict(m="POST", p="/api/runs", b=b"[" * 100_000 + b"]" * 100_000)),
        ("nan in json", 3, dict(m="POST", p="/api/compare", b=b'{"paths": 10, "horizon_days": NaN}')),
        ("unknown scenario", 6, dict(m="POST", p="/api/runs", b=_j({"scenario": "atlantis"}))),
        ("malformed yaml", 6, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "name: [unclosed"}))),
        ("yaml not a mapping", 4, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "- a\n- b\n"}))),
        ("bad scenario field", 4, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": APRIL_MIN.replace("count: 4", "count: -4")}))),
        ("campaign alias bomb", 8, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": bomb}))),
        ("alias bomb run", 4, dict(m="POST", p="/api/runs", b=_j({"scenario_yaml": bomb, "trials": 10}))),
        ("self alias", 3, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "a: &a [*a]\n"}))),
        ("deep yaml", 4, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": deep}))),
        ("catalog path", 3, dict(m="POST", p="/api/runs", b=_j({"scenario_yaml": APRIL_MIN + "catalog: [/etc/passwd]\n"}))),
        ("extends a file", 3, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "extends: /etc/hostname\n"}))),
        ("python tag", 3, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "a: !!python/object/apply:os.system [id]\n"}))),
        ("yaml over 256 KiB", 2, dict(m="POST", p="/api/scenarios/parse", b=_j({"scenario_yaml": "# x\n" * 70_000}))),
        ("body 2 MiB", 2, dict(m="POST", p="/api/runs", b=b" " * (2 << 20))),
        ("body 2 MiB chunked", 2, dict(m="POST", p="/api/runs", b=b" " * (2 << 20), chunked=True)),
        ("content-length lies", 2, dict(m="POST", p="/api/runs", b=b"{}", raw_len="99999999999")),
        ("foreign host", 8, dict(m="GET", p="/api/health", host="attacker.example")),
        ("foreign host post", 4, dict(m="POST", p="/api/runs", b=_j({"scenario": "april-2024"}), host="rebind.example:8000")),
        # not valid HTTP/1.1: uvicorn's HTTP parser answers 400 (plain text) before the app sees it
        ("no host header", 3, dict(m="GET", p="/", host=None, protocol=True)),
        ("unknown path", 6, dict(m="GET", p="/api/nope")),
        ("path traversal", 4, dict(m="GET", p="/static/../../../../etc/passwd")),
        ("encoded traversal", 3, dict(m="GET", p="/static/%2e%2e/%2e%2e/etc/passwd")),
        ("wrong method", 4, dict(m="DELETE", p="/api/runs")),
        ("unknown job", 6, dict(m="GET", p="/api/runs/" + "f" * 16)),
        ("long job id", 2, dict(m="GET", p="/api/runs/" + "x" * 6000)),
        ("bad query", 4, dict(m="GET", p="/api/store/runs?limit=abc")),
        ("limit too big", 3, dict(m="GET", p="/api/store/runs?limit=99999999999999999999")),
        ("compare too big", 3, dict(m="POST", p="/api/compare", b=_j({"paths": 20000}))),
        ("compare bad start", 3, dict(m="POST", p="/api/compare", b=_j({"paths": 10, "start": "nowhere"}))),
        ("compare paths string", 4, dict(m="POST", p="/api/compare", b=_j({"paths": "100"}))),
    ]
    for _, _, r in c:
        r.setdefault("h", dict(post) if r.get("b") is not None else {})
    return c


LONG_RUN = {"m": "POST", "p": "/api/runs", "b": _j({"scenario": "april-2024", "trials": 200_000}),
            "h": {"Content-Type": "application/json"}, "track": True}
"""A run the time limit stops (or 429 while both run slots are busy)."""


def send(port: int, req: dict, timeout: float) -> tuple[int, str, bytes]:
    """One request on a fresh connection: (status, content type, body); status 0 on a transport error."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        host = req.get("host", f"{HOST}:{port}")
        conn.putrequest(req["m"], req["p"], skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for k, v in req["h"].items():
            conn.putheader(k, v)
        body = req.get("b")
        if req.get("chunked"):
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            try:
                for i in range(0, len(body), 1 << 16):
                    piece = body[i:i + (1 << 16)]
                    conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                conn.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif body is not None:
            conn.putheader("Content-Length", req.get("raw_len", str(len(body))))
            conn.endheaders()
            try:
                conn.send(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            conn.endheaders()
        r = conn.getresponse()
        data = r.read()
        return r.status, r.getheader("content-type") or "", data
    except (OSError, http.client.HTTPException):
        return 0, "", b""
    finally:
        conn.close()


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid`` [MB], from /proc."""
    cur = peak = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return cur, peak


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=10_000, help="bad requests to send (default 10,000)")
    ap.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    ap.add_argument("--big", type=int, default=3, help="50 MiB chunked uploads among them (default 3)")
    ap.add_argument("--time-limit", type=float, default=2.0, help="the server's run time limit [s] (default 2)")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="stop sending after this long [s] (default 900)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)

    port = free_port()
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    server = subprocess.Popen([sys.executable, "-m", "redline.cli.main", "serve", "--host", HOST, "--port", str(port),
                               "--no-store", "--time-limit", str(args.time_limit), "--log-level", "critical"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while send(port, {"m": "GET", "p": "/api/health", "h": {}}, 2)[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                print("the server did not start:", server.stderr.read().decode()[-2000:], file=sys.stderr)
                return 1
            time.sleep(0.2)
        rss_start = rss_mb(server.pid)[0]
        return _abuse(args, port, server, rss_start)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _abuse(args, port: int, server: subprocess.Popen, rss_start: float) -> int:
    table = cases()
    rng = random.Random(args.seed)
    plan = rng.choices(range(len(table)), weights=[w for _, w, _ in table], k=args.requests)
    big = {"m": "POST", "p": "/api/scenarios/parse", "h": {"Content-Type": "application/json"},
           "b": b" " * (50 << 20), "chunked": True}
    special = rng.sample(range(args.requests), min(args.requests, args.big + max(3, args.requests // 500)))
    big_at = set(special[:args.big])
    long_at = set(special[args.big:])
    counts: collections.Counter = collections.Counter()
    by_case: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    not_json: collections.Counter = collections.Counter()
    tracked: list[str] = []
    lock = threading.Lock()
    nxt = iter(range(args.requests))
    stop = threading.Event()
    t_end = time.monotonic() + args.max_seconds

    def worker() -> None:
        while not stop.is_set():
            with lock:
                i = next(nxt, None)
            if i is None or time.monotonic() > t_end:
                return
            name, _, req = (("50 MiB chunked", 0, big) if i in big_at else ("long run", 0, LONG_RUN) if i in long_at
                            else table[plan[i]])
            status, ctype, data = send(port, req, timeout=60)
            with lock:
                counts[status] += 1
                by_case[name][status] += 1
                if status >= 400 and not ctype.startswith("application/json") and not req.get("protocol"):
                    not_json[name] += 1
                if req.get("track") and status == 202:
                    tracked.append(json.loads(data)["job_id"])

    health: list[float] = []
    health_fail = 0
    rss_peak_seen = 0.0

    def monitor() -> None:
        nonlocal health_fail, rss_peak_seen
        while not stop.is_set():
            t0 = time.monotonic()
            status = send(port, {"m": "GET", "p": "/api/health", "h": {}}, timeout=10)[0]
            dt = time.monotonic() - t0
            with lock:
                if status == 200:
                    health.append(dt)
                else:
                    health_fail += 1
                rss_peak_seen = max(rss_peak_seen, rss_mb(server.pid)[0])
            stop.wait(max(0.0, 0.5 - dt))

    t0 = time.monotonic()
    mon = threading.Thread(target=monitor, daemon=True)
    mon.start()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    sent_s = time.monotonic() - t0
    # the tracked runs: each is stopped by the time limit and must then answer 408
    job_status: collections.Counter = collections.Counter()
    for jid in tracked:
        deadline = time.monotonic() + args.time_limit + 120
        while True:
            status, _, data = send(port, {"m": "GET", "p": f"/api/runs/{jid}?result=false", "h": {}}, timeout=30)
            state = json.loads(data).get("state") if data else None
            if state in ("done", "error") or status not in (200,) or time.monotonic() > deadline:
                job_status[status] += 1
                break
            time.sleep(0.2)
    stop.set()
    mon.join(timeout=15)
    alive = server.poll() is None
    _, rss_peak = rss_mb(server.pid)
    rss_peak = max(rss_peak, rss_peak_seen)
    lat = sorted(health)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    five = {s: n for s, n in counts.items() if s >= 500}
    figures = {
        "requests": sum(counts.values()), "seconds": round(sent_s, 1),
        "by_status": {str(k): v for k, v in sorted(counts.items())},
        "transport_errors": counts.get(0, 0),
        "errors_not_json": dict(not_json),
        "time_limited_runs": {str(k): v for k, v in sorted(job_status.items())},
        "health_checks": len(health) + health_fail, "health_failed": health_fail,
        "health_ms": {"p50": round(pct(0.5), 1), "p95": round(pct(0.95), 1), "max": round(lat[-1] * 1000, 1) if lat else None},
        "server_rss_mb": {"start": round(rss_start, 1), "peak": round(rss_peak, 1)},
        "server_alive": alive,
    }
    targets = {
        "no 5xx": not five,
        "every error is JSON": not not_json,
        "time-limited runs answer 408": bool(job_status) and set(job_status) == {408},
        "peak RSS under 500 MB": rss_peak < 500,
        "health answered throughout": health_fail == 0 and bool(health) and alive,
        "no transport errors": counts.get(0, 0) == 0,
    }
    figures["targets"] = targets
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{figures['requests']:,} requests in {sent_s:.1f} s to http://{HOST}:{port}/ "
              f"({args.threads} threads, {len(big_at)} of 50 MiB chunked)")
        print("by status: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items())))
        for name, c in sorted(by_case.items()):
            print(f"  {name:26s} " + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))
        print(f"runs stopped by the time limit ({args.time_limit:g} s), status answered: "
              + (", ".join(f"{k}: {v}" for k, v in sorted(job_status.items())) or "none started"))
        if not_json:
            print("errors that were not JSON: " + ", ".join(f"{k}: {v}" for k, v in sorted(not_json.items())))
        print(f"health: {len(health)} answered, {health_fail} failed; latency p50 {pct(0.5):.1f} ms, "
              f"p95 {pct(0.95):.1f} ms, max {figures['health_ms']['max']} ms")
        print(f"server RSS: {rss_start:.0f} MB at start, peak {rss_peak:.0f} MB")
        for k, ok in targets.items():
            print(f"  [{'ok' if ok else 'FAIL'}] {k}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
