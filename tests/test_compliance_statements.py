"""Statements of reasons reach the DSA Transparency Database (a local stand-in): every restricting decision on
an EU/EEA subject, none about anyone else; in batches of at most 100; one bad statement does not hold back the
others; a replay sends nothing twice; an overturned appeal sends the correction; a policy without a DSA mapping
is a gap, never sent half-filled."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from tests.dsa_standin import StandIn
from trustops.compliance.models import Statement, StatementStatus
from trustops.compliance.statements import submission
from trustops.kernel import clock
from trustops.policies.models import PolicyVersion
from trustops.review import casework
from trustops.simulation import platform as setup

EU = ("DE", "FR", "NL", "IE", "NO")


@pytest.fixture
def stand_in(settings):
    with StandIn() as server:
        settings.TRUSTOPS = {**settings.TRUSTOPS, "DSA_ENDPOINT": server.url, "DSA_TOKEN": server.token,
                             "DSA_TIMEOUT_SECONDS": 0.5}
        yield server


@pytest.fixture
def officer(world):
    return world.person("compliance-officer", "compliance_officer")


def _report_many(world, api, regions, reason="harassment.bullying"):
    for start in range(0, len(regions), 500):
        batch = [world.report_body(subject=world.subject(region=r), reason=reason) for r in regions[start:start + 500]]
        response = api.post("/api/v1/reports/batch", {"reports": batch})
        assert response.json()["failed"] == 0, response.content


def _decide_queue(world, queue, policy="harassment.bullying", actions=None):
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)
    return casework.bulk_decide(
        actor=lead.user, selection=casework.BulkSelection(queue=queue),
        decision=casework.DecisionInput(verdict="violation", policy=policy, rationale="Bullying a classmate.",
                                        actions=actions),
        dry_run=False, max_cases=500)["decisions"]


def test_250_eu_decisions_go_as_three_batches_and_nothing_about_us_subjects(world, api, stand_in):
    _report_many(world, api, [EU[i % len(EU)] for i in range(250)] + ["US"] * 40)
    eu = _decide_queue(world, "general-intl")
    us = _decide_queue(world, "general-us")
    assert len(eu) == 250 and len(us) == 40
    assert Statement.objects.count() == 250                 # none written about a US subject
    outcome = submission.submit_due()
    assert [len(call) for call in stand_in.calls] == [100, 100, 50]
    assert outcome.submitted == 250 and outcome.refused == 0
    assert set(stand_in.stored) == {f"trustops-decision-{d['decision_id']}" for d in eu}
    assert not any(s["territorial_scope"][0] == "US" for s in stand_in.stored.values())
    assert all(s["source_type"] == "SOURCE_ARTICLE_16" for s in stand_in.stored.values())

    # A replay: the worker died after the database stored the batch but before it wrote so down.
    Statement.objects.filter(pk__in=Statement.objects.order_by("id").values("id")[:100]).update(
        status=StatementStatus.PENDING, next_attempt_at=clock.now())
    submission.submit_due()
    assert len(stand_in.stored) == 250                     # nothing stored twice
    assert Statement.objects.filter(status=StatementStatus.SUBMITTED).count() == 250
    calls = len(stand_in.calls)
    assert submission.submit_due().calls == 0 and len(stand_in.calls) == calls   # nothing left to send


def test_one_bad_statement_does_not_block_the_others(world, api, stand_in, officer):
    _report_many(world, api, ["DE"] * 40)
    decisions = _decide_queue(world, "general-intl")
    bad = f"trustops-decision-{decisions[17]['decision_id']}"
    stand_in.refuse_puids = {bad}
    outcome = submission.submit_due()
    assert outcome.submitted == 39 and outcome.refused == 1
    assert bad not in stand_in.stored and len(stand_in.stored) == 39
    refused = Statement.objects.get(puid=bad)
    assert refused.status == StatementStatus.REFUSED
    assert refused.problems == [{"field": "decision_facts", "message": "The decision facts are not acceptable."}]
    listed = ApiClient(officer.token).get("/api/v1/compliance/statements", status="refused").json()["statements"]
    assert [s["puid"] for s in listed] == [bad]
    # Once the cause is fixed it goes again, alone.
    stand_in.refuse_puids = set()
    assert ApiClient(officer.token).post(f"/api/v1/compliance/statements/{refused.pk}/resubmit").status_code == 200
    assert submission.submit_due().submitted == 1 and bad in stand_in.stored


def test_a_5xx_or_a_timeout_is_retried_with_backoff(world, api, stand_in):
    _report_many(world, api, ["FR"] * 3)
    _decide_queue(world, "general-intl")
    stand_in.fail_next = 1
    outcome = submission.submit_due()
    assert outcome.retrying == 3 and not stand_in.stored
    waiting = Statement.objects.first()
    assert waiting.status == StatementStatus.PENDING and waiting.attempts == 1 and waiting.last_error == "HTTP 503"
    assert submission.submit_due().calls == 0                  # not due yet: it backs off
    stand_in.hang_next = 1
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        assert submission.submit_due().retrying == 3
    assert Statement.objects.first().last_error.startswith("ReadTimeout")
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        assert submission.submit_due().submitted == 3
    assert len(stand_in.stored) == 3


def test_the_statement_is_built_from_the_decision_and_shown_per_decision(world, api, stand_in, officer):
    world.report(subject=world.subject(type="video", region="DE", language="de"), reason="hate.slurs",
                 source="trusted_flagger")
    decided = world.violation(world.moderator(), "general-intl", "hate.slurs", actions=["remove"])
    client = ApiClient(officer.token)
    body = client.get(f"/api/v1/decisions/{decided['decision_id']}/statement-of-reasons").json()
    statement = body["statement"]
    assert statement["status"] == "pending" and body["submission_configured"] is True
    s = statement["statement"]
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert s["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert s["source_type"] == "SOURCE_TRUSTED_FLAGGER" and s["territorial_scope"] == ["DE"]
    assert s["content_type"] == ["CONTENT_TYPE_VIDEO"] and s["content_language"] == "DE"
    assert s["automated_detection"] == "No" and s["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    # With the policy mapped to illegal content, the law is cited.
    put = client.client.put("/api/v1/compliance/dsa-mappings/hate", data={
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT", "legal_ground": "Framework Decision 2008/913/JHA",
        "keywords": ["KEYWORD_HATE_SPEECH"]}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert put.status_code == 200, put.content
    world.report(subject=world.subject(region="FR"), reason="hate.slurs")
    second = world.violation(world.moderator("mod2"), "general-intl", "hate.slurs", actions=["remove"])
    s = client.get(f"/api/v1/decisions/{second['decision_id']}/statement-of-reasons").json()["statement"]["statement"]
    assert s["illegal_content_legal_ground"] == "Framework Decision 2008/913/JHA"
    assert "incompatible_content_ground" not in s and s["category_specification"] == ["KEYWORD_HATE_SPEECH"]
    assert s["source_type"] == "SOURCE_ARTICLE_16"


def test_a_us_decision_has_no_statement(world, api, officer):
    world.report(subject=world.subject(region="US"))
    decided = world.violation(world.moderator(), "general-us", "harassment.bullying")
    response = ApiClient(officer.token).get(f"/api/v1/decisions/{decided['decision_id']}/statement-of-reasons")
    assert response.status_code == 404
    assert not Statement.objects.exists()


def test_an_overturned_appeal_sends_the_correction(world, api, stand_in, officer):
    world.report(subject=world.subject(region="DE"))
    decided = world.violation(world.moderator("first"), "general-intl", "harassment.bullying")
    submission.submit_due()
    puid = f"trustops-decision-{decided['decision_id']}"
    assert puid in stand_in.stored
    appeal = api.post("/api/v1/appeals", {"decision_id": decided["decision_id"], "statement": "Misread.",
                                          "idempotency_key": "appeal-1"})
    assert appeal.status_code == 201
    reviewer = world.moderator("appeals-reviewer")
    case = world.claim(reviewer, "appeals")
    assert world.decide(reviewer, case, verdict="overturned", rationale="Banter.").status_code == 200
    submission.submit_due()
    correction = stand_in.stored[f"{puid}-correction-1"]
    assert correction["end_date_visibility_restriction"] == clock.now().date().isoformat()
    assert correction["decision_facts"].startswith("Correction:")
    body = ApiClient(officer.token).get(f"/api/v1/decisions/{decided['decision_id']}/statement-of-reasons").json()
    assert body["correction"]["status"] == "submitted"


def test_a_policy_without_a_dsa_mapping_is_a_gap_never_sent(world, api, stand_in, officer):
    # A policy version from before categories were required carries none.
    PolicyVersion.objects.filter(policy__code="harassment.bullying").update(dsa_category="")
    world.report(subject=world.subject(region="NL"))
    decided = world.violation(world.moderator(), "general-intl", "harassment.bullying")
    statement = Statement.objects.get(decision_id=decided["decision_id"])
    assert statement.status == StatementStatus.GAP and statement.problems[0]["code"] == "no_dsa_mapping"
    submission.submit_due()
    assert not stand_in.calls
    gaps = ApiClient(officer.token).get("/api/v1/compliance/statements", status="gap").json()["statements"]
    assert [g["decision_id"] for g in gaps] == [decided["decision_id"]]
    PolicyVersion.objects.filter(policy__code="harassment.bullying").update(dsa_category="STATEMENT_CATEGORY_CYBER_VIOLENCE")
    assert ApiClient(officer.token).post("/api/v1/compliance/statements/restate").json() == {"fixed": 1,
                                                                                              "still_gaps": 0}
    assert submission.submit_due().submitted == 1


def test_without_an_endpoint_nothing_is_sent_and_statements_wait(world, api, officer):
    world.report(subject=world.subject(region="DE"))
    decided = world.violation(world.moderator(), "general-intl", "harassment.bullying")
    assert submission.submit_due().configured is False
    body = ApiClient(officer.token).get(f"/api/v1/decisions/{decided['decision_id']}/statement-of-reasons").json()
    assert body["submission_configured"] is False and body["statement"]["status"] == "pending"
