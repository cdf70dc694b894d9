"""The web API: schema, runs that equal the library's, and bad input answered with 4xx JSON."""
from __future__ import annotations

import threading
import time

import pytest

import redline
from redline.scenario import parse_scenario
from redline.web import create_app
from redline.web.jobs import Busy, JobManager
from redline.web.knobs import apply_knobs
from redline.web.models import Knobs, Limits

from .conftest import TEST_HOSTS

APRIL_MIN = """
name: tiny
sites:
  launch: {lat: 34.31, lon: 47.07, kind: launch_area}
  target: {lat: 31.21, lon: 35.01, kind: air_base, radius_km: 5, value: 1}
  battery: {lat: 31.40, lon: 35.00}
fire_units:
  - {name: b1, kind: battery, type: arrow-3, owner: israel, site: battery, magazine: 20}
sensors:
  - {name: sat, type: sbirs, owner: united-states, at: {lat: 0, lon: 45}}
raid:
  - {threat: kheibar-shekan, count: 4, launch: launch, aim: {target: 1}}
"""


def wait(client, job_id, timeout=300):   # a generous deadline: the machine may be loaded
    deadline = time.monotonic() + timeout
    while True:
        s = client.get(f"/api/runs/{job_id}").json()
        if s["state"] in ("done", "error") or time.monotonic() > deadline:
            return s
        time.sleep(0.05)


