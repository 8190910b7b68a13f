"""Claims and decisions under real concurrency on PostgreSQL: no case held twice, one decision wins."""
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from trustops.intake import services as intake
from trustops.kernel.errors import Conflict
from trustops.review import casework
from trustops.review.models import Case, Decision

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pg_world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL only (no PostgreSQL in this run)")
    from tests.conftest import World
    from trustops.simulation import platform
    return World(platform.install())


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_32_concurrent_claimers_never_hold_the_same_case(pg_world):
    reports = [pg_world.report_body(subject=pg_world.subject(region="US")) for _ in range(150)]
    intake.submit_reports(submitter=pg_world.integration.user, items=reports)
    reviewers = [pg_world.moderator(f"claimer-{i}").user for i in range(32)]
    claims: list[tuple[int, int]] = []
    lock = threading.Lock()

    def claim_until_empty(i):
        while True:
            case = casework.claim_next(actor=reviewers[i], queue_key="general-us")
            if case is None:
                return
            with lock:
                claims.append((case.pk, reviewers[i].pk))

    assert _in_threads(32, claim_until_empty) == []
    held = Counter(case_id for case_id, _ in claims)
    assert len(claims) == 150 and max(held.values()) == 1          # every case claimed exactly once
    assert Case.objects.filter(status="in_review").count() == 150
    by_db = dict(Case.objects.values_list("id", "assignee_id"))
    assert all(by_db[case_id] == reviewer for case_id, reviewer in claims)


def test_concurrent_decisions_on_one_case_let_exactly_one_through(pg_world):
    pg_world.report(subject=pg_world.subject(region="US"))
    holder = pg_world.moderator("holder").user
    case = casework.claim_next(actor=holder, queue_key="general-us")
    outcomes = []
    lock = threading.Lock()

    def decide(i):
        try:
            casework.decide(actor=holder, case_id=case.pk, version=case.version, decision=casework.DecisionInput(
                verdict="violation", policy="harassment.bullying", rationale=f"attempt {i}"))
            result = "decided"
        except Conflict as conflict:
            result = conflict.code
        with lock:
            outcomes.append(result)

    assert _in_threads(16, decide) == []
    assert outcomes.count("decided") == 1
    assert set(outcomes) - {"decided"} <= {"lease_lost", "stale_case"}
    assert Decision.objects.filter(case_id=case.pk).count() == 1
