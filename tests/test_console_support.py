"""The support console's forms, through Django's test client: help, chat, reply, incident, report, handover."""
import pytest
from django.test import Client

from tests.support_helpers import Desk
from trustops.support.models import DailyReport, Handover, Incident, Ticket


@pytest.fixture
def desk(world):
    return Desk(world)


def console(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_help_form_chat_and_reply(desk):
    asker = console(desk.requester)
    assert b'href="/support/help/"' in asker.get("/support/").content   # the header's Help link
    bad = asker.post("/support/help/", {"subject": "", "body": "x", "category": "bug"})
    assert bad.status_code == 422 and not Ticket.objects.exists()
    made = asker.post("/support/help/", {"subject": "Blank page", "body": "Queue blank", "category": "bug",
                                         "priority": "high"})
    assert made.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.source == "console" and ticket.priority == "high"
    agent = console(desk.agent)
    assert b"Blank page" in agent.get("/support/?view=unassigned").content
    agent.post(f"/support/tickets/{ticket.pk}/reply/", {"body": "secret-note", "internal": "1"})
    agent.post(f"/support/tickets/{ticket.pk}/reply/", {"body": "public-answer"})
    page = asker.get(f"/support/tickets/{ticket.pk}/").content
    assert b"public-answer" in page and b"secret-note" not in page
    assert console(desk.other).post(f"/support/tickets/{ticket.pk}/reply/", {"body": "x"}).status_code == 404
    chat = asker.post("/support/chat/", {"message": "Can you hear me?", "category": "access"},
                      HTTP_HX_REQUEST="true")
    assert chat.status_code == 200 and b"Can you hear me?" in chat.content
    assert Ticket.objects.filter(source="chat").count() == 1
    asker.post("/support/chat/", {"message": "Second line"})
    assert Ticket.objects.get(source="chat").replies.count() == 1


def test_incident_report_and_handover_pages(desk):
    ticket = desk.ticket()
    agent = console(desk.agent)
    declared = agent.post("/support/incidents/", {"title": "Console down", "severity": "sev2",
                                                  "ticket_ids": str(ticket["id"]), "affected_queues": "general-us"})
    assert declared.status_code == 302
    incident = Incident.objects.get()
    agent.post(f"/support/incidents/{incident.pk}/update/", {"text": "Rolled back", "status": "stable"})
    page = agent.get(f"/support/incidents/{incident.pk}/").content
    assert b"Rolled back" in page and b"Ticket #" in page
    refused = agent.post(f"/support/incidents/{incident.pk}/update/", {"text": "x", "status": "nonsense"})
    assert refused.status_code == 422
    assert agent.post("/support/reports/", {"day": "2026-03-02"}).status_code == 302
    assert DailyReport.objects.count() == 1
    assert agent.get("/support/reports/2026-03-02/?format=csv")["Content-Type"].startswith("text/csv")
    agent.post("/support/handover/")
    handover = Handover.objects.get()
    agent.post("/support/handover/", {"acknowledge": handover.pk})
    assert Handover.objects.get().acknowledged_by_id == desk.agent.user.pk
    assert console(desk.requester).get("/support/incidents/").status_code == 403


def test_kb_pages_and_gaps(desk):
    agent = console(desk.agent)
    saved = agent.post("/support/kb/new/", {"title": "Reset 2FA", "body": "Ask an admin.", "visibility": "published"})
    assert saved.status_code == 302
    asker = console(desk.requester)
    assert b"<mark>" in asker.get("/support/kb/?q=admin").content
    asker.get("/support/kb/?q=nothing+matches+this")
    assert b"nothing matches this" in agent.get("/support/kb/").content
    assert console(desk.requester).post("/support/kb/new/", {"title": "x", "body": "y"}).status_code == 403
    suggestions = asker.get("/support/help/suggestions/", {"subject": "reset", "body": "admin"})
    assert b"<mark>Reset</mark> 2FA" in suggestions.content
