"""Incidents API: declare (by hand or from tickets), update, timeline notes, roles, tasks, postmortem."""
from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment
from trustops.support.incidents import selectors, services

router = Router(tags=["support"])
SeverityIn = Literal["sev1", "sev2", "sev3", "sev4"]
Name = Field(max_length=64)


class IncidentIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    severity: SeverityIn
    summary: str = Field("", max_length=10_000)
    affected_tools: list[str] = Field(default_factory=list, max_length=50)
    affected_queues: list[str] = Field(default_factory=list, max_length=50)
    affected_regions: list[str] = Field(default_factory=list, max_length=50)
    ticket_ids: list[Id] = Field(default_factory=list, max_length=500)
    commander: str | None = Field(None, max_length=150)
    scribe: str | None = Field(None, max_length=150)
    liaison: str | None = Field(None, max_length=150)
    pause_queue_sla: bool = False


class UpdateIn(Schema):
    text: str = Field(min_length=1, max_length=5_000)
    status: Literal["active", "stable", "closed"] | None = None


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=10_000)
    pinned: bool = False


class RolesIn(Schema):
    commander: str | None = Field(None, max_length=150)
    scribe: str | None = Field(None, max_length=150)
    liaison: str | None = Field(None, max_length=150)


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=150)
    due_at: Moment


class CauseIn(Schema):
    category: Literal["product_tech", "process", "policy"]
    description: str = Field(min_length=1, max_length=5_000)


class ActionItemIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=150)
    due_date: date


class PostmortemIn(Schema):
    summary: str = Field(min_length=1, max_length=20_000)
    root_causes: list[CauseIn] = Field(min_length=1, max_length=50)
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=50)


class EntryOut(Schema):
    id: int
    kind: str
    text: str
    actor: str | None
    ticket_id: int | None
    at: datetime
    pinned: bool


class IncidentOut(Schema):
    id: int
    title: str
    summary: str
    severity: str
    status: str
    source: str
    affected_tools: list[str]
    affected_queues: list[str]
    affected_regions: list[str]
    pause_queue_sla: bool
    commander: str | None
    scribe: str | None
    liaison: str | None
    declared_at: datetime
    ticket_ids: list[int]
    timeline: list[EntryOut]
    tasks: list[dict]
    postmortem: dict | None


def _name(user):
    return user.username if user else None


def shown(incident) -> dict:
    postmortem = getattr(incident, "postmortem", None) if hasattr(incident, "postmortem") else None
    return {
        "id": incident.pk, "title": incident.title, "summary": incident.summary, "severity": incident.severity,
        "status": incident.status, "source": incident.source, "affected_tools": incident.affected_tools,
        "affected_queues": incident.affected_queues, "affected_regions": incident.affected_regions,
        "pause_queue_sla": incident.pause_queue_sla, "commander": _name(incident.commander),
        "scribe": _name(incident.scribe), "liaison": _name(incident.liaison), "declared_at": incident.declared_at,
        "ticket_ids": sorted(incident.tickets.values_list("pk", flat=True)),
        "timeline": [{"id": e.pk, "kind": e.kind, "text": e.text, "actor": _name(e.actor), "ticket_id": e.ticket_id,
                      "at": e.at, "pinned": e.pinned} for e in selectors.timeline(incident)],
        "tasks": [{"id": t.pk, "title": t.title, "owner": t.owner.username, "due_at": t.due_at.isoformat(),
                   "done": t.done_at is not None} for t in incident.tasks.select_related("owner").order_by("due_at")],
        "postmortem": None if postmortem is None else {
            "summary": postmortem.summary,
            "root_causes": [{"category": c.category, "description": c.description}
                            for c in postmortem.root_causes.order_by("pk")],
            "action_items": [{"id": a.pk, "title": a.title, "owner": a.owner.username,
                              "due_date": a.due_date.isoformat(), "done": a.done_at is not None}
                             for a in postmortem.action_items.select_related("owner").order_by("pk")]},
    }


def _read(request, incident_id: int) -> dict:
    return shown(selectors.get_incident(request.auth, incident_id))


@router.post("/incidents", response={201: IncidentOut}, auth=scope("tickets:write"),
             summary="Declare an incident, by hand or from a cluster of tickets (one transaction)")
def declare(request, body: IncidentIn):
    incident = services.declare(actor=request.auth, **body.dict())
    return Status(201, _read(request, incident.pk))


@router.get("/incidents", response=list[IncidentOut], auth=scope("tickets:read"), summary="Live incidents")
def live(request):
    return [shown(i) for i in selectors.live_incidents(request.auth)]


@router.get("/incidents/{incident_id}", response=IncidentOut, auth=scope("tickets:read"))
def read(request, incident_id: Id):
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/updates", response=IncidentOut, auth=scope("tickets:write"),
             summary="A status update to the subscribers, optionally moving the status")
def update(request, incident_id: Id, body: UpdateIn):
    services.post_update(actor=request.auth, incident_id=incident_id, text=body.text, status=body.status)
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/notes", response=IncidentOut, auth=scope("tickets:write"))
def note(request, incident_id: Id, body: NoteIn):
    services.add_note(actor=request.auth, incident_id=incident_id, text=body.text, pinned=body.pinned)
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/roles", response=IncidentOut, auth=scope("tickets:write"))
def roles(request, incident_id: Id, body: RolesIn):
    services.set_roles(actor=request.auth, incident_id=incident_id, **body.dict())
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/tickets/{ticket_id}", response=IncidentOut, auth=scope("tickets:write"),
             summary="Link a ticket to the incident")
def link(request, incident_id: Id, ticket_id: Id):
    services.link_ticket(actor=request.auth, incident_id=incident_id, ticket_id=ticket_id)
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/subscription", response=IncidentOut, auth=scope("tickets:read"))
def subscribe(request, incident_id: Id):
    services.subscribe(actor=request.auth, incident_id=incident_id)
    return _read(request, incident_id)


@router.post("/incidents/{incident_id}/tasks", response=IncidentOut, auth=scope("tickets:write"))
def task(request, incident_id: Id, body: TaskIn):
    services.add_task(actor=request.auth, incident_id=incident_id, **body.dict())
    return _read(request, incident_id)


@router.post("/incident-tasks/{task_id}/done", response={204: None}, auth=scope("tickets:write"))
def task_done(request, task_id: Id):
    services.complete_task(actor=request.auth, task_id=task_id)
    return Status(204, None)


@router.post("/incidents/{incident_id}/postmortem", response=IncidentOut, auth=scope("tickets:write"))
def postmortem(request, incident_id: Id, body: PostmortemIn):
    data = body.dict()
    services.write_postmortem(actor=request.auth, incident_id=incident_id, summary=data["summary"],
                              root_causes=data["root_causes"], action_items=data["action_items"])
    return _read(request, incident_id)


@router.post("/action-items/{item_id}/done", response={204: None}, auth=scope("tickets:write"))
def action_item_done(request, item_id: Id):
    services.complete_action_item(actor=request.auth, item_id=item_id)
    return Status(204, None)
