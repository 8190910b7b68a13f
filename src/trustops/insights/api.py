"""API for reports: the Monthly Quality Report as HTML, CSV, XLSX or JSON, and keeping a version of it."""
from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.insights import monthly_quality, responses, selectors, services

router = Router(tags=["insights"])

MONTH = r"^\d{4}-\d{2}$"


class ReportQuery(Schema):
    month: str = Field(pattern=MONTH, description="YYYY-MM")
    format: Literal["html", "csv", "xlsx", "json"] = "html"
    fresh: bool = Field(default=False, description="Build from today's data instead of serving the kept version")


@router.get("/insights/monthly-quality-report", auth=scope("quality:read"),
            summary="The Monthly Quality Report for YYYY-MM: the kept version for readers of the whole "
                    "organisation (unless fresh=1), otherwise built now from the caller's quality scope",
            response={200: dict})
def read_monthly_quality_report(request, q: Query[ReportQuery]):
    month = monthly_quality.parse_month(q.month)
    report = selectors.monthly_quality_report(request.auth, month, fresh=q.fresh)
    if q.format == "json":
        return {"source": report.source, "report_id": report.report_id, **report.data}
    return responses.report_file(report, q.format)


class KeepIn(Schema):
    month: str = Field(pattern=MONTH, description="YYYY-MM")


class KeptOut(Schema):
    report_id: int
    month: str
    generated_at: datetime
    generated_by: str | None


@router.post("/insights/monthly-quality-reports", response={201: KeptOut}, auth=scope("quality:write"),
             summary="A QA lead regenerates the month's report from today's data and keeps it as a new version")
def keep_monthly_quality_report(request, body: KeepIn):
    kept = services.keep_monthly_quality_report(month=monthly_quality.parse_month(body.month), actor=request.auth)
    return Status(201, {"report_id": kept.pk, "month": kept.month.isoformat()[:7], "generated_at": kept.generated_at,
                        "generated_by": request.auth.username})
