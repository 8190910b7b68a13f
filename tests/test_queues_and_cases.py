"""Queue overview and case listing as a lead or moderator sees them."""
from datetime import timedelta

import pytest

from tests.conftest import ALL_CLEARANCES, ApiClient
from trustops.kernel import clock


@pytest.fixture
def lead(world):
    return ApiClient(world.person("lead", "team_lead", team="Trust Ops In-house", clearances=ALL_CLEARANCES).token)


def test_queue_overview_shows_depth_oldest_age_and_sla_risk(lead, world):
    past = clock.now() - timedelta(hours=23)
    with clock.frozen(past):
        world.report(subject=world.subject(region="US"))            # general-us, 24 h SLA: 1 h left → at risk
    world.report(subject=world.subject(region="US"))
    queues = {q["key"]: q for q in lead.get("/api/v1/queues").json()}
    us = queues["general-us"]
    assert us["depth"] == 2 and us["in_review"] == 0
    assert us["oldest_age_seconds"] >= 23 * 3600 - 5
    assert us["at_sla_risk"] == 1 and us["breached"] == 0
    assert queues["child-safety"]["depth"] == 0 and queues["child-safety"]["oldest_age_seconds"] is None


def test_breached_cases_are_counted(lead, world):
    with clock.frozen(clock.now() - timedelta(hours=2)):
        world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")   # 1 h SLA
    child = {q["key"]: q for q in lead.get("/api/v1/queues").json()}["child-safety"]
    assert child["breached"] == 1 and child["at_sla_risk"] == 0       # breached is counted apart from at-risk


def test_queue_counts_only_include_cases_in_the_viewers_regions(world):
    world.report(subject=world.subject(region="US"), reason="integrity.spam")
    world.report(subject=world.subject(region="DE"), reason="integrity.spam")
    us_only = ApiClient(world.moderator("us-mod", regions=["US"]).token)
    integrity = {q["key"]: q for q in us_only.get("/api/v1/queues").json()}["integrity"]
    assert integrity["depth"] == 1


def test_cases_are_listed_newest_first_with_a_cursor(api, world):
    ids = [world.report(subject=world.subject(region="US"))["case_id"] for _ in range(5)]
    page = api.get("/api/v1/cases", limit=2).json()
    assert [c["id"] for c in page["cases"]] == ids[::-1][:2]
    second = api.get("/api/v1/cases", limit=2, cursor=page["next_cursor"]).json()
    assert [c["id"] for c in second["cases"]] == ids[::-1][2:4]
    last = api.get("/api/v1/cases", limit=2, cursor=second["next_cursor"]).json()
    assert [c["id"] for c in last["cases"]] == ids[:1] and last["next_cursor"] is None


def test_cases_filter_by_queue_status_and_subject(api, world):
    subject = world.subject(region="US")
    mine = world.report(subject=subject)
    world.report(subject=world.subject(region="BR"))
    by_queue = api.get("/api/v1/cases", queue="general-us").json()["cases"]
    assert [c["id"] for c in by_queue] == [mine["case_id"]]
    by_subject = api.get("/api/v1/cases", subject_type="video", subject_external_id=subject["external_id"]).json()
    assert [c["id"] for c in by_subject["cases"]] == [mine["case_id"]]
    assert api.get("/api/v1/cases", status="resolved").json()["cases"] == []
    assert api.get("/api/v1/cases", status="bogus").status_code == 422


def test_openapi_is_served(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
