"""API for root-cause analyses: record, list, change and move them along."""
from datetime import date, datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel import clock
from trustops.kernel.inputs import Id
from trustops.quality.rca import selectors, services

router = Router(tags=["quality"])

Category = Literal["product_tech", "process", "policy", "human_training"]
RcaStatusName = Literal["open", "in_progress", "done"]


class RcaIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    category: Category
    root_cause: str = Field(min_length=1, max_length=10_000)
    corrective_action: str = Field(min_length=1, max_length=10_000)
    owner: str = Field(min_length=1, max_length=150, description="Username of the person who owns the action")
    due_date: date
    audit_ids: list[int] = Field(default=[], max_length=services.MAX_LINKED_AUDITS)
    status: RcaStatusName = "open"


class RcaPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    category: Category | None = None
    root_cause: str | None = Field(default=None, min_length=1, max_length=10_000)
    corrective_action: str | None = Field(default=None, min_length=1, max_length=10_000)
    owner: str | None = Field(default=None, min_length=1, max_length=150)
    due_date: date | None = None
    audit_ids: list[int] | None = Field(default=None, max_length=services.MAX_LINKED_AUDITS,
                                        description="Replaces the linked audits you can see")


class RcaStatusIn(Schema):
    status: RcaStatusName
    note: str = Field(default="", max_length=5000)


class RcaOut(Schema):
    rca_id: Id
    title: str
    category: str
    root_cause: str
    corrective_action: str
    owner: str
    due_date: date
    status: str
    overdue: bool
    days_overdue: int
    audit_ids: list[int]
    created_by: str
    created_at: datetime
    closed_at: datetime | None


class RcaListQuery(Schema):
    status: RcaStatusName | None = None
    category: Category | None = None
    owner: str | None = None
    overdue: bool | None = None
    audit_id: Id | None = None
    limit: int = Field(default=100, ge=1, le=500)


def _rca_out(rca, audit_ids: list[int]) -> dict:
    today = clock.now().date()
    overdue = selectors.is_overdue(rca, today)
    return {"rca_id": rca.pk, "title": rca.title, "category": rca.category, "root_cause": rca.root_cause,
            "corrective_action": rca.corrective_action, "owner": rca.owner.username, "due_date": rca.due_date,
            "status": rca.status, "overdue": overdue, "days_overdue": (today - rca.due_date).days if overdue else 0,
            "audit_ids": audit_ids, "created_by": rca.created_by.username, "created_at": rca.created_at,
            "closed_at": rca.closed_at}


def _one(user, rca_id: Id) -> dict:
    rca = selectors.get_rca(user, rca_id)
    return _rca_out(rca, list(selectors.linked_audits(user, rca).values_list("pk", flat=True)))


@router.post("/qa/rcas", response={201: RcaOut}, auth=scope("quality:write"),
             summary="Record a root-cause analysis: category, cause, corrective action, owner, due date, audits",
             operation_id="trustops_quality_rca_api_post_rca")
def post_rca(request, body: RcaIn):
    fields = services.RcaFields(**body.dict(exclude={"status"}))
    rca = services.create_rca(actor=request.auth, fields=fields, status=body.status)
    return Status(201, _one(request.auth, rca.pk))


@router.get("/qa/rcas", response=list[RcaOut], auth=scope("quality:read"),
            summary="Root-cause analyses you may see, soonest due first; `overdue=true` for the late ones",
            operation_id="trustops_quality_rca_api_list_rcas")
def list_rcas(request, q: Query[RcaListQuery]):
    rcas = selectors.list_rcas(request.auth, **q.dict())
    linked = selectors.linked_audit_ids(request.auth, rcas)
    return [_rca_out(rca, linked[rca.pk]) for rca in rcas]


@router.get("/qa/rcas/{rca_id}", response=RcaOut, auth=scope("quality:read"),
            operation_id="trustops_quality_rca_api_read_rca")
def read_rca(request, rca_id: Id):
    return _one(request.auth, rca_id)


@router.patch("/qa/rcas/{rca_id}", response=RcaOut, auth=scope("quality:write"),
              summary="Change an open RCA; `audit_ids` replaces the linked audits you can see",
              operation_id="trustops_quality_rca_api_patch_rca")
def patch_rca(request, rca_id: Id, body: RcaPatch):
    services.update_rca(actor=request.auth, rca_id=rca_id,
                        fields=services.RcaFields(**body.dict(exclude_unset=True)))
    return _one(request.auth, rca_id)


@router.post("/qa/rcas/{rca_id}/status", response=RcaOut, auth=scope("quality:write"),
             summary="QA or the RCA's owner moves it: open, in_progress, done (or back, to reopen it)",
             operation_id="trustops_quality_rca_api_post_rca_status")
def post_rca_status(request, rca_id: Id, body: RcaStatusIn):
    services.set_rca_status(actor=request.auth, rca_id=rca_id, status=body.status, note=body.note)
    return _one(request.auth, rca_id)
