"""High-priority creator and user escalations: opened from a ticket or by partners and communications, worked as
a case in the creator-escalations review queue at the priority of the account's reach tier, owned, and closed
with a root cause (quality's RCA taxonomy) and insight tags that add up to the weekly insights report."""
import re
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from django.db import transaction
from django.db.models import F

from trustops.identity import access
from trustops.identity.models import User
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.quality.models import RcaCategory
from trustops.review.models import Case, CaseKind, Decision
from trustops.review.requests import open_review_case
from trustops.subjects.models import Subject
from trustops.support.models import (
    CreatorEscalation,
    EscalationSource,
    EscalationStatus,
    ReachTier,
    Ticket,
    WeeklyInsights,
)

QUEUE = "creator-escalations"
# The lowest reach of each tier, highest first; the tier is the case's severity, so it leads its priority.
TIERS = [(ReachTier.MEGA, 1_000_000, 5), (ReachTier.MACRO, 100_000, 4), (ReachTier.MID, 10_000, 3),
         (ReachTier.MICRO, 0, 2)]
TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TAGS = 10


def tier_of(reach: int) -> tuple[str, int]:
    """The reach tier of an account and the case severity it carries."""
    for tier, floor, severity in TIERS:
        if reach >= floor:
            return tier.value, severity
    return ReachTier.MICRO.value, 2


def _text(name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"missing_{name}", f"{name.replace('_', ' ').capitalize()} is required.", field=name)
    if len(value) > limit:
        raise Invalid("too_long", f"{name} is at most {limit:,} characters.", field=name)
    return value


def _tags(values) -> list[str]:
    values = [str(v).strip().lower() for v in (values or [])]
    if len(values) > MAX_TAGS:
        raise Invalid("too_many", f"At most {MAX_TAGS} insight tags.", field="insight_tags")
    for value in values:
        if not TAG.match(value):
            raise Invalid("invalid_tag", "Tags are lowercase letters, digits, - and _, up to 40.", field="insight_tags")
    return sorted(set(values))


def _payload(esc: CreatorEscalation) -> dict:
    return {"escalation_id": esc.pk, "account": {"type": esc.account_type, "external_id": esc.account_external_id},
            "source": esc.source, "reach_tier": esc.reach_tier, "case_id": esc.case_id, "status": esc.status,
            "owner": esc.owner.username if esc.owner_id else None}


@transaction.atomic
def open_escalation(*, actor, account_type: str, external_id: str, source: str, summary: str,
                    ticket_id: int | None = None) -> CreatorEscalation:
    """Open an escalation and its case, in one transaction: the account must be a user or creator the opener may
    see; an escalation from a ticket comes from support and names a ticket the opener may see."""
    if not access.opens_creator_escalations(actor):
        raise Forbidden("escalations_only", "Only creator and user excellence, the desk and integrations escalate.")
    if source not in EscalationSource.values:
        raise Invalid("unknown_source", f"One of {', '.join(EscalationSource.values)}.", field="source")
    if account_type not in ("user", "creator"):
        raise Invalid("not_an_account", "Escalations are about a user or a creator.", field="account_type")
    summary = _text("summary", summary, 10_000)
    subject = (Subject.objects.filter(access.escalation_account_filter(actor))
               .filter(type=account_type, external_id=external_id).first())
    if subject is None:
        raise NotFound("subject_not_found", f"No {account_type} {external_id!r}.")
    ticket = None
    if ticket_id is not None:
        ticket = Ticket.objects.filter(access.ticket_filter(actor), pk=ticket_id).first()
        if ticket is None:
            raise NotFound("ticket_not_found", "No such ticket.")
        if source != EscalationSource.SUPPORT:
            raise Invalid("ticket_needs_support", "An escalation from a ticket comes from support.", field="source")
    tier, severity = tier_of(subject.reach)
    case = open_review_case(subject=subject, kind=CaseKind.ESCALATION, queue_key=QUEUE, severity=severity,
                            reason=f"{source} escalation ({tier} reach)", actor=actor)
    v = access.viewer(actor)
    now = clock.now()
    esc = CreatorEscalation.objects.create(
        subject=subject, account_type=subject.type, account_external_id=subject.external_id, source=source,
        summary=summary, reach_tier=tier, reach=subject.reach, case_id=case.pk, ticket=ticket,
        opened_by_id=v.user_id, opened_at=now, updated_at=now)
    payload = _payload(esc)
    ledger.record("support.creator_escalation_opened", actor=actor, subject_id=subject.pk, case_id=case.pk,
                  payload=payload)
    outbox.enqueue("support.creator_escalation_opened", payload)
    return esc


def _locked(actor, escalation_id: int) -> CreatorEscalation:
    esc = (CreatorEscalation.objects.select_for_update(of=("self",)).select_related("owner")
           .filter(access.creator_escalation_filter(actor), pk=escalation_id).first())
    if esc is None:
        raise NotFound("escalation_not_found", "No such escalation.")
    if not access.works_creator_escalations(actor):
        raise Forbidden("escalations_only", "Only creator and user excellence works escalations.")
    return esc


def _save(esc: CreatorEscalation, now, **fields) -> None:
    for name, value in fields.items():
        setattr(esc, name, value)
    esc.updated_at = now
    esc.version = F("version") + 1
    esc.save()
    esc.refresh_from_db(fields=["version"])


