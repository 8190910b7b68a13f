"""Legal clocks: deadlines set in law that never pause, whatever the case or queue status.

- NCII removal request (US TAKE IT DOWN Act): 48 hours from a valid request; identical copies (same media hash)
  are found and must be removed too before the request counts as handled.
- Terrorist content removal order (EU Regulation 2021/784): one hour.
- Any other authority order: the deadline it sets (24 hours when the order names none).
Escalation notices go to compliance officers and admins at 50% and 80% of the time; at 100% a breach report is
written (ledger event and notice). Handling is a decision on the subject (removal for NCII and removal orders).
"""
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from trustops.compliance.models import ClockKind, ClockStatus, LegalClock
from trustops.enforcement.models import ActionStatus, EnforcementAction
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.identity.services import NotificationDraft, notify_many
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.kernel.errors import Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.review.models import Verdict
from trustops.subjects.models import Subject

HOUR = 3600
DEADLINES = {ClockKind.NCII: 48 * HOUR, ClockKind.REMOVAL_ORDER: 1 * HOUR, ClockKind.AUTHORITY_ORDER: 24 * HOUR}
NCII_POLICY = "privacy.non_consensual_imagery"
TERRORIST_POLICY = "violent_extremism"
REMOVALS = ("remove", "delist")
MEDIA_HASH = "media_hash"
ESCALATE_AT = (0.5, 0.8)


def kind_for_report(source: str, policy_code: str) -> str | None:
    """Which clock a report starts: an NCII report, or an authority's order (a removal order for terrorism)."""
    if policy_code == NCII_POLICY or policy_code.startswith(NCII_POLICY + "."):
        return ClockKind.NCII
    if source == "authority":
        if policy_code == TERRORIST_POLICY or policy_code.startswith(TERRORIST_POLICY + "."):
            return ClockKind.REMOVAL_ORDER
        return ClockKind.AUTHORITY_ORDER
    return None


def identical_copies(subject: Subject) -> list[int]:
    """Other items carrying the same media (by the platform's media hash attribute)."""
    media = (subject.attributes or {}).get(MEDIA_HASH)
    if not media or subject.is_account:
        return []
    return list(Subject.objects.filter(attributes__media_hash=media).exclude(pk=subject.pk)
                .order_by("pk").values_list("pk", flat=True)[:500])


def _open(*, kind: str, subject: Subject, started_at: datetime, deadline_seconds: int | None = None, case_id=None,
          report_id=None, reference="", authority="", member_state="", personal: dict | None = None,
          actor=None) -> LegalClock:
    seconds = deadline_seconds or DEADLINES[kind]
    copies = identical_copies(subject) if kind == ClockKind.NCII else []
    legal_clock = LegalClock.objects.create(
        kind=kind, subject=subject, case_id=case_id, report_id=report_id, reference=reference, authority=authority,
        member_state=member_state, started_at=started_at, due_at=started_at + timedelta(seconds=seconds),
        copies=copies, opened_by=actor if isinstance(actor, User) else None)
    ledger.record("legal_clock.opened", actor=actor, subject_id=subject.pk, case_id=case_id, payload={
        "clock_id": legal_clock.pk, "kind": kind, "due_at": legal_clock.due_at, "reference": reference,
        "authority": authority, "report_id": report_id, "copies": copies}, personal=personal or None)
    return legal_clock


