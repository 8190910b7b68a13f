"""Daily report and shift handover API."""
from datetime import date, datetime

from django.http import HttpResponse
from ninja import Router, Schema

from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Forbidden, NotFound
from trustops.kernel.inputs import Id
from trustops.support.models import DailyReport, Handover
from trustops.support.reports import services

router = Router(tags=["support"])


class DailyReportOut(Schema):
    day: date
    generated_at: datetime
    figures: dict


class HandoverOut(Schema):
    id: int
    shift_starts_at: datetime
    generated_at: datetime
    content: dict
    acknowledged_by: str | None
    acknowledged_at: datetime | None


def _reader(request):
    if not access.runs_incidents(request.auth):
        raise Forbidden("support_reports_only", "Support reports are for the desk and its leads.")


def _report(r):
    return {"day": r.day, "generated_at": r.generated_at, "figures": r.figures}


def _handover(h):
    return {"id": h.pk, "shift_starts_at": h.shift_starts_at, "generated_at": h.generated_at, "content": h.content,
            "acknowledged_by": h.acknowledged_by.username if h.acknowledged_by_id else None,
            "acknowledged_at": h.acknowledged_at}


@router.post("/support/daily-reports/{day}", response=DailyReportOut, auth=scope("tickets:write"),
             summary="Generate (or regenerate) one day's report")
def generate(request, day: date):
    return _report(services.generate_daily_report(day=day, actor=request.auth))


@router.get("/support/daily-reports/{day}", response=DailyReportOut, auth=scope("tickets:read"))
def read(request, day: date):
    _reader(request)
    report = DailyReport.objects.filter(day=day).first()
    if report is None:
        raise NotFound("report_not_found", "No report for that day.")
    return _report(report)


@router.get("/support/daily-reports/{day}/report.csv", auth=scope("tickets:read"), response={200: None})
def export(request, day: date):
    _reader(request)
    report = DailyReport.objects.filter(day=day).first()
    if report is None:
        raise NotFound("report_not_found", "No report for that day.")
    response = HttpResponse(services.daily_report_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="support-daily-{day.isoformat()}.csv"'
    return response


@router.post("/support/handovers", response=HandoverOut, auth=scope("tickets:write"),
             summary="Generate the handover for the current shift")
def handover(request):
    return _handover(services.generate_handover(actor=request.auth))


@router.post("/support/handovers/{handover_id}/acknowledgement", response=HandoverOut, auth=scope("tickets:write"))
def acknowledge(request, handover_id: Id):
    _reader(request)
    return _handover(services.acknowledge_handover(actor=request.auth, handover_id=handover_id))


@router.get("/support/handovers/{handover_id}", response=HandoverOut, auth=scope("tickets:read"))
def read_handover(request, handover_id: Id):
    _reader(request)
    found = Handover.objects.filter(pk=handover_id).first()
    if found is None:
        raise NotFound("handover_not_found", "No such handover.")
    return _handover(found)
