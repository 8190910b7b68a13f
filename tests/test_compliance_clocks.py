"""Legal clocks never pause: an NCII removal request has 48 hours from a valid request whatever its case's
status; identical copies must come down too; escalation at 50% and 80%, a breach report at 100%."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from trustops.compliance.clocks import services as clocks
from trustops.compliance.models import ClockStatus, LegalClock
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent, PersonalPart

NCII = "privacy.non_consensual_imagery"


@pytest.fixture
def officer(world):
    return world.person("compliance-officer", "compliance_officer")


def test_a_48_hour_clock_keeps_running_while_the_case_is_pending(world, api, officer):
    world.report(subject=world.subject(region="US"), reason=NCII)
    assert clocks.open_from_reports() == 1
    legal_clock = LegalClock.objects.get()
    start = legal_clock.started_at
    assert legal_clock.kind == "ncii" and legal_clock.due_at - legal_clock.started_at == timedelta(hours=48)
    reviewer = world.moderator()
    case = world.claim(reviewer, "severe-harms")           # in review, then released: the clock does not care
    ApiClient(reviewer.token).post(f"/api/v1/cases/{case['id']}/release")
    client = ApiClient(officer.token)
    with clock.frozen(start + timedelta(hours=30)):
        assert clocks.tick() == {"half": 1, "late": 0, "breached": 0}
        board = client.get("/api/v1/compliance/legal-clocks").json()
        assert board[0]["status"] == "running" and board[0]["percent_used"] == 62
        assert 17 * 3600 < board[0]["remaining_seconds"] <= 18 * 3600
    with clock.frozen(start + timedelta(hours=40)):
        assert clocks.tick()["late"] == 1
    with clock.frozen(start + timedelta(hours=49)):
        assert clocks.tick()["breached"] == 1
        assert clocks.tick() == {"half": 0, "late": 0, "breached": 0}      # each step once
        assert client.get("/api/v1/compliance/legal-clocks").json()[0]["remaining_seconds"] < 0
    titles = list(Notification.objects.filter(recipient=officer.user).order_by("id").values_list("title", flat=True))
    assert len(titles) == 3 and titles[-1].startswith("Breach")
    assert LedgerEvent.objects.filter(kind="legal_clock.breached").count() == 1
    with clock.frozen(start + timedelta(hours=50)):
        case = world.claim(reviewer, "severe-harms")
        assert world.decide(reviewer, case, verdict="violation", policy=NCII, actions=["remove"]).status_code == 200
    assert LegalClock.objects.get().status == ClockStatus.MET_LATE


def test_identical_copies_must_come_down_before_the_request_is_handled(world, api, officer):
    original = world.subject(region="US", attributes={"media_hash": "abc123"})
    copy = world.subject(region="US", attributes={"media_hash": "abc123"})
    world.report(subject=copy, reason="adult.nudity")               # the copy is known to trustops
    response = ApiClient(officer.token).post("/api/v1/compliance/legal-requests", {
        "kind": "ncii", "subject_type": "video", "external_id": original["external_id"],
        "requester": {"name": "A. Person", "contact": "a.person@example.org", "signature": "A. Person",
                      "good_faith_statement": "I did not consent."}})
    assert response.status_code == 404                               # not known yet: reported first
    world.report(subject=original, reason=NCII)
    response = ApiClient(officer.token).post("/api/v1/compliance/legal-requests", {
        "kind": "ncii", "subject_type": "video", "external_id": original["external_id"],
        "requester": {"name": "A. Person", "contact": "a.person@example.org", "signature": "A. Person",
                      "good_faith_statement": "I did not consent."}})
    assert response.status_code == 201, response.content
    opened = response.json()
    assert len(opened["copies"]) == 1
    # The requester's contact details are personal: the ledger commits to them by digest only.
    event = LedgerEvent.objects.get(kind="legal_clock.opened")
    assert "a.person@example.org" not in str(event.payload)
    assert PersonalPart.objects.get(digest=event.payload["personal_digest"]).content["contact"] == "a.person@example.org"
    reviewer = world.moderator()
    case = world.claim(reviewer, "severe-harms")
    world.decide(reviewer, case, verdict="violation", policy=NCII, actions=["remove"])
    assert LegalClock.objects.get(pk=opened["id"]).status == ClockStatus.RUNNING      # the copy is still up
    case = world.claim(reviewer, "general-us")
    world.decide(reviewer, case, verdict="violation", policy="adult.nudity", actions=["remove"])
    assert LegalClock.objects.get(pk=opened["id"]).status == ClockStatus.MET


def test_an_invalid_ncii_request_is_refused_and_a_removal_order_has_one_hour(world, api, officer):
    subject = world.subject(region="DE")
    world.report(subject=subject, reason="violent_extremism.terrorist_content", source="authority")
    client = ApiClient(officer.token)
    refused = client.post("/api/v1/compliance/legal-requests", {
        "kind": "ncii", "subject_type": "video", "external_id": subject["external_id"],
        "requester": {"name": "Someone"}})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "requester.contact"
    assert clocks.open_from_reports() == 1
    order = LegalClock.objects.get()
    assert order.kind == "removal_order" and order.due_at - order.started_at == timedelta(hours=1)
    no_deadline = client.post("/api/v1/compliance/legal-requests", {
        "kind": "authority_order", "subject_type": "video", "external_id": subject["external_id"]})
    assert no_deadline.status_code == 422
    withdrawn = client.post(f"/api/v1/compliance/legal-clocks/{order.pk}/withdraw", {"reason": "Order revoked."})
    assert withdrawn.json()["status"] == "withdrawn"


def test_others_do_not_see_the_board(world, api):
    world.report(subject=world.subject(region="US"), reason=NCII)
    clocks.open_from_reports()
    analyst = world.person("analyst", "analyst")
    assert ApiClient(analyst.token).get("/api/v1/compliance/legal-clocks").json() == []
    eu_officer = world.person("eu-officer", "compliance_officer", regions=("DE", "FR"))
    assert ApiClient(eu_officer.token).get("/api/v1/compliance/legal-clocks").json() == []
    clock_id = LegalClock.objects.get().pk
    assert ApiClient(eu_officer.token).get(f"/api/v1/compliance/legal-clocks/{clock_id}").status_code == 404
