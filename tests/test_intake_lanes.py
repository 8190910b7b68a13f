"""An integrating platform keeps to its lane: it reports, but cannot move a known subject to another data region
or hand an item to another owner. Moving a region is an admin's act, in the ledger."""
import pytest

from tests.conftest import ApiClient
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Case
from trustops.subjects.models import Subject


def _events(kind, external_id):
    return list(LedgerEvent.objects.filter(kind=kind, subject__external_id=external_id).values_list("payload",
                                                                                                 flat=True))


def test_a_re_report_from_another_region_is_accepted_but_the_subject_stays_where_it_is(api, world):
    subject = world.subject(region="US")
    first = world.report(subject=subject)                                  # general-us: Northwind's queue
    vendor = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO", regions=["US"]).token)
    us_only = ApiClient(world.moderator("us-mod", regions=["US"]).token)
    de_only = ApiClient(world.moderator("de-mod", regions=["DE"]).token)

    response = api.post("/api/v1/reports", world.report_body(subject={**subject, "region": "DE"}))

    assert response.status_code == 201
    body = response.json()
    assert body["case_id"] == first["case_id"] and body["queue"] == "general-us"
    assert body["refused_changes"] == [{"subject": {"type": "video", "external_id": subject["external_id"]},
                                        "field": "region", "current": "US", "sent": "DE"}]
    assert Subject.objects.get(external_id=subject["external_id"]).region == "US"
    assert _events("subject.region_change_refused", subject["external_id"]) == [
        {"region": "US", "requested_region": "DE"}]
    # Nobody's view changed: the vendor and the US reviewer still see the case, the DE reviewer still does not.
    assert vendor.get(f"/api/v1/cases/{first['case_id']}").status_code == 200
    assert us_only.get(f"/api/v1/cases/{first['case_id']}").status_code == 200
    assert de_only.get(f"/api/v1/cases/{first['case_id']}").status_code == 404
    assert Case.objects.get(pk=first["case_id"]).report_count == 2


def test_a_replay_answers_with_the_same_refusal_and_a_batch_tells_each_item_its_own(api, world):
    moved, staying = world.subject(region="US"), world.subject(region="US")
    world.report(subject=moved)
    world.report(subject=staying)
    items = [world.report_body(subject={**moved, "region": "BR"}, key="move-it"),
             world.report_body(subject=staying, key="leave-it")]
    first = api.post("/api/v1/reports/batch", {"reports": items}).json()
    again = api.post("/api/v1/reports/batch", {"reports": items}).json()
    assert [r["status"] for r in first["results"]] == [201, 201]
    assert [r["result"]["refused_changes"] for r in first["results"]] == [
        [{"subject": {"type": "video", "external_id": moved["external_id"]}, "field": "region",
          "current": "US", "sent": "BR"}], []]
    assert [r["status"] for r in again["results"]] == [200, 200]
    assert [r["result"] for r in again["results"]] == [r["result"] for r in first["results"]]
    assert len(_events("subject.region_change_refused", moved["external_id"])) == 1   # a replay stores nothing


def test_an_account_reported_with_another_region_stays_too(api, world):
    account = {"type": "creator", "external_id": "settled-creator", "region": "DE"}
    world.report(subject=account)
    body = world.report(subject={**account, "region": "US"})
    assert body["refused_changes"][0]["field"] == "region"
    assert Subject.objects.get(external_id="settled-creator").region == "DE"


def test_a_signal_with_another_region_is_kept_and_says_what_was_refused(api, world):
    subject = world.subject(region="US")
    world.report(subject=subject)
    response = api.post("/api/v1/signals", {"detector": "nudity-v3", "score": 0.2, "policy": "adult.nudity",
                                            "subject": {**subject, "region": "GB"}})
    assert response.status_code == 201
    assert response.json()["refused_changes"][0] == {
        "subject": {"type": "video", "external_id": subject["external_id"]}, "field": "region",
        "current": "US", "sent": "GB"}
    assert Subject.objects.get(external_id=subject["external_id"]).region == "US"


def test_an_item_keeps_its_owner_but_an_unknown_owner_is_filled_in(api, world):
    item = world.subject(region="US", owner=False)
    world.report(subject=item)
    first_owner = {"type": "creator", "external_id": "first-owner"}
    filled = world.report(subject={**item, "owner": first_owner})
    assert filled["refused_changes"] == []
    assert Subject.objects.get(external_id=item["external_id"]).owner.external_id == "first-owner"

    swapped = world.report(subject={**item, "owner": {"type": "creator", "external_id": "someone-else"}})
    assert swapped["refused_changes"] == [{"subject": {"type": "video", "external_id": item["external_id"]},
                                           "field": "owner", "current": "creator:first-owner",
                                           "sent": "creator:someone-else"}]
    assert Subject.objects.get(external_id=item["external_id"]).owner.external_id == "first-owner"
    [refusal] = _events("subject.owner_change_refused", item["external_id"])
    assert refusal["owner_id"] == Subject.objects.get(external_id="first-owner").pk


