"""Who sees compliance records: compliance officers and admins only, in their cleared regions; statements about
restricted queues only with the clearance. Every role × every compliance surface (API and console) × a foreign
region: hidden is 404 (or 403 for a token without the scope), and lists never show hidden rows."""
import pytest

from tests.conftest import ApiClient
from tests.test_access_matrix import VENDOR_ROLES, _console
from trustops.compliance.childsafety import services as child_safety
from trustops.compliance.clocks import services as clocks
from trustops.compliance.models import DataSubjectRequest, LegalClock, Statement
from trustops.compliance.retention import services as retention
from trustops.identity import access
from trustops.identity.roles import Role
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Decision
from trustops.simulation import platform as setup
from trustops.subjects.models import Subject

ROLES = list(Role.values)
REGIONS = {"own": ("DE",), "foreign": ("US",)}


@pytest.fixture
def records(world):
    moderator = world.moderator("matrix-mod")
    owner = {"type": "creator", "external_id": "creator-de"}
    world.report(subject={**world.subject(region="DE"), "owner": owner})
    decided = world.violation(moderator, "general-intl", "harassment.bullying")
    world.report(subject=world.subject(region="DE"), reason="minor_safety.grooming")
    restricted = world.violation(moderator, "child-safety", "minor_safety.grooming")
    world.report(subject=world.subject(region="DE"), reason="privacy.non_consensual_imagery")
    clocks.open_from_reports()
    account = Subject.objects.get(external_id="creator-de")
    retention.place_hold(subject_id=account.pk, reason="Litigation", actor="test")
    export = retention.export(subject_type="creator", external_id="creator-de", actor="test")
    assert Statement.objects.count() == 2 and LegalClock.objects.count() == 1
    return {"decision": decided["decision_id"], "restricted": restricted["decision_id"],
            "clock": LegalClock.objects.get().pk, "export": export.pk}


def _person(world, role, where):
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    team = None if vendor else setup.IN_HOUSE_TEAM
    return world.person(f"cm-{role}-{where}", role, vendor=vendor, team=team, regions=REGIONS[where])


LISTS = ["/api/v1/compliance/statements", "/api/v1/compliance/legal-clocks?all=true", "/api/v1/compliance/holds",
         "/api/v1/compliance/data-subject-requests", "/api/v1/compliance/dsa-mappings"]


def _details(records):
    return [f"/api/v1/decisions/{records['decision']}/statement-of-reasons",
            f"/api/v1/compliance/legal-clocks/{records['clock']}",
            f"/api/v1/compliance/data-subject-requests/{records['export']}/archive"]


CONSOLE = ["/compliance/", "/compliance/clocks/", "/compliance/holds/", "/compliance/data-subjects/",
           "/compliance/access/", "/compliance/transparency/"]


@pytest.mark.parametrize("where", list(REGIONS))
@pytest.mark.parametrize("role", ROLES)
def test_compliance_records_are_seen_by_compliance_staff_in_their_regions_only(world, records, role, where):
    person = _person(world, role, where)
    sees = access.works_compliance(person.user) and where == "own"
    client = ApiClient(person.token)
    for path in _details(records):
        status = client.get(path).status_code
        assert status == (200 if sees else status) and (sees or status in (403, 404)), (role, where, path, status)
    for path in LISTS:
        response = client.get(path)
        if response.status_code == 403:
            assert not sees
            continue
        assert response.status_code == 200, (role, path)
        body = response.json()
        rows = body["statements"] if isinstance(body, dict) else body
        if path.endswith("dsa-mappings"):
            continue
        assert bool(rows) == sees, (role, where, path, rows)
    # The statement of a restricted (child-safety) decision needs the clearance, admins included.
    assert client.get(f"/api/v1/decisions/{records['restricted']}/statement-of-reasons").status_code in (403, 404)
    if sees:
        listed = {s["decision_id"] for s in client.get("/api/v1/compliance/statements").json()["statements"]}
        assert records["restricted"] not in listed
    if role != Role.INTEGRATION:
        console = _console(person.user)
        for path in CONSOLE:
            status = console.get(path).status_code
            assert status == (200 if access.works_compliance(person.user) else 404), (role, path, status)


