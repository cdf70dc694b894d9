from __future__ import annotations

import socket
import threading
import time

import pytest

from ..report._browser import launched_browser

TEST_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")
"""Trusted hosts in tests: the loopback defaults plus the Host that starlette's TestClient sends."""


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Never write to the user's run store from tests."""
    monkeypatch.setenv("REDLINE_STORE", str(tmp_path / "store" / "runs.duckdb"))
    monkeypatch.delenv("REDLINE_NO_STORE", raising=False)   # these tests check saving itself


@pytest.fixture(scope="session")
def browser():
    with launched_browser() as b:
        yield b


@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from redline.web import create_app

    with TestClient(create_app(store=tmp_path / "web.duckdb", trusted_hosts=TEST_HOSTS)) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from redline.web import create_app

    app = create_app(store=tmp_path_factory.mktemp("store") / "runs.duckdb")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120   # generous: a loaded machine starts uvicorn slowly
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
