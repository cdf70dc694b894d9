"""A bounded fuzz of the web API against its own OpenAPI schema (schemathesis, in-process ASGI, no network).

Every generated request (valid and invalid bodies, odd path parameters and queries) must get an
answer below 500, and every error answer must be JSON. The default run is small (``FUZZ_EXAMPLES``
per operation, a few hundred requests in all); ``REDLINE_FUZZ_EXAMPLES=500`` runs a longer one.
"""
from __future__ import annotations

import atexit
import os
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from redline.web import create_app  # noqa: E402
from redline.web.models import Limits  # noqa: E402

from .conftest import TEST_HOSTS  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("REDLINE_FUZZ_EXAMPLES", "25"))
"""Examples per API operation (about a dozen operations)."""


_STORE = tempfile.TemporaryDirectory(prefix="redline-fuzz-")
atexit.register(_STORE.cleanup)
# small bounds, so that what the fuzz starts (runs, comparisons) stays cheap; 429 when both run slots are busy
_LIMITS = Limits(max_trials=64, max_compare_work=300, time_limit_s=20, max_concurrent_runs=2, max_threats=2000)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(store=os.path.join(_STORE.name, "runs.duckdb"), limits=_LIMITS, trusted_hosts=TEST_HOSTS))


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        ctype = response.headers.get("content-type") or ""
        ctype = ctype[0] if isinstance(ctype, list) else ctype
        assert ctype.startswith("application/json"), (case.method, case.path, response.status_code, ctype)
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"], body
