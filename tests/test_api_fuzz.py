"""Every operation of the API, fuzzed from its own OpenAPI document: never a 5xx, always as documented.

Valid and invalid requests are generated per operation (bounded and derandomized, so a run is repeatable)
and sent in-process through the WSGI application, as an admin and as a vendor agent. Each answer must not
be a server error, must carry a documented status code, and must match that status's documented schema
(error responses included: `trustops.api` documents them for every operation).
"""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
MAX_EXAMPLES = 25   # per operation and caller: about two minutes for the whole API on one database
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _one_connection_for_the_test():
    """The WSGI handler closes the database connection after each request; the test's transaction must
    survive it, as it does under Django's own test client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["admin", "vendor_agent"])
def caller(request, world):
    if request.param == "admin":
        return world.person("fuzz-admin", "admin", scopes=["admin"])
    return world.vendor_agent("fuzz-agent")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          # The caller is a function-scoped fixture on purpose: each operation starts from a fresh platform.
          suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_keeps_its_documented_shape(case, caller):
    case.call_and_validate(headers={"Authorization": f"Bearer {caller.token}"}, checks=CHECKS)
