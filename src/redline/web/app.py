"""The FastAPI application of ``redline serve``.

Pages: ``/`` (run a scenario with knobs: map, distributions, costs) and
``/compare`` (policy packages of :mod:`redline.escalation`). The API lives under ``/api`` and is described by
``/openapi.json``; FastAPI's ``/docs`` and ``/redoc`` pages are switched off
because they load their scripts from a CDN.

Every request is bounded (:class:`~redline.web.models.Limits`): body size,
scenario size, trials, threats and fire units, run time, runs at once.
Every error is JSON: ``{"error": "one line", "field": "the request field or null", "detail": ...}``,
with a 4xx status for anything the client can fix, 408 for a run stopped by the time limit,
429 when every run slot is busy, and 500 (still JSON) only for a bug.
Before any route: the Host header must be trusted and, when the server has a token,
the request must carry it (:mod:`redline.web.guards`).
"""
from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path
from importlib import resources
from typing import Any, Iterable

import yaml
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from .. import frames
from .._version import __version__
from ..errors import InputError, RedlineError
from ..yamlio import parse_yaml
from .guards import LOOPBACK_HOSTS, BodyLimit, TokenGate, TrustedHost, YamlShapeError, yaml_shape_check
from .jobs import Busy, JobManager
from .knobs import apply_knobs, describe_knobs, label_run, scenario_knobs
from .models import CompareRequest, DiffRequest, ErrorBody, JobStatus, Limits, ParseRequest, RunRequest
from .pages import render_page

