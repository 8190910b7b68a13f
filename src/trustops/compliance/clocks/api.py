"""Legal requests and orders: open one, the board of clocks, withdraw."""
from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.compliance.clocks import selectors, services
from trustops.compliance.statements.api import require_compliance
from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment

router = Router(tags=["compliance"])


class RequesterIn(Schema):
    name: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=300)
    signature: str = Field(default="", max_length=300)
    good_faith_statement: str = Field(default="", max_length=2000)


class LegalRequestIn(Schema):
    kind: Literal["ncii", "removal_order", "authority_order"]
    subject_type: str = Field(max_length=16)
    external_id: str = Field(max_length=200)
    received_at: Moment | None = None
    deadline_hours: float | None = Field(default=None, gt=0, le=24 * 365)
    reference: str = Field(default="", max_length=200)
    authority: str = Field(default="", max_length=200)
    member_state: str = Field(default="", max_length=8)
    requester: RequesterIn | None = None


class ClockOut(Schema):
    id: int
    kind: str
    status: str
    subject_type: str
    subject_external_id: str
    case_id: int | None
    reference: str
    authority: str
    started_at: datetime
    due_at: datetime
    remaining_seconds: int
    percent_used: int
    escalated_half_at: datetime | None
    escalated_late_at: datetime | None
    breached_at: datetime | None
    handled_at: datetime | None
    copies: list[int]


def clock_out(row: selectors.ClockRow) -> dict:
    c = row.clock
    return {"id": c.pk, "kind": c.kind, "status": c.status, "subject_type": c.subject.type,
            "subject_external_id": c.subject.external_id, "case_id": c.case_id, "reference": c.reference,
            "authority": c.authority, "started_at": c.started_at, "due_at": c.due_at,
            "remaining_seconds": row.remaining_seconds, "percent_used": row.percent_used,
            "escalated_half_at": c.escalated_half_at, "escalated_late_at": c.escalated_late_at,
            "breached_at": c.breached_at, "handled_at": c.handled_at, "copies": c.copies}


def _row(viewer, clock_id: int) -> dict:
    return clock_out(selectors.row_of(selectors.get(viewer, clock_id)))


@router.post("/compliance/legal-requests", response={201: ClockOut}, auth=scope("compliance:write"),
             summary="Record an NCII removal request, a removal order or another authority order; its clock starts")
def post_legal_request(request, body: LegalRequestIn):
    require_compliance(request.auth)
    data = body.dict()
    requester = data.pop("requester") or {}
    opened = services.open_legal_request(actor=request.auth, requester=requester, **data)
    return Status(201, _row(request.auth, opened.pk))


@router.get("/compliance/legal-clocks", response=list[ClockOut], auth=scope("compliance:read"),
            summary="The board of legal clocks, soonest due first (running ones unless all=true)")
def list_clocks(request, all: bool = False):
    return [clock_out(r) for r in selectors.board(request.auth, running_only=not all)]


@router.get("/compliance/legal-clocks/{clock_id}", response=ClockOut, auth=scope("compliance:read"))
def get_clock(request, clock_id: Id):
    return _row(request.auth, clock_id)


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/compliance/legal-clocks/{clock_id}/withdraw", response=ClockOut, auth=scope("compliance:write"),
             summary="The requester or authority withdrew it: the clock stops")
def post_withdraw(request, clock_id: Id, body: WithdrawIn):
    require_compliance(request.auth)
    selectors.get(request.auth, clock_id)
    services.withdraw(clock_id=clock_id, reason=body.reason, actor=request.auth)
    return _row(request.auth, clock_id)
