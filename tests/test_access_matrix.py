"""The access matrix: every role × every surface that reads a case, a subject or its history × each reason to hide it.

Three cases are hidden from a US-cleared person of Northwind BPO or of the in-house team, each for one reason:
- `foreign_vendor`: a US case in a queue only Lumen Outsourcing works (hidden from Northwind's people only);
- `foreign_region`: a BR case (hidden from anyone cleared for US alone);
- `restricted`: a US child-safety case (hidden from anyone without the clearance, admins included).
A fourth, `visible`, is a US case in Northwind's queue: the control that proves each surface can show a case, so
that a 404 below means hidden and not broken. Hidden things are 404 (or a 403 for a token lacking the scope,
which answers the same whatever the id), and never appear in a list.
"""
import pytest
from django.conf import settings

from tests.conftest import ApiClient
from tests.test_console_access import console, verified_console
from trustops.console.qa_views import may_use_workspace
from trustops.identity import access
from trustops.identity.roles import IN_HOUSE_CASE_ROLES, Role
from trustops.review import selectors
from trustops.review.models import Case, Queue
from trustops.simulation import platform as setup

VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}
ROLES = [role for role in Role.values]
REASONS = ["foreign_vendor", "foreign_region", "restricted"]


@pytest.fixture
def cases(world):
    """Reported by the platform; each lands where its reason says."""
    made = {}
    specs = {
        "visible": dict(subject=world.subject(region="US"), reason="harassment.bullying"),
        "foreign_vendor": dict(subject=world.subject(type="livestream", region="US"), reason="harassment.bullying"),
        "foreign_region": dict(subject=world.subject(region="BR"), reason="harassment.bullying"),
        "restricted": dict(subject=world.subject(region="US"), reason="minor_safety.grooming"),
    }
    for name, spec in specs.items():
        report = world.report(**spec)
        case = Case.objects.select_related("subject", "subject__owner", "queue").get(pk=report["case_id"])
        made[name] = case
    assert made["visible"].queue.key == "general-us" and made["foreign_vendor"].queue.key == "live"
    assert made["restricted"].queue.required_clearance == "restricted:child_safety"
    # One decided violation on each, so standing, history and quality readers have something to show.
    return made


def _person(world, role):
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    team = None if vendor else setup.IN_HOUSE_TEAM
    return world.person(f"matrix-{role}", role, vendor=vendor, team=team, regions=("US",), scopes=None)


def _sees(role, reason) -> bool:
    """Whether a US-cleared, uncleared person of this role may see the case of this kind at all."""
    if role not in IN_HOUSE_CASE_ROLES and role not in VENDOR_ROLES:
        return False
    if reason == "visible":
        return True
    if reason == "foreign_vendor":
        return role not in VENDOR_ROLES
    return False


def _api_surfaces(case):
    subject = case.subject
    return [f"/api/v1/cases/{case.pk}",
            f"/api/v1/subjects/{subject.type}/{subject.external_id}",
            f"/api/v1/subjects/{subject.type}/{subject.external_id}/events"]


def _console_surfaces(case):
    subject = case.subject
    return [f"/cases/{case.pk}/", f"/subjects/{subject.type}/{subject.external_id}/media.svg"]


def _console(user):
    """Signed in, past the TOTP step for the roles that need it: hiding must not depend on a missing step."""
    return verified_console(user) if user.role in settings.TRUSTOPS["TOTP_ROLES"] else console(user)


@pytest.mark.parametrize("role", ROLES)
def test_the_control_case_shows_where_the_role_may_read_cases(world, cases, role):
    person = _person(world, role)
    api = ApiClient(person.token)
    for path in _api_surfaces(cases["visible"]):
        status = api.get(path).status_code
        if _sees(role, "visible"):
            assert status in (200, 403), (path, status)   # 403: this role's token lacks the scope
        else:
            assert status in (403, 404), (path, status)
    if _sees(role, "visible") and role != Role.INTEGRATION:
        client = _console(person.user)
        for path in _console_surfaces(cases["visible"]):
            assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(("role", "reason"), [(role, reason) for role in ROLES for reason in REASONS
                                              if not _sees(role, reason)])
