"""Two vendor managers roster the same agents for the same days at the same moment on PostgreSQL: both writes
succeed one after the other, each agent-day ends with one entry, and neither meets the unique constraint."""
from datetime import date, time

import pytest
from django.db import connection

from tests import test_concurrency_review as concurrency
from trustops.simulation import platform as setup
from trustops.workforce.rosters import services as rosters
from trustops.workforce.rosters.models import RosterEntry
from trustops.workforce.rosters.services import RosterLine, TemplateInput

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pg_world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent rostering is tested on PostgreSQL only (no PostgreSQL in this run)")
    from tests.conftest import World
    return World(setup.install())


def test_concurrent_rosters_for_the_same_agent_days_leave_one_entry_each(pg_world):
    managers = [pg_world.person(f"roster.vm{i}", "vendor_manager", vendor=setup.VENDOR_A).user for i in range(4)]
    agents = [pg_world.vendor_agent(f"rostered-{i}", vendor=setup.VENDOR_A).user for i in range(3)]
    vendor_id = managers[0].vendor_id
    rosters.create_template(actor=managers[0], vendor_id=vendor_id, data=TemplateInput(
        key="early", name="Early", site="Manila", time_zone="Asia/Manila", starts_at=time(6), ends_at=time(14)))
    days = [date(2026, 3, d) for d in range(2, 9)]

    def roster(i):
        shift = "early" if i % 2 == 0 else "off"
        lines = [RosterLine(agent=a.username, day=d, shift=shift) for a in agents for d in days]
        rosters.set_roster(actor=managers[i], vendor_id=vendor_id, lines=lines)

    assert concurrency._in_threads(len(managers), roster) == []
    assert RosterEntry.objects.count() == len(agents) * len(days)
    # Whoever wrote last wrote the whole roster: every entry is of one kind.
    assert RosterEntry.objects.values("template_id").distinct().count() == 1