@transaction.atomic
def open_legal_request(*, kind: str, subject_type: str, external_id: str, received_at: datetime | None = None,
                       deadline_hours: float | None = None, reference: str = "", authority: str = "",
                       member_state: str = "", requester: dict | None = None, actor=None) -> LegalClock:
    """A request or order received outside the report API (a letter, a portal): opens its clock."""
    if kind not in ClockKind.values:
        raise Invalid("invalid_kind", f"kind is one of {', '.join(ClockKind.values)}.", field="kind")
    subject = Subject.objects.filter(type=subject_type, external_id=external_id).first()
    if subject is None:
        raise NotFound("subject_not_found", f"No {subject_type} {external_id!r}.", field="external_id")
    now = clock.now()
    started = received_at or now
    if started > now:
        raise Invalid("received_in_future", "received_at is in the future.", field="received_at")
    if kind == ClockKind.NCII:
        # A valid request (TAKE IT DOWN Act): signed, identifying the content, a good-faith statement, a contact.
        missing = [f for f in ("name", "contact", "signature", "good_faith_statement") if not (requester or {}).get(f)]
        if missing:
            raise Invalid("invalid_request", f"A valid NCII removal request needs the requester's {', '.join(missing)}.",
                          field=f"requester.{missing[0]}")
    if kind == ClockKind.AUTHORITY_ORDER and not deadline_hours:
        raise Invalid("missing_deadline", "An authority order states its deadline.", field="deadline_hours")
    seconds = int(deadline_hours * HOUR) if deadline_hours else None
    if kind != ClockKind.AUTHORITY_ORDER:
        seconds = None        # the law sets these, not the request
    case = subject.cases.filter(status__in=["open", "in_review"]).order_by("-id").first()
    return _open(kind=kind, subject=subject, started_at=started, deadline_seconds=seconds,
                 case_id=case.pk if case else None, reference=reference, authority=authority,
                 member_state=member_state, personal=requester, actor=actor)


def open_from_reports(*, since: datetime | None = None) -> int:
    """The sweep: every NCII report and authority order without a clock gets one, started when it arrived."""
    horizon = since or clock.now() - timedelta(days=3)
    reports = (Report.objects.filter(received_at__gte=horizon)
               .filter(Q(source="authority") | Q(policy__code=NCII_POLICY)
                       | Q(policy__code__startswith=NCII_POLICY + "."))
               .exclude(pk__in=LegalClock.objects.filter(report__isnull=False).values("report_id"))
               .select_related("subject", "policy").order_by("id"))
    opened = 0
    for report in reports:
        kind = kind_for_report(report.source, report.policy.code)
        if kind is None:
            continue
        with transaction.atomic():
            _open(kind=kind, subject=report.subject, started_at=report.received_at, case_id=report.case_id,
                  report_id=report.pk, authority=report.reporter_external_id if kind != ClockKind.NCII else "",
                  actor="legal-clocks")
        opened += 1
    return opened


def _removed(subject_ids) -> set[int]:
    return set(EnforcementAction.objects.filter(target_id__in=list(subject_ids), action__in=REMOVALS,
                                                status=ActionStatus.ACTIVE).values_list("target_id", flat=True))


def on_decision(decision, *, case) -> int:
    """In the decision's transaction: running clocks this decision handles (on the subject or a copy of it).
    Running clocks are few (each lasts hours), so copies are matched here rather than in SQL."""
    subject_id = case.subject_id
    # Read without locks, then lock only the clocks this decision concerns: decisions elsewhere never wait.
    concerned = [c.pk for c in LegalClock.objects.filter(status=ClockStatus.RUNNING).only("id", "subject", "copies")
                 if c.subject_id == subject_id or subject_id in (c.copies or [])]
    if not concerned:
        return 0
    running = LegalClock.objects.select_for_update().filter(pk__in=concerned, status=ClockStatus.RUNNING).order_by("id")
    return sum(_complete(legal_clock, decision) for legal_clock in running)


def _complete(legal_clock: LegalClock, decision) -> bool:
    needs_removal = legal_clock.kind in (ClockKind.NCII, ClockKind.REMOVAL_ORDER)
    if decision.case.subject_id == legal_clock.subject_id and decision.verdict == Verdict.NO_VIOLATION:
        outcome = "found_no_violation"
    else:
        removed = _removed([legal_clock.subject_id, *legal_clock.copies])
        if needs_removal and legal_clock.subject_id not in removed:
            return False
        if needs_removal and not set(legal_clock.copies) <= removed:
            return False        # the original is down; identical copies are still up
        outcome = "removed" if needs_removal else "acted"
    now = clock.now()
    legal_clock.status = ClockStatus.MET if now <= legal_clock.due_at else ClockStatus.MET_LATE
    legal_clock.handled_at, legal_clock.handled_by_decision = now, decision
    legal_clock.save(update_fields=["status", "handled_at", "handled_by_decision"])
    ledger.record("legal_clock.handled", subject_id=legal_clock.subject_id, case_id=legal_clock.case_id, payload={
        "clock_id": legal_clock.pk, "kind": legal_clock.kind, "status": legal_clock.status, "outcome": outcome,
        "decision_id": decision.pk, "seconds": int((now - legal_clock.started_at).total_seconds())})
    return True


