"""The desk's daily report and the shift handover: generated (at a set hour, or on demand), kept, shown,
exported; the handover acknowledged by the incoming shift."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, NotFound
from trustops.ledger import services as ledger
from trustops.support.models import (
    Category,
    DailyReport,
    Handover,
    Incident,
    IncidentStatus,
    SearchGap,
    StatusChange,
    Ticket,
)
from trustops.support.sla import services as sla

MALFUNCTIONS = [Category.TOOL_MALFUNCTION, Category.BUG]
OPEN = sla.OPEN_STATUSES


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), timezone.utc)
    return start, start + timedelta(days=1)


def figures_for(day: date) -> dict:
    """Tickets in, out and open; SLA attainment; top categories and tags; malfunctions; incidents; gaps."""
    start, end = day_bounds(day)
    came_in = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    went_out = (StatusChange.objects.filter(at__gte=start, at__lt=end, to_status__in=["solved", "closed"])
                .values("ticket_id").distinct())
    solved_today = Ticket.objects.filter(Q(solved_at__gte=start, solved_at__lt=end)
                                         | Q(solved_at__isnull=True, closed_at__gte=start, closed_at__lt=end))
    tags: dict[str, int] = {}
    for row in came_in.values_list("tags", flat=True):
        for tag in row or []:
            tags[tag] = tags.get(tag, 0) + 1
    return {
        "day": day.isoformat(),
        "tickets_in": came_in.count(),
        "tickets_out": went_out.count(),
        "open": Ticket.objects.filter(status__in=OPEN, created_at__lt=end).count(),
        "attainment": sla.attainment(solved_today),
        "by_category": {row["category"]: row["n"] for row in
                        came_in.values("category").annotate(n=Count("id")).order_by("-n", "category")},
        "top_tags": sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "malfunctions": came_in.filter(category__in=MALFUNCTIONS).count(),
        "incidents_declared": Incident.objects.filter(declared_at__gte=start, declared_at__lt=end).count(),
        "incidents_live": Incident.objects.exclude(status=IncidentStatus.CLOSED).filter(declared_at__lt=end).count(),
        "knowledge_gaps": [[g.query, g.count] for g in
                           SearchGap.objects.filter(last_at__gte=start, last_at__lt=end).order_by("-count", "query")[:10]],
    }


def _reader(actor) -> None:
    if actor is not None and not access.runs_incidents(actor):
        raise Forbidden("support_reports_only", "The daily report is for the desk and its leads.")


@transaction.atomic
def generate_daily_report(*, day: date | None = None, actor=None) -> DailyReport:
    """(Re)generate one day's report (yesterday by default); kept, one per day."""
    _reader(actor)
    day = day or (clock.now() - timedelta(days=1)).date()
    report, _ = DailyReport.objects.update_or_create(day=day, defaults={"generated_at": clock.now(),
                                                                        "figures": figures_for(day)})
    ledger.record("support.daily_report_generated", actor=actor, payload={"day": day.isoformat()})
    return report


def daily_report_csv(report: DailyReport) -> str:
    f = report.figures
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "key", "value"])
    for name in ("tickets_in", "tickets_out", "open", "malfunctions", "incidents_declared", "incidents_live"):
        writer.writerow([name, "", f[name]])
    for target, row in f["attainment"].items():
        for key in ("met", "breached", "share"):
            writer.writerow([f"attainment.{target}", key, "" if row[key] is None else row[key]])
    for category, n in f["by_category"].items():
        writer.writerow(["by_category", category, n])
    for tag, n in f["top_tags"]:
        writer.writerow(["top_tags", tag, n])
    for query, n in f["knowledge_gaps"]:
        writer.writerow(["knowledge_gaps", query, n])
    return out.getvalue()


def shift_start(moment: datetime) -> datetime:
    """The start of the shift `moment` falls in (shifts change at the configured UTC hours)."""
    hours = sorted(settings.TRUSTOPS["SUPPORT_SHIFT_HOURS"])
    day = moment.date()
    candidates = [datetime.combine(d, time(h), timezone.utc) for d in (day - timedelta(days=1), day) for h in hours]
    return max(c for c in candidates if c <= moment)


def next_shift_start(start: datetime) -> datetime:
    hours = sorted(settings.TRUSTOPS["SUPPORT_SHIFT_HOURS"])
    candidates = [datetime.combine(d, time(h), timezone.utc)
                  for d in (start.date(), start.date() + timedelta(days=1)) for h in hours]
    return min(c for c in candidates if c > start)


NEXT_STEP = {"new": "first response", "open": "answer the requester", "pending": "wait for the requester",
             "on_hold": "follow engineering"}


def handover_content(start: datetime) -> dict:
    end = next_shift_start(start)
    open_tickets = Ticket.objects.filter(status__in=OPEN).select_related("assignee").order_by("next_due_at", "id")
    items = [{"ticket_id": t.pk, "subject": t.subject, "status": t.status, "priority": t.priority,
              "owner": t.assignee.username if t.assignee else None, "last_update": t.updated_at.isoformat(),
              "next_step": NEXT_STEP.get(t.status, "")} for t in open_tickets[:200]]
    at_risk = [{"ticket_id": t.pk, "subject": t.subject, "due_at": t.next_due_at.isoformat(),
                "owner": t.assignee.username if t.assignee else None}
               for t in open_tickets.filter(next_due_at__lt=end)[:200]]
    incidents = [{"incident_id": i.pk, "title": i.title, "severity": i.severity, "status": i.status}
                 for i in Incident.objects.exclude(status=IncidentStatus.CLOSED).order_by("severity", "pk")]
    return {"shift_starts_at": start.isoformat(), "shift_ends_at": end.isoformat(),
            "open_count": open_tickets.count(), "open": items, "sla_at_risk": at_risk, "live_incidents": incidents}


@transaction.atomic
def generate_handover(*, at: datetime | None = None, actor=None) -> Handover:
    """The handover for the shift starting at or before `at` (now); regenerated until acknowledged."""
    _reader(actor)
    start = shift_start(at or clock.now())
    handover = Handover.objects.select_for_update().filter(shift_starts_at=start).first()
    if handover is not None and handover.acknowledged_at:
        return handover
    content = handover_content(start)
    if handover is None:
        handover = Handover.objects.create(shift_starts_at=start, generated_at=clock.now(), content=content)
    else:
        handover.content, handover.generated_at = content, clock.now()
        handover.save()
    ledger.record("support.handover_generated", actor=actor, payload={"handover_id": handover.pk,
                                                                     "shift_starts_at": start})
    return handover


@transaction.atomic
def acknowledge_handover(*, actor, handover_id: int) -> Handover:
    if not access.works_support_desk(actor):
        raise Forbidden("support_desk_only", "The incoming shift of the desk acknowledges a handover.")
    handover = Handover.objects.select_for_update().filter(pk=handover_id).first()
    if handover is None:
        raise NotFound("handover_not_found", "No such handover.")
    if handover.acknowledged_at:
        raise Conflict("already_acknowledged", "This handover was acknowledged already.")
    handover.acknowledged_by_id = access.viewer(actor).user_id
    handover.acknowledged_at = clock.now()
    handover.save()
    ledger.record("support.handover_acknowledged", actor=actor, payload={"handover_id": handover.pk})
    return handover
