"""The web app under abuse (issue 13 item 3): trusted hosts, the access token, strict numbers,
413 for every body over the limit (streamed ones too), JSON for every error, bounded YAML work."""
from __future__ import annotations

import json
import socket

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from redline.web import create_app
from redline.web.guards import MAX_YAML_ALIASES
from redline.web.models import Limits

from ..fuzz.mutate import campaign_alias_bomb
from .conftest import TEST_HOSTS


def _json_error(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["error"], str) and "\n" not in body["error"]
    if field is not None:
        assert body["field"] == field, body
    return body


@pytest.mark.parametrize("body,field", [
    ({"scenario": "april-2024", "trials": "1000"}, "trials"),
    ({"scenario": "april-2024", "trials": True}, "trials"),
    ({"scenario": "april-2024", "trials": 10.0}, "trials"),
    ({"scenario": "april-2024", "seed": "7"}, "seed"),
    ({"scenario": "april-2024", "seed": False}, "seed"),
    ({"scenario": "april-2024", "save": "yes"}, "save"),
    ({"scenario": "april-2024", "knobs": {"raid": {"drone": "5"}}}, "knobs.raid.drone"),
    ({"scenario": "april-2024", "knobs": {"shots": {"lower": True}}}, "knobs.shots.lower"),
    ({"scenario": "april-2024", "knobs": {"shoot_look_shoot": 1}}, "knobs.shoot_look_shoot"),
])
def test_numbers_must_be_numbers(client, body, field):
    """Strict request types: "1000" and true are refused with a 422 naming the field."""
    _json_error(client.post("/api/runs", json=body), 422, field)


@pytest.mark.parametrize("body,field", [({"paths": "100"}, "paths"), ({"paths": True}, "paths"),
                                        ({"paths": 10, "horizon_days": "90"}, "horizon_days")])
def test_compare_numbers_must_be_numbers(client, body, field):
    _json_error(client.post("/api/compare", json=body), 422, field)


def test_compare_work_is_bounded(tmp_path):
    with TestClient(create_app(no_store=True, trusted_hosts=TEST_HOSTS, limits=Limits(max_compare_work=100))) as c:
        body = _json_error(c.post("/api/compare", json={"paths": 60, "policies": ["status-quo", "diplomacy-first"]}),
                           422, "paths")
        assert "limit of 100" in body["error"]
        _json_error(c.post("/api/compare", json={"paths": 10, "start": "atlantis"}), 400, "start")


