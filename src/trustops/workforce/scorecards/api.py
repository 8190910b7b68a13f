"""Scorecards (the Monthly Business Review) and the month's measurement of a vendor; vendors compared."""
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.inputs import Month
from trustops.workforce.measurement import figures, periods
from trustops.workforce.scorecards import build, exports
from trustops.workforce.vendors import selectors as vendor_selectors

router = Router(tags=["vendors"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSE = {"responses": {200: {"description": "The file", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
    "application/pdf": BINARY}}}}
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class MonthQuery(Schema):
    month: Month


class MeasurementQuery(MonthQuery):
    by: Literal["day", "month"] = "day"


@router.get("/vendors/scorecards", response=list[dict[str, Any]], auth=scope("workforce:read"),
            summary="Vendors compared for a month: SLA, accuracy with its interval, productivity, cost, headcount")
def compare(request, q: Query[MonthQuery]):
    return build.compare(vendor_selectors.vendors_visible_to(request.auth), periods.parse_month(q.month))


@router.get("/vendors/{vendor_id}/scorecard", response=dict[str, Any], auth=scope("workforce:read"),
            summary="A vendor's Monthly Business Review scorecard with its six-month trend")
def get_scorecard(request, vendor_id: Id, q: Query[MonthQuery]):
    vendor = vendor_selectors.vendor_for(request.auth, vendor_id)
    return build.scorecard(vendor, periods.parse_month(q.month))


@router.get("/vendors/{vendor_id}/scorecard/file/{fmt}", response={200: Any}, auth=scope("workforce:read"),
            openapi_extra=FILE_RESPONSE,
            summary="The scorecard as XLSX or PDF")
def get_scorecard_file(request, vendor_id: Id, fmt: Literal["xlsx", "pdf"], q: Query[MonthQuery]):
    vendor = vendor_selectors.vendor_for(request.auth, vendor_id)
    card = build.scorecard(vendor, periods.parse_month(q.month))
    response = HttpResponse(exports.render(card, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(card, fmt)}"'
    return response


@router.get("/vendors/{vendor_id}/measurement", response=dict[str, Any], auth=scope("workforce:read"),
            summary="A vendor's month measured from trustops' records, per queue and per day (or month)")
def get_measurement(request, vendor_id: Id, q: Query[MeasurementQuery]):
    vendor = vendor_selectors.vendor_for(request.auth, vendor_id)
    start, end = periods.bounds(periods.parse_month(q.month))
    return figures.measure(vendor.pk, start, end, by=q.by).as_dict()
