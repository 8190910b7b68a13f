"""The risk access matrix: every role × every risk surface (API and console) × a foreign region.

Investigators, policy managers and admins write rules (policy managers in the console: their tokens do not carry
`risk:write` by default); analysts and merchant specialists read; every other role sees no risk page (404) and
its token lacks the scope (403). Hits and labels about a subject outside the reader's regions never show.
"""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from tests.test_console_access import console, verified_console
from tests.test_risk_rules import event, failed_logins_rule, send
from trustops.identity import access
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.risk.models import Label, RuleHit
from trustops.risk.rules import live
from trustops.simulation import platform as setup
from trustops.subjects.models import Subject

VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}
READERS = {Role.ADMIN, Role.POLICY_MANAGER, Role.INVESTIGATOR, Role.ANALYST, Role.MERCHANT_SPECIALIST}
API_WRITERS = {Role.ADMIN, Role.INVESTIGATOR}
CONSOLE_WRITERS = {Role.ADMIN, Role.POLICY_MANAGER, Role.INVESTIGATOR}


@pytest.fixture
def hits(world, api):
    """Two enforce hits with labels: one about a US account, one about a BR account."""
    live.clear_cache()
    author = world.person("rule-author", "investigator")
    rule = {**failed_logins_rule(), "outcome": {"label": {"name": "suspected_ato", "ttl_seconds": 86400 * 30}}}
    assert api.as_(author).post("/api/v1/risk/rules", rule).status_code == 201
    with clock.frozen(clock.now()):
        send(api, [event(n, actor="u-us", at=clock.now() - timedelta(minutes=9 - n)) for n in range(5)])
        send(api, [event(n, actor="u-br", at=clock.now() - timedelta(minutes=9 - n)) for n in range(5)])
    Subject.objects.filter(external_id="u-br").update(region="BR")
    assert RuleHit.objects.count() == 2 and Label.objects.count() == 2
    yield
    live.clear_cache()


def _person(world, role):
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    team = None if vendor else setup.IN_HOUSE_TEAM
    return world.person(f"matrix-{role}", role, vendor=vendor, team=team, regions=("US",), scopes=None)


@pytest.mark.parametrize("role", Role.values)
def test_risk_surfaces_for_every_role(world, hits, role):
    person = _person(world, role)
    client = ApiClient(person.token)
    reads = role in READERS
    listing = client.get("/api/v1/risk/rules")
    assert listing.status_code == (200 if reads else 403)
    found = client.get("/api/v1/risk/rules/login-bruteforce/hits")
    assert found.status_code == (200 if reads else 403)
    if reads:
        subjects = [h["subject"]["external_id"] for h in found.json()["hits"]]
        assert subjects == ["u-us"]                        # the BR hit stays hidden from a US reader
        labels = client.get("/api/v1/risk/labels").json()["labels"]
        assert [la["subject"]["external_id"] for la in labels] == ["u-us"]
        assert listing.json()[0]["hits"] == 1
    # Undoing a hit's automatic action: a hit about a subject outside the writer's regions is a 404.
    foreign = RuleHit.objects.get(subject__external_id="u-br").pk
    home = RuleHit.objects.get(subject__external_id="u-us").pk
    reversal = client.post(f"/api/v1/risk/hits/{foreign}/reverse-action", {"reason": "matrix"})
    assert reversal.status_code == (404 if role in API_WRITERS else 403)
    reversal = client.post(f"/api/v1/risk/hits/{home}/reverse-action", {"reason": "matrix"})
    assert reversal.status_code == (409 if role in API_WRITERS else 403)   # that hit took no action
    created = client.post("/api/v1/risk/rules", {**failed_logins_rule(), "key": f"by-{role}"})
    assert created.status_code == (201 if role in API_WRITERS else 403), created.content
    web = verified_console(person.user) if role in {"admin", "team_lead"} else console(person.user)
    assert web.get("/risk/").status_code == (200 if reads else 404)
    assert web.get("/risk/rules/login-bruteforce/").status_code == (200 if reads else 404)
    assert web.get("/risk/monitors/").status_code == (200 if reads else 404)
    page = web.get("/risk/rules/login-bruteforce/")
    if reads:
        assert b"u-br" not in page.content and b"u-us" in page.content
    saved = web.post("/risk/rules/save/", {"key": f"web-{role}", "name": "From the console", "on": "login_failed",
                                           "features": "[]", "when": "true",
                                           "outcome": '{"signal": {"score": 0.5}}', "mode": "shadow"})
    assert saved.status_code == (302 if role in CONSOLE_WRITERS else 403 if reads else 404)
    assert access.writes_risk(person.user) == (role in CONSOLE_WRITERS)
    hidden = web.post(f"/risk/rules/login-bruteforce/hits/{foreign}/reverse/", {"reason": "matrix"})
    assert hidden.status_code == 404
    shown = web.post(f"/risk/rules/login-bruteforce/hits/{home}/reverse/", {"reason": "matrix"})
    assert shown.status_code == (302 if role in CONSOLE_WRITERS else 403 if reads else 404)


def test_labels_show_on_the_account_page_only_to_people_who_see_the_account(world, hits):
    us_reader = _person(world, "moderator")
    page = console(us_reader.user).get("/accounts/user/u-us/")
    assert page.status_code == 200 and b"suspected_ato" in page.content
    assert console(us_reader.user).get("/accounts/user/u-br/").status_code == 404
