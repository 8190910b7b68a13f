"""The child-safety reporting flow: cleared compliance staff only (everyone else finds nothing)."""
from datetime import datetime

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.compliance.childsafety import services
from trustops.identity.auth import scope
from trustops.kernel.inputs import Id

router = Router(tags=["compliance"])


class AssembleIn(Schema):
    case_id: Id


class OpenIn(Schema):
    why: str = Field(min_length=1, max_length=300)


class ChildSafetyOut(Schema):
    id: int
    case_id: int
    status: str
    reference: str
    submitter: str
    attempts: int
    last_error: str
    hold_expires_at: datetime | None
    created_at: datetime
    submitted_at: datetime | None


class PackageOut(ChildSafetyOut):
    package: dict


def report_out(r, *, package=False) -> dict:
    body = {"id": r.pk, "case_id": r.case_id, "status": r.status, "reference": r.reference, "submitter": r.submitter,
            "attempts": r.attempts, "last_error": r.last_error, "hold_expires_at": r.hold.expires_at,
            "created_at": r.created_at, "submitted_at": r.submitted_at}
    return {**body, "package": r.package} if package else body


@router.post("/compliance/child-safety-reports", response={201: ChildSafetyOut}, auth=scope("compliance:write"),
             summary="Assemble the report package of a child-safety case; its evidence is held for a year")
def post_report(request, body: AssembleIn):
    return Status(201, report_out(services.assemble(case_id=body.case_id, actor=request.auth)))


@router.get("/compliance/child-safety-reports", response=list[ChildSafetyOut], auth=scope("compliance:read"),
            summary="Child-safety reports and their submission")
def list_reports(request):
    return [report_out(r) for r in services.reports_visible_to(request.auth).select_related("hold").order_by("-id")[:200]]


@router.post("/compliance/child-safety-reports/{report_id}/evidence", response=PackageOut,
             auth=scope("compliance:read"), summary="Open the preserved evidence (recorded, with the reason)")
def post_open(request, report_id: Id, body: OpenIn):
    return report_out(services.open_evidence(report_id=report_id, actor=request.auth, why=body.why), package=True)


@router.post("/compliance/child-safety-reports/{report_id}/submit", response=ChildSafetyOut,
             auth=scope("compliance:write"), summary="Submit the package through the configured submitter")
def post_submit(request, report_id: Id):
    return report_out(services.submit(report_id=report_id, actor=request.auth))