def test_a_cleared_officer_sees_the_restricted_statement(world, records):
    officer = world.person("cleared-officer", "compliance_officer", regions=("DE",),
                           clearances=("restricted:child_safety",))
    client = ApiClient(officer.token)
    assert client.get(f"/api/v1/decisions/{records['restricted']}/statement-of-reasons").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_compliance_staff_write(world, records, role):
    person = _person(world, role, "own")
    client = ApiClient(person.token)
    before = DataSubjectRequest.objects.count()
    response = client.post("/api/v1/compliance/data-subject-requests",
                           {"kind": "export", "subject_type": "creator", "external_id": "creator-de"})
    if access.works_compliance(person.user):
        assert response.status_code == 201
    else:
        assert response.status_code in (403, 404) and DataSubjectRequest.objects.count() == before


@pytest.mark.parametrize("where", list(REGIONS))
def test_child_safety_reporting_pages_are_for_cleared_compliance_staff_in_their_regions(world, records, where):
    """Every role, cleared or not: only compliance staff with the child-safety clearance find the pages, and a
    report only in their regions; uncleared compliance staff and admins find nothing (404), and open nothing."""
    cleared = world.person("cs-maker", "compliance_officer", clearances=("restricted:child_safety",))
    report = child_safety.assemble(case_id=Decision.objects.get(pk=records["restricted"]).case_id,
                                   actor=cleared.user)
    openers = set()
    for role in ROLES:
        if role == Role.INTEGRATION:
            continue
        vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
        for clearances in ((), ("restricted:child_safety",)):
            person = world.person(f"cs-{role}-{where}-{len(clearances)}", role, vendor=vendor,
                                  team=None if vendor else setup.IN_HOUSE_TEAM, regions=REGIONS[where],
                                  clearances=clearances)
            console = _console(person.user)
            reports = child_safety.may_report(person.user)
            assert console.get("/compliance/child-safety/").status_code == (200 if reports else 404), (
                role, clearances)
            sees = reports and where == "own"
            assert console.get(f"/compliance/child-safety/{report.pk}/").status_code == (200 if sees else 404), (
                role, where, clearances)
            opened = console.post(f"/compliance/child-safety/{report.pk}/evidence/", {"why": "checking"})
            assert opened.status_code == (200 if sees else 404), (role, where, clearances)
            submitted = console.post(f"/compliance/child-safety/{report.pk}/submit/")
            assert submitted.status_code == (302 if sees else 404), (role, where, clearances)
            if sees:
                openers.add(person.username)
    logged = set(LedgerEvent.objects.filter(kind="evidence.accessed").values_list("actor_name", flat=True))
    assert logged == openers and bool(openers) == (where == "own")


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.INTEGRATION])
def test_art23_suspensions_are_seen_and_managed_by_compliance_staff_only(world, role):
    """Every role × the suspensions' API and console: compliance officers and admins work them; to everyone
    else, vendor staff included, the list is empty (or out of scope) and each record is a 404."""
    officer = world.person("art23-officer", "compliance_officer")
    sid = ApiClient(officer.token).post("/api/v1/compliance/suspensions", {
        "kind": "notices", "party": "r-1", "unfounded": 5, "reason": "Spam notices."}).json()["id"]
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    person = world.person(f"art23-{role}", role, vendor=vendor, scopes=["compliance:read", "compliance:write"]
                          if role in (Role.COMPLIANCE_OFFICER, Role.ADMIN) else None)
    api, page = ApiClient(person.token), _console(person.user)
    listed = api.get("/api/v1/compliance/suspensions")
    works = role in (Role.COMPLIANCE_OFFICER, Role.ADMIN)
    if works:
        assert [s["id"] for s in listed.json()] == [sid]
        assert page.get("/compliance/suspensions/").status_code == 200
        return
    assert listed.status_code == 403 or listed.json() == []
    assert api.post(f"/api/v1/compliance/suspensions/{sid}/suspend", {"days": 3, "reason": "x"}).status_code in (
        403, 404)
    assert page.get("/compliance/suspensions/").status_code == 404
    assert page.post(f"/compliance/suspensions/{sid}/suspend/", {"days": "3", "reason": "x"}).status_code == 404
    assert LedgerEvent.objects.filter(kind="compliance.art23_suspended").count() == 0
