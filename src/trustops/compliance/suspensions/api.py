"""Art. 23 suspensions over the API: list, warn, suspend after the warning, lift."""
from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.compliance.statements.api import require_compliance
from trustops.compliance.suspensions import selectors, services
from trustops.identity.auth import scope
from trustops.kernel.inputs import Id

router = Router(tags=["compliance"])


class SuspensionOut(Schema):
    id: int
    kind: str
    party: str
    status: str
    unfounded: int
    reason: str
    warned_at: datetime
    suspended_at: datetime | None
    ends_at: datetime | None
    lifted_at: datetime | None
    lift_reason: str


def suspension_out(s) -> dict:
    return {"id": s.pk, "kind": s.kind, "party": s.party, "status": s.status, "unfounded": s.unfounded,
            "reason": s.reason, "warned_at": s.warned_at, "suspended_at": s.suspended_at, "ends_at": s.ends_at,
            "lifted_at": s.lifted_at, "lift_reason": s.lift_reason}


class WarningIn(Schema):
    kind: Literal["notices", "complaints"]
    party: str = Field(min_length=1, max_length=200, description="The reporter's or the complaining account's "
                                                                  "external id.")
    unfounded: int = Field(ge=1, le=1_000_000, description="Manifestly unfounded submissions counted.")
    reason: str = Field(min_length=1, max_length=4000)


class SuspendIn(Schema):
    days: int = Field(ge=1, le=services.MAX_DAYS)
    reason: str = Field(min_length=1, max_length=4000)


class LiftIn(Schema):
    reason: str = Field(min_length=1, max_length=4000)


@router.get("/compliance/suspensions", response=list[SuspensionOut], auth=scope("compliance:read"),
            summary="Art. 23 warnings and suspensions, newest first")
def list_suspensions(request):
    return [suspension_out(s) for s in selectors.suspensions_visible_to(request.auth).order_by("-id")[:500]]


@router.post("/compliance/suspensions", response={201: SuspensionOut}, auth=scope("compliance:write"),
             summary="Warn a notifier or complainant about manifestly unfounded submissions (Art. 23(2))")
def post_warning(request, body: WarningIn):
    require_compliance(request.auth)
    return Status(201, suspension_out(services.warn(actor=request.auth, kind=body.kind, party=body.party,
                                                    unfounded=body.unfounded, reason=body.reason)))


@router.post("/compliance/suspensions/{suspension_id}/suspend", response=SuspensionOut,
             auth=scope("compliance:write"), summary="Suspend processing after the warning, for a stated period")
def post_suspend(request, suspension_id: Id, body: SuspendIn):
    require_compliance(request.auth)
    selectors.get_suspension(request.auth, suspension_id)
    return suspension_out(services.suspend(actor=request.auth, suspension_id=suspension_id, days=body.days,
                                           reason=body.reason))


@router.post("/compliance/suspensions/{suspension_id}/lift", response=SuspensionOut,
             auth=scope("compliance:write"), summary="Lift a suspension or withdraw a warning")
def post_lift(request, suspension_id: Id, body: LiftIn):
    require_compliance(request.auth)
    selectors.get_suspension(request.auth, suspension_id)
    return suspension_out(services.lift(actor=request.auth, suspension_id=suspension_id, reason=body.reason))
