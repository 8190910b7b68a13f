"""Incidents: declared from three tickets in one transaction, a timeline that follows them, updates to
subscribers, tasks, a postmortem with quality's RCA classes, and the review queue that shows it."""
from datetime import date, timedelta

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.support_helpers import T0, Desk
from trustops.identity.models import Notification
from trustops.kernel import clock, ports
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import OutboxMessage
from trustops.review import selectors as review
from trustops.review.models import Case
from trustops.review.services import raise_sla_alerts
from trustops.support.incidents import services as incidents
from trustops.support.models import Incident, Ticket, TimelineEntry


@pytest.fixture
def desk(world):
    return Desk(world)


def test_an_incident_from_three_tickets_with_its_timeline_and_postmortem(desk, world):
    tickets = [desk.ticket(subject=f"Queue blank #{n}", person=p)["id"]
               for n, p in enumerate([desk.requester, desk.other, desk.requester])]
    watcher = world.person("watcher", "team_lead")
    declared = desk.api(desk.agent).post("/api/v1/incidents", {
        "title": "Review queue pages blank", "severity": "sev2", "summary": "Queue pages render empty.",
        "affected_tools": ["review-console"], "affected_queues": ["general-us"], "affected_regions": ["US"],
        "ticket_ids": tickets, "scribe": watcher.username})
    assert declared.status_code == 201, declared.content
    incident = declared.json()
    assert incident["commander"] == desk.agent.username and incident["ticket_ids"] == sorted(tickets)
    assert [e["kind"] for e in incident["timeline"]] == ["declared", "ticket_linked", "ticket_linked", "ticket_linked"]
    assert OutboxMessage.objects.filter(kind="support.incident_declared").count() == 1

    api = desk.api(desk.agent)
    iid = incident["id"]
    assert api.post(f"/api/v1/incidents/{iid}/subscription").status_code == 200
    desk.api(watcher).post(f"/api/v1/incidents/{iid}/subscription")
    updated = api.post(f"/api/v1/incidents/{iid}/updates", {"text": "Rolled back; watching.", "status": "stable"})
    assert updated.status_code == 200 and updated.json()["status"] == "stable"
    assert Notification.objects.filter(kind="support.incident_update", recipient=watcher.user).count() == 1
    api.post(f"/api/v1/incidents/{iid}/notes", {"text": "Cache key changed in 1.4.1"})
    task = api.post(f"/api/v1/incidents/{iid}/tasks", {"title": "Add a canary", "owner": desk.engineer.username,
                                                       "due_at": (clock.now() + timedelta(days=2)).isoformat()})
    assert task.status_code == 200
    # A linked ticket solved: the timeline says so on its own.
    desk.status(tickets[0], "solved")
    assert TimelineEntry.objects.filter(incident_id=iid, ticket_id=tickets[0], kind="update").exists()

    postmortem = api.post(f"/api/v1/incidents/{iid}/postmortem", {
        "summary": "A cache key change blanked queue pages for 40 minutes.",
        "root_causes": [{"category": "product_tech", "description": "Cache key collision"},
                        {"category": "process", "description": "No canary for console releases"}],
        "action_items": [{"title": "Canary console releases", "owner": desk.engineer.username,
                          "due_date": (date.today() + timedelta(days=14)).isoformat()}]})
    assert postmortem.status_code == 200, postmortem.content
    item = postmortem.json()["postmortem"]["action_items"][0]
    assert not item["done"]
    assert desk.api(desk.engineer).post(f"/api/v1/action-items/{item['id']}/done").status_code == 204
    shown = api.get(f"/api/v1/incidents/{iid}").json()
    assert shown["postmortem"]["action_items"][0]["done"] is True
    assert [c["category"] for c in shown["postmortem"]["root_causes"]] == ["product_tech", "process"]
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds.count("ticket_linked") == 3 and "note" in kinds and "postmortem" in kinds


