"""Writing cases and queue configuration, and SLA alerts. Intake files notices here; casework.py works cases."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.access import CLEARANCES
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import bulk, clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.policies.selectors import ActivePolicy
from trustops.review import hooks, routing, sla
from trustops.review.models import (
    OPEN_STATUSES,
    Case,
    CaseKind,
    CaseStatus,
    Queue,
    RoutingRule,
    SlaAlert,
    SlaAlertKind,
)
from trustops.review.priority import SOURCE_TRUST, PriorityInputs, priority
from trustops.review.selectors import SLA_RISK_SHARE
from trustops.subjects import services as subjects
from trustops.subjects.models import Subject


@dataclass
class Notice:
    """Something that asks for review of a subject: a report or an above-threshold signal."""
    subject: Subject
    policy: ActivePolicy
    source: str
    is_signal: bool = False
    trust_factor: float = 1.0  # a signal's score scales the trust of its source
    queue_key: str | None = None  # a risk rule names where its case goes; otherwise routing decides


@dataclass
class Filed:
    case_id: int
    created: bool
    queue_key: str


def _priority(case: Case, reach: int, now: datetime) -> int:
    return priority(PriorityInputs(
        severity=case.severity, notice_count=case.report_count + case.signal_count,
        max_source_trust=case.max_source_trust, reach=reach,
        waited_hours=(now - case.opened_at).total_seconds() / 3600))


def _routing_input(subject: Subject, notice: Notice) -> routing.RoutingInput:
    return routing.RoutingInput(subject_type=subject.type, policy_code=notice.policy.code, region=subject.region,
                                language=subject.language, source=notice.source, severity=notice.policy.severity,
                                reach=subject.reach)


def _dominant(notices: list[Notice]) -> Notice:
    return max(notices, key=lambda n: (n.policy.severity, SOURCE_TRUST[n.source] * n.trust_factor))


def _absorb(case: Case, notices: list[Notice], now: datetime) -> None:
    for notice in notices:
        if notice.is_signal:
            case.signal_count += 1
        else:
            case.report_count += 1
        case.max_source_trust = max(case.max_source_trust, SOURCE_TRUST[notice.source] * notice.trust_factor)
    case.last_reported_at = now
    case.updated_at = now


# What taking new notices can change on an open case.
NOTICE_FIELDS = ["report_count", "signal_count", "max_source_trust", "last_reported_at", "updated_at",
                 "severity", "policy_id", "queue_id", "sla_due_at", "priority", "version"]


def _opening(subject: Subject, notices: list[Notice], dominant: Notice, table: routing.RoutingTable,
             now: datetime) -> dict:
    """The row of a new case for these notices (what `_absorb` and `_priority` would make of a fresh case)."""
    named = [q for q in table.queues.values() if dominant.queue_key and q.key == dominant.queue_key]
    queue = named[0] if named else table.route(_routing_input(subject, dominant))
    signals = sum(notice.is_signal for notice in notices)
    trust = max(SOURCE_TRUST[notice.source] * notice.trust_factor for notice in notices)
    severity = dominant.policy.severity
    return {"kind": CaseKind.REPORT_REVIEW, "subject_id": subject.pk, "queue_id": queue.id,
            "status": CaseStatus.OPEN, "policy_id": dominant.policy.policy_id, "severity": severity,
            "report_count": len(notices) - signals, "signal_count": signals, "max_source_trust": trust,
            "priority": priority(PriorityInputs(severity=severity, notice_count=len(notices),
                                                max_source_trust=trust, reach=subject.reach, waited_hours=0.0)),
            "opened_at": now, "last_reported_at": now, "updated_at": now,
            "sla_due_at": now + timedelta(seconds=queue.sla_seconds)}


def file_notices(notices: list[Notice], *, actor=None) -> list[Filed]:
    """Attach each notice to its subject's open case, or open one. Runs inside the caller's transaction.

    Open cases are locked in id order, so concurrent batches wait for each other instead of losing counts; a
    concurrent opening of the same subject's case hits the partial unique index and the caller retries.
    """
    if not notices:
        return []
    now = clock.now()
    table = routing.table()
    by_subject: dict[int, list[Notice]] = {}
    for notice in notices:
        by_subject.setdefault(notice.subject.pk, []).append(notice)
    open_cases = {c.subject_id: c for c in Case.objects.select_for_update().filter(
        bulk.OneOf(F("subject_id"), by_subject), kind=CaseKind.REPORT_REVIEW, status__in=OPEN_STATUSES)
        .order_by("id")}

    opened, changed, entries = [], [], []
    for subject_id, subject_notices in by_subject.items():
        subject = subject_notices[0].subject
        dominant = _dominant(subject_notices)
        case = open_cases.get(subject_id)
        if case is None:
            # New cases are written as rows: nothing below needs them as model instances.
            opened.append((_opening(subject, subject_notices, dominant, table, now), dominant))
            continue
        before = (case.queue_id, case.priority)
        _absorb(case, subject_notices, now)
        if dominant.policy.severity > case.severity:
            case.severity, case.policy_id = dominant.policy.severity, dominant.policy.policy_id
            if case.status == CaseStatus.OPEN:
                # A worse report than the one it was routed on may need a more specialised queue.
                queue = table.route(_routing_input(subject, dominant))
                if queue.id != case.queue_id:
                    case.queue_id = queue.id
                    case.sla_due_at = min(case.sla_due_at, case.opened_at + timedelta(seconds=queue.sla_seconds))
                    entries.append(ledger.Entry("case.rerouted", {"from_queue": _queue_key(table, before[0]),
                                                                  "to_queue": queue.key,
                                                                  "policy": dominant.policy.code},
                                                subject_id=subject_id, case_id=case.pk))
        case.priority = _priority(case, subject.reach, now)
        case.version += 1
        changed.append(case)

    # subject id -> (case id, queue id, opened by this call)
    case_of = {c.subject_id: (c.pk, c.queue_id, False) for c in changed}
    for case_id, (row, dominant) in zip(bulk.insert(Case, [row for row, _ in opened]), opened):
        case_of[row["subject_id"]] = (case_id, row["queue_id"], True)
        entries.append(ledger.Entry("case.opened", {
            "kind": row["kind"], "queue": table.queues[row["queue_id"]].key, "priority": row["priority"],
            "policy": dominant.policy.code, "sla_due_at": row["sla_due_at"]},
            subject_id=row["subject_id"], case_id=case_id))
    bulk.update(Case, changed, NOTICE_FIELDS)
    ledger.record_many(entries, actor=actor)

    filed = []
    for notice in notices:
        case_id, queue_id, created = case_of[notice.subject.pk]
        # Only the first notice of a batch about a subject opened its case; the rest attached to it.
        opened_it = created and notice is by_subject[notice.subject.pk][0]
        filed.append(Filed(case_id, opened_it, _queue_key(table, queue_id)))
    return filed


def _queue_key(table: routing.RoutingTable, queue_id: int) -> str:
    facts = table.queues.get(queue_id)
    return facts.key if facts is not None else Queue.objects.values_list("key", flat=True).get(pk=queue_id)


# ---- configuration (the admin and the simulation both come through here) ----

QUEUE_FIELDS = {"name", "description", "sla_seconds", "tier", "severe_content", "required_clearance", "allowed_actions", "is_default",
                "active", "requires_certification"}


def _source_of(case: Case) -> str:
    """The most trusted source that reported the case (the case keeps its trust, not its name)."""
    fitting = [(trust, source) for source, trust in SOURCE_TRUST.items() if trust <= case.max_source_trust + 1e-9]
    return max(fitting)[1] if fitting else "user"


@transaction.atomic
def move_subject_region(*, subject_id: int, region: str, actor, reason: str) -> Subject:
    """An admin moves a subject to another data region (`subjects.services.move_region`), and its open cases
    that wait in a queue are routed again as if reported there now: a US case moved to DE leaves the US queue
    (and the vendor contracted for it) for the queue the routing rules give DE. A case a reviewer holds stays
    with them until decided or released; SLA deadlines only ever move earlier."""
    subject = subjects.move_region(subject_id=subject_id, region=region, actor=actor, reason=reason)
    table = routing.table()
    entries = []
    for case in (Case.objects.select_for_update(of=("self",)).select_related("policy")
                 .filter(subject_id=subject.pk, kind=CaseKind.REPORT_REVIEW, status=CaseStatus.OPEN)):
        queue = table.route(routing.RoutingInput(
            subject_type=subject.type, policy_code=case.policy.code if case.policy else "", region=subject.region,
            language=subject.language, source=_source_of(case), severity=case.severity, reach=subject.reach))
        if queue.id == case.queue_id:
            continue
        before = _queue_key(table, case.queue_id)
        case.queue_id, case.version, case.updated_at = queue.id, case.version + 1, clock.now()
        case.sla_due_at = min(case.sla_due_at, case.opened_at + timedelta(seconds=queue.sla_seconds))
        case.save(update_fields=["queue", "version", "updated_at", "sla_due_at"])
        entries.append(ledger.Entry("case.rerouted", {"from_queue": before, "to_queue": queue.key,
                                                      "reason": "region_moved"},
                                    subject_id=subject.pk, case_id=case.pk))
    ledger.record_many(entries, actor=actor)
    return subject


@transaction.atomic
def save_queue(*, key: str, actor=None, teams=(), vendors=(), **fields) -> Queue:
    unknown = set(fields) - QUEUE_FIELDS
    if unknown:
        raise Invalid("unknown_field", f"Unknown queue fields: {', '.join(sorted(unknown))}.")
    if fields.get("required_clearance") and fields["required_clearance"] not in CLEARANCES:
        raise Invalid("unknown_clearance", f"A queue requires one of: {', '.join(CLEARANCES)}.",
                      field="required_clearance")
    if fields.get("is_default"):
        Queue.objects.filter(is_default=True).exclude(key=key).update(is_default=False)
    queue, created = Queue.objects.update_or_create(key=key, defaults=fields)
    if teams:
        queue.teams.set(teams)
    if vendors:
        queue.vendors.set(vendors)
    ledger.record("queue.created" if created else "queue.changed", actor=actor, payload={
        "queue": key, **{k: v for k, v in fields.items()}, "teams": [t.key for t in teams],
        "vendors": [v.key for v in vendors]})
    return queue


@transaction.atomic
def assign_vendors(*, queue: Queue, vendors, actor=None, reason: str = "") -> list[str]:
    """Add vendors to the ones working a queue (a staffing requirement approved, say); returns the keys added."""
    have = set(queue.vendors.values_list("pk", flat=True))
    added = [v for v in vendors if v.pk not in have]
    if added:
        queue.vendors.add(*added)
        ledger.record("queue.vendors_assigned", actor=actor, payload={
            "queue": queue.key, "added": sorted(v.key for v in added), "reason": reason[:300]})
    return sorted(v.key for v in added)


RULE_FIELDS = {"name", "subject_types", "policy_prefixes", "regions", "languages", "sources", "min_severity",
               "min_reach", "enabled"}


@transaction.atomic
def add_routing_rule(*, position: int, queue: Queue, actor=None, **conditions) -> RoutingRule:
    unknown = set(conditions) - RULE_FIELDS
    if unknown:
        raise Invalid("unknown_field", f"Unknown routing rule fields: {', '.join(sorted(unknown))}.")
    rule = RoutingRule.objects.create(position=position, queue=queue, **conditions)
    ledger.record("routing_rule.created", actor=actor, payload={"rule_id": rule.pk, "position": position,
                                                                "queue": queue.key, **conditions})
    return rule


@transaction.atomic
def save_from_admin(obj, *, actor, change: bool, kind: str) -> None:
    """The admin edits queues and rules directly; every such save is still a ledger event."""
    if isinstance(obj, Queue) and obj.is_default:
        Queue.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
    obj.save()
    ledger.record(f"{kind}.{'changed' if change else 'created'}", actor=actor,
                  payload={"id": obj.pk, "name": str(obj)})


# ---- SLA alerts: pushed to the queue's leads and to the platform, once per case and state ----

SLA_ALERT_WORDS = {SlaAlertKind.AT_RISK: "is at SLA risk", SlaAlertKind.BREACHED: "breached its SLA"}


def raise_sla_alerts(*, batch: int = 500) -> dict[str, int]:
    """Alert every waiting case that is newly at SLA risk or newly breached; each batch one transaction.

    A case is alerted once per state (`SlaAlert`), however often this runs: a ledger event, an outbox message
    (`sla.at_risk` / `sla.breached`) and a console notification for each of the queue's leads who may see it.
    Breaches go first, so a case found already past due is alerted as breached and never as at risk.
    """
    alerted = {SlaAlertKind.BREACHED.value: 0, SlaAlertKind.AT_RISK.value: 0}
    for kind in (SlaAlertKind.BREACHED, SlaAlertKind.AT_RISK):
        after = 0
        while True:
            with transaction.atomic():
                now = clock.now()
                found = list(_newly(kind, now).filter(pk__gt=after)
                             .select_for_update(skip_locked=True, of=("self",))
                             .select_related("queue", "subject").order_by("id")[:batch])
                if not found:
                    break
                after = found[-1].pk
                # The stored due time leaves out the queue's pauses (an incident): a case whose clock stood
                # still, or stands still now, is alerted only by its due time with the pauses counted.
                dues = sla.due_times(found, now)
                cases = [case for case in found if _still(kind, case, dues[case.pk], now)]
                if cases:
                    _alert(cases, kind, now)
                alerted[kind.value] += len(cases)
    return alerted


def _still(kind: str, case: Case, due: "sla.Due", now: datetime) -> bool:
    if due.paused:
        return False
    if kind == SlaAlertKind.BREACHED:
        return due.at < now
    return due.at < now + timedelta(seconds=case.queue.sla_seconds * SLA_RISK_SHARE)


def _newly(kind: str, now: datetime):
    waiting = Case.objects.filter(status__in=OPEN_STATUSES).exclude(
        Exists(SlaAlert.objects.filter(case=OuterRef("pk"), kind=kind)))
    if kind == SlaAlertKind.BREACHED:
        return waiting.filter(sla_due_at__lt=now)
    # At risk: inside the last quarter of its own queue's SLA target, one time window per target.
    windows = Q(pk__in=[])
    for sla_seconds in set(Queue.objects.values_list("sla_seconds", flat=True)):
        windows |= Q(queue__sla_seconds=sla_seconds, sla_due_at__gte=now,
                     sla_due_at__lt=now + timedelta(seconds=sla_seconds * SLA_RISK_SHARE))
    return waiting.filter(windows)


def _alert(cases: list[Case], kind: str, now: datetime) -> None:
    SlaAlert.objects.bulk_create([SlaAlert(case=case, kind=kind, alerted_at=now) for case in cases])
    ledger.record_many([ledger.Entry(f"case.sla_{kind}", {"queue": case.queue.key, "sla_due_at": case.sla_due_at},
                                     subject_id=case.subject_id, case_id=case.pk) for case in cases])
    # Golden cases carry no real notice: the platform never hears of them (review/hooks.py).
    golden = set(Case.objects.filter(pk__in=[case.pk for case in cases])
                 .filter(pk__in=hooks.golden.withheld_case_ids()).values_list("pk", flat=True))
    outbox.enqueue_many(f"sla.{kind}", [{
        "case_id": case.pk, "queue": case.queue.key, "status": case.status, "sla_due_at": case.sla_due_at,
        "subject": {"type": case.subject.type, "external_id": case.subject.external_id}, "alerted_at": now,
    } for case in cases if case.pk not in golden])
    drafts = []
    by_queue: dict[int, list[Case]] = {}
    for case in cases:
        by_queue.setdefault(case.queue_id, []).append(case)
    for queue_cases in by_queue.values():
        queue = queue_cases[0].queue
        ids = [case.pk for case in queue_cases]
        for lead in leads_of(queue):
            seen = set(Case.objects.filter(access.case_filter(lead), pk__in=ids).values_list("pk", flat=True))
            drafts += [identity.NotificationDraft(
                recipient_id=lead.pk, kind=f"sla.{kind}", topic="case", topic_id=case.pk,
                title=f"Case {case.pk} {SLA_ALERT_WORDS[kind]} in {queue.name}",
                body=f"Due {case.sla_due_at:%Y-%m-%d %H:%M} UTC.") for case in queue_cases if case.pk in seen]
    identity.notify_many(drafts)


def leads_of(queue: Queue) -> list[User]:
    """Who hears of a queue's SLA trouble: the team leads of the teams that work it (in-house teams it names,
    or every in-house team when it names none; the teams of vendors contracted to it) and the admins."""
    team_ids = list(queue.teams.values_list("id", flat=True))
    vendor_ids = list(queue.vendors.values_list("id", flat=True))
    in_house = Q(vendor__isnull=True) & (Q(team_id__in=team_ids) if team_ids else Q(team__isnull=False))
    leads = Q(role=Role.TEAM_LEAD) & (in_house | Q(vendor_id__in=vendor_ids))
    admins = Q(role=Role.ADMIN, vendor__isnull=True)
    return list(User.objects.filter(leads | admins, is_active=True).order_by("id"))
