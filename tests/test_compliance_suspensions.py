"""DSA Art. 23(2): a compliance officer warns a notifier who keeps sending manifestly unfounded notices, then
suspends the processing of their notices for a month; their notices are refused (nothing stored), everyone
else's go through, and the suspension ends by itself. A complainant's complaints are suspended the same way.
The transparency report counts the suspensions (Art. 24(1)(b)), each drilling to its record."""
from datetime import timedelta

from tests.conftest import ApiClient
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Appeal


def test_a_warned_then_suspended_notifier_is_refused_until_the_suspension_ends(world, api):
    officer = ApiClient(world.person("compliance-officer", "compliance_officer").token)
    warned = officer.post("/api/v1/compliance/suspensions", {
        "kind": "notices", "party": "reporter-77", "unfounded": 41,
        "reason": "41 of 43 notices this month named content that plainly breaks no rule."})
    assert warned.status_code == 201, warned.content
    sid = warned.json()["id"]
    # A warning alone suspends nothing.
    world.report(reporter_external_id="reporter-77")
    assert officer.post("/api/v1/compliance/suspensions", {"kind": "notices", "party": "reporter-77", "unfounded": 3,
                                                           "reason": "again"}).status_code == 409
    assert officer.post(f"/api/v1/compliance/suspensions/{sid}/suspend", {"days": 0, "reason": "x"}).status_code == 422
    assert officer.post(f"/api/v1/compliance/suspensions/{sid}/suspend",
                        {"days": 181, "reason": "x"}).status_code == 422
    suspended = officer.post(f"/api/v1/compliance/suspensions/{sid}/suspend",
                             {"days": 30, "reason": "Carried on after the warning."})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"

    before = Report.objects.count()
    refused = api.post("/api/v1/reports", world.report_body(reporter_external_id="reporter-77"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "notifier_suspended"
    batch = api.post("/api/v1/reports/batch", {"reports": [
        world.report_body(reporter_external_id="reporter-77"), world.report_body(reporter_external_id="someone")]})
    assert [r["status"] for r in batch.json()["results"]] == [403, 201]
    assert Report.objects.count() == before + 1
    # Thirty days on, the suspension has ended by itself.
    with clock.frozen(clock.now() + timedelta(days=30, minutes=1)):
        world.report(reporter_external_id="reporter-77")
    kinds = list(LedgerEvent.objects.filter(kind__startswith="compliance.art23").values_list("kind", flat=True))
    assert kinds == ["compliance.art23_warned", "compliance.art23_suspended"]


def test_a_suspended_complainant_cannot_appeal_until_lifted_and_the_report_counts_it(world, api):
    officer = world.person("compliance-officer", "compliance_officer")
    client = ApiClient(officer.token)
    world.report(subject=world.subject(region="DE"))
    decided = world.violation(world.moderator(), "general-intl", "harassment.bullying", actions=["remove"])
    owner = decided["case"]["subject_external_id"]
    from trustops.subjects.models import Subject
    account = Subject.objects.get(type="video", external_id=owner).owner.external_id
    sid = client.post("/api/v1/compliance/suspensions", {"kind": "complaints", "party": account, "unfounded": 12,
                                                         "reason": "Twelve identical complaints a day."}).json()["id"]
    assert client.post(f"/api/v1/compliance/suspensions/{sid}/suspend",
                       {"days": 14, "reason": "After the warning."}).status_code == 200
    body = {"decision_id": decided["decision_id"], "statement": "Wrong.", "idempotency_key": "a-1"}
    refused = api.post("/api/v1/appeals", body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "complainant_suspended"
    assert Appeal.objects.count() == 0
    lifted = client.post(f"/api/v1/compliance/suspensions/{sid}/lift", {"reason": "Agreed to stop."})
    assert lifted.json()["status"] == "lifted"
    assert client.post(f"/api/v1/compliance/suspensions/{sid}/lift", {"reason": "again"}).status_code == 409
    assert api.post("/api/v1/appeals", body).status_code == 201

    start, end = clock.now() - timedelta(days=1), clock.now() + timedelta(days=1)
    figures = client.get("/api/v1/compliance/transparency-report", start=start.isoformat(),
                         end=end.isoformat()).json()["figures"]
    art23 = {f["name"]: f for f in figures if f["section"] == "suspensions" and f["name"].startswith("Art. 23")}
    complaints = art23["Art. 23 suspensions for manifestly unfounded complaints"]
    assert complaints["value"] == 1 and art23["Art. 23 suspensions for manifestly unfounded notices"]["value"] == 0
    assert client.get("/api/v1/compliance/transparency-report/rows", start=start.isoformat(), end=end.isoformat(),
                      key=complaints["key"]).json() == [sid]
