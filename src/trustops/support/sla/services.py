"""SLA policies and calendars, and the clocks of each ticket recomputed from its pause log."""
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.support.models import (
    BusinessCalendar,
    Category,
    Priority,
    SlaEvent,
    SlaEventKind,
    SlaPause,
    SlaPolicy,
    SlaTarget,
    Status,
    Ticket,
)
from trustops.support.sla import clock as sla_clock

DESK_CALENDAR = "desk-24x7"
ENGINEERING_CALENDAR = "engineering-us"
HOUR = 3600
# The desk's default targets per priority: first response, next reply, resolution (24×7).
DEFAULT_TARGETS = {
    Priority.URGENT: (15 * 60, HOUR, 4 * HOUR),
    Priority.HIGH: (HOUR, 2 * HOUR, 8 * HOUR),
    Priority.NORMAL: (4 * HOUR, 8 * HOUR, 24 * HOUR),
    Priority.LOW: (8 * HOUR, 24 * HOUR, 72 * HOUR),
}
OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
# A pause set this soon after the requester replied is flagged (a way to stop the clock on purpose).
GAMING_WINDOW = timedelta(minutes=5)
FIELDS = ["first_response_due_at", "next_reply_due_at", "resolution_due_at", "sla_paused", "next_due_at",
          "sla_policy"]


def ensure_defaults() -> None:
    """The desk's 24×7 calendar and a policy per priority, and engineering's regional calendar, once."""
    if SlaPolicy.objects.exists():
        return
    desk, _ = BusinessCalendar.objects.get_or_create(
        key=DESK_CALENDAR, defaults={"name": "Support desk, 24×7", "always_open": True})
    BusinessCalendar.objects.get_or_create(key=ENGINEERING_CALENDAR, defaults={
        "name": "Engineering, US business hours", "timezone": "America/New_York", "always_open": False,
        "periods": {str(d): [["09:00", "17:00"]] for d in range(5)},
        "holidays": ["2026-01-01", "2026-07-03", "2026-11-26", "2026-12-25", "2027-01-01"]})
    for priority, (first, nxt, resolution) in DEFAULT_TARGETS.items():
        SlaPolicy.objects.get_or_create(priority=priority, category="", defaults={
            "name": f"{priority.label} tickets", "calendar": desk, "first_response_seconds": first,
            "next_reply_seconds": nxt, "resolution_seconds": resolution})


def calendar_of(policy: SlaPolicy) -> sla_clock.Calendar:
    c = policy.calendar
    return sla_clock.Calendar.of(timezone=c.timezone, always_open=c.always_open, periods=c.periods,
                                 holidays=c.holidays)


def policy_for(priority: str, category: str) -> SlaPolicy | None:
    """The most specific policy: for this priority and category, else for the priority."""
    ensure_defaults()
    found = {p.category: p for p in SlaPolicy.objects.select_related("calendar")
             .filter(priority=priority, category__in=[category, ""])}
    return found.get(category) or found.get("")


def pause_causes(policy: SlaPolicy | None) -> set[str]:
    """Statuses that pause the resolution clock: pending always, on hold when the policy says so."""
    causes = {Status.PENDING}
    if policy is None or policy.pause_on_hold:
        causes.add(Status.ON_HOLD)
    return causes


def facts_of(ticket: Ticket, pauses: list[SlaPause]) -> sla_clock.Facts:
    awaiting = None
    if ticket.last_requester_reply_at and (ticket.last_agent_reply_at is None
                                           or ticket.last_agent_reply_at < ticket.last_requester_reply_at):
        awaiting = ticket.last_requester_reply_at
    return sla_clock.Facts(
        created_at=ticket.created_at, pauses=tuple((p.started_at, p.ended_at) for p in pauses),
        first_responded_at=ticket.first_responded_at, awaiting_reply_since=awaiting,
        resolved_at=ticket.solved_at or ticket.closed_at)


def recompute(ticket: Ticket, *, now=None, policy: SlaPolicy | None = None) -> sla_clock.Clocks | None:
    """Set the ticket's due times from its policy and its whole pause log (never from the previous due time,
    so a changed policy keeps every paused second). The caller saves the ticket."""
    now = now or clock.now()
    policy = policy or policy_for(ticket.priority, ticket.category)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due_at = ticket.next_reply_due_at = ticket.resolution_due_at = None
        ticket.next_due_at, ticket.sla_paused = None, False
        return None
    causes = pause_causes(policy)
    pauses = [p for p in ticket.pauses.order_by("started_at") if p.cause in causes] if ticket.pk else []
    clocks = sla_clock.clocks(calendar_of(policy), sla_clock.Targets(
        policy.first_response_seconds, policy.next_reply_seconds, policy.resolution_seconds),
        facts_of(ticket, pauses), now)
    ticket.first_response_due_at = clocks.first_response_due_at
    ticket.next_reply_due_at = clocks.next_reply_due_at
    ticket.resolution_due_at = clocks.resolution_due_at
    ticket.sla_paused = clocks.paused
    ticket.next_due_at = clocks.next_due() if ticket.status in OPEN_STATUSES else None
    return clocks


