"""Incidents: declared in one transaction (never half-created), a timeline that follows its tickets, status
updates to subscribers, tasks, and a postmortem whose action items are followed to done."""
from datetime import date, datetime

from django.db import transaction

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.review.models import Queue
from trustops.support.models import (
    POSTMORTEM_CAUSES,
    ActionItem,
    Incident,
    IncidentStatus,
    IncidentTask,
    Postmortem,
    RootCause,
    Severity,
    Ticket,
    TimelineEntry,
    TimelineKind,
)

MAX_LIST = 50
NEXT_STATUS = {IncidentStatus.ACTIVE: {IncidentStatus.STABLE, IncidentStatus.CLOSED},
               IncidentStatus.STABLE: {IncidentStatus.ACTIVE, IncidentStatus.CLOSED},
               IncidentStatus.CLOSED: set()}


def _runner(actor) -> None:
    if not access.runs_incidents(actor):
        raise Forbidden("incident_roles_only", "Only the support desk, engineering and leads run incidents.")


def _text(name: str, value: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"missing_{name}", f"{name.capitalize()} is required.", field=name)
    if len(value) > limit:
        raise Invalid("too_long", f"{name} is at most {limit:,} characters.", field=name)
    return value


def _names(name: str, values, limit: int = 64) -> list[str]:
    values = list(values or [])
    if len(values) > MAX_LIST:
        raise Invalid("too_many", f"At most {MAX_LIST} {name}.", field=name)
    out = []
    for value in values:
        value = (value or "").strip()
        if not value or len(value) > limit:
            raise Invalid("invalid_name", f"Each of {name} is 1 to {limit} characters.", field=name)
        out.append(value)
    return sorted(set(out))


def _person(field: str, username: str | None) -> User | None:
    if not username:
        return None
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise Invalid("unknown_user", f"No active user {username!r}.", field=field)
    return person


def _entry(incident: Incident, kind: str, text: str, *, actor=None, ticket=None, now=None, pinned=False):
    v = access.viewer(actor) if actor is not None and not isinstance(actor, str) else None
    return TimelineEntry.objects.create(incident=incident, kind=kind, text=text[:10_000],
                                        actor_id=v.user_id if v else None, ticket=ticket,
                                        at=now or clock.now(), pinned=pinned)


@transaction.atomic
def declare(*, actor, title: str, severity: str, summary: str = "", affected_tools=(), affected_queues=(),
            affected_regions=(), ticket_ids=(), commander: str | None = None, scribe: str | None = None,
            liaison: str | None = None, source: str = "manual", pause_queue_sla: bool = False) -> Incident:
    """Everything an incident starts with, in one transaction: the incident, its roles, linked tickets, the
    first timeline entries, the ledger event and the outbox message. A bad part refuses all of it."""
    if actor is not None and not isinstance(actor, str):
        _runner(actor)
    if severity not in Severity.values:
        raise Invalid("unknown_severity", f"One of {', '.join(Severity.values)}.", field="severity")
    queues = _names("affected_queues", affected_queues)
    known = set(Queue.objects.filter(key__in=queues).values_list("key", flat=True))
    if set(queues) - known:
        raise Invalid("unknown_queue", f"No queue {sorted(set(queues) - known)[0]!r}.", field="affected_queues")
    ticket_ids = sorted(set(ticket_ids or []))
    if len(ticket_ids) > 500:
        raise Invalid("too_many_tickets", "At most 500 tickets per declaration.", field="ticket_ids")
    tickets = list(Ticket.objects.select_for_update().filter(pk__in=ticket_ids)) if ticket_ids else []
    if actor is not None and not isinstance(actor, str) and ticket_ids:
        from trustops.support.tickets.selectors import tickets_visible_to
        visible = set(tickets_visible_to(actor).filter(pk__in=ticket_ids).values_list("pk", flat=True))
        if set(ticket_ids) - visible:
            raise NotFound("ticket_not_found", f"No ticket {sorted(set(ticket_ids) - visible)[0]}.",
                           field="ticket_ids")
    now = clock.now()
    declarer = None if actor is None or isinstance(actor, str) else User.objects.get(pk=access.viewer(actor).user_id)
    incident = Incident.objects.create(
        title=_text("title", title, 200), summary=_text("summary", summary, 10_000, required=False),
        severity=severity, source=_text("source", source or "manual", 64),
        affected_tools=_names("affected_tools", affected_tools), affected_queues=queues,
        affected_regions=_names("affected_regions", affected_regions, 8), pause_queue_sla=bool(pause_queue_sla),
        commander=_person("commander", commander) or declarer, scribe=_person("scribe", scribe),
        liaison=_person("liaison", liaison), declared_by=declarer, declared_at=now,
        active_periods=[[now.isoformat(), None]])
    if declarer:
        incident.subscribers.add(declarer)
    _entry(incident, TimelineKind.DECLARED, f"Declared {incident.get_severity_display()}: {incident.title}",
           actor=actor, now=now, pinned=True)
    for ticket in tickets:
        ticket.incident = incident
        ticket.save(update_fields=["incident"])
        _entry(incident, TimelineKind.TICKET_LINKED, f"Ticket #{ticket.pk} linked: {ticket.subject}",
               actor=actor, ticket=ticket, now=now)
    payload = {"incident_id": incident.pk, "title": incident.title, "severity": severity, "source": incident.source,
               "affected_queues": queues, "ticket_ids": ticket_ids}
    ledger.record("support.incident_declared", actor=actor, payload=payload)
    outbox.enqueue("support.incident_declared", payload)
    return incident