def _recipients() -> list[int]:
    return list(User.objects.filter(is_active=True, role__in=[Role.COMPLIANCE_OFFICER, Role.ADMIN],
                                    vendor__isnull=True).values_list("pk", flat=True))


@transaction.atomic
def tick() -> dict:
    """Escalate at 50% and 80% of the time, report breaches at 100%. Each step once per clock."""
    now = clock.now()
    counts = {"half": 0, "late": 0, "breached": 0}
    drafts = []
    recipients = None
    for legal_clock in LegalClock.objects.select_for_update().filter(status=ClockStatus.RUNNING).filter(
            Q(escalated_half_at__isnull=True) | Q(escalated_late_at__isnull=True) | Q(breached_at__isnull=True)):
        span = (legal_clock.due_at - legal_clock.started_at).total_seconds() or 1
        share = (now - legal_clock.started_at).total_seconds() / span
        steps = []
        if share >= 0.5 and legal_clock.escalated_half_at is None:
            legal_clock.escalated_half_at = now
            steps.append(("half", "50%"))
        if share >= 0.8 and legal_clock.escalated_late_at is None:
            legal_clock.escalated_late_at = now
            steps.append(("late", "80%"))
        if share >= 1 and legal_clock.breached_at is None:
            legal_clock.breached_at = now
            steps.append(("breached", "100%"))
        if not steps:
            continue
        legal_clock.save(update_fields=["escalated_half_at", "escalated_late_at", "breached_at"])
        if recipients is None:
            recipients = _recipients()
        for step, share_text in steps:
            counts[step] += 1
            kind = "legal_clock.breached" if step == "breached" else "legal_clock.escalated"
            ledger.record(kind, subject_id=legal_clock.subject_id, case_id=legal_clock.case_id, payload={
                "clock_id": legal_clock.pk, "kind": legal_clock.kind, "share": share_text,
                "due_at": legal_clock.due_at})
            title = (f"Breach: {legal_clock.get_kind_display()} #{legal_clock.pk} missed its deadline"
                     if step == "breached" else
                     f"{share_text} of the time used: {legal_clock.get_kind_display()} #{legal_clock.pk}")
            drafts += [NotificationDraft(recipient_id=r, kind=kind, title=title[:200],
                                         body=f"Due {legal_clock.due_at:%Y-%m-%d %H:%M} UTC.", topic="legal_clock",
                                         topic_id=legal_clock.pk) for r in recipients]
    notify_many(drafts)
    return counts


@transaction.atomic
def withdraw(*, clock_id: int, reason: str, actor=None) -> LegalClock:
    legal_clock = LegalClock.objects.select_for_update().filter(pk=clock_id).first()
    if legal_clock is None:
        raise NotFound("clock_not_found", f"No legal clock {clock_id}.")
    if legal_clock.status != ClockStatus.RUNNING:
        raise Invalid("clock_not_running", "Only a running clock can be withdrawn.", field="clock_id")
    if not reason.strip():
        raise Invalid("missing_reason", "Say why the request or order was withdrawn.", field="reason")
    legal_clock.status, legal_clock.handled_at = ClockStatus.WITHDRAWN, clock.now()
    legal_clock.save(update_fields=["status", "handled_at"])
    ledger.record("legal_clock.withdrawn", actor=actor, subject_id=legal_clock.subject_id,
                  case_id=legal_clock.case_id, payload={"clock_id": legal_clock.pk, "reason": reason.strip()[:500]})
    return legal_clock
