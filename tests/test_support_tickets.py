"""The help desk's stories: asking for help, replies and notes, statuses, the SLA clocks that follow them."""
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.support_helpers import PNG, T0, Desk
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import OutboxMessage
from trustops.support.models import SlaEvent, SlaPause, SlaPolicy, Ticket
from trustops.support.sla import services as sla


@pytest.fixture
def desk(world):
    return Desk(world)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_asking_for_help_answers_with_the_contract_and_the_clocks(desk):
    with clock.frozen(T0):
        created = desk.ticket(priority="high")
    assert set(created) >= {"id", "status", "sla"} and created["status"] == "new"
    assert set(created["sla"]) >= {"first_response_due_at", "resolution_due_at", "paused"}
    assert parse(created["sla"]["first_response_due_at"]) == T0 + timedelta(hours=1)
    assert parse(created["sla"]["resolution_due_at"]) == T0 + timedelta(hours=8)
    assert created["sla"]["paused"] is False
    assert LedgerEvent.objects.filter(kind="support.ticket_opened").count() == 1


def test_pending_moves_resolution_by_exactly_the_paused_time_and_leaves_first_response(desk):
    with clock.frozen(T0):
        ticket = desk.ticket(priority="high")
    with clock.frozen(T0 + timedelta(minutes=30)):
        assert desk.reply(ticket["id"], "Which queue is it?").status_code == 201
        assert desk.status(ticket["id"], "pending").status_code == 200
    with clock.frozen(T0 + timedelta(hours=2)):
        shown = desk.read(ticket["id"]).json()
        assert shown["status"] == "pending" and shown["sla"]["paused"] is True
    # The requester answers after 3 h 30 min paused: their reply reopens the ticket.
    with clock.frozen(T0 + timedelta(hours=4)):
        assert desk.reply(ticket["id"], "general-us", person=desk.requester).status_code == 201
    shown = desk.read(ticket["id"]).json()
    assert shown["status"] == "open" and shown["sla"]["paused"] is False
    assert parse(shown["sla"]["resolution_due_at"]) == T0 + timedelta(hours=8, minutes=210)
    assert parse(shown["sla"]["first_response_due_at"]) == T0 + timedelta(hours=1)
    pause = SlaPause.objects.get(ticket_id=ticket["id"])
    assert pause.cause == "pending" and pause.ended_at == T0 + timedelta(hours=4)
    # The next-reply clock now runs from the requester's reply.
    assert parse(shown["sla"]["next_reply_due_at"]) == T0 + timedelta(hours=6)