def test_openapi_schema_and_no_cdn_docs(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert {"/api/runs", "/api/runs/{job_id}", "/api/scenarios", "/api/scenarios/parse", "/api/compare"} <= set(paths)
    assert "RunRequest" in r.json()["components"]["schemas"]
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/").status_code == 200 and "/static/app.js" in client.get("/").text
    assert client.get("/static/vendor/plotly-basic.min.js").status_code == 200


@pytest.mark.parametrize("path,controls,script", [("/", "run", "app.js"), ("/diff", "diff-run", "diff-page.js"),
                                                   ("/compare", "compare", "compare.js")])
def test_pages_share_one_shell(client, path, controls, script):
    """Each page is the shared shell (head, navigation, progress, error, results) around its own controls."""
    import re

    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.startswith("<!DOCTYPE html>") and "$" not in html and "<!--" not in html
    nav = re.search(r"<nav .*?</nav>", html).group(0)
    assert [href for href in re.findall(r'href="([^"]+)"', nav)] == ["/", "/compare", "/diff", "/openapi.json"]
    for testid in ("progress", "status", "error", controls):
        assert html.count(f'data-testid="{testid}"') == 1, testid
    assert html.count('id="results"') == 1 and f'<script src="/static/{script}"></script>' in html
    for ref in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(ref).status_code == 200, ref


def test_scenarios_and_knobs(client):
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert "april-2024" in names and "twelve-day-campaign" not in names   # campaigns run with `redline campaign`
    info = client.get("/api/scenarios/april-2024").json()
    assert info["raid"] == {"drone": 170, "cruise": 30, "ballistic": 120}
    assert "jordan" in info["owners"] and info["map"]["units"]


def test_run_equals_library_run_with_the_same_knob(client):
    body = {"scenario": "april-2024", "trials": 150, "seed": 9, "knobs": {"exclude_owners": ["jordan"]}}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    s = wait(client, r.json()["job_id"])
    assert s["state"] == "done", s
    got = s["result"]["summary"]
    sc = parse_scenario("extends: april-2024\nexclude_owners: [jordan]\n")
    want = redline.run(sc, trials=150, seed=9).summary()
    same = lambda d: {k: v for k, v in d.items() if k not in ("manifest", "scenario")}  # noqa: E731
    assert same(got) == same(want)
    # the knob is recorded: the run has its own name, and its manifest says what was set
    assert got["scenario"] == "april-2024+knobs" and want["scenario"] == "april-2024"
    assert got["manifest"]["details"]["knobs"] == {"changes": "without jordan", "base": "april-2024",
                                                   "exclude_owners": ["jordan"]}
    assert "jordan" not in got["intercepts_by_nation"]
    assert s["result"]["run_id"] and client.get("/api/store/runs").json()[0]["run_id"] == s["result"]["run_id"]
    view = client.get(f"/api/store/runs/{s['result']['run_id']}").json()["view"]
    assert view["summary"]["by_class"] == got["by_class"]
    y = client.get(f"/api/runs/{r.json()['job_id']}/scenario.yaml")
    used = parse_scenario(y.text)
    assert used.name == "april-2024+knobs" and "knobs: without jordan" in used.title
    assert used.model_copy(update={"name": sc.name, "title": sc.title}) == sc


def _bad_requests():
    big_yaml = "name: x\n" + "# pad\n" * 60_000
    bomb = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i-1}'}, *{'a' if i == 0 else f'b{i-1}'}]\n" for i in range(60))
    return [
        ("malformed yaml", "post", "/api/runs", {"scenario_yaml": "name: [unclosed"}, 400, "malformed YAML"),
        ("yaml not a mapping", "post", "/api/runs", {"scenario_yaml": "- a\n- b\n"}, 400, "a scenario file is a YAML mapping"),
        ("bad scenario field", "post", "/api/scenarios/parse", {"scenario_yaml": APRIL_MIN.replace("count: 4", "count: -4")}, 400, "raid[0].count"),
        ("unknown threat", "post", "/api/runs", {"scenario_yaml": APRIL_MIN.replace("kheibar-shekan", "zzz")}, 400, "unknown threat type"),
        ("too many trials", "post", "/api/runs", {"scenario": "april-2024", "trials": 200_001}, 422, "less than or equal to 200000"),
        ("trials wrong type", "post", "/api/runs", {"scenario": "april-2024", "trials": "many"}, 422, "trials: Input should be a valid integer"),
        ("zero trials", "post", "/api/runs", {"scenario": "april-2024", "trials": 0}, 422, "trials"),
        ("knob wrong type", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"raid": {"drone": "lots"}}}, 422, "knobs.raid.drone"),
        ("unknown knob", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"warp": 9}}, 422, "knobs.warp"),
        ("raid too big", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"raid": {"drone": 99_999}}}, 422, "between 0 and 5000"),
        ("unknown class", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"raid": {"hypersonic": 3}}}, 422, "knobs.raid.hypersonic"),
        ("no scenario", "post", "/api/runs", {"trials": 10}, 422, "exactly one of scenario"),
        ("two scenarios", "post", "/api/runs", {"scenario": "april-2024", "scenario_yaml": APRIL_MIN}, 422, "exactly one of scenario"),
        ("unknown built-in", "post", "/api/runs", {"scenario": "atlantis"}, 404, "no built-in scenario 'atlantis'"),
        ("unknown owner", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"exclude_owners": ["mars"]}}, 400, "owners are"),
        ("unknown country", "post", "/api/runs", {"scenario": "april-2024", "knobs": {"closed_airspace": ["narnia"]}}, 400, "unknown country"),
        ("no salvo to scale", "post", "/api/runs", {"scenario_yaml": APRIL_MIN, "knobs": {"raid": {"drone": 5}}}, 400, "no drone salvo"),
        ("catalog path in upload", "post", "/api/runs", {"scenario_yaml": APRIL_MIN + "catalog: [/etc/passwd]\n"}, 400, "catalog files cannot be used"),
        ("extends a file", "post", "/api/scenarios/parse", {"scenario_yaml": "extends: /etc/hostname\n"}, 400, "may only extend a built-in"),
        ("alias bomb", "post", "/api/scenarios/parse", {"scenario_yaml": bomb}, 400, "more than 100 YAML aliases"),
        ("yaml too long", "post", "/api/scenarios/parse", {"scenario_yaml": big_yaml}, 422, "scenario_yaml"),
        ("not json", "post", "/api/runs", "{not json", 422, ""),
        ("unknown job", "get", "/api/runs/deadbeef", None, 404, "no run job"),
        ("unknown package", "post", "/api/compare", {"policies": ["nope"], "paths": 10}, 400, "shipped packages are"),
    ]