def _periods_after(periods: list, status: str, now) -> list:
    """The active spans once the incident moves to `status`: back to active opens a span, anything else ends the
    one running."""
    periods = [list(p) for p in periods or []]
    running = bool(periods) and periods[-1][1] is None
    if status == IncidentStatus.ACTIVE and not running:
        periods.append([now.isoformat(), None])
    elif status != IncidentStatus.ACTIVE and running:
        periods[-1][1] = now.isoformat()
    return periods


def _locked(actor, incident_id: int) -> Incident:
    from trustops.support.incidents.selectors import get_incident
    get_incident(actor, incident_id)
    return Incident.objects.select_for_update().get(pk=incident_id)


@transaction.atomic
def link_ticket(*, actor, incident_id: int, ticket_id: int) -> Incident:
    _runner(actor)
    incident = _locked(actor, incident_id)
    from trustops.support.tickets.selectors import get_ticket
    ticket = get_ticket(actor, ticket_id)
    if ticket.incident_id == incident.pk:
        return incident
    ticket.incident = incident
    ticket.save(update_fields=["incident"])
    _entry(incident, TimelineKind.TICKET_LINKED, f"Ticket #{ticket.pk} linked: {ticket.subject}", actor=actor,
           ticket=ticket)
    ledger.record("support.incident_ticket_linked", actor=actor, payload={"incident_id": incident.pk,
                                                                         "ticket_id": ticket.pk})
    return incident


def note_ticket_event(ticket: Ticket, text: str, *, now=None) -> None:
    """A linked ticket's change, added to the timeline on its own (inside the ticket's transaction)."""
    incident = Incident.objects.filter(pk=ticket.incident_id).first()
    if incident is not None:
        _entry(incident, TimelineKind.UPDATE, text, ticket=ticket, now=now)


@transaction.atomic
def add_note(*, actor, incident_id: int, text: str, pinned: bool = False) -> TimelineEntry:
    _runner(actor)
    incident = _locked(actor, incident_id)
    entry = _entry(incident, TimelineKind.NOTE, _text("text", text, 10_000), actor=actor, pinned=pinned)
    ledger.record("support.incident_note_added", actor=actor, payload={"incident_id": incident.pk,
                                                                      "entry_id": entry.pk})
    return entry


@transaction.atomic
def post_update(*, actor, incident_id: int, text: str, status: str | None = None) -> Incident:
    """A status update: on the timeline, to every subscriber (a notification) and out (the outbox)."""
    _runner(actor)
    incident = _locked(actor, incident_id)
    text = _text("text", text, 5_000)
    now = clock.now()
    if status and status != incident.status:
        if status not in IncidentStatus.values:
            raise Invalid("unknown_status", f"One of {', '.join(IncidentStatus.values)}.", field="status")
        if status not in NEXT_STATUS[incident.status]:
            raise Conflict("invalid_transition", f"An incident cannot go from {incident.status} to {status}.")
        incident.status = status
        if status == IncidentStatus.STABLE:
            incident.stable_at = now
        if status == IncidentStatus.CLOSED:
            incident.closed_at = now
        incident.active_periods = _periods_after(incident.active_periods, status, now)
        incident.save()
        _entry(incident, TimelineKind.STATUS, f"Status: {status}", actor=actor, now=now)
    _entry(incident, TimelineKind.UPDATE, text, actor=actor, now=now)
    recipients = list(incident.subscribers.values_list("pk", flat=True))
    identity.notify_many([identity.NotificationDraft(
        recipient_id=r, kind="support.incident_update", topic="incident", topic_id=incident.pk,
        title=f"Incident #{incident.pk} ({incident.status}): {incident.title}"[:200], body=text[:2000])
        for r in recipients])
    payload = {"incident_id": incident.pk, "status": incident.status, "text": text}
    ledger.record("support.incident_updated", actor=actor, payload=payload)
    outbox.enqueue("support.incident_updated", payload)
    return incident


@transaction.atomic
def subscribe(*, actor, incident_id: int) -> Incident:
    incident = _locked(actor, incident_id)
    incident.subscribers.add(access.viewer(actor).user_id)
    return incident