def test_a_re_report_for_another_policy_of_no_greater_severity_leaves_the_case_with_its_vendor(api, world):
    subject = world.subject(region="US")
    first = world.report(subject=subject, reason="harassment.bullying")       # severity 3, general-us
    again = world.report(subject=subject, reason="hate.slurs")
    assert again["case_id"] == first["case_id"] and again["queue"] == "general-us"
    vendor = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO").token)
    assert vendor.get(f"/api/v1/cases/{first['case_id']}").status_code == 200


@pytest.fixture
def admin(world):
    return world.person("region-admin", "admin")


def _move(person, subject, region="DE", reason="The account's data was transferred to the EU entity."):
    return ApiClient(person.token).post(f"/api/v1/subjects/{subject['type']}/{subject['external_id']}/region",
                                        {"region": region, "reason": reason})


def test_an_admin_moves_a_subject_to_another_region_and_the_ledger_says_why(api, world, admin):
    subject = world.subject(region="US")
    case = world.report(subject=subject)
    response = _move(admin, subject)
    assert response.status_code == 200 and response.json()["region"] == "DE"
    assert _events("subject.region_moved", subject["external_id"]) == [
        {"from_region": "US", "to_region": "DE", "reason": "The account's data was transferred to the EU entity."}]
    # The case went with it: out of the US reviewer's view, into the DE reviewer's.
    assert ApiClient(world.moderator("us-mod", regions=["US"]).token).get(
        f"/api/v1/cases/{case['case_id']}").status_code == 404
    assert ApiClient(world.moderator("de-mod", regions=["DE"]).token).get(
        f"/api/v1/cases/{case['case_id']}").status_code == 200
    # Moving it again to where it already is changes nothing.
    assert _move(admin, subject).status_code == 200
    assert len(_events("subject.region_moved", subject["external_id"])) == 1


def test_a_region_move_routes_the_waiting_case_again(api, world, admin):
    """A US case waits in general-us, worked by Northwind; moved to DE it goes where DE reports go, out of the
    US vendor's sight. A case a reviewer holds stays with them."""
    subject, held_subject = world.subject(region="US"), world.subject(region="US")
    waiting = world.report(subject=subject)
    world.report(subject=held_subject)
    assert waiting["queue"] == "general-us"
    northwind = world.vendor_agent("nw-region", vendor="Northwind BPO")
    held = world.claim(northwind, "general-us")
    other = subject if held["subject"]["external_id"] != subject["external_id"] else held_subject
    assert _move(admin, other).status_code == 200 and _move(admin, {**held["subject"]}).status_code == 200
    moved = Case.objects.get(subject__external_id=other["external_id"])
    assert moved.queue.key == "general-intl"
    assert _events("case.rerouted", other["external_id"]) == [
        {"from_queue": "general-us", "to_queue": "general-intl", "reason": "region_moved"}]
    assert ApiClient(northwind.token).get(f"/api/v1/cases/{moved.pk}").status_code == 404
    assert Case.objects.get(pk=held["id"]).queue.key == "general-us"     # held: decided where it was claimed


def test_only_admins_move_regions(api, world, admin):
    subject = world.subject(region="US")
    world.report(subject=subject)
    lead = world.person("lead-with-admin-scope", "team_lead", scopes=["admin", "subjects:read"])
    response = _move(lead, subject)
    assert response.status_code == 403 and response.json()["error"]["code"] == "admins_only"
    assert _move(world.moderator("mod"), subject).status_code == 403           # no admin scope
    assert _move(world.integration, subject).status_code == 403
    assert Subject.objects.get(external_id=subject["external_id"]).region == "US"
    assert not _events("subject.region_moved", subject["external_id"])


def test_a_region_move_on_a_subject_the_admin_cannot_see_or_that_is_bad_is_refused(api, world, admin):
    subject = world.subject(region="US")
    world.report(subject=subject)
    br_admin = world.person("br-admin", "admin", regions=["BR"])
    assert _move(br_admin, subject).status_code == 404
    assert _move(admin, {"type": "video", "external_id": "never-reported"}).status_code == 404
    bad_region = _move(admin, subject, region="europe")
    assert bad_region.status_code == 422 and bad_region.json()["error"]["field"] == "region"
    assert _move(admin, subject, reason="").status_code == 422
    assert Subject.objects.get(external_id=subject["external_id"]).region == "US"