__all__ = ["create_app", "ApiError"]


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with an HTTP status."""

    def __init__(self, status: int, message: str, detail: Any = None, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.field = field


def _static_dir() -> str:
    return str(resources.files("redline.web") / "static")


def _yaml_guard(text: str, limits: Limits) -> None:
    """Refuse uploads that could reach the server's files or blow up: catalog paths, file extends, alias bombs.

    The size is checked before anything parses the text; the alias, expansion and
    depth bounds (:func:`~redline.web.guards.yaml_shape_check`) before anything walks it.
    NOTE: once :func:`redline.yamlio.parse_yaml` enforces its own alias/node/depth caps,
    the shape check here is a second line of defence and may be removed.
    """
    from ..scenario import builtin_scenarios

    if len(text.encode("utf-8", "surrogatepass")) > limits.max_yaml_bytes:
        raise ApiError(413, f"scenario_yaml is over {limits.max_yaml_bytes:,} bytes; trim the file", field="scenario_yaml")
    try:
        yaml_shape_check(text, "scenario_yaml")
    except YamlShapeError as exc:
        raise ApiError(400, str(exc), field="scenario_yaml") from None
    try:
        raw = parse_yaml(text, "scenario_yaml")
    except (yaml.YAMLError, InputError, RecursionError):
        return  # parse_scenario reports the syntax error with its line and column
    if isinstance(raw, dict):
        if raw.get("catalog"):
            raise ApiError(400, "scenario_yaml: catalog files cannot be used in an upload; use the shipped catalog "
                                "or run the file with `redline run` locally", field="scenario_yaml")
        ext = raw.get("extends")
        if ext is not None and (not isinstance(ext, str) or ext not in builtin_scenarios()):
            raise ApiError(400, f"scenario_yaml: extends = {str(ext)[:80]!r}: an upload may only extend a built-in "
                                f"scenario ({', '.join(builtin_scenarios())})", field="scenario_yaml")


def _scenario_from(req_scenario: str | None, text: str | None, limits: Limits):
    from ..scenario import builtin_scenarios, load_scenario, parse_scenario

    if text is not None:
        _yaml_guard(text, limits)
        return parse_scenario(text, file="upload")
    if req_scenario not in builtin_scenarios():
        raise ApiError(404, f"no built-in scenario {req_scenario!r}; built-ins are: {', '.join(builtin_scenarios())}")
    return load_scenario(req_scenario)


def _runnable(sc, name: str | None):
    """``sc``, or the one-line campaign refusal of ``redline run`` (a 400, before any job starts).

    A campaign runs with ``redline campaign``; the app flies one raid, never one wave of a campaign.
    ``name`` is the built-in's name, or None for an uploaded text.
    """
    if sc.campaign is not None:
        from ..api import campaign_refusal

        raise campaign_refusal(sc, name or "FILE.yaml", file=None if name else "upload")
    return sc


def _check_size(sc, limits: Limits) -> None:
    n = sum(s.count for s in sc.raid)
    if n > limits.max_threats:
        raise ApiError(422, f"the raid has {n:,} threats; this server runs at most {limits.max_threats:,}")
    if len(sc.fire_units) > limits.max_fire_units:
        raise ApiError(422, f"the scenario has {len(sc.fire_units)} fire units; this server allows {limits.max_fire_units}")


def _preview(sc) -> dict[str, Any]:
    """Map layers of a scenario before any run (no kill points)."""
    from ..engagement.compile import compile_scenario
    from ..report.view import engagement_map
    from ..scenario.io import scenario_catalog

    return engagement_map(compile_scenario(sc, scenario_catalog(sc)), {})


TRIAL_ROWS_MAX = 20_000
"""Largest web run whose downloads include the per-trial table (bigger ones give the summary tables)."""


def create_app(store: str | os.PathLike | None = None, no_store: bool = False, limits: Limits | None = None,
               trusted_hosts: Iterable[str] = LOOPBACK_HOSTS, token: str | None = None) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    store : path, optional
        Run store for runs made in the app (default: ``REDLINE_STORE`` or the
        embedded default); ``no_store=True`` saves nothing.
    limits : Limits, optional
        Request bounds (trials, sizes, time limit, runs at once).
    trusted_hosts : names
        Values of the ``Host`` header the app answers (default: the loopback
        names); others get 400, which shuts out DNS rebinding. ``"*"`` trusts all.
    token : str, optional
        When set, every request (pages, static files, API) must carry it
        (:class:`~redline.web.guards.TokenGate`); else 401.
    """
    limits = limits or Limits()
    if token is not None and len(token) < 8:
        raise ValueError("the access token is shorter than 8 characters; use e.g. `python -c \"import secrets; "
                         "print(secrets.token_urlsafe())\"`")
    app = FastAPI(title="Redline", version=__version__, docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Local web API of Redline: run scenarios with knobs, watch progress, read results. "
                              "Errors are JSON objects with an `error` message.")
    app.state.limits = limits
    app.state.jobs = JobManager(max_concurrent=limits.max_concurrent_runs, time_limit_s=limits.time_limit_s)
    app.state.store = None if no_store else store
    app.state.no_store = no_store

    def _save(result, what: str) -> tuple[str | None, str | None]:
        """Save a run (a Result) or a record in the server's store: (run id, None), or (None, why not) when saving
        failed, or (None, None) for a server without a store; the answer carries the warning as store_warning."""
        if app.state.no_store:
            return None, None
        from ..results import Result
        from ..store import StoreError, save_result, save_run

        try:
            saver = save_result if isinstance(result, Result) else save_run     # a run keeps its arrays
            return saver(result, store=app.state.store), None
        except (StoreError, OSError) as exc:
            return None, f"the {what} was not saved: {exc}"
    # added last = runs first: Host check, then the token, then the body limit
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    if token is not None:
        app.add_middleware(TokenGate, token=token)
    app.add_middleware(TrustedHost, hosts=tuple(trusted_hosts))
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")

    # ---- errors: always JSON with a one-line message
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"error": exc.message, "field": exc.field, "detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        first = errs[0] if errs else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")} for e in errs]
        return JSONResponse({"error": f"{where}: {msg}", "field": where, "detail": detail}, status_code=422)

    @app.exception_handler(RedlineError)
    async def _input(request: Request, exc: RedlineError):
        body: dict[str, Any] = {"error": " ".join(str(exc).split()), "field": None}
        if isinstance(exc, InputError):
            body["field"] = exc.field
            body["detail"] = {"file": exc.file, "field": exc.field, "fix": exc.fix}
        return JSONResponse(body, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail), "field": None}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        """A bug: still one JSON line (the traceback goes to the server log), never a plain-text page."""
        return JSONResponse({"error": f"internal error ({type(exc).__name__}); the server log has the details",
                             "field": None}, status_code=500)

    # ---- pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index():
        return HTMLResponse(render_page("index"))

    @app.get("/diff", response_class=HTMLResponse, include_in_schema=False)
    def diff_page():
        return HTMLResponse(render_page("diff"))

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page():
        return HTMLResponse(render_page("compare"))

    # ---- API
    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness, version and limits."""
        return {"status": "ok", "version": __version__, "limits": limits.model_dump(),
                "store": None if app.state.no_store else str(_store_path())}

    def _store_path():
        from ..store import resolve_store_path

        return resolve_store_path(app.state.store)

    @app.get("/api/scenarios", tags=["scenarios"])
    def scenarios() -> list[dict[str, str]]:
        """Built-in scenarios that the app can run."""
        from ..scenario import builtin_scenarios, load_scenario

        out = []
        for name, title in builtin_scenarios().items():
            sc = load_scenario(name)     # a built-in that does not load is a bug: answered as an error, not hidden
            if sc.campaign is not None:
                continue      # campaigns run with `redline campaign`, not as one raid
            out.append({"name": name, "title": title})
        return out

    @app.get("/api/scenarios/{name}", tags=["scenarios"], responses={404: {"model": ErrorBody}})
    def scenario_info(name: str) -> dict[str, Any]:
        """A built-in scenario's knobs and its map before any run."""
        sc = _scenario_from(name, None, limits)
        return {**scenario_knobs(sc), "map": _preview(sc)}

    @app.post("/api/scenarios/parse", tags=["scenarios"], responses={400: {"model": ErrorBody}, 413: {"model": ErrorBody}})
    def parse(req: ParseRequest) -> dict[str, Any]:
        """Check an uploaded scenario; answer its knobs and map, or a 400 naming the field and the fix."""
        sc = _runnable(_scenario_from(None, req.scenario_yaml, limits), None)
        _check_size(sc, limits)
        return {**scenario_knobs(sc), "map": _preview(sc)}

    @app.post("/api/runs", tags=["runs"], status_code=202,
              responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 413: {"model": ErrorBody},
                         422: {"model": ErrorBody}, 429: {"model": ErrorBody}})
    def start_run(req: RunRequest) -> dict[str, Any]:
        """Start a run; poll ``GET /api/runs/{job_id}`` for progress and the result."""
        if req.trials > limits.max_trials:
            raise ApiError(422, f"trials: {req.trials:,} is more than this server's limit of {limits.max_trials:,}")
        base = _runnable(_scenario_from(req.scenario, req.scenario_yaml, limits),
                         None if req.scenario_yaml is not None else req.scenario)
        sc = label_run(base, apply_knobs(base, req.knobs), req.knobs)
        knob_record = {"changes": describe_knobs(base, req.knobs), "base": base.name,
                       **req.knobs.model_dump(mode="json", exclude_defaults=True)}
        _check_size(sc, limits)
        save = req.save and not app.state.no_store

        def work(progress) -> dict[str, Any]:
            from ..api import run as api_run
            from ..report import view_of_result

            res = api_run(sc, trials=req.trials, seed=req.seed, params=req.params, workers=1, progress=progress)
            if knob_record["changes"]:       # the knobs, as set, go into the manifest the run is saved with
                res.manifest = res.manifest.model_copy(update={"details": {**res.manifest.details, "knobs": knob_record}})
            run_id, warning = _save(res, "run") if save else (None, None)
            summary = res.summary()
            # the run's tables, for the spreadsheet downloads (per-trial rows only for small runs)
            progress.attach("tables", frames.tables(res, trials=req.trials <= TRIAL_ROWS_MAX))
            return {"run_id": run_id, "store_warning": warning, "summary": summary,
                    "view": view_of_result(res, run_id=run_id),
                    "scenario_yaml": yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False, allow_unicode=True)}

        try:
            job = app.state.jobs.submit(req.trials, work)
        except Busy as exc:
            raise ApiError(429, str(exc)) from None
        return {"job_id": job.job_id, "status_url": f"/api/runs/{job.job_id}", "total": req.trials}

    @app.get("/api/runs/{job_id}", tags=["runs"], response_model=JobStatus,
             responses={404: {"model": ErrorBody}, 408: {"model": JobStatus}})
    def run_status(job_id: str, result: bool = True) -> Any:
        """Progress of a run (trials done of total); its result once ``state`` is ``done``."""
        job = app.state.jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no run job {job_id[:40]!r} (jobs are kept in memory for the last 32 runs)")
        status = job.status(with_result=result)
        if job.timed_out:      # documented: a run stopped by the time limit answers 408 with its progress
            return JSONResponse({**status, "error": job.error, "field": "trials"}, status_code=408)
        return status

    @app.get("/api/runs/{job_id}/scenario.yaml", tags=["runs"], response_class=PlainTextResponse)
    def run_scenario_yaml(job_id: str):
        """The scenario a finished run used (knobs applied), as YAML."""
        job = app.state.jobs.get(job_id)
        if job is None or job.result is None:
            raise ApiError(404, f"no finished run job {job_id!r}")
        return PlainTextResponse(job.result["scenario_yaml"], media_type="application/x-yaml")

    @app.get("/api/runs/{job_id}/tables.xlsx", tags=["runs"], responses={404: {"model": ErrorBody}})
    def run_tables_xlsx(job_id: str):
        """A finished run's (or comparison's) tables as an Excel workbook, one sheet per table (as ``--xlsx``)."""
        tabs = _finished_tables(job_id)
        with tempfile.TemporaryDirectory() as d:
            path = frames.write_xlsx(tabs, Path(d) / "tables.xlsx")
            data = path.read_bytes()
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="redline-{job_id}.xlsx"'})

    @app.get("/api/runs/{job_id}/tables.zip", tags=["runs"], responses={404: {"model": ErrorBody}})
    def run_tables_csv(job_id: str):
        """A finished run's (or comparison's) tables as CSV files in one zip archive (the files ``--csv DIR`` writes)."""
        tabs = _finished_tables(job_id)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, df in tabs.items():
                z.writestr(f"{frames.csv_name(name)}.csv", df.to_csv(index=False))
        return Response(buf.getvalue(), media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="redline-{job_id}-csv.zip"'})

    def _finished_tables(job_id: str):
        job = app.state.jobs.get(job_id)
        tabs = job.attachments.get("tables") if job is not None and job.state == "done" else None
        if tabs is None:
            raise ApiError(404, f"no finished run job {job_id[:40]!r} with tables (jobs are kept in memory for the "
                                f"last {app.state.jobs.keep} runs)")
        return tabs

    @app.get("/api/store/runs", tags=["store"])
    def stored_runs(limit: int = Query(50, ge=1, le=500), points: bool = False) -> list[dict[str, Any]]:
        """Runs in the server's run store, newest first; a sweep's points only with ``points=true``."""
        if app.state.no_store:
            return []
        from ..store import RunStore

        rows = RunStore(app.state.store).list_runs(limit=limit, include_points=points)
        return [{**r, "created_utc": r["created_utc"].isoformat()} for r in rows]

    @app.get("/api/store/runs/{run_id}", tags=["store"], responses={404: {"model": ErrorBody}})
    def stored_run(run_id: str) -> dict[str, Any]:
        """The view (map, charts, tables) of a stored run."""
        if app.state.no_store:
            raise ApiError(404, "this server has no run store (started with --no-store)")
        from ..report import view_of_stored
        from ..store import RunStore, StoreError

        st = RunStore(app.state.store)
        try:
            run = st.get(run_id)
        except StoreError as exc:
            raise ApiError(404, str(exc)) from None
        return {"run_id": run.run_id, "kind": run.kind, "summary": run.summary, "view": view_of_stored(run, st)}

    @app.get("/api/escalation", tags=["escalation"])
    def escalation_info() -> dict[str, Any]:
        """The policy packages and start states that can be compared."""
        from .. import escalation as esc

        from ..escalation.io import load_levers

        book = load_levers()
        return {"available": True, "reason": None, "policies": list(esc.policy_packages()),
                "start_states": list(esc.start_states()),
                "levers": {k: {"essay": v.essay, "argument": " ".join(v.argument.split())} for k, v in book.levers.items()},
                "packages": {k: {"description": v.description.strip(), "levers": dict(v.levers)}
                             for k, v in book.packages.items()}}

    def _compare_plan(req: CompareRequest):
        """Check a comparison request; answer (package names, model, options) or an ApiError."""
        import dataclasses

        from .. import escalation as esc
        from ..escalation.crisis import MAX_PATHS_FACTOR
        from ..escalation.schema import LeverBook, Package

        known = list(esc.policy_packages())
        for p in req.policies or []:
            if p not in known:
                raise ApiError(400, f"policies: unknown package {p[:60]!r}; shipped packages are: {', '.join(known)}",
                               field="policies")
        starts = list(esc.start_states())
        if req.start is not None and req.start not in starts:
            raise ApiError(400, f"start: unknown start state {req.start[:60]!r}; known ones are: {', '.join(starts)}",
                           field="start")
        names = list(req.policies or ([] if req.custom else known))
        options: dict[str, Any] = {k: v for k, v in (("start", req.start), ("horizon_days", req.horizon_days),
                                                     ("seed", req.seed)) if v is not None}   # unset: the model's defaults
        if req.custom:
            from ..escalation.crisis import default_model

            model = default_model()
            book = model.book
            for name, levers in req.custom.items():
                if name in book.packages:
                    raise ApiError(400, f"custom: {name!r} is the name of a shipped package; choose another",
                                   field="custom")
                for lever in levers:
                    if lever not in book.levers:
                        raise ApiError(400, f"custom.{name}: unknown lever {lever[:60]!r}; levers are: "
                                            f"{', '.join(book.levers)}", field="custom")
            book = LeverBook(levers=book.levers, packages={
                **book.packages,
                **{n: Package(description="custom package: " + (", ".join(f"{k} {v:g}" for k, v in lv.items()) or "no lever"),
                              levers=lv) for n, lv in req.custom.items()}})
            options["model"] = dataclasses.replace(model, book=book)
            names += [n for n in req.custom if n not in names]
        count = len(names) + (0 if "status-quo" in names else 1)
        work = req.paths * count
        if work > limits.max_compare_work:
            raise ApiError(422, f"paths: {req.paths:,} paths x {count} packages = {work:,} is more "
                                f"than this server's limit of {limits.max_compare_work:,}; ask for fewer", field="paths")
        # adaptive paths may run up to MAX_PATHS_FACTOR x the requested ones for rare events: within the
        # limit, the extension takes at most what the limit leaves (so every path run counts against it)
        budget = max(req.paths, limits.max_compare_work // count)
        if req.paths * MAX_PATHS_FACTOR > budget:
            options["max_paths"] = budget
        return names or None, count, options

    def _compare_result(record, t0: float) -> dict[str, Any]:
        from ..report import view_of_record

        run_id, warning = _save(record, "comparison")
        return {"run_id": run_id, "store_warning": warning, "elapsed_s": round(time.monotonic() - t0, 3),
                "summary": record.to_json(), "view": view_of_record(record, run_id=run_id)}

    @app.post("/api/compare", tags=["escalation"], responses={400: {"model": ErrorBody}, 422: {"model": ErrorBody}})
    def compare(req: CompareRequest) -> dict[str, Any]:
        """Compare policy packages (shipped or ``custom``): P(regional war) per package with intervals.

        The request waits for the answer; ``POST /api/compare/jobs`` runs the same comparison in the
        background with progress. The result is saved in the server's run store; if that fails,
        ``store_warning`` says why.
        """
        from .. import escalation as esc

        names, _count, options = _compare_plan(req)
        t0 = time.monotonic()
        record = esc.compare_policies(names, paths=req.paths, **options)
        return _compare_result(record, t0)

    @app.post("/api/compare/jobs", tags=["escalation"], status_code=202,
              responses={400: {"model": ErrorBody}, 422: {"model": ErrorBody}, 429: {"model": ErrorBody}})
    def start_compare(req: CompareRequest) -> dict[str, Any]:
        """Start a comparison; poll ``GET /api/jobs/{job_id}``: progress counts packages simulated."""
        from .. import escalation as esc

        names, count, options = _compare_plan(req)

        def work(progress) -> dict[str, Any]:
            t0 = time.monotonic()
            record = esc.compare_policies(names, paths=req.paths, progress=lambda done, _total: progress(done), **options)
            progress.attach("tables", frames.tables(record))       # the downloads, as redline compare --xlsx
            return _compare_result(record, t0)

        try:
            job = app.state.jobs.submit(count, work)
        except Busy as exc:
            raise ApiError(429, str(exc)) from None
        return {"job_id": job.job_id, "status_url": f"/api/jobs/{job.job_id}", "total": count,
                "downloads": {"xlsx": f"/api/runs/{job.job_id}/tables.xlsx", "csv": f"/api/runs/{job.job_id}/tables.zip"}}

    @app.post("/api/diff/jobs", tags=["runs"], status_code=202,
              responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody},
                         429: {"model": ErrorBody}})
    def start_diff(req: DiffRequest) -> dict[str, Any]:
        """Start a paired comparison of two built-in scenarios; poll ``GET /api/jobs/{job_id}`` (trials of both runs)."""
        if req.trials > limits.max_trials:
            raise ApiError(422, f"trials: {req.trials:,} is more than this server's limit of {limits.max_trials:,}")
        sides = [_runnable(_scenario_from(name, None, limits), name) for name in (req.a, req.b)]
        for sc in sides:
            _check_size(sc, limits)

        def work(progress) -> dict[str, Any]:
            from ..diff import diff as run_diff
            from ..report import view_of_record

            d = run_diff(sides[0], sides[1], trials=req.trials, seed=req.seed, params=req.params, workers=1,
                         progress=progress)
            rec = d.record()
            run_id, warning = _save(rec, "comparison")
            return {"run_id": run_id, "store_warning": warning, "summary": rec.model_dump(mode="json"),
                    "view": view_of_record(rec, run_id=run_id)}

        try:
            job = app.state.jobs.submit(2 * req.trials, work)
        except Busy as exc:
            raise ApiError(429, str(exc)) from None
        return {"job_id": job.job_id, "status_url": f"/api/jobs/{job.job_id}", "total": 2 * req.trials}

    @app.get("/api/jobs/{job_id}", tags=["runs"], response_model=JobStatus,
             responses={404: {"model": ErrorBody}, 408: {"model": JobStatus}})
    def job_status(job_id: str, result: bool = True) -> Any:
        """Progress of any background job (a run or a comparison); its result once ``state`` is ``done``."""
        return run_status(job_id, result)

    return app