def on_status_change(ticket: Ticket, old: str, new: str, now) -> None:
    """Keep the pause log: close the open pause when leaving a pausing status, open one when entering it.

    Every pausing status is logged (on hold included, even where the policy does not pause it), so that a policy
    turning the on-hold pause on later counts the time already spent on hold."""
    pausing = {Status.PENDING, Status.ON_HOLD}
    if old in pausing:
        SlaPause.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    if new in pausing:
        soon = bool(ticket.last_requester_reply_at and now - ticket.last_requester_reply_at <= GAMING_WINDOW
                    and (ticket.last_agent_reply_at is None
                         or ticket.last_agent_reply_at < ticket.last_requester_reply_at))
        SlaPause.objects.create(ticket=ticket, cause=new, started_at=now, soon_after_requester_reply=soon)


# ---- policies, edited in the console or the API ------------------------------------------------------------

def _check_seconds(name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 60 <= value <= 90 * 24 * HOUR:
        raise Invalid("invalid_target", f"{name} must be between one minute and 90 days.", field=name)
    return value


def _desk_only(actor) -> None:
    if isinstance(actor, str):   # the platform file or a migration
        return
    if not access.works_support_desk(actor):
        raise Forbidden("support_desk_only", "SLA policies are the support desk's.")


@transaction.atomic
def create_policy(*, actor, priority: str, category: str, calendar: str, first_response_seconds, next_reply_seconds,
                  resolution_seconds, pause_on_hold: bool = True, warn_seconds=15 * 60) -> SlaPolicy:
    """A policy for one priority and category, more specific than the priority's own: the open tickets it now
    covers are moved onto it and recomputed from their pause logs."""
    _desk_only(actor)
    if priority not in Priority.values:
        raise Invalid("unknown_priority", f"One of {', '.join(Priority.values)}.", field="priority")
    if category not in Category.values:
        raise Invalid("unknown_category", f"One of {', '.join(Category.values)}.", field="category")
    found = BusinessCalendar.objects.filter(key=calendar).first()
    if found is None:
        raise Invalid("unknown_calendar", "No such business calendar.", field="calendar")
    targets = {name: _check_seconds(name, value) for name, value in (
        ("first_response_seconds", first_response_seconds), ("next_reply_seconds", next_reply_seconds),
        ("resolution_seconds", resolution_seconds), ("warn_seconds", warn_seconds))}
    if SlaPolicy.objects.filter(priority=priority, category=category).exists():
        raise Conflict("policy_exists", "There is already a policy for that priority and category.")
    policy = SlaPolicy.objects.create(name=f"{priority.capitalize()} · {Category(category).label}", priority=priority,
                                      category=category, calendar=found, pause_on_hold=bool(pause_on_hold), **targets)
    now = clock.now()
    tickets = list(Ticket.objects.filter(priority=priority, category=category, status__in=OPEN_STATUSES))
    for ticket in tickets:
        recompute(ticket, now=now, policy=policy)
    Ticket.objects.bulk_update(tickets, FIELDS, batch_size=500)
    ledger.record("support.sla_policy_created", actor=actor, payload={
        "policy_id": policy.pk, "priority": priority, "category": category, "calendar": calendar,
        "recomputed_tickets": len(tickets), **targets, "pause_on_hold": policy.pause_on_hold})
    return policy


@transaction.atomic
def update_policy(*, policy_id: int, actor, **changes) -> SlaPolicy:
    """Change a policy's targets or pause rule, and recompute every open ticket under it from its pause log."""
    _desk_only(actor)
    policy = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("policy_not_found", "No such SLA policy.")
    for name in ("first_response_seconds", "next_reply_seconds", "resolution_seconds", "warn_seconds"):
        if changes.get(name) is not None:
            setattr(policy, name, _check_seconds(name, changes[name]))
    if changes.get("pause_on_hold") is not None:
        policy.pause_on_hold = bool(changes["pause_on_hold"])
    if changes.get("calendar"):
        calendar = BusinessCalendar.objects.filter(key=changes["calendar"]).first()
        if calendar is None:
            raise Invalid("unknown_calendar", "No such business calendar.", field="calendar")
        policy.calendar = calendar
    policy.version += 1
    policy.save()
    policy = SlaPolicy.objects.select_related("calendar").get(pk=policy.pk)
    now = clock.now()
    tickets = list(Ticket.objects.filter(sla_policy=policy, status__in=OPEN_STATUSES))
    for ticket in tickets:
        recompute(ticket, now=now, policy=policy)
    Ticket.objects.bulk_update(tickets, FIELDS, batch_size=500)
    ledger.record("support.sla_policy_changed", actor=actor, payload={
        "policy_id": policy.pk, "version": policy.version, "recomputed_tickets": len(tickets),
        "first_response_seconds": policy.first_response_seconds, "next_reply_seconds": policy.next_reply_seconds,
        "resolution_seconds": policy.resolution_seconds, "pause_on_hold": policy.pause_on_hold})
    return policy


# ---- warnings before a breach, and breaches ------------------------------------------------------------------

def _targets_of(ticket: Ticket) -> list[tuple[str, object]]:
    due = []
    if ticket.first_responded_at is None:
        due.append((SlaTarget.FIRST_RESPONSE, ticket.first_response_due_at))
    if ticket.next_reply_due_at is not None:
        due.append((SlaTarget.NEXT_REPLY, ticket.next_reply_due_at))
    if not ticket.sla_paused:
        due.append((SlaTarget.RESOLUTION, ticket.resolution_due_at))
    return [(t, d) for t, d in due if d is not None]


def _desk_people() -> list[int]:
    return list(User.objects.filter(role=Role.SUPPORT_SPECIALIST, is_active=True, vendor__isnull=True)
                .values_list("pk", flat=True)[:50])


@transaction.atomic
def sweep(*, now=None) -> dict:
    """Warn the assignee (or the desk) before a running clock breaches, and record each breach once: a ledger
    event and an outbox message. Idempotent: an event is written once per ticket, target and due time."""
    now = now or clock.now()
    horizon = now + timedelta(hours=2)
    tickets = list(Ticket.objects.select_related("sla_policy")
                   .filter(status__in=OPEN_STATUSES, next_due_at__lte=horizon).order_by("next_due_at")[:5000])
    done = set(SlaEvent.objects.filter(ticket__in=tickets).values_list("ticket_id", "target", "kind", "due_at"))
    warnings, breaches, drafts = 0, 0, []
    desk = None
    for ticket in tickets:
        warn = timedelta(seconds=ticket.sla_policy.warn_seconds if ticket.sla_policy else 900)
        for target, due in _targets_of(ticket):
            if due <= now and (ticket.pk, target, SlaEventKind.BREACH, due) not in done:
                SlaEvent.objects.create(ticket=ticket, target=target, kind=SlaEventKind.BREACH, due_at=due, at=now)
                ledger.record("support.sla_breached", payload={"ticket_id": ticket.pk, "target": target,
                                                               "due_at": due})
                outbox.enqueue("support.sla_breached", {"ticket_id": ticket.pk, "target": target, "due_at": due})
                breaches += 1
            elif now < due <= now + warn and (ticket.pk, target, SlaEventKind.WARNING, due) not in done:
                SlaEvent.objects.create(ticket=ticket, target=target, kind=SlaEventKind.WARNING, due_at=due, at=now)
                ledger.record("support.sla_warning", payload={"ticket_id": ticket.pk, "target": target,
                                                              "due_at": due})
                if ticket.assignee_id:
                    recipients = [ticket.assignee_id]
                else:
                    desk = _desk_people() if desk is None else desk
                    recipients = desk
                minutes = max(1, int((due - now).total_seconds() // 60))
                drafts += [identity.NotificationDraft(
                    recipient_id=r, kind="support.sla_warning", topic="ticket", topic_id=ticket.pk,
                    title=f"Ticket #{ticket.pk}: {target.replace('_', ' ')} due in {minutes} min",
                    body=ticket.subject[:200]) for r in recipients]
                warnings += 1
    identity.notify_many(drafts)
    return {"warnings": warnings, "breaches": breaches}


def attainment(tickets) -> dict:
    """Per target: tickets that met it, breached it, and the share met, over tickets whose clock has stopped."""
    rows = list(tickets.values("first_response_due_at", "first_responded_at", "resolution_due_at", "solved_at",
                               "closed_at"))
    out = {}
    for target, due_key, done_key in (("first_response", "first_response_due_at", "first_responded_at"),
                                      ("resolution", "resolution_due_at", "solved_at")):
        met = breached = 0
        for row in rows:
            done = row[done_key] or (row["closed_at"] if target == "resolution" else None)
            verdict = sla_clock.met(row[due_key], done)
            if verdict is True:
                met += 1
            elif verdict is False:
                breached += 1
        total = met + breached
        out[target] = {"met": met, "breached": breached, "share": round(met / total, 4) if total else None}
    return out


def pauses_flagged(ticket_ids=None):
    q = Q(soon_after_requester_reply=True)
    if ticket_ids is not None:
        q &= Q(ticket_id__in=ticket_ids)
    return SlaPause.objects.filter(q)