def test_declaring_is_one_transaction_never_half_created(desk):
    ticket = desk.ticket()["id"]
    bad = desk.api(desk.agent).post("/api/v1/incidents", {
        "title": "Half", "severity": "sev3", "ticket_ids": [ticket], "affected_queues": ["no-such-queue"]})
    assert bad.status_code == 422
    bad_role = desk.api(desk.agent).post("/api/v1/incidents", {
        "title": "Half", "severity": "sev3", "ticket_ids": [ticket], "scribe": "nobody-here"})
    assert bad_role.status_code == 422
    assert not Incident.objects.exists() and not TimelineEntry.objects.exists()
    assert Ticket.objects.get(pk=ticket).incident_id is None
    assert not LedgerEvent.objects.filter(kind="support.incident_declared").exists()


def test_bad_postmortem_classes_and_order_are_refused(desk):
    iid = desk.api(desk.agent).post("/api/v1/incidents", {"title": "x", "severity": "sev4"}).json()["id"]
    body = {"summary": "s", "root_causes": [{"category": "product_tech", "description": "d"}]}
    assert desk.api(desk.agent).post(f"/api/v1/incidents/{iid}/postmortem", body).status_code == 409
    desk.api(desk.agent).post(f"/api/v1/incidents/{iid}/updates", {"text": "ok", "status": "closed"})
    wrong = {"summary": "s", "root_causes": [{"category": "human_training", "description": "d"}]}
    assert desk.api(desk.agent).post(f"/api/v1/incidents/{iid}/postmortem", wrong).status_code == 422
    assert desk.api(desk.agent).post(f"/api/v1/incidents/{iid}/updates",
                                     {"text": "again", "status": "active"}).status_code == 409


def test_an_incident_on_a_review_queue_shows_on_that_queue(desk, world):
    desk.api(desk.agent).post("/api/v1/incidents", {"title": "Routing stalled", "severity": "sev1",
                                                   "affected_queues": ["general-us"], "pause_queue_sla": True})
    moderator = world.moderator("mod-q")
    rows = {row["key"]: row for row in review.queue_overview(moderator.user)}
    assert rows["general-us"]["incidents"][0].title == "Routing stalled"
    assert rows["general-us"]["sla_paused_by_incident"] is True
    assert rows["live"]["incidents"] == []
    page = Client()
    page.force_login(moderator.user)
    assert b"Routing stalled" in page.get("/queues/").content


def test_risk_monitors_open_incidents_through_the_port(desk):
    port = ports.get("support.incidents")
    incident_id = port.declare("Spike in hash matches", "sev2", "Monitor fired", ["general-us"], "risk:monitor-7")
    incident = Incident.objects.get(pk=incident_id)
    assert incident.source == "risk:monitor-7" and incident.affected_queues == ["general-us"]
    assert desk.api(desk.agent).get(f"/api/v1/incidents/{incident_id}").status_code == 200


def test_incidents_are_hidden_from_people_outside_them(desk):
    iid = desk.api(desk.agent).post("/api/v1/incidents", {"title": "x", "severity": "sev4"}).json()["id"]
    assert desk.api(desk.requester).get(f"/api/v1/incidents/{iid}").status_code == 404
    assert desk.api(desk.requester).post("/api/v1/incidents", {"title": "y", "severity": "sev4"}).status_code == 403
    assert desk.api(desk.requester).get("/api/v1/incidents").json() == []


