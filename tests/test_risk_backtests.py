"""Backtests read entity facts as they were at each event: a case opened later, a case resolved later and a
restriction lifted later do not leak into the past."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.test_risk_rules import event, send
from trustops.enforcement.services import automatic
from trustops.kernel import clock
from trustops.review.models import Case
from trustops.risk.rules import live
from trustops.subjects.models import Subject

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
RULE = {"on": ["login_failed"],
        "features": [{"name": "fails_10m", "kind": "count", "by": "actor", "window_seconds": 600}],
        "when": "features.fails_10m >= 3 && actor.open_cases == 0 && actor.standing == 'active'",
        "outcome": {"label": {"name": "suspected_ato", "ttl_seconds": 3600}}}


@pytest.fixture(autouse=True)
def _fresh_rules():
    live.clear_cache()
    yield
    live.clear_cache()


def burst(actor, at):
    return [event(n, actor=actor, at=at + timedelta(minutes=n)) for n in range(3)]


def report_on(world, external_id, at):
    with clock.frozen(at):
        filed = world.report(subject={"type": "user", "external_id": external_id}, reason="scams.phishing")
    return Case.objects.select_related("queue").get(pk=filed["case_id"])


def test_a_backtest_reads_cases_and_standing_as_they_were_at_each_event(api, world):
    investigator, moderator = world.person("ines", "investigator"), world.moderator()
    with clock.frozen(NOW):
        send(api, burst("u-case-later", NOW - timedelta(days=3)) + burst("u-case-then", NOW - timedelta(days=4))
             + burst("u-restricted-then", NOW - timedelta(days=4)) + [event(9, actor="u-quiet", at=NOW - timedelta(days=4))])
    # u-case-then had an open case during its burst; it was resolved afterwards (none open today).
    case = report_on(world, "u-case-then", NOW - timedelta(days=6))
    with clock.frozen(NOW - timedelta(days=2, hours=12)):
        claimed = world.claim(moderator, case.queue.key)
        assert claimed["id"] == case.pk
        assert world.decide(moderator, claimed, verdict="no_violation").status_code == 200
    # u-restricted-then was restricted during its burst; the restriction was lifted afterwards.
    with clock.frozen(NOW - timedelta(days=5)):
        subject = Subject.objects.get(external_id="u-restricted-then")
        restriction = automatic.apply_automatic([automatic.Request(subject, "restrict_live", "test:seed")],
                                                actor=None)[0]
    with clock.frozen(NOW - timedelta(days=2)):
        automatic.reverse_automatic(action_id=restriction.pk, actor=None, reason="lifted")
    # u-case-later had nothing open during its burst; a case about it opened afterwards (open today).
    report_on(world, "u-case-later", NOW - timedelta(days=1))

    with clock.frozen(NOW):
        response = api.as_(investigator).post("/api/v1/risk/backtests", {
            **RULE, "start": (NOW - timedelta(days=7)).isoformat(), "end": NOW.isoformat()})
    assert response.status_code == 200, response.content
    result = response.json()
    # Today's facts would have hit u-case-then and u-restricted-then and missed u-case-later.
    assert [s["subject"] for s in result["samples"]] == ["user:u-case-later"]
    assert result["hits"] == 1 and result["errors"] == 0
    assert result["samples"][0]["features"] == {"fails_10m": 3}
