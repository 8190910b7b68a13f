"""Escalating a ticket to engineering, synced back by a signed webhook, followed up until confirmed."""
import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings

from tests.support_helpers import T0, Desk
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.outbox import signatures
from trustops.outbox.models import OutboxMessage
from trustops.support.engineering import services as engineering
from trustops.support.models import EngineeringIssue, Ticket

SECRET = "shared-secret-for-tests"


@pytest.fixture
def desk(world):
    return Desk(world)


def hook(body: dict, secret=SECRET, timestamp=None):
    raw = json.dumps(body).encode()
    header = signatures.sign(secret, raw, timestamp)
    return Client().post("/api/v1/support/engineering/webhook", raw, content_type="application/json",
                         HTTP_TRUSTOPS_SIGNATURE=header)


@override_settings(TRUSTOPS={**__import__("django.conf").conf.settings.TRUSTOPS, "SUPPORT_ENGINEERING_SECRET": SECRET})
def test_an_escalation_synced_back_by_the_webhook_then_confirmed(desk):
    with clock.frozen(T0):
        ticket = desk.ticket(category="bug")
        desk.reply(ticket["id"])
        escalated = desk.api(desk.agent).post(f"/api/v1/tickets/{ticket['id']}/escalation",
                                              {"engineer": desk.engineer.username, "title": "Blank queue page"})
    assert escalated.status_code == 201, escalated.content
    issue_id = escalated.json()["id"]
    shown = desk.read(ticket["id"]).json()
    assert shown["status"] == "on_hold" and shown["group"] == "engineering"
    assert OutboxMessage.objects.filter(kind="support.engineering_issue_opened").exists()
    # The engineer now sees the ticket (and its internal notes); other engineers do not.
    assert desk.read(ticket["id"], person=desk.engineer).status_code == 200
    other_engineer = desk.world.person("eng-2", "engineer")
    assert desk.read(ticket["id"], person=other_engineer).status_code == 404

    assert hook({"issue_id": issue_id, "status": "in_progress"}).status_code == 200
    with clock.frozen(T0 + timedelta(hours=2)):
        fixed = hook({"issue_id": issue_id, "status": "fixed", "note": "Deployed 1.4.2", "external_ref": "ENG-7"})
    assert fixed.status_code == 200 and fixed.json()["external_ref"] == "ENG-7"
    shown = desk.read(ticket["id"], person=desk.requester).json()
    assert shown["status"] == "pending" and "Deployed 1.4.2" in shown["replies"][-1]["body"]
    assert OutboxMessage.objects.filter(kind="support.engineering_issue_updated").count() == 2

    # Reminded a day later, until the requester confirms.
    with clock.frozen(T0 + timedelta(hours=27)):
        assert engineering.follow_up() == {"reminded": 1, "closed": 0}
        assert engineering.follow_up() == {"reminded": 0, "closed": 0}
    assert Notification.objects.filter(kind="support.fix_reminder", recipient=desk.requester.user).count() == 1
    confirmed = desk.api(desk.requester).post(f"/api/v1/tickets/{ticket['id']}/confirm-fix")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "solved"
    assert EngineeringIssue.objects.get(pk=issue_id).confirmed_at is not None


@override_settings(TRUSTOPS={**__import__("django.conf").conf.settings.TRUSTOPS, "SUPPORT_ENGINEERING_SECRET": SECRET})
def test_a_quiet_requester_gets_the_ticket_closed_with_notice(desk):
    with clock.frozen(T0):
        ticket = desk.ticket(category="bug")
        issue = engineering.escalate(actor=desk.agent.user, ticket_id=ticket["id"])
    with clock.frozen(T0 + timedelta(hours=1)):
        hook({"issue_id": issue.pk, "status": "fixed"})
    with clock.frozen(T0 + timedelta(days=3, hours=2)):
        assert engineering.follow_up()["closed"] == 1
    closed = Ticket.objects.get(pk=ticket["id"])
    assert closed.status == "closed"
    assert Notification.objects.filter(kind="support.ticket_auto_closed", recipient=desk.requester.user).exists()


@override_settings(TRUSTOPS={**__import__("django.conf").conf.settings.TRUSTOPS, "SUPPORT_ENGINEERING_SECRET": SECRET})
def test_the_webhook_refuses_bad_signatures_and_bad_input(desk):
    ticket = desk.ticket(category="bug")
    issue = engineering.escalate(actor=desk.agent.user, ticket_id=ticket["id"])
    assert hook({"issue_id": issue.pk, "status": "fixed"}, secret="wrong").status_code == 401
    assert hook({"issue_id": issue.pk, "status": "fixed"}, timestamp=1).status_code == 401
    unsigned = json.dumps({"issue_id": issue.pk, "status": "fixed"})
    assert Client().post("/api/v1/support/engineering/webhook", unsigned,
                         content_type="application/json").status_code == 401
    assert hook({"issue_id": issue.pk, "status": "exploded"}).status_code == 422
    assert hook({"issue_id": 999999, "status": "fixed"}).status_code == 404
    assert EngineeringIssue.objects.get(pk=issue.pk).status == "open"


@override_settings(TRUSTOPS={**__import__("django.conf").conf.settings.TRUSTOPS, "SUPPORT_ENGINEERING_SECRET": SECRET})
def test_the_webhook_checks_the_signature_before_the_body(desk):
    # An unsigned or wrongly signed caller is refused whatever it sends: it never learns the body's shape.
    url = "/api/v1/support/engineering/webhook"
    for raw in ('{"issue_id": "x"}', "[1, 2]", "not json", "{}"):
        assert Client().post(url, raw, content_type="application/json").status_code == 401
        wrong = signatures.sign("wrong", raw.encode())
        assert Client().post(url, raw, content_type="application/json",
                             HTTP_TRUSTOPS_SIGNATURE=wrong).status_code == 401
    # Signed, the same malformed bodies are a 4xx naming what is wrong.
    signed = Client().post(url, '{"issue_id": "x"}', content_type="application/json",
                           HTTP_TRUSTOPS_SIGNATURE=signatures.sign(SECRET, b'{"issue_id": "x"}'))
    assert signed.status_code == 422 and signed.json()["error"]["field"] == "issue_id"


def test_without_a_shared_secret_every_webhook_is_refused(desk):
    ticket = desk.ticket(category="bug")
    issue = engineering.escalate(actor=desk.agent.user, ticket_id=ticket["id"])
    assert hook({"issue_id": issue.pk, "status": "fixed"}, secret="").status_code == 401


def test_only_the_desk_escalates_and_only_once(desk):
    ticket = desk.ticket(category="bug")
    url = f"/api/v1/tickets/{ticket['id']}/escalation"
    assert desk.api(desk.requester).post(url, {}).status_code == 403
    assert desk.api(desk.agent).post(url, {"engineer": desk.requester.username}).status_code == 422
    assert desk.api(desk.agent).post(url, {}).status_code == 201
    assert desk.api(desk.agent).post(url, {}).status_code == 409