@pytest.mark.parametrize("name,method,url,body,status,message", _bad_requests(), ids=[b[0] for b in _bad_requests()])
def test_bad_input_is_a_4xx_json_message_and_the_server_stays_up(client, monkeypatch, name, method, url, body, status, message):
    if isinstance(body, str):
        r = client.request(method, url, content=body, headers={"content-type": "application/json"})
    else:
        r = client.request(method, url, json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert isinstance(err, str) and "\n" not in err and message in err
    assert client.get("/api/health").json()["status"] == "ok"


@pytest.mark.parametrize("url,body,file,command", [
    ("/api/runs", {"scenario": "houthi-fire-2024", "trials": 10}, "houthi-fire-2024", "houthi-fire-2024"),
    ("/api/diff/jobs", {"a": "april-2024", "b": "twelve-day-war-2025", "trials": 10}, "twelve-day-war-2025",
     "twelve-day-war-2025"),
    ("/api/scenarios/parse", {"scenario_yaml": "extends: houthi-fire-2024\nname: mine\n"}, "upload", "FILE.yaml"),
    ("/api/runs", {"scenario_yaml": "extends: twelve-day-war-2025\nname: mine\n", "trials": 10}, "upload", "FILE.yaml"),
], ids=["run built-in", "diff side", "parse upload", "run upload"])
def test_a_campaign_is_refused_as_a_client_error_before_any_job(client, url, body, file, command):
    """`redline run`'s campaign refusal, answered as a 400 with its one line (it was a job that failed)."""
    r = client.post(url, json=body)
    assert r.status_code == 400, r.text
    j = r.json()
    assert j["field"] == "campaign" and j["detail"]["file"] == file and "\n" not in j["error"]
    assert j["error"].startswith(f"{file}: campaign = ") and f"`redline campaign {command}`" in j["error"]
    assert client.app.state.jobs._jobs == {}          # refused up front: no job was started
    if url == "/api/scenarios/parse":
        assert client.post(url, json={"scenario_yaml": APRIL_MIN}).status_code == 200     # one raid still loads


def test_oversized_body_is_refused_before_parsing(client):
    r = client.post("/api/runs", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "request body over" in r.json()["error"]
    assert client.get("/api/health").status_code == 200


def test_server_limits_and_time_limit(tmp_path):
    from fastapi.testclient import TestClient

    app = create_app(no_store=True, limits=Limits(max_trials=500, time_limit_s=1e-6, max_threats=100),
                     trusted_hosts=TEST_HOSTS)
    with TestClient(app) as c:
        r = c.post("/api/runs", json={"scenario": "april-2024", "trials": 501})
        assert r.status_code == 422 and "limit of 500" in r.json()["error"]
        r = c.post("/api/runs", json={"scenario": "april-2024", "trials": 10})
        assert r.status_code == 422 and "at most 100" in r.json()["error"]
        r = c.post("/api/runs", json={"scenario_yaml": APRIL_MIN, "trials": 500})
        s = wait(c, r.json()["job_id"])
        assert s["state"] == "error" and "time limit" in s["error"]
        assert c.get("/api/store/runs").json() == []
        assert c.get("/api/health").json()["store"] is None


def test_job_manager_refuses_when_full():
    jm = JobManager(max_concurrent=1, time_limit_s=60)
    gate = threading.Event()
    job = jm.submit(1, lambda progress: (gate.wait(10), {"ok": True})[1])
    with pytest.raises(Busy, match="limit is 1"):
        jm.submit(1, lambda progress: {})
    gate.set()
    deadline = time.monotonic() + 120        # poll with a generous deadline, not a fixed number of short sleeps
    while jm.get(job.job_id).state != "done" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jm.get(job.job_id).result == {"ok": True}
    assert jm.submit(1, lambda progress: {}).job_id


def test_compare_calls_the_escalation_model_with_the_request(client, monkeypatch):
    """The app calls redline.escalation.compare_policies directly, with exactly the options the request sets."""
    import redline.escalation as esc

    calls = {}
    real = esc.compare_policies

    def recording(policies=None, **kw):
        calls.update(policies=policies, **kw)
        return real(policies, **kw)

    monkeypatch.setattr(esc, "compare_policies", recording)
    r = client.post("/api/compare", json={"policies": ["status-quo", "diplomacy-first"], "paths": 300, "seed": 5})
    assert r.status_code == 200, r.text
    assert calls == {"policies": ["status-quo", "diplomacy-first"], "paths": 300, "seed": 5}
    body = r.json()
    v = body["view"]
    assert v["kind"] == "compare" and [x["name"] for x in v["p_war"]] == ["status-quo", "diplomacy-first"]
    assert v["p_war"][1]["delta"] == body["summary"]["policies"][1]["delta_vs_status_quo"]["mean"]
    assert body["summary"]["manifest"]["kind"] == "compare" and body["store_warning"] is None
    stored = client.get("/api/store/runs").json()[0]
    assert stored["kind"] == "compare" and stored["run_id"] == body["run_id"]


def test_compare_reports_a_store_failure(client, monkeypatch):
    from redline.store import StoreError

    def broken(*a, **kw):
        raise StoreError("cannot open run store /x.duckdb: disk on fire")

    monkeypatch.setattr("redline.store.save_run", broken)
    r = client.post("/api/compare", json={"policies": ["diplomacy-first"], "paths": 100, "seed": 1, "horizon_days": 30})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["run_id"] is None and "not saved" in body["store_warning"] and "disk on fire" in body["store_warning"]


def test_knobs_edit_only_what_they_name(april):
    k = apply_knobs(april, Knobs(raid={"drone": 85, "ballistic": 120}, closed_airspace=["syria"], shots={"exo": 2},
                                 shoot_look_shoot=False, impact_prediction=[]))
    drones = [s.count for s in k.raid if s.threat in ("shahed-136", "samad-3")]
    assert sum(drones) == 85 and drones == [40, 40, 3, 2]   # proportional, largest remainders (two drone routes)
    assert [s.count for s in k.raid][4:] == [s.count for s in april.raid][4:]
    assert all("syria" not in v for v in k.doctrine.airspace.values())
    assert k.doctrine.airspace["israel"] == tuple(c for c in april.doctrine.airspace["israel"] if c != "syria")
    assert k.doctrine.shots["exo"] == 2 and not k.doctrine.shoot_look_shoot and k.doctrine.impact_prediction == ()
    assert k.fire_units == april.fire_units and k.sites == april.sites
    assert apply_knobs(april, Knobs()) == april


def test_compare_with_the_real_escalation_model(client):
    esc = pytest.importorskip("redline.escalation")
    if not hasattr(esc, "compare_policies"):
        pytest.skip("redline.escalation has no compare_policies")
    info = client.get("/api/escalation").json()
    assert info["available"] and "status-quo" in info["policies"] and "april-2024" in info["start_states"]
    r = client.post("/api/compare", json={"policies": ["diplomacy-first"], "paths": 200, "seed": 3, "horizon_days": 180})
    assert r.status_code == 200, r.text
    summary = r.json()["summary"]
    assert [p["name"] for p in summary["policies"]] == ["status-quo", "diplomacy-first"]
    assert summary["horizon_days"] == 180
    r = client.post("/api/compare", json={"policies": ["no-such-package"], "paths": 10})
    assert r.status_code == 400 and "shipped packages are" in r.json()["error"]
    r = client.post("/api/compare", json={"paths": 10**6})
    assert r.status_code == 422


def test_finished_run_downloads_its_tables_as_excel_and_csv(client, tmp_path):
    """The app's downloads are the tables `redline run --xlsx/--csv` writes (issue 15 item 3)."""
    import io
    import zipfile

    import openpyxl

    r = client.post("/api/runs", json={"scenario": "april-2024", "trials": 100, "seed": 3})
    assert r.status_code == 202, r.text
    job = r.json()["job_id"]
    s = wait(client, job)
    assert s["state"] == "done", s
    x = client.get(f"/api/runs/{job}/tables.xlsx")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(x.content), read_only=True)
    assert {"by_class", "manifest", "trials"} <= set(wb.sheetnames)
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/api/runs/{job}/tables.zip").content))
    assert {"by_class.csv", "manifest.csv", "trials.csv"} <= set(z.namelist())
    rows = z.read("trials.csv").decode().strip().splitlines()
    assert len(rows) == 101                                   # a header and one row per trial
    assert client.get("/api/runs/0000000000000000/tables.xlsx").status_code == 404
