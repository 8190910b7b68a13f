"""Concurrent intake on PostgreSQL: real threads, real connections, no duplicate case or report."""
import threading

import pytest
from django.db import connection, connections

from trustops.intake import services
from trustops.intake.models import Report
from trustops.review.models import Case

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
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


def test_concurrent_reports_on_one_new_subject_make_exactly_one_case(pg_world):
    subject = pg_world.subject(region="US")
    submitter = pg_world.integration.user
    _in_threads(16, lambda i: services.submit_reports(
        submitter=submitter, items=[pg_world.report_body(subject=subject, key=f"race-{i}")]))

    case = Case.objects.get(subject__external_id=subject["external_id"])
    assert case.report_count == 16                       # no lost update
    assert Report.objects.filter(case=case).count() == 16


def test_concurrent_replays_of_one_key_store_one_report(pg_world):
    body = pg_world.report_body(subject=pg_world.subject(region="US"), key="same-key")
    submitter = pg_world.integration.user
    outcomes = []
    _in_threads(12, lambda i: outcomes.append(services.submit_reports(submitter=submitter, items=[body])[0]))

    assert Report.objects.filter(idempotency_key="same-key").count() == 1
    assert sorted(o.status for o in outcomes) == [200] * 11 + [201]
    assert len({o.body["report_id"] for o in outcomes}) == 1