@pytest.mark.parametrize("limit,max_paths", [(600, 300), (250, 125)])
def test_compare_work_bound_counts_the_adaptive_paths(monkeypatch, limit, max_paths):
    """Adaptive paths (up to 4x for rare events) stay within the work limit: paths run x packages <= the limit."""
    import redline.escalation as esc

    calls = {}
    real = esc.compare_policies

    def recording(policies=None, **kw):
        calls.update(kw)
        return real(policies, **kw)

    monkeypatch.setattr(esc, "compare_policies", recording)
    with TestClient(create_app(no_store=True, trusted_hosts=TEST_HOSTS, limits=Limits(max_compare_work=limit))) as c:
        r = c.post("/api/compare", json={"paths": 100, "seed": 1, "policies": ["status-quo", "diplomacy-first"]})
    assert r.status_code == 200, r.text
    summary = r.json()["summary"]
    assert calls["max_paths"] == max_paths == limit // 2
    # 100 paths see too few rare events: without the cap this request runs 4 batches (800 paths in all)
    assert summary["paths"] == 100 * (max_paths // 100) and summary["paths"] * 2 <= limit
    assert summary["monte_carlo"]["batches"] == max_paths // 100


def test_only_trusted_hosts_are_answered(tmp_path):
    app = create_app(no_store=True)               # the defaults: loopback names only
    for base in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://127.0.0.1"):
        with TestClient(app, base_url=base) as c:
            assert c.get("/api/health").status_code == 200, base
    with TestClient(app, base_url="http://attacker.example:8000") as c:     # DNS rebinding: the page's own name
        for path in ("/", "/api/health", "/static/app.js", "/openapi.json"):
            body = _json_error(c.get(path), 400, "host")
            assert "--trusted-host" in body["error"]
        _json_error(c.post("/api/runs", json={"scenario": "april-2024"}), 400, "host")
    with TestClient(create_app(no_store=True, trusted_hosts=["lab.example"]), base_url="http://lab.example") as c:
        assert c.get("/api/health").status_code == 200
    with TestClient(create_app(no_store=True, trusted_hosts=["*"]), base_url="http://any.example") as c:
        assert c.get("/api/health").status_code == 200


def test_a_token_is_required_on_every_request_when_set(tmp_path):
    token = "s3cret-token-for-tests"
    app = create_app(no_store=True, trusted_hosts=TEST_HOSTS, token=token)
    with TestClient(app) as c:
        for path in ("/", "/compare", "/static/app.js", "/api/health", "/openapi.json", "/api/scenarios"):
            r = c.get(path)
            _json_error(r, 401, "token")
            assert r.headers["www-authenticate"].startswith("Bearer")
        _json_error(c.post("/api/runs", json={"scenario": "april-2024"}), 401, "token")
        _json_error(c.get("/api/health", headers={"Authorization": "Bearer wrong-token-xx"}), 401, "token")
        _json_error(c.get("/?token=wrong"), 401, "token")
        assert c.get("/api/health", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        r = c.get(f"/compare?token={token}&x=1", follow_redirects=False)       # the link a user opens once
        assert r.status_code == 303 and r.headers["location"] == "/compare?x=1"
        assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
        assert c.get("/static/app.js").status_code == 200                      # the cookie now rides along
        assert c.get("/api/health").json()["status"] == "ok"
        c.cookies.clear()
        _json_error(c.get("/api/health"), 401, "token")
    with pytest.raises(ValueError, match="shorter than 8"):
        create_app(no_store=True, token="short")


def test_serve_refuses_a_public_address_without_a_token(monkeypatch):
    import uvicorn

    from redline.cli.main import app as cli

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: started.update(app=application, **kw))
    monkeypatch.delenv("REDLINE_TOKEN", raising=False)
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--no-store"])
    assert r.exit_code == 2 and not started
    assert "--token" in r.output and len(r.output.strip().splitlines()) <= 2     # one line (wrapped at most once)
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--no-store", "--token", "short"])
    assert r.exit_code == 2 and not started
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--no-store", "--trusted-host", "lab.example"],
                      env={"REDLINE_TOKEN": "env-token-123456"})
    assert r.exit_code == 0, r.output
    assert started["host"] == "0.0.0.0"
    with TestClient(started["app"], base_url="http://lab.example") as c:
        _json_error(c.get("/api/health"), 401, "token")
        assert c.get("/api/health", headers={"Authorization": "Bearer env-token-123456"}).status_code == 200
    with TestClient(started["app"], base_url="http://elsewhere.example") as c:
        _json_error(c.get("/api/health", headers={"Authorization": "Bearer env-token-123456"}), 400, "host")
    started.clear()
    r = runner.invoke(cli, ["serve", "--no-store"])                              # loopback: no token needed
    assert r.exit_code == 0 and started["host"] == "127.0.0.1"
    with TestClient(started["app"], base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/health").status_code == 200


def test_streamed_body_over_the_limit_is_413(client):
    def chunks():
        for _ in range(40):
            yield b"x" * 65536                    # 2.5 MiB, no Content-Length: counted as it arrives

    body = _json_error(client.post("/api/runs", content=chunks(), headers={"content-type": "application/json"}),
                       413, "body")
    assert "request body over" in body["error"]
    _json_error(client.post("/api/runs", content=b"{}", headers={"content-type": "application/json",
                                                                  "content-length": "-5"}), 400)


def test_chunked_50_mib_body_to_a_real_server_is_413(live_server):
    """Over a socket to uvicorn: a 50 MiB chunked upload gets 413 (not 400), and the server stays up."""
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"POST /api/scenarios/parse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20))
        try:
            for _ in range(50):
                s.sendall(chunk)
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass                                  # the server may stop reading once it has answered
        head = s.recv(65536).split(b"\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.1 413"), head
    import urllib.request

    with urllib.request.urlopen(f"{live_server}/api/health", timeout=10) as r:
        assert json.load(r)["status"] == "ok"


def test_an_unexpected_exception_is_a_json_500(tmp_path, monkeypatch):
    import redline.web.app as web_app

    def boom(sc):
        raise RuntimeError("a bug")

    monkeypatch.setattr(web_app, "_preview", boom)
    with TestClient(create_app(no_store=True, trusted_hosts=TEST_HOSTS), raise_server_exceptions=False) as c:
        body = _json_error(c.get("/api/scenarios/april-2024"), 500)
        assert "RuntimeError" in body["error"] and "a bug" not in body["error"]
        assert c.get("/api/health").status_code == 200


def test_alias_bombs_are_refused_before_anything_walks_them(client):
    bomb = campaign_alias_bomb()
    assert len(bomb) < 2048 and bomb.count("*") <= MAX_YAML_ALIASES
    for url in ("/api/scenarios/parse", "/api/runs"):
        body = _json_error(client.post(url, json={"scenario_yaml": bomb}), 400, "scenario_yaml")
        assert "expand to more than" in body["error"]
    _json_error(client.post("/api/scenarios/parse", json={"scenario_yaml": "a: &a [*a]\n"}), 400, "scenario_yaml")
    deep = "a: " + "[" * 70 + "]" * 70 + "\n"
    body = _json_error(client.post("/api/scenarios/parse", json={"scenario_yaml": deep}), 400, "scenario_yaml")
    assert "deep" in body["error"]
    assert client.get("/api/health").json()["status"] == "ok"


def test_a_run_stopped_by_the_time_limit_answers_408(tmp_path):
    from .test_api import APRIL_MIN, wait

    with TestClient(create_app(no_store=True, trusted_hosts=TEST_HOSTS, limits=Limits(time_limit_s=1e-6))) as c:
        r = c.post("/api/runs", json={"scenario_yaml": APRIL_MIN, "trials": 5000})
        assert r.status_code == 202
        s = wait(c, r.json()["job_id"])
        assert s["state"] == "error"
        body = _json_error(c.get(f"/api/runs/{r.json()['job_id']}"), 408, "trials")
        assert "time limit" in body["error"] and body["total"] == 5000