def test_on_hold_pauses_only_when_the_policy_says_so_and_a_change_recomputes_from_the_pause_log(desk):
    policy = SlaPolicy.objects.get(priority="normal", category="") if SlaPolicy.objects.exists() else None
    with clock.frozen(T0):
        ticket = desk.ticket()
    policy = SlaPolicy.objects.get(priority="normal", category="")
    with clock.frozen(T0 + timedelta(hours=1)):
        desk.reply(ticket["id"])
        desk.status(ticket["id"], "on_hold")
    with clock.frozen(T0 + timedelta(hours=3)):
        desk.status(ticket["id"], "open")
    # Default policy: on hold pauses; 2 h paused.
    assert Ticket.objects.get(pk=ticket["id"]).resolution_due_at == T0 + timedelta(hours=26)
    with clock.frozen(T0 + timedelta(hours=4)):
        response = desk.api(desk.agent).client.patch(
            f"/api/v1/support/sla-policies/{policy.pk}", '{"pause_on_hold": false, "resolution_seconds": 36000}',
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {desk.agent.token}")
    assert response.status_code == 200, response.content
    # On hold no longer pauses: 10 h from creation, nothing added.
    assert Ticket.objects.get(pk=ticket["id"]).resolution_due_at == T0 + timedelta(hours=10)
    with clock.frozen(T0 + timedelta(hours=5)):
        desk.api(desk.agent).client.patch(
            f"/api/v1/support/sla-policies/{policy.pk}", '{"pause_on_hold": true}',
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {desk.agent.token}")
    # Turned back on: the 2 h already logged count again (they were never lost).
    assert Ticket.objects.get(pk=ticket["id"]).resolution_due_at == T0 + timedelta(hours=12)


def test_a_category_policy_takes_over_its_open_tickets_keeping_their_pauses(desk):
    with clock.frozen(T0):
        bug = desk.ticket(category="bug")
        other = desk.ticket(category="access")
    with clock.frozen(T0 + timedelta(hours=1)):
        desk.reply(bug["id"])
        desk.status(bug["id"], "pending")
    with clock.frozen(T0 + timedelta(hours=2)):
        desk.status(bug["id"], "open")
        body = {"priority": "normal", "category": "bug", "calendar": "desk-24x7", "first_response_seconds": 1800,
                "next_reply_seconds": 3600, "resolution_seconds": 4 * 3600}
        assert desk.api(desk.requester).post("/api/v1/support/sla-policies", body).status_code == 403
        created = desk.api(desk.agent).post("/api/v1/support/sla-policies", body)
        assert created.status_code == 201, created.content
        assert desk.api(desk.agent).post("/api/v1/support/sla-policies", body).status_code == 409
    # The bug ticket: 4 h from creation plus the hour it was pending; the access ticket keeps the normal policy.
    assert Ticket.objects.get(pk=bug["id"]).resolution_due_at == T0 + timedelta(hours=5)
    assert Ticket.objects.get(pk=bug["id"]).sla_policy_id == created.json()["id"]
    assert Ticket.objects.get(pk=other["id"]).resolution_due_at == T0 + timedelta(hours=24)


def test_a_requester_reply_reopens_a_pending_or_solved_ticket(desk):
    ticket = desk.ticket()
    desk.reply(ticket["id"])
    desk.status(ticket["id"], "solved")
    assert desk.reply(ticket["id"], "Still broken.", person=desk.requester).status_code == 201
    assert desk.read(ticket["id"]).json()["status"] == "open"


def test_a_closed_ticket_cannot_be_reopened(desk):
    ticket = desk.ticket()
    desk.status(ticket["id"], "solved")
    assert desk.status(ticket["id"], "closed").status_code == 200
    refused = desk.status(ticket["id"], "open")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ticket_closed"
    assert desk.reply(ticket["id"], "again", person=desk.requester).status_code == 409


def test_transitions_that_make_no_sense_are_refused(desk):
    ticket = desk.ticket()
    assert desk.status(ticket["id"], "closed").status_code == 409
    assert desk.status(ticket["id"], "archived").status_code == 422
    assert desk.status(ticket["id"], "solved", person=desk.requester).status_code == 200
    assert desk.status(ticket["id"], "pending", person=desk.requester).status_code in (403, 409)


def test_requesters_never_see_internal_notes_and_may_not_write_them(desk):
    ticket = desk.ticket()
    assert desk.reply(ticket["id"], "Known bug, see ENG-12", internal=True).status_code == 201
    desk.reply(ticket["id"], "We are on it.")
    mine = desk.read(ticket["id"], person=desk.requester).json()
    assert [r["body"] for r in mine["replies"]] == ["We are on it."]
    assert "ENG-12" not in str(mine)
    assert desk.reply(ticket["id"], "sneaky", person=desk.requester, internal=True).status_code == 403
    assert len(desk.read(ticket["id"]).json()["replies"]) == 2


def test_other_peoples_tickets_are_not_found(desk):
    ticket = desk.ticket()
    assert desk.read(ticket["id"], person=desk.other).status_code == 404
    assert desk.reply(ticket["id"], "hi", person=desk.other).status_code == 404
    assert desk.status(ticket["id"], "solved", person=desk.other).status_code == 404
    assert desk.read(ticket["id"], person=desk.engineer).status_code == 404
    listed = desk.api(desk.other).get("/api/v1/tickets", view="all").json()["tickets"]
    assert ticket["id"] not in [t["id"] for t in listed]


def test_unknown_categories_and_priorities_are_422(desk):
    for body in ({"category": "gossip"}, {"priority": "whenever"}, {"subject": ""}, {"body": "x" * 20_001}):
        full = {"subject": "s", "body": "b", "category": "bug", "priority": "low", **body}
        assert desk.api(desk.requester).post("/api/v1/tickets", full).status_code == 422
    assert not Ticket.objects.exists()


def test_screenshots_by_magic_bytes_and_size(desk):
    ticket = desk.ticket()
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {desk.requester.token}"}
    url = f"/api/v1/tickets/{ticket['id']}/attachments"
    ok = client.post(url, {"file": SimpleUploadedFile("shot.png", PNG, "image/png")}, **auth)
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"
    disguised = client.post(url, {"file": SimpleUploadedFile("shot.png", b"<script>", "image/png")}, **auth)
    assert disguised.status_code == 422
    huge = client.post(url, {"file": SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")},
                       **auth)
    assert huge.status_code == 413
    stranger = client.post(url, {"file": SimpleUploadedFile("s.png", PNG, "image/png")},
                           HTTP_AUTHORIZATION=f"Bearer {desk.other.token}")
    assert stranger.status_code == 404
    fetched = client.get(f"{url}/{ok.json()['id']}", **auth)
    assert fetched.status_code == 200 and fetched.content == PNG
    assert client.get(f"{url}/{ok.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {desk.other.token}").status_code == 404


def test_macros_reply_set_status_and_tag(desk):
    macro = desk.api(desk.agent).post("/api/v1/macros", {
        "name": "Need the queue", "body": "Which queue were you in?", "set_status": "pending",
        "add_tags": ["needs-info"]})
    assert macro.status_code == 201, macro.content
    ticket = desk.ticket()
    applied = desk.api(desk.agent).post(f"/api/v1/tickets/{ticket['id']}/macro", {"macro_id": macro.json()["id"]})
    assert applied.status_code == 200
    shown = applied.json()
    assert shown["status"] == "pending" and shown["tags"] == ["needs-info"]
    assert shown["replies"][-1]["body"] == "Which queue were you in?"
    assert desk.api(desk.requester).post("/api/v1/macros", {"name": "x", "body": "y"}).status_code == 403


def test_the_im_bot_files_and_relays_for_a_requester(desk, world):
    bot = world.integration
    filed = desk.api(bot).post("/api/v1/support/bot/tickets", {
        "requester": desk.requester.username, "subject": "Can't log in", "body": "2FA loop", "category": "access"})
    assert filed.status_code == 201, filed.content
    ticket = Ticket.objects.get(pk=filed.json()["id"])
    assert ticket.requester_id == desk.requester.user.pk and ticket.source == "im_bot"
    assert desk.read(ticket.pk, person=desk.requester).status_code == 200
    relayed = desk.api(bot).post(f"/api/v1/support/bot/tickets/{ticket.pk}/replies",
                                 {"requester": desk.requester.username, "body": "still looping"})
    assert relayed.status_code == 201 and relayed.json()["from_requester"] is True
    wrong = desk.api(bot).post(f"/api/v1/support/bot/tickets/{ticket.pk}/replies",
                               {"requester": desk.other.username, "body": "not mine"})
    assert wrong.status_code == 404
    assert desk.api(bot).post("/api/v1/support/bot/tickets", {
        "requester": "nobody", "subject": "s", "body": "b", "category": "access"}).status_code == 422
    assert desk.api(desk.requester).post("/api/v1/support/bot/tickets", {
        "requester": desk.other.username, "subject": "s", "body": "b", "category": "access"}).status_code == 403


def test_warnings_before_a_breach_and_breaches_are_events_once(desk):
    with clock.frozen(T0):
        ticket = desk.ticket(priority="urgent")   # first response in 15 minutes
    with clock.frozen(T0 + timedelta(minutes=5)):
        assert sla.sweep() == {"warnings": 1, "breaches": 0}
        assert sla.sweep() == {"warnings": 0, "breaches": 0}
    assert Notification.objects.filter(kind="support.sla_warning", recipient=desk.agent.user).exists()
    with clock.frozen(T0 + timedelta(minutes=16)):
        assert sla.sweep()["breaches"] == 1
        sla.sweep()
    assert SlaEvent.objects.filter(ticket_id=ticket["id"], kind="breach", target="first_response").count() == 1
    assert OutboxMessage.objects.filter(kind="support.sla_breached").count() == 1
    assert LedgerEvent.objects.filter(kind="support.sla_breached").count() == 1


def test_a_pause_right_after_the_requesters_reply_is_flagged(desk):
    ticket = desk.ticket()
    desk.reply(ticket["id"])
    desk.reply(ticket["id"], "here you go", person=desk.requester)
    desk.status(ticket["id"], "pending")
    assert SlaPause.objects.get(ticket_id=ticket["id"]).soon_after_requester_reply


def test_attainment_counts_met_and_breached(desk):
    with clock.frozen(T0):
        fast, slow = desk.ticket(priority="high"), desk.ticket(priority="high")
    with clock.frozen(T0 + timedelta(minutes=10)):
        desk.reply(fast["id"])
        desk.status(fast["id"], "solved")
    with clock.frozen(T0 + timedelta(hours=9)):
        desk.reply(slow["id"])
        desk.status(slow["id"], "solved")
    report = desk.api(desk.agent).get("/api/v1/support/sla-attainment", since=iso(T0 - timedelta(days=1)),
                                      until=iso(T0 + timedelta(days=1))).json()
    assert report["first_response"] == {"met": 1, "breached": 1, "share": 0.5}
    assert report["resolution"] == {"met": 1, "breached": 1, "share": 0.5}


def test_the_inbox_mine_unassigned_and_breaching(desk):
    with clock.frozen(T0):
        a, b = desk.ticket(priority="urgent"), desk.ticket(priority="low")
    desk.api(desk.agent).post(f"/api/v1/tickets/{b['id']}/assignment", {"assignee": desk.agent.username})
    with clock.frozen(T0 + timedelta(minutes=5)):
        api = desk.api(desk.agent)
        assert [t["id"] for t in api.get("/api/v1/tickets", view="mine").json()["tickets"]] == [b["id"]]
        assert [t["id"] for t in api.get("/api/v1/tickets", view="unassigned").json()["tickets"]] == [a["id"]]
        assert [t["id"] for t in api.get("/api/v1/tickets", view="breaching").json()["tickets"]] == [a["id"]]
