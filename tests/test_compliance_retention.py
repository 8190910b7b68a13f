"""Retention purges what is past its time, except what a legal hold keeps; the ledger still verifies after a
purge; a person's data is exported as a JSON archive, and erased with the lawful exceptions listed; an erasure
of held data is refused with the reason."""
import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from tests.conftest import ApiClient
from trustops.compliance.models import LegalHold
from trustops.compliance.retention import services as retention
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.ledger import services as ledger
from trustops.ledger.models import LedgerEvent, PersonalPart
from trustops.review import casework
from trustops.subjects.models import Subject


@pytest.fixture
def officer(world):
    return world.person("compliance-officer", "compliance_officer")


def _old_report(world, subject, days=400, **extra):
    with clock.frozen(clock.now() - timedelta(days=days)):
        return world.report(subject=subject, text="He keeps posting my address.", reporter_external_id="user-77",
                            **extra)


def test_a_purge_keeps_held_records_and_the_ledger_still_verifies(world, api, officer):
    kept = world.subject(region="US", attributes={"media_url": "https://cdn.example/k.mp4"})
    gone = world.subject(region="US", attributes={"media_url": "https://cdn.example/g.mp4"})
    _old_report(world, kept, reason="minor_safety.grooming")
    _old_report(world, gone)
    with clock.frozen(clock.now() - timedelta(days=400)):
        ledger.record("legal_clock.opened", subject_id=Subject.objects.get(external_id=gone["external_id"]).pk,
                      payload={"clock_id": 1}, personal={"contact": "requester@example.org"})
    ledger.seal_all(horizon_seconds=0)
    client = ApiClient(officer.token)
    held = client.post("/api/v1/compliance/holds", {"subject_type": "video", "external_id": kept["external_id"],
                                                    "reason": "CyberTipline report 123", "kind": "child_safety"})
    assert held.status_code == 201, held.content
    assert held.json()["expires_at"] is not None        # a year, at least

    runs = {r.data_class: r for r in retention.purge()}
    assert runs["report_texts"].purged == 1 and runs["report_texts"].kept_under_hold == 1
    assert runs["ledger_personal_parts"].purged == 1
    texts = dict(Report.objects.values_list("subject__external_id", "text"))
    assert texts[kept["external_id"]] and texts[gone["external_id"]] == ""
    assert Subject.objects.get(external_id=kept["external_id"]).attributes["media_url"]
    assert "media_url" not in Subject.objects.get(external_id=gone["external_id"]).attributes
    part = PersonalPart.objects.get()
    assert part.purged_at is not None and part.content is None and part.salt == ""
    call_command("ledger", "seal", "--horizon", "0")
    call_command("ledger", "verify")                    # raises CommandError on any problem
    # A hold for child-safety evidence cannot be released before its year is out.
    assert client.post(f"/api/v1/compliance/holds/{held.json()['id']}/release",
                       {"reason": "done"}).status_code == 422


def test_a_person_exports_their_data_and_erasure_lists_what_is_kept(world, api, officer):
    owner = {"type": "creator", "external_id": "creator-ada"}
    world.report(subject={**world.subject(region="DE"), "owner": owner}, text="Mean comment")
    world.violation(world.moderator(), "general-intl", "harassment.bullying")
    client = ApiClient(officer.token)
    exported = client.post("/api/v1/compliance/data-subject-requests",
                           {"kind": "export", "subject_type": "creator", "external_id": "creator-ada"})
    assert exported.status_code == 201, exported.content
    archive = client.get(f"/api/v1/compliance/data-subject-requests/{exported.json()['id']}/archive")
    assert archive["Content-Disposition"].startswith("attachment")
    data = json.loads(archive.content)
    assert len(data["decisions"]) == 1 and data["reports_about"][0]["text"] == "Mean comment"
    assert {"strikes", "appeals", "enforcement", "tickets"} <= set(data)

    hold = client.post("/api/v1/compliance/holds", {"subject_type": "creator", "external_id": "creator-ada",
                                                    "reason": "Litigation hold, case 2026-17"}).json()
    refused = client.post("/api/v1/compliance/data-subject-requests",
                          {"kind": "erasure", "subject_type": "creator", "external_id": "creator-ada"}).json()
    assert refused["status"] == "refused"
    assert "Litigation hold, case 2026-17" in refused["outcome"]["holds"][0]
    assert Report.objects.get().text == "Mean comment"
    client.post(f"/api/v1/compliance/holds/{hold['id']}/release", {"reason": "Settled."})
    erased = client.post("/api/v1/compliance/data-subject-requests",
                         {"kind": "erasure", "subject_type": "creator", "external_id": "creator-ada"}).json()
    assert erased["status"] == "partial"
    assert erased["outcome"]["erased"]["report_texts"] == 1
    assert any("decisions" in k["records"] for k in erased["outcome"]["kept"])
    assert Report.objects.get().text == ""
    assert not LegalHold.objects.filter(released_at__isnull=True).exists()
    call_command("ledger", "seal", "--horizon", "0")
    call_command("ledger", "verify")


def test_data_subject_requests_are_for_compliance_staff_in_their_regions(world, api):
    world.report(subject={**world.subject(region="US"), "owner": {"type": "creator", "external_id": "creator-us"}})
    eu_officer = world.person("eu-officer", "compliance_officer", regions=("DE",))
    body = {"kind": "export", "subject_type": "creator", "external_id": "creator-us"}
    assert ApiClient(eu_officer.token).post("/api/v1/compliance/data-subject-requests", body).status_code == 404
    moderator = world.moderator()
    assert ApiClient(moderator.token).post("/api/v1/compliance/data-subject-requests", body).status_code == 403


def test_the_access_log_shows_who_viewed_what(world, api, officer):
    world.report(subject=world.subject(region="US"))
    reviewer = world.moderator("curious")
    case = world.claim(reviewer, "general-us")
    casework.view_case(actor=reviewer.user, case_id=case["id"])
    casework.reveal_content(actor=reviewer.user, case_id=case["id"])
    log = ApiClient(officer.token).get("/api/v1/compliance/access-log", actor="curious").json()
    assert [e["kind"] for e in log] == ["content.revealed", "case.viewed"]
    assert log[1]["why"].startswith(f"case {case['id']}")
    assert ApiClient(world.person("analyst", "analyst").token).get("/api/v1/compliance/access-log").json() == []
    assert LedgerEvent.objects.filter(kind="case.viewed").count() == 1
