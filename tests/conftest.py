"""Shared fixtures: a configured platform, people with tokens, and an API client that speaks as them."""
import itertools
import json
import os
import uuid

import pytest
import redis
from django.db import connection
from django.test import Client

from trustops.identity import services as identity
from trustops.identity.access import CLEARANCES
from trustops.policies import selectors as policy_selectors
from trustops.review import routing
from trustops.simulation import platform as setup

ALL_CLEARANCES = tuple(CLEARANCES)


def pytest_report_header(config):
    url = os.environ.get("TRUSTOPS_DATABASE_URL", "")
    header = f"trustops database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite (embedded default)'}"
    if _persistence_only():
        header += "; persistence tests only (the browser and database-free tests ran on SQLite)"
    if os.environ.get("TRUSTOPS_TEST_FUZZ_SHARE") in FUZZ_CALLER:
        header += f"; the API is fuzzed here as the {FUZZ_CALLER[os.environ['TRUSTOPS_TEST_FUZZ_SHARE']]} only"
    return header


def _persistence_only() -> bool:
    # `dev.py test` runs the whole suite on SQLite, then again on PostgreSQL: what differs between the two is the
    # database, so the second run keeps the tests that touch it and leaves out the browser and pure tests.
    return os.environ.get("TRUSTOPS_TEST_PERSISTENCE_ONLY") == "1"


# With both databases tested, the API fuzz (schemathesis, its longest part) is shared out: the PostgreSQL run fuzzes
# as the admin (every operation, the strictest database), the SQLite run as the vendor agent (the narrowest access).
FUZZ_CALLER = {"postgresql": "admin", "sqlite": "vendor_agent"}


def _fuzz_share(config, items):
    caller = FUZZ_CALLER.get(os.environ.get("TRUSTOPS_TEST_FUZZ_SHARE", ""))
    if caller is None:
        return
    drop = [item for item in items if "test_api_fuzz.py" in item.nodeid
            and getattr(item, "callspec", None) is not None and item.callspec.params.get("caller") not in (None, caller)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item not in set(drop)]


def pytest_collection_modifyitems(config, items):
    _fuzz_share(config, items)
    if not _persistence_only():
        return
    keep, drop = [], []
    for item in items:
        touches_database = (item.get_closest_marker("django_db") is not None
                            or bool({"db", "transactional_db"} & set(getattr(item, "fixturenames", ()))))
        in_browser = item.get_closest_marker("browser") is not None or "tests/browser/" in item.nodeid
        (keep if touches_database and not in_browser else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_caches():
    policy_selectors.clear_cache()
    routing.clear_cache()
    yield
    policy_selectors.clear_cache()
    routing.clear_cache()


@pytest.fixture
def platform(db):
    return setup.install()


class ApiClient:
    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def as_(self, person) -> "ApiClient":
        return ApiClient(person.token)

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(path, params, **self._headers())

    def post(self, path, body=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", **self._headers())


class Person:
    def __init__(self, user, token):
        self.user, self.token = user, token

    def __getattr__(self, name):
        return getattr(self.user, name)


class World:
    """One-line realistic objects for scenario tests, built through the real services and API."""

    def __init__(self, platform):
        self.platform = platform
        self._ids = itertools.count(1)
        # The platform reads back what it sent, restricted content included.
        self.integration = self.person("platform-integration", "integration", clearances=ALL_CLEARANCES)

    def person(self, username, role, *, vendor=None, team=None, regions=("*",), scopes=None,
               clearances=()) -> Person:
        user = setup.person(username, role, vendor=vendor, team=team, regions=regions, clearances=clearances)
        _, token = identity.issue_token(user=user, scopes=scopes)
        return Person(user, token)

    def moderator(self, username="mod", regions=("*",), clearances=None):
        """An in-house moderator; like the demo's, cleared for restricted content unless told otherwise."""
        return self.person(username, "moderator", team=setup.IN_HOUSE_TEAM, regions=regions,
                           clearances=ALL_CLEARANCES if clearances is None else clearances)

    def vendor_agent(self, username="agent", vendor=setup.VENDOR_A, regions=("*",)):
        return self.person(username, "vendor_agent", vendor=vendor, regions=regions)

    def subject(self, type="video", region="US", owner=True, reach=100, **extra) -> dict:
        n = next(self._ids)
        subject = {"type": type, "external_id": f"{type}-{n}", "region": region, "reach": reach, **extra}
        if owner and type not in ("user", "creator", "merchant"):
            subject["owner"] = {"type": "creator", "external_id": f"creator-of-{type}-{n}"}
        return subject

    def report_body(self, subject=None, reason="harassment.bullying", source="user", key=None, **extra) -> dict:
        return {"idempotency_key": key or f"key-{next(self._ids)}", "subject": subject or self.subject(),
                "reason": reason, "source": source, **extra}

    def claim(self, person, queue) -> dict:
        response = ApiClient(person.token).post(f"/api/v1/queues/{queue}/claim")
        assert response.status_code == 200, response.content
        return response.json()["case"]

    def decide(self, person, case, **body):
        body.setdefault("rationale", "Clear breach of the cited policy.")
        body.setdefault("version", case["version"])
        return ApiClient(person.token).post(f"/api/v1/cases/{case['id']}/decision", body)

    def violation(self, person, queue, policy, **body) -> dict:
        """Claim the next case in the queue and decide it as a violation; returns the decision body."""
        case = self.claim(person, queue)
        response = self.decide(person, case, verdict="violation", policy=policy, **body)
        assert response.status_code == 200, response.content
        return {**response.json(), "case": case}

    def report(self, **kwargs) -> dict:
        response = ApiClient(self.integration.token).post("/api/v1/reports", self.report_body(**kwargs))
        assert response.status_code == 201, response.content
        return response.json()


@pytest.fixture
def world(platform):
    return World(platform)


@pytest.fixture
def api(world):
    return ApiClient(world.integration.token)


def postgres_only():
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@pytest.fixture
def nats_url():
    """The real NATS server's address. Without NATS the test is skipped with a notice, except in CI, where it
    must run."""
    import socket
    from urllib.parse import urlsplit

    url = os.environ.get("TRUSTOPS_NATS_URL", "nats://127.0.0.1:4222")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 4222), timeout=1).close()
    except OSError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no NATS at {url}, and CI must run the stream tests", pytrace=False)
        pytest.skip(f"no NATS at {url}: the stream tests did not run")
    return url


@pytest.fixture
def redis_client():
    """The real Redis with a key prefix of the test's own, emptied afterwards. Without Redis the test is skipped
    with a notice, except in CI, where it must run."""
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("no Redis at 127.0.0.1:6379, and CI must run the Redis tests", pytrace=False)
        pytest.skip("no Redis at 127.0.0.1:6379: the Redis tests did not run")
    prefix = f"trustops:test:{uuid.uuid4().hex}:"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
