"""Reading escalations, always through `identity.access.creator_escalation_filter`, with the account's context."""
import csv
import io

from django.db.models import QuerySet

from trustops.enforcement import selectors as enforcement
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.review import selectors as review
from trustops.review.models import Appeal
from trustops.support.escalations.services import case_outcome
from trustops.support.models import CreatorEscalation, EscalationStatus, Ticket, WeeklyInsights

STATUSES = EscalationStatus.values


def escalations_visible_to(person) -> QuerySet[CreatorEscalation]:
    return CreatorEscalation.objects.filter(access.creator_escalation_filter(person))


def list_escalations(person, *, status: str | None = None, tier: str | None = None,
                     limit: int = 100) -> list[CreatorEscalation]:
    """Open first, then the most recent; highest tier first within the same day is left to the case priority."""
    qs = escalations_visible_to(person).select_related("owner", "opened_by")
    if status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(reach_tier=tier)
    return list(qs.order_by("-opened_at", "-id")[:limit])


def get_escalation(person, escalation_id: int) -> CreatorEscalation:
    esc = (escalations_visible_to(person).select_related("owner", "opened_by", "subject", "ticket")
           .filter(pk=escalation_id).first())
    if esc is None:
        raise NotFound("escalation_not_found", "No such escalation.")
    return esc


def account_context(person, esc: CreatorEscalation) -> dict:
    """The account's whole context as the viewer may see it: standing, decisions, appeals, support tickets
    (the ones behind this account's escalations) and its earlier escalations; the linked case's outcome."""
    account = esc.subject
    decisions = review.decisions_about_account(person, account, limit=20)
    appeals = list(Appeal.objects.filter(decision_id__in=[d.pk for d in decisions])
                   .select_related("decision").order_by("-received_at")[:20])
    earlier = list(escalations_visible_to(person).filter(subject=account).exclude(pk=esc.pk)
                   .order_by("-opened_at")[:20])
    ticket_ids = {e.ticket_id for e in [esc, *earlier] if e.ticket_id}
    # A ticket behind an escalation the viewer sees is part of the account's context (its subject and status are
    # shown; the conversation stays behind the ticket's own rule).
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids).order_by("-created_at"))
    return {"standing": enforcement.standing(account), "decisions": decisions, "appeals": appeals,
            "tickets": tickets, "earlier": earlier, "case_outcome": case_outcome(esc.case_id),
            "reach": account.reach, "region": account.region}


def weekly_insights(person, *, limit: int = 12) -> list[WeeklyInsights]:
    if not access.works_creator_escalations(person):
        return []
    return list(WeeklyInsights.objects.order_by("-week_start")[:limit])


def get_weekly_insights(person, week_start) -> WeeklyInsights:
    found = WeeklyInsights.objects.filter(week_start=week_start).first()
    if found is None or not access.works_creator_escalations(person):
        raise NotFound("report_not_found", "No insights report for that week.")
    return found


def weekly_insights_csv(report: WeeklyInsights) -> str:
    """One row per figure: section, key, tier, count (the tag × tier table in full)."""
    f = report.figures
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "tier", "count"])
    writer.writerow(["week", f["week_start"], "", ""])
    writer.writerow(["opened", "", "", f["opened"]])
    writer.writerow(["closed", "", "", f["closed"]])
    for section in ("opened_by_tier", "opened_by_source", "closed_by_tier", "closed_by_rca", "by_tag"):
        for key, n in f[section].items():
            writer.writerow([section, key, "", n])
    for tag, tiers in f["by_tag_and_tier"].items():
        for tier, n in tiers.items():
            writer.writerow(["by_tag_and_tier", tag, tier, n])
    for section in ("top_drivers", "product_gaps"):
        for row in f[section]:
            writer.writerow([section, row["tag"], "", row["count"]])
    return out.getvalue()
