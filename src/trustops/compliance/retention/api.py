"""Holds, retention policies, purges and data subject requests."""
from datetime import datetime
from typing import Literal

from django.http import JsonResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.compliance.models import DataClass
from trustops.compliance.retention import selectors, services
from trustops.compliance.statements.api import require_compliance
from trustops.identity.auth import scope
from trustops.kernel.errors import NotFound
from trustops.kernel.inputs import Id

router = Router(tags=["compliance"])
SubjectType = Literal["user", "creator", "merchant", "video", "comment", "livestream", "listing", "poi", "message"]


class HoldIn(Schema):
    subject_type: SubjectType
    external_id: str = Field(max_length=200)
    reason: str = Field(min_length=1, max_length=500)
    kind: Literal["legal", "child_safety"] = "legal"
    days: int | None = Field(default=None, ge=1, le=3650)


class HoldOut(Schema):
    id: int
    kind: str
    subject_type: str
    subject_external_id: str
    reason: str
    placed_at: datetime
    expires_at: datetime | None
    released_at: datetime | None


def hold_out(h) -> dict:
    return {"id": h.pk, "kind": h.kind, "subject_type": h.subject.type, "subject_external_id": h.subject.external_id,
            "reason": h.reason, "placed_at": h.placed_at, "expires_at": h.expires_at, "released_at": h.released_at}


@router.get("/compliance/holds", response=list[HoldOut], auth=scope("compliance:read"), summary="Legal holds")
def list_holds(request):
    return [hold_out(h) for h in selectors.holds_visible_to(request.auth).select_related("subject").order_by("-id")[:200]]


@router.post("/compliance/holds", response={201: HoldOut}, auth=scope("compliance:write"),
             summary="Hold a subject's records from retention and erasure")
def post_hold(request, body: HoldIn):
    require_compliance(request.auth)
    subject = selectors.subject_for(request.auth, body.subject_type, body.external_id)
    hold = services.place_hold(subject_id=subject.pk, reason=body.reason, kind=body.kind, days=body.days,
                               actor=request.auth)
    return Status(201, hold_out(hold))


class HoldReleaseIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/compliance/holds/{hold_id}/release", response=HoldOut, auth=scope("compliance:write"),
             summary="Release a hold")
def post_release(request, hold_id: Id, body: HoldReleaseIn):
    require_compliance(request.auth)
    if not selectors.holds_visible_to(request.auth).filter(pk=hold_id).exists():
        raise NotFound("hold_not_found", f"No active hold {hold_id}.")
    return hold_out(services.release_hold(hold_id=hold_id, reason=body.reason, actor=request.auth))


class RetentionIn(Schema):
    keep_days: int = Field(ge=1, le=3650)


@router.get("/compliance/retention", response=dict[str, int], auth=scope("compliance:read"),
            summary="Days each data class is kept")
def get_retention(request):
    return selectors.retention(request.auth)


@router.put("/compliance/retention/{data_class}", response=dict[str, int], auth=scope("compliance:write"),
            summary="Set how long a data class is kept")
def put_retention(request, data_class: Literal[tuple(DataClass.values)], body: RetentionIn):
    require_compliance(request.auth)
    services.set_retention(data_class=data_class, keep_days=body.keep_days, actor=request.auth)
    return selectors.retention(request.auth)


class DataSubjectIn(Schema):
    kind: Literal["export", "erasure"]
    subject_type: Literal["user", "creator", "merchant"]
    external_id: str = Field(max_length=200)


class DataSubjectOut(Schema):
    id: int
    kind: str
    status: str
    subject_type: str
    subject_external_id: str
    requested_at: datetime
    outcome: dict


def request_out(r) -> dict:
    return {"id": r.pk, "kind": r.kind, "status": r.status, "subject_type": r.subject.type,
            "subject_external_id": r.subject.external_id, "requested_at": r.requested_at, "outcome": r.outcome}


@router.post("/compliance/data-subject-requests", response={201: DataSubjectOut}, auth=scope("compliance:write"),
             summary="Export a person's data, or erase it (refused under a legal hold, with the reason)")
def post_data_subject_request(request, body: DataSubjectIn):
    require_compliance(request.auth)
    selectors.subject_for(request.auth, body.subject_type, body.external_id)
    act = services.export if body.kind == "export" else services.erase
    return Status(201, request_out(act(subject_type=body.subject_type, external_id=body.external_id,
                                       actor=request.auth)))


@router.get("/compliance/data-subject-requests", response=list[DataSubjectOut], auth=scope("compliance:read"),
            summary="Data subject requests, newest first")
def list_data_subject_requests(request):
    rows = selectors.requests_visible_to(request.auth).select_related("subject").order_by("-id")[:200]
    return [request_out(r) for r in rows]


@router.get("/compliance/data-subject-requests/{request_id}/archive", auth=scope("compliance:read"),
            response={200: dict}, summary="The JSON archive of an export")
def get_archive(request, request_id: Id):
    found = selectors.request(request.auth, request_id)
    if found.archive is None:
        raise NotFound("no_archive", "This request has no archive (only exports do).")
    response = JsonResponse(found.archive)
    response["Content-Disposition"] = f'attachment; filename="data-subject-{found.pk}.json"'
    return response
