"""The restricted child-safety reporting flow: cleared compliance staff assemble the package of a child-safety
case, its evidence is held for a year and survives purges, every opening of it is logged, and the submission is
tracked through the submitter."""
from datetime import timedelta

from tests.conftest import ApiClient
from trustops.compliance.childsafety import services, submitters
from trustops.compliance.retention import services as retention
from trustops.intake.models import Report
from trustops.kernel import clock

CLEARED = ("restricted:child_safety",)


def _case(world):
    with clock.frozen(clock.now() - timedelta(days=400)):
        world.report(subject=world.subject(region="US"), reason="minor_safety.grooming", text="He asked her age.")
        decided = world.violation(world.moderator(), "child-safety", "minor_safety.grooming")
    return decided["case"]["id"]


def test_cleared_staff_report_and_the_evidence_survives_purges(world, api):
    case_id = _case(world)
    officer = world.person("cs-officer", "compliance_officer", clearances=CLEARED)
    client = ApiClient(officer.token)
    assembled = client.post("/api/v1/compliance/child-safety-reports", {"case_id": case_id})
    assert assembled.status_code == 201, assembled.content
    report = assembled.json()
    assert report["status"] == "assembled"
    assert report["hold_expires_at"] > (clock.now() + timedelta(days=364)).isoformat()
    retention.purge()
    assert Report.objects.get(case_id=case_id).text == "He asked her age."        # held, not purged
    opened = client.post(f"/api/v1/compliance/child-safety-reports/{report['id']}/evidence",
                         {"why": "Checking the package before submission"})
    assert opened.json()["package"]["reports"][0]["text"] == "He asked her age."
    submitted = client.post(f"/api/v1/compliance/child-safety-reports/{report['id']}/submit").json()
    assert submitted["status"] == "submitted" and submitted["reference"].startswith("LOCAL-")
    assert submitters.LocalStandIn.received[-1]["case"]["id"] == case_id
    log = client.get("/api/v1/compliance/access-log", kind="evidence.accessed").json()
    assert [e["who"] for e in log] == ["cs-officer", "cs-officer"]


def test_a_failed_submission_is_tracked_and_others_find_nothing(world, api):
    case_id = _case(world)
    officer = world.person("cs-officer", "compliance_officer", clearances=CLEARED)
    report = ApiClient(officer.token).post("/api/v1/compliance/child-safety-reports", {"case_id": case_id}).json()

    class Refusing:
        name = "refusing"

        def submit(self, package):
            raise submitters.SubmissionFailed("HTTP 503 from the reporting API")

    failed = services.submit(report_id=report["id"], actor=officer.user, submitter=Refusing())
    assert failed.status == "failed" and failed.last_error.startswith("HTTP 503") and failed.attempts == 1
    uncleared = world.person("officer", "compliance_officer")
    admin = world.person("admin-x", "admin")
    for person in (uncleared, admin):
        client = ApiClient(person.token)
        assert client.get("/api/v1/compliance/child-safety-reports").json() == []
        assert client.post(f"/api/v1/compliance/child-safety-reports/{report['id']}/evidence",
                           {"why": "curious"}).status_code == 404
        assert client.post("/api/v1/compliance/child-safety-reports", {"case_id": case_id}).status_code == 404