@transaction.atomic
def set_roles(*, actor, incident_id: int, commander=None, scribe=None, liaison=None) -> Incident:
    _runner(actor)
    incident = _locked(actor, incident_id)
    for role, username in (("commander", commander), ("scribe", scribe), ("liaison", liaison)):
        if username:
            person = _person(role, username)
            setattr(incident, role, person)
            incident.subscribers.add(person)
            _entry(incident, TimelineKind.ROLE, f"{role.capitalize()}: {person.username}", actor=actor)
    incident.save()
    ledger.record("support.incident_roles_set", actor=actor, payload={
        "incident_id": incident.pk, "commander": commander, "scribe": scribe, "liaison": liaison})
    return incident


@transaction.atomic
def add_task(*, actor, incident_id: int, title: str, owner: str, due_at: datetime) -> IncidentTask:
    _runner(actor)
    incident = _locked(actor, incident_id)
    person = _person("owner", owner)
    if person is None:
        raise Invalid("missing_owner", "A task needs an owner.", field="owner")
    task = IncidentTask.objects.create(incident=incident, title=_text("title", title, 200), owner=person,
                                       due_at=due_at)
    _entry(incident, TimelineKind.TASK, f"Task for {person.username}: {task.title}", actor=actor)
    ledger.record("support.incident_task_added", actor=actor, payload={"incident_id": incident.pk,
                                                                      "task_id": task.pk})
    return task


@transaction.atomic
def complete_task(*, actor, task_id: int) -> IncidentTask:
    task = IncidentTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound("task_not_found", "No such task.")
    _locked(actor, task.incident_id)
    v = access.viewer(actor)
    if task.owner_id != v.user_id and not access.runs_incidents(actor):
        raise Forbidden("not_task_owner", "Only the task's owner or the incident team completes it.")
    if task.done_at is None:
        task.done_at = clock.now()
        task.save()
        _entry(task.incident, TimelineKind.TASK, f"Task done: {task.title}", actor=actor)
        ledger.record("support.incident_task_done", actor=actor, payload={"task_id": task.pk})
    return task


@transaction.atomic
def write_postmortem(*, actor, incident_id: int, summary: str, root_causes: list[dict],
                     action_items: list[dict]) -> Postmortem:
    """Root causes classified product/tech, process or policy (quality's RCA taxonomy) and action items with
    owners and due dates; once per incident, after it is stable or closed."""
    _runner(actor)
    incident = _locked(actor, incident_id)
    if incident.status == IncidentStatus.ACTIVE:
        raise Conflict("incident_active", "Stabilise the incident before its postmortem.")
    if Postmortem.objects.filter(incident=incident).exists():
        raise Conflict("postmortem_exists", "This incident already has its postmortem.")
    if not root_causes:
        raise Invalid("missing_root_causes", "Name at least one root cause.", field="root_causes")
    if len(root_causes) > MAX_LIST or len(action_items) > MAX_LIST:
        raise Invalid("too_many", f"At most {MAX_LIST} causes and {MAX_LIST} action items.", field="root_causes")
    allowed = [c.value for c in POSTMORTEM_CAUSES]
    v = access.viewer(actor)
    postmortem = Postmortem.objects.create(incident=incident, summary=_text("summary", summary, 20_000),
                                           author_id=v.user_id, created_at=clock.now())
    for index, cause in enumerate(root_causes):
        if cause.get("category") not in allowed:
            raise Invalid("unknown_rca_category", f"One of {', '.join(allowed)}.",
                          field=f"root_causes.{index}.category")
        RootCause.objects.create(postmortem=postmortem, category=cause["category"],
                                 description=_text("description", cause.get("description", ""), 5_000))
    for index, item in enumerate(action_items):
        owner = _person(f"action_items.{index}.owner", item.get("owner"))
        due = item.get("due_date")
        if owner is None or not isinstance(due, date):
            raise Invalid("invalid_action_item", "An action item needs an owner and a due date.",
                          field=f"action_items.{index}")
        ActionItem.objects.create(postmortem=postmortem, title=_text("title", item.get("title", ""), 200),
                                  owner=owner, due_date=due)
    _entry(incident, TimelineKind.POSTMORTEM, "Postmortem written.", actor=actor, pinned=True)
    ledger.record("support.postmortem_written", actor=actor, payload={
        "incident_id": incident.pk, "postmortem_id": postmortem.pk,
        "root_causes": [c["category"] for c in root_causes], "action_items": len(action_items)})
    return postmortem


@transaction.atomic
def complete_action_item(*, actor, item_id: int) -> ActionItem:
    item = ActionItem.objects.select_for_update().select_related("postmortem").filter(pk=item_id).first()
    if item is None:
        raise NotFound("action_item_not_found", "No such action item.")
    _locked(actor, item.postmortem.incident_id)
    v = access.viewer(actor)
    if item.owner_id != v.user_id and not access.runs_incidents(actor):
        raise Forbidden("not_item_owner", "Only the owner or the incident team completes an action item.")
    if item.done_at is None:
        item.done_at = clock.now()
        item.save()
        ledger.record("support.action_item_done", actor=actor, payload={"action_item_id": item.pk})
    return item