@transaction.atomic
def assign(*, actor, escalation_id: int, owner: str | None = None) -> CreatorEscalation:
    """Give the escalation an owner (the caller when none is named): it is then in progress."""
    esc = _locked(actor, escalation_id)
    if esc.status == EscalationStatus.CLOSED:
        raise Conflict("escalation_closed", "This escalation is closed.")
    person = (User.objects.filter(username=owner, is_active=True).first() if owner
              else User.objects.get(pk=access.viewer(actor).user_id))
    if person is None or not access.works_creator_escalations(person):
        raise Invalid("not_an_owner", "The owner must work creator escalations.", field="owner")
    _save(esc, clock.now(), owner=person, status=EscalationStatus.IN_PROGRESS)
    payload = _payload(esc)
    ledger.record("support.creator_escalation_assigned", actor=actor, subject_id=esc.subject_id,
                  case_id=esc.case_id, payload=payload)
    outbox.enqueue("support.creator_escalation_updated", payload)
    return esc


def case_outcome(case_id: int | None) -> str:
    """The linked case's outcome: its latest decision's verdict, or its state while undecided."""
    if case_id is None:
        return ""
    verdict = Decision.objects.filter(case_id=case_id).order_by("-decided_at", "-id").values_list("verdict", flat=True).first()
    if verdict:
        return verdict
    status = Case.objects.filter(pk=case_id).values_list("status", flat=True).first()
    return f"undecided ({status})" if status else ""


@transaction.atomic
def close(*, actor, escalation_id: int, rca_category: str, root_cause: str, insight_tags=()) -> CreatorEscalation:
    """Close with the root cause, classified like quality's RCA, and the insight tags; the linked case's outcome
    is kept with it."""
    esc = _locked(actor, escalation_id)
    if esc.status == EscalationStatus.CLOSED:
        raise Conflict("escalation_closed", "This escalation is already closed.")
    if rca_category not in RcaCategory.values:
        raise Invalid("unknown_rca_category", f"One of {', '.join(RcaCategory.values)}.", field="rca_category")
    root_cause = _text("root_cause", root_cause, 10_000)
    tags = _tags(insight_tags)
    now = clock.now()
    _save(esc, now, status=EscalationStatus.CLOSED, rca_category=rca_category, root_cause=root_cause,
          insight_tags=tags, resolved_at=now, case_outcome=case_outcome(esc.case_id)[:16],
          owner_id=esc.owner_id or access.viewer(actor).user_id)
    payload = {**_payload(esc), "rca_category": rca_category, "insight_tags": tags, "case_outcome": esc.case_outcome}
    ledger.record("support.creator_escalation_closed", actor=actor, subject_id=esc.subject_id,
                  case_id=esc.case_id, payload=payload)
    outbox.enqueue("support.creator_escalation_closed", payload)
    return esc


# ---- the weekly insights report ---------------------------------------------------------------------------

def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def insights_figures(week_start: date) -> dict:
    """The week's figures: escalations opened (by tier and source), closed (by RCA category, tag and tier),
    the top drivers (the most frequent tags) and the product gaps (the tags of product/tech root causes)."""
    start = datetime.combine(week_start, time(), tzinfo=timezone.utc)
    end = start + timedelta(days=7)
    opened = list(CreatorEscalation.objects.filter(opened_at__gte=start, opened_at__lt=end)
                  .values("reach_tier", "source"))
    closed = list(CreatorEscalation.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
                  .values("id", "reach_tier", "rca_category", "insight_tags", "summary"))
    tags = Counter(tag for row in closed for tag in row["insight_tags"])
    gaps = Counter(tag for row in closed if row["rca_category"] == RcaCategory.PRODUCT_TECH
                   for tag in row["insight_tags"])
    by_tag_tier: dict[str, dict[str, int]] = {}
    for row in closed:
        for tag in row["insight_tags"]:
            by_tag_tier.setdefault(tag, {}).setdefault(row["reach_tier"], 0)
            by_tag_tier[tag][row["reach_tier"]] += 1
    return {
        "week_start": week_start.isoformat(),
        "opened": len(opened), "closed": len(closed),
        "opened_by_tier": dict(Counter(row["reach_tier"] for row in opened)),
        "opened_by_source": dict(Counter(row["source"] for row in opened)),
        "closed_by_tier": dict(Counter(row["reach_tier"] for row in closed)),
        "closed_by_rca": dict(Counter(row["rca_category"] for row in closed)),
        "by_tag": dict(tags.most_common()),
        "by_tag_and_tier": by_tag_tier,
        "top_drivers": [{"tag": tag, "count": n} for tag, n in tags.most_common(5)],
        "product_gaps": [{"tag": tag, "count": n} for tag, n in gaps.most_common(5)],
    }


@transaction.atomic
def generate_weekly_insights(*, week_start: date | None = None, actor=None) -> WeeklyInsights:
    """Generate (or regenerate) a week's report; by default the last full week. Kept, one per week."""
    if actor is not None and not access.works_creator_escalations(actor):
        raise Forbidden("escalations_only", "Only creator and user excellence generates the insights report.")
    week_start = week_start or week_of(clock.now().date()) - timedelta(days=7)
    if week_start.weekday() != 0:
        raise Invalid("not_a_monday", "A week starts on a Monday.", field="week_start")
    report, _ = WeeklyInsights.objects.update_or_create(
        week_start=week_start, defaults={"generated_at": clock.now(), "figures": insights_figures(week_start)})
    ledger.record("support.weekly_insights_generated", actor=actor or "scheduler",
                  payload={"week_start": week_start.isoformat()})
    return report
