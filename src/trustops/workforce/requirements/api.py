"""The requirements API: file, list, read, approve, reject."""
from datetime import date, datetime
from typing import Annotated

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.requirements import selectors, services

router = Router(tags=["workforce planning"])
Key = Annotated[str, Field(max_length=64)]
Tag = Annotated[str, Field(max_length=40)]


class RequirementIn(Schema):
    title: str = Field(max_length=200)
    queues: list[Key] = Field(min_length=1, max_length=services.MAX_QUEUES)
    daily_volume: float | None = Field(default=None, description="Expected decisions per day; or a forecast")
    forecast_id: Id | None = None
    aht_seconds: float
    sla_seconds: int
    service_level: float = 0.9
    shrinkage: float = 0.3
    languages: list[Tag] = Field(default_factory=list, max_length=20)
    skills: list[Tag] = Field(default_factory=list, max_length=20)
    starts_on: date
    duration_days: int


class ProposalRow(Schema):
    vendor_id: int | None
    vendor: str
    headcount: int
    cost_per_correct: float | None = None
    capacity: int | None = None
    accuracy: float | None = None
    reason: str


class RequirementOut(Schema):
    id: int
    title: str
    status: str
    queues: list[str]
    requested_by: str
    daily_volume: float | None
    forecast_id: int | None
    aht_seconds: float
    sla_seconds: int
    service_level: float
    shrinkage: float
    languages: list[str]
    skills: list[str]
    starts_on: date
    duration_days: int
    agents: int
    headcount: int
    proposal: list[ProposalRow]
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime


def requirement_out(r) -> dict:
    return {"id": r.pk, "title": r.title, "status": r.status, "queues": sorted(q.key for q in r.queues.all()),
            "requested_by": r.requested_by.username, "daily_volume": r.daily_volume, "forecast_id": r.forecast_id,
            "aht_seconds": r.aht_seconds, "sla_seconds": r.sla_seconds, "service_level": r.service_level,
            "shrinkage": r.shrinkage, "languages": r.languages, "skills": r.skills, "starts_on": r.starts_on,
            "duration_days": r.duration_days, "agents": r.agents, "headcount": r.headcount, "proposal": r.proposal,
            "decided_by": r.decided_by.username if r.decided_by else None, "decided_at": r.decided_at,
            "decision_note": r.decision_note, "created_at": r.created_at}


class RequirementDecisionIn(Schema):
    note: str = Field(default="", max_length=500)


@router.post("/workforce/requirements", response={201: RequirementOut}, auth=scope("workforce:write"),
             summary="File a staffing requirement: sized in headcount and proposed across vendors by cost per "
                     "correct decision within their capacity. Every problem with the input is listed")
def post_requirement(request, body: RequirementIn):
    data = services.RequirementInput(**{**body.model_dump(), "languages": tuple(body.languages),
                                        "skills": tuple(body.skills)})
    return Status(201, requirement_out(services.file_requirement(actor=request.auth, data=data)))


@router.get("/workforce/requirements", response=list[RequirementOut], auth=scope("workforce:read"))
def list_requirements(request, status: Annotated[str | None, Field(max_length=12)] = None):
    rows = selectors.requirements_visible_to(request.auth).prefetch_related("queues")
    if status:
        rows = rows.filter(status=status)
    return [requirement_out(r) for r in rows[:200]]


@router.get("/workforce/requirements/{requirement_id}", response=RequirementOut, auth=scope("workforce:read"))
def get_requirement(request, requirement_id: Id):
    return requirement_out(selectors.get_requirement(request.auth, requirement_id))


@router.post("/workforce/requirements/{requirement_id}/approve", response=RequirementOut,
             auth=scope("workforce:write"),
             summary="Approve: the proposed vendors are assigned to the queues, an addendum recorded for each")
def approve_requirement(request, requirement_id: Id, body: RequirementDecisionIn):
    return requirement_out(services.approve(actor=request.auth, requirement_id=requirement_id, note=body.note))


@router.post("/workforce/requirements/{requirement_id}/reject", response=RequirementOut,
             auth=scope("workforce:write"))
def reject_requirement(request, requirement_id: Id, body: RequirementDecisionIn):
    return requirement_out(services.reject(actor=request.auth, requirement_id=requirement_id, note=body.note))
