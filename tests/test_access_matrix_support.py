"""The support desk's access matrix: every role × the ticket, note, article, incident and creator-escalation
surfaces (API and console).

A requester's ticket (with an internal note), an internal and a draft article, and an incident are made; then
each role, as a person who is neither the requester nor on the incident, tries every surface. Hidden is 404,
lists never show the hidden rows; internal notes never reach anyone outside the desk and the engineer on it.
"""
import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.test_console_access import verified_console
from trustops.identity.access import (
    CREATOR_ESCALATION_ROLES,
    INCIDENT_ROLES,
    KB_INTERNAL_ROLES,
    SUPPORT_DESK_ROLES,
)
from trustops.identity.roles import Role
from trustops.simulation import platform as setup
from trustops.support.engineering import services as engineering
from trustops.support.escalations import services as escalations
from trustops.support.incidents import services as incidents
from trustops.support.kb import services as kb
from trustops.support.tickets import services as tickets

ROLES = [r for r in Role.values if r != Role.INTEGRATION]
SECRET_NOTE = "internal-note-7f3a"
VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}


@pytest.fixture
def things(world):
    desk = world.person("matrix-desk", "support_specialist")
    requester = world.person("matrix-requester", "moderator")
    ticket = tickets.open_ticket(requester=requester.user, subject="Blank page", body="The queue is blank.",
                                 category="bug")
    tickets.reply(actor=desk.user, ticket_id=ticket.pk, body=SECRET_NOTE, internal=True)
    tickets.reply(actor=desk.user, ticket_id=ticket.pk, body="public answer")
    internal = kb.write_article(actor=desk.user, title="Lease worker restart", body="Restart the lease worker.",
                                visibility="internal")
    draft = kb.write_article(actor=desk.user, title="Lease draft", body="Unfinished lease notes.")
    incident = incidents.declare(actor=desk.user, title="Console down", severity="sev2")
    found = {}
    for region in ("US", "DE"):   # the matrix's people are cleared for the US only
        creator = world.subject(type="creator", region=region, reach=250_000)
        world.report(subject=creator)
        found[region] = escalations.open_escalation(actor=desk.user, account_type="creator", source="support",
                                                    external_id=creator["external_id"], summary="Creator locked out.")
    return {"desk": desk, "requester": requester, "ticket": ticket, "internal": internal, "draft": draft,
            "incident": incident, "escalation": found["US"], "escalation_elsewhere": found["DE"]}


def _person(world, role):
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    return world.person(f"support-matrix-{role}", role, vendor=vendor,
                        team=None if vendor else setup.IN_HOUSE_TEAM, regions=("US",))


def _console(person) -> Client:
    if person.user.role in ("admin", "team_lead"):   # privileged roles pass the second factor first
        return verified_console(person.user)
    client = Client()
    client.force_login(person.user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_only_what_it_may(world, things, role):
    person = _person(world, role)
    api = ApiClient(person.token)
    console = _console(person)
    ticket, desk_role = things["ticket"], role in SUPPORT_DESK_ROLES and role not in VENDOR_ROLES
    # Someone else's ticket: 404 unless the desk.
    shown = api.get(f"/api/v1/tickets/{ticket.pk}")
    assert shown.status_code == (200 if desk_role else 404)
    assert (console.get(f"/support/tickets/{ticket.pk}/").status_code == (200 if desk_role else 404))
    assert api.post(f"/api/v1/tickets/{ticket.pk}/replies", {"body": "hi"}).status_code == (201 if desk_role else 404)
    listed = api.get("/api/v1/tickets", view="all").json()["tickets"]
    assert (ticket.pk in [t["id"] for t in listed]) == desk_role
    assert (f"#{ticket.pk} Blank page".encode() in console.get("/support/?view=all").content) == desk_role
    # Articles: internal for the internal roles, drafts for the desk.
    internal_ok = role in KB_INTERNAL_ROLES and role not in VENDOR_ROLES
    assert api.get(f"/api/v1/kb/articles/{things['internal'].pk}").status_code == (200 if internal_ok else 404)
    assert api.get(f"/api/v1/kb/articles/{things['draft'].pk}").status_code == (200 if desk_role else 404)
    assert console.get(f"/support/kb/{things['internal'].pk}/").status_code == (200 if internal_ok else 404)
    found = [r["id"] for r in api.get("/api/v1/kb/search", q="lease").json()["results"]]
    assert (things["internal"].pk in found) == internal_ok and (things["draft"].pk in found) == desk_role
    assert (b"Lease worker restart" in console.get("/support/kb/?q=lease").content) == internal_ok
    # Incidents: the incident roles.
    incident_ok = role in INCIDENT_ROLES and role not in VENDOR_ROLES
    assert api.get(f"/api/v1/incidents/{things['incident'].pk}").status_code == (200 if incident_ok else 404)
    assert console.get(f"/support/incidents/{things['incident'].pk}/").status_code == (200 if incident_ok else 404)
    # Creator escalations: creator and user excellence, the desk and admins, in their cleared regions only.
    esc_ok = role in CREATOR_ESCALATION_ROLES and role not in VENDOR_ROLES
    esc, elsewhere = things["escalation"], things["escalation_elsewhere"]
    assert api.get(f"/api/v1/escalations/{esc.pk}").status_code == (200 if esc_ok else 404)
    assert console.get(f"/support/escalations/{esc.pk}/").status_code == (200 if esc_ok else 404)
    assert api.get(f"/api/v1/escalations/{elsewhere.pk}").status_code == 404
    assert console.get(f"/support/escalations/{elsewhere.pk}/").status_code == 404
    listed = [e["id"] for e in api.get("/api/v1/escalations").json().get("escalations", [])]
    assert listed == ([esc.pk] if esc_ok else [])
    assert console.get("/support/escalations/").status_code == (200 if esc_ok else 403)
    closing = api.post(f"/api/v1/escalations/{elsewhere.pk}/closure", {"rca_category": "policy", "root_cause": "x"})
    assert closing.status_code == 404   # never closed from outside its region
    # Every role has a workspace and the help form.
    assert console.get("/support/").status_code == 200
    assert console.get("/support/help/").status_code == 200


def test_requesters_never_see_internal_notes_anywhere(world, things):
    requester = things["requester"]
    ticket = things["ticket"]
    assert SECRET_NOTE not in ApiClient(requester.token).get(f"/api/v1/tickets/{ticket.pk}").content.decode()
    page = _console(requester).get(f"/support/tickets/{ticket.pk}/")
    assert page.status_code == 200 and b"public answer" in page.content and SECRET_NOTE.encode() not in page.content


def test_the_engineer_on_an_escalation_sees_its_notes_and_other_engineers_nothing(world, things):
    ticket = things["ticket"]
    mine = world.person("eng-on-it", "engineer")
    other = world.person("eng-elsewhere", "engineer")
    engineering.escalate(actor=things["desk"].user, ticket_id=ticket.pk, engineer=mine.username)
    assert SECRET_NOTE in ApiClient(mine.token).get(f"/api/v1/tickets/{ticket.pk}").content.decode()
    assert SECRET_NOTE.encode() in _console(mine).get(f"/support/tickets/{ticket.pk}/").content
    assert ApiClient(other.token).get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert _console(other).get(f"/support/tickets/{ticket.pk}/").status_code == 404
