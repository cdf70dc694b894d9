"""`redline serve`: the local web app (FastAPI + uvicorn), on loopback by default.

A non-loopback ``--host`` is refused unless a token is set (``--token`` or
``REDLINE_TOKEN``); every request must then carry it. Requests whose Host
header is not a loopback name or a ``--trusted-host`` get 400 (DNS rebinding).
"""
from __future__ import annotations

import ipaddress
from typing import Optional

import typer

from ._common import err_console, fail
from .store import NO_STORE_HELP, store_option


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default; any other needs --token)."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        store: Optional[str] = store_option(),
        no_store: bool = typer.Option(False, "--no-store", help=NO_STORE_HELP),
        max_trials: int = typer.Option(200_000, "--max-trials", help="Most trials one run may ask for (at most 200,000)."),
        time_limit: float = typer.Option(120.0, "--time-limit", help="Seconds a run may take before it is stopped (its status then answers 408)."),
        max_runs: int = typer.Option(2, "--max-runs", help="Runs at once; more are refused with 429."),
        token: Optional[str] = typer.Option(None, "--token", envvar="REDLINE_TOKEN", show_envvar=True,
                                            help="Access token every request must carry (Authorization: Bearer TOKEN, or open /?token=TOKEN once)."),
        trusted_host: list[str] = typer.Option([], "--trusted-host", help="Host name clients use to reach the server, "
                                               "trusted besides localhost, 127.0.0.1 and ::1 (repeatable; '*' trusts any)."),
        log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Start the local web app: pick or upload a scenario, turn the knobs, run, see map, charts and costs."""
        import uvicorn
        from pydantic import ValidationError

        from ..web.app import create_app
        from ..web.guards import LOOPBACK_HOSTS
        from ..web.models import Limits

        if not 0 < port < 65536:
            fail(f"--port = {port}: give a TCP port between 1 and 65535")
        try:
            limits = Limits(max_trials=max_trials, time_limit_s=time_limit, max_concurrent_runs=max_runs)
        except ValidationError as exc:
            err = exc.errors()[0]
            fail(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}")
        token = token or None
        if not _is_loopback(host) and token is None:
            fail(f"--host {host}: a non-loopback address lets anyone who reaches it run simulations here; "
                 "set --token (or REDLINE_TOKEN) and every request must carry it")
        if token is not None and len(token) < 8:
            fail("--token: use at least 8 characters, e.g. the output of "
                 "`python -c \"import secrets; print(secrets.token_urlsafe())\"`")
        hosts = [*LOOPBACK_HOSTS, *trusted_host]
        if not _is_loopback(host) and host not in ("0.0.0.0", "::"):
            hosts.append(host)          # the address itself is how clients reach a specific interface
        application = create_app(store=store, no_store=no_store, limits=limits, trusted_hosts=hosts, token=token)
        shown = f"[{host}]" if ":" in host else host
        err_console.print(f"Redline web app on http://{shown}:{port}/  (API schema: /openapi.json; Ctrl-C stops)"
                          + ("; open it once as /?token=TOKEN" if token else ""), highlight=False)
        uvicorn.run(application, host=host, port=port, log_level=log_level)
