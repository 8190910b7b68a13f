"""The transparency report for a period: figures as JSON, CSV or XLSX, and the rows behind each figure."""
from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from trustops.compliance.statements import catalogue
from trustops.compliance.statements.api import require_compliance
from trustops.compliance.transparency import exports, report
from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.inputs import Moment

router = Router(tags=["compliance"])


def regions_for(viewer) -> frozenset[str]:
    """The EU/EEA subjects the DSA report is about, within the viewer's cleared regions."""
    cleared = access.viewer(viewer).regions
    return catalogue.EEA_COUNTRIES if cleared is None else catalogue.EEA_COUNTRIES & cleared


class PeriodIn(Schema):
    start: Moment
    end: Moment
    format: Literal["json", "csv", "xlsx"] = "json"

    @model_validator(mode="after")
    def ordered(self):
        if self.end <= self.start:
            raise ValueError("end must come after start")
        if (self.end - self.start).days > 366 * 5:
            raise ValueError("a period is at most five years")
        return self


class FigureOut(Schema):
    section: str
    name: str
    group: dict
    value: float | None
    key: str


class TransparencyReportOut(Schema):
    start: datetime
    end: datetime
    figures: list[FigureOut]


_BINARY = {"schema": {"type": "string", "format": "binary"}}
# format=csv or xlsx answers with the file instead of the JSON figures (deep-merged into the 200 response).
_DOWNLOADS = {"responses": {200: {"content": {
    "text/csv": _BINARY, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _BINARY}}}}


@router.get("/compliance/transparency-report", response={200: TransparencyReportOut}, auth=scope("compliance:read"),
            openapi_extra=_DOWNLOADS,
            summary="The DSA transparency report (Implementing Regulation (EU) 2024/2835) for a period; "
                    "format=csv or xlsx for a download")
def get_report(request, period: Query[PeriodIn]):
    require_compliance(request.auth)
    built = report.build(period.start, period.end, regions_for(request.auth))
    name = f"transparency-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if period.format == "csv":
        response = HttpResponse(exports.as_csv(built), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if period.format == "xlsx":
        response = HttpResponse(exports.as_xlsx(built), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return {"start": built.start, "end": built.end, "figures": [f.__dict__ for f in built.figures]}


class DrillIn(Schema):
    start: Moment
    end: Moment
    key: str = Field(min_length=1, max_length=300)


@router.get("/compliance/transparency-report/rows", response=list[int], auth=scope("compliance:read"),
            summary="The ids of the rows one figure counts (reports, decisions, actions or appeals)")
def get_rows(request, drill: Query[DrillIn]):
    require_compliance(request.auth)
    return report.drill(drill.key, drill.start, drill.end, regions_for(request.auth))