def test_an_incident_configured_to_pause_a_queue_holds_its_cases_sla_clocks(world, desk):
    with clock.frozen(T0):
        filed = world.report(subject=world.subject(region="US"))
    case = Case.objects.select_related("queue").get(pk=filed["case_id"])
    due, declared = case.sla_due_at, T0 + timedelta(hours=1)
    with clock.frozen(declared):
        incident = incidents.declare(actor=desk.agent.user, title="Decision tool down", severity="sev2",
                                     affected_queues=[case.queue.key], pause_queue_sla=True)
    # Long past the stored due time, while the incident is active: the clock stands still, nothing is alerted.
    with clock.frozen(due + timedelta(hours=2)):
        assert raise_sla_alerts() == {"breached": 0, "at_risk": 0}
        assert review.sla_state_of(case, clock.now()) == "paused"
    stable = due + timedelta(hours=3)
    with clock.frozen(stable):
        incidents.post_update(actor=desk.agent.user, incident_id=incident.pk, text="Fixed", status="stable")
    # The due time moved by exactly the time the incident paused it.
    moved = due + (stable - declared)
    with clock.frozen(moved - timedelta(seconds=1)):
        assert review.sla_state_of(case, clock.now()) == "at_risk"
        assert raise_sla_alerts()["breached"] == 0
    with clock.frozen(moved + timedelta(seconds=1)):
        assert review.sla_state_of(case, clock.now()) == "breached"
        assert raise_sla_alerts()["breached"] == 1


def test_an_incident_that_does_not_pause_leaves_the_clocks_running(world, desk):
    with clock.frozen(T0):
        filed = world.report(subject=world.subject(region="US"))
        case = Case.objects.select_related("queue").get(pk=filed["case_id"])
        incidents.declare(actor=desk.agent.user, title="Slow tool", severity="sev3",
                          affected_queues=[case.queue.key])
    with clock.frozen(case.sla_due_at + timedelta(seconds=1)):
        assert raise_sla_alerts()["breached"] == 1


def test_an_incident_back_from_stable_to_active_pauses_again_and_everything_shows_the_moved_due_time(world, desk):
    with clock.frozen(T0):
        filed = world.report(subject=world.subject(region="US"))
    case = Case.objects.select_related("queue").get(pk=filed["case_id"])
    due, queue = case.sla_due_at, case.queue.key
    first, stable, again, closed = (T0 + timedelta(hours=h) for h in (1, 2, 5, 7))
    with clock.frozen(first):
        incident = incidents.declare(actor=desk.agent.user, title="Decision tool down", severity="sev2",
                                     affected_queues=[queue], pause_queue_sla=True)
    with clock.frozen(stable):
        incidents.post_update(actor=desk.agent.user, incident_id=incident.pk, text="Looks fixed", status="stable")
    with clock.frozen(again):
        incidents.post_update(actor=desk.agent.user, incident_id=incident.pk, text="Down again", status="active")
        assert review.sla_state_of(case, clock.now()) == "paused"
    with clock.frozen(closed):
        incidents.post_update(actor=desk.agent.user, incident_id=incident.pk, text="Fixed", status="closed")
    incident.refresh_from_db()
    assert len(incident.active_periods) == 2 and all(end is not None for _, end in incident.active_periods)
    # Paused twice: one hour, then two; the due time moves by the three hours together.
    moved = due + timedelta(hours=3)
    moderator = world.moderator("mod-due")
    with clock.frozen(moved - timedelta(minutes=1)):
        assert review.sla_state_of(case, clock.now()) == "at_risk"
        shown = ApiClient(moderator.token).get(f"/api/v1/cases/{case.pk}").json()
        assert shown["sla_due_at"].replace("Z", "+00:00") == moved.isoformat()
        listed = {c["id"]: c for c in ApiClient(moderator.token).get("/api/v1/cases", queue=queue).json()["cases"]}
        assert listed[case.pk]["sla_due_at"].replace("Z", "+00:00") == moved.isoformat()
        row = {r["key"]: r for r in review.queue_overview(moderator.user)}[queue]
        assert (row["breached"], row["at_sla_risk"]) == (0, 1)
        page = Client()
        page.force_login(moderator.user)
        assert b"SLA due in" in page.get(f"/cases/{case.pk}/").content
    with clock.frozen(moved + timedelta(minutes=1)):
        row = {r["key"]: r for r in review.queue_overview(moderator.user)}[queue]
        assert (row["breached"], row["at_sla_risk"]) == (1, 0)