def test_a_hidden_case_is_not_found_anywhere(world, cases, role, reason):
    person = _person(world, role)
    case = cases[reason]
    api = ApiClient(person.token)
    for path in _api_surfaces(case):
        response = api.get(path)
        assert response.status_code in (403, 404), (path, response.status_code)
        if response.status_code == 403:
            assert response.json()["error"]["code"] == "missing_scope"
    listed = api.get("/api/v1/cases", limit=200)
    if listed.status_code == 200:
        assert case.pk not in {c["id"] for c in listed.json()["cases"]}
    queues = api.get("/api/v1/queues")
    if queues.status_code == 200 and reason != "foreign_region":
        assert case.queue.key not in {q["key"] for q in queues.json()}
    claim = api.post(f"/api/v1/queues/{case.queue.key}/claim")
    assert claim.status_code in (204, 403, 404) or claim.json()["case"]["id"] != case.pk

    if role == Role.INTEGRATION:
        return
    client = _console(person.user)
    for path in _console_surfaces(case):
        assert client.get(path).status_code == 404, path
    owner = case.subject.owner
    if reason != "foreign_vendor" and owner is not None:
        page = client.get(f"/accounts/{owner.type}/{owner.external_id}/")
        assert page.status_code == 404 or f"/cases/{case.pk}/" not in page.content.decode()


@pytest.mark.parametrize("reason", REASONS)
def test_the_claim_statement_takes_only_cases_the_access_rule_shows(world, cases, reason):
    """The hand-written claim SQL and `access.case_filter` agree, for people of every kind of scope."""
    people = [_person(world, Role.MODERATOR).user, _person(world, Role.VENDOR_AGENT).user,
              world.moderator("everywhere", regions=("*",), clearances=()).user,
              world.moderator("cleared", regions=("US", "BR")).user,
              world.person("lumen", "vendor_agent", vendor=setup.VENDOR_B, regions=("*",)).user]
    from django.db import connection
    for user in people:
        for queue in Queue.objects.all():
            sql, params = selectors.next_claimable_sql(user, queue, lock=False)
            with connection.cursor() as cursor:
                cursor.execute(sql.replace(" LIMIT 1", ""), params)
                claimable = {row[0] for row in cursor.fetchall()}
            rule = set(Case.objects.filter(access.case_filter(user), queue=queue, status="open")
                       .values_list("pk", flat=True))
            if selectors.may_work(user, queue) and user.vendor_id in (None, *queue.vendors.values_list("pk", flat=True)):
                if access.viewer(user).holds(queue.required_clearance):
                    assert claimable == rule, (user.username, queue.key)


def test_an_admin_without_the_clearance_cannot_open_restricted_cases(world, cases):
    admin = world.person("admin-uncleared", "admin")
    assert ApiClient(admin.token).get(f"/api/v1/cases/{cases['restricted'].pk}").status_code == 404
    assert ApiClient(admin.token).post("/api/v1/queues/child-safety/claim").status_code == 404
    cleared = world.person("admin-cleared", "admin", clearances=("restricted:child_safety",))
    assert ApiClient(cleared.token).get(f"/api/v1/cases/{cases['restricted'].pk}").status_code == 200


def test_bulk_decisions_on_restricted_cases_need_a_second_factor(world, cases):
    lead = world.person("lead-cleared", "team_lead", team=setup.IN_HOUSE_TEAM, clearances=tuple(access.CLEARANCES))
    body = {"selection": {"queue": "child-safety"}, "verdict": "no_violation", "rationale": "Reviewed as a batch.",
            "dry_run": False, "max_cases": 10}
    response = ApiClient(lead.token).post("/api/v1/bulk-decisions", body)
    assert response.status_code == 403 and response.json()["error"]["code"] == "second_factor_required"
    preview = ApiClient(lead.token).post("/api/v1/bulk-decisions", {**body, "dry_run": True}).json()
    assert [c["id"] for c in preview["cases"]] == [cases["restricted"].pk]


# ---- the work areas: every role × the console areas and configuration API, each open only to its people --------

WORK_AREAS = {
    "/settings/queues/": access.configures_platform,
    "/floor/": access.runs_floor,
    "/qa/": may_use_workspace,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_work_area_is_open_to_its_people_only(world, role):
    person = _person(world, role)
    if role != Role.INTEGRATION:
        client = _console(person.user)
        for path, opens in WORK_AREAS.items():
            status = client.get(path).status_code
            if opens(person.user):
                assert status == 200, (role, path, status)
            else:
                assert status in (403, 404), (role, path, status)
    # Configuration writes through the API: admins and policy managers only, whatever scopes a token carries.
    key = f"matrix-{role.replace('_', '-')}"
    created = ApiClient(person.token).post("/api/v1/queues", {"key": key, "name": "Matrix"})
    if access.configures_platform(person.user):
        assert created.status_code == 201, created.content
    else:
        assert created.status_code in (403, 404)
