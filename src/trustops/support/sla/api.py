"""SLA policies API: read and change targets and pause rules (changes recompute open tickets from their
pause logs); the attainment report."""

from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Forbidden
from trustops.kernel.inputs import Id, Moment
from trustops.support.models import SlaPolicy, Ticket
from trustops.support.sla import services

router = Router(tags=["support"])
Target = Field(None, ge=60, le=90 * 24 * 3600)


class SlaPolicyOut(Schema):
    id: int
    name: str
    priority: str
    category: str
    calendar: str
    first_response_seconds: int
    next_reply_seconds: int
    resolution_seconds: int
    pause_on_hold: bool
    warn_seconds: int
    version: int


class PolicyPatch(Schema):
    first_response_seconds: int | None = Target
    next_reply_seconds: int | None = Target
    resolution_seconds: int | None = Target
    warn_seconds: int | None = Target
    pause_on_hold: bool | None = None
    calendar: str | None = Field(None, max_length=64)


class PolicyIn(Schema):
    priority: Literal["low", "normal", "high", "urgent"]
    category: Literal["tool_malfunction", "access", "policy_question", "data_request", "bug"]
    calendar: str = Field(min_length=1, max_length=64)
    first_response_seconds: int = Field(ge=60, le=90 * 24 * 3600)
    next_reply_seconds: int = Field(ge=60, le=90 * 24 * 3600)
    resolution_seconds: int = Field(ge=60, le=90 * 24 * 3600)
    warn_seconds: int = Field(15 * 60, ge=60, le=90 * 24 * 3600)
    pause_on_hold: bool = True


class AttainmentQuery(Schema):
    since: Moment
    until: Moment


class AttainmentOut(Schema):
    first_response: dict
    resolution: dict


def _desk(request):
    if not access.works_support_desk(request.auth):
        raise Forbidden("support_desk_only", "SLA policies are the support desk's.")


def _policy(p) -> dict:
    return {"id": p.pk, "name": p.name, "priority": p.priority, "category": p.category, "calendar": p.calendar.key,
            "first_response_seconds": p.first_response_seconds, "next_reply_seconds": p.next_reply_seconds,
            "resolution_seconds": p.resolution_seconds, "pause_on_hold": p.pause_on_hold,
            "warn_seconds": p.warn_seconds, "version": p.version}


@router.get("/support/sla-policies", response=list[SlaPolicyOut], auth=scope("tickets:read"))
def policies(request):
    _desk(request)
    services.ensure_defaults()
    return [_policy(p) for p in SlaPolicy.objects.select_related("calendar").order_by("priority", "category")]


@router.post("/support/sla-policies", response={201: SlaPolicyOut}, auth=scope("tickets:write"),
             summary="A policy for one priority and category; its open tickets are moved onto it and recomputed")
def create(request, body: PolicyIn):
    _desk(request)
    return Status(201, _policy(services.create_policy(actor=request.auth, **body.dict())))


@router.patch("/support/sla-policies/{policy_id}", response=SlaPolicyOut, auth=scope("tickets:write"),
              summary="Change a policy; open tickets under it are recomputed from their pause logs")
def change(request, policy_id: Id, body: PolicyPatch):
    _desk(request)
    return _policy(services.update_policy(policy_id=policy_id, actor=request.auth, **body.dict()))


@router.get("/support/sla-attainment", response=AttainmentOut, auth=scope("tickets:read"),
            summary="Targets met and breached, over tickets created in the period")
def attainment(request, q: Query[AttainmentQuery]):
    _desk(request)
    return services.attainment(Ticket.objects.filter(created_at__gte=q.since, created_at__lt=q.until))
