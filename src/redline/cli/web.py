"""`redline serve`: the local web app (FastAPI + uvicorn), on loopback by default."""
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
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        store: Optional[str] = store_option(),
        no_store: bool = typer.Option(False, "--no-store", help=NO_STORE_HELP),
        max_trials: int = typer.Option(200_000, "--max-trials", help="Most trials one run may ask for (at most 200,000)."),
        time_limit: float = typer.Option(120.0, "--time-limit", help="Seconds a run may take before it is stopped."),
        max_runs: int = typer.Option(2, "--max-runs", help="Runs at once; more are refused with 429."),
        log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Start the local web app: pick or upload a scenario, turn the knobs, run, see map, charts and costs."""
        import uvicorn
        from pydantic import ValidationError

        from ..web.app import create_app
        from ..web.models import Limits

        if not 0 < port < 65536:
            fail(f"--port = {port}: give a TCP port between 1 and 65535")
        try:
            limits = Limits(max_trials=max_trials, time_limit_s=time_limit, max_concurrent_runs=max_runs)
        except ValidationError as exc:
            err = exc.errors()[0]
            fail(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}")
        if not _is_loopback(host):
            err_console.print(f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this address can "
                              "run simulations here. The app has no authentication.", highlight=False)
        application = create_app(store=store, no_store=no_store, limits=limits)
        shown = f"[{host}]" if ":" in host else host
        err_console.print(f"Redline web app on http://{shown}:{port}/  (API schema: /openapi.json; Ctrl-C stops)",
                          highlight=False)
        uvicorn.run(application, host=host, port=port, log_level=log_level)
