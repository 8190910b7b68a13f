"""Retention, legal holds and data subjects' requests.

- Each data class has a retention period (`RetentionPolicy`); the purge job erases what is older, except what a
  legal hold keeps (a held account keeps its items too).
- Personal parts of ledger events are erased by digest (`ledger.services.purge_personal`): the ledger still
  verifies after a purge.
- A data subject's export gathers reports, decisions, enforcement, strikes, appeals and (when the support app
  provides them through the `support.tickets_of` port) tickets, as a JSON archive.
- An erasure erases what the law lets go and lists what it keeps and why; under a legal hold it is refused.
"""
from datetime import timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import Q

from trustops.compliance.models import (
    DataClass,
    DataSubjectRequest,
    HoldKind,
    LegalHold,
    PurgeRun,
    RequestKind,
    RequestStatus,
    RetentionPolicy,
)
from trustops.enforcement.models import EnforcementAction, Strike
from trustops.intake import services as intake
from trustops.intake.models import Report
from trustops.kernel import clock, ports
from trustops.kernel.errors import Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.ledger.hashing import PERSONAL_KEY
from trustops.ledger.models import LedgerEvent, PersonalPart
from trustops.review.models import Appeal, Decision
from trustops.subjects import services as subjects
from trustops.subjects.models import ACCOUNT_TYPES, Subject

DEFAULT_DAYS = {DataClass.REPORT_TEXTS: 365, DataClass.MEDIA_REFERENCES: 180, DataClass.REPORTER_PERSONAL_DATA: 180,
                DataClass.TICKET_CONTENTS: 730, DataClass.LEDGER_PERSONAL_PARTS: 365}
MEDIA_KEYS = ("media_url", "media_urls", "thumbnail_url", "media_hash")
CHILD_SAFETY_HOLD_DAYS = 365      # REPORT Act: one year
ACTOR = "retention"
# What an erasure keeps, and the law that says so.
LAWFUL_EXCEPTIONS = [
    {"records": "decisions and enforcement actions",
     "why": "DSA Art. 17 and 20: the statement of reasons and the complaint process refer to them; GDPR Art. "
            "17(3)(e): establishment, exercise or defence of legal claims"},
    {"records": "strikes until they expire",
     "why": "DSA Art. 23: measures against repeated misuse need the record of past violations"},
    {"records": "statements of reasons sent to the DSA Transparency Database",
     "why": "DSA Art. 24(5): they hold no personal data and the database keeps them"},
    {"records": "ledger events (their personal parts are erased)",
     "why": "GDPR Art. 17(3)(b) and 5(2): the tamper-evident record of what was done is a legal obligation"},
]


class TicketsOf(Protocol):
    """The support app's port `support.tickets_of`: a person's tickets, and erasing their contents."""

    def export(self, *, external_id: str) -> list[dict]: ...

    def erase(self, *, external_id: str) -> int: ...

    def purge_contents(self, *, before) -> int: ...


# ---- holds ---------------------------------------------------------------------------------------------------

def active_holds(now=None):
    now = now or clock.now()
    return LegalHold.objects.filter(released_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def held_subject_ids(now=None) -> set[int]:
    """Subjects a hold keeps: the held subjects, and the items of held accounts."""
    held = set(active_holds(now).values_list("subject_id", flat=True))
    if held:
        held |= set(Subject.objects.filter(owner_id__in=held).values_list("pk", flat=True))
    return held


@transaction.atomic
def place_hold(*, subject_id: int, reason: str, kind: str = HoldKind.LEGAL, days: int | None = None, case_id=None,
               actor=None) -> LegalHold:
    if not reason or not reason.strip():
        raise Invalid("missing_reason", "Say why the records are held.", field="reason")
    if kind not in HoldKind.values:
        raise Invalid("invalid_kind", f"kind is one of {', '.join(HoldKind.values)}.", field="kind")
    subject = Subject.objects.filter(pk=subject_id).first()
    if subject is None:
        raise NotFound("subject_not_found", f"No subject {subject_id}.")
    now = clock.now()
    if kind == HoldKind.CHILD_SAFETY:
        days = max(days or 0, CHILD_SAFETY_HOLD_DAYS)
    hold = LegalHold.objects.create(kind=kind, subject=subject, case_id=case_id, reason=reason.strip()[:500],
                                    placed_at=now, placed_by=actor if getattr(actor, "pk", None) else None,
                                    expires_at=now + timedelta(days=days) if days else None)
    ledger.record("legal_hold.placed", actor=actor, subject_id=subject.pk, case_id=case_id, payload={
        "hold_id": hold.pk, "kind": kind, "reason": hold.reason, "expires_at": hold.expires_at})
    return hold


@transaction.atomic
def release_hold(*, hold_id: int, reason: str, actor=None) -> LegalHold:
    hold = LegalHold.objects.select_for_update().filter(pk=hold_id, released_at__isnull=True).first()
    if hold is None:
        raise NotFound("hold_not_found", f"No active hold {hold_id}.")
    if hold.kind == HoldKind.CHILD_SAFETY and hold.expires_at and hold.expires_at > clock.now():
        raise Invalid("preservation_required", "Child-safety evidence is preserved for one year (REPORT Act); "
                                               "this hold cannot be released before it ends.", field="hold_id")
    hold.released_at = clock.now()
    hold.save(update_fields=["released_at"])
    ledger.record("legal_hold.released", actor=actor, subject_id=hold.subject_id, payload={
        "hold_id": hold.pk, "reason": reason.strip()[:500]})
    return hold


# ---- retention -----------------------------------------------------------------------------------------------

@transaction.atomic
def set_retention(*, data_class: str, keep_days: int, actor=None) -> RetentionPolicy:
    if data_class not in DataClass.values:
        raise Invalid("invalid_data_class", f"data_class is one of {', '.join(DataClass.values)}.", field="data_class")
    if not 1 <= keep_days <= 3650:
        raise Invalid("invalid_days", "keep_days is within 1..3650.", field="keep_days")
    policy, _ = RetentionPolicy.objects.update_or_create(data_class=data_class, defaults={
        "keep_days": keep_days, "updated_at": clock.now()})
    ledger.record("retention_policy.saved", actor=actor, payload={"data_class": data_class, "keep_days": keep_days})
    return policy


def retention_days() -> dict[str, int]:
    days = dict(DEFAULT_DAYS)
    days.update(dict(RetentionPolicy.objects.values_list("data_class", "keep_days")))
    return days


def _purge_class(data_class: str, cutoff, held: set[int]) -> tuple[int, int]:
    reason = f"retention: {data_class} older than {cutoff:%Y-%m-%d}"
    if data_class in (DataClass.REPORT_TEXTS, DataClass.REPORTER_PERSONAL_DATA):
        field = "text" if data_class == DataClass.REPORT_TEXTS else "reporter_external_id"
        old = Report.objects.filter(received_at__lt=cutoff).exclude(**{field: ""})
        kept = old.filter(subject_id__in=held).count() if held else 0
        ids = list(old.exclude(subject_id__in=held).values_list("pk", flat=True))
        return intake.redact_reports(report_ids=ids, fields=(field,), actor=ACTOR, reason=reason), kept
    if data_class == DataClass.MEDIA_REFERENCES:
        old = Subject.objects.filter(updated_at__lt=cutoff).exclude(type__in=ACCOUNT_TYPES).filter(
            Q(*[Q(attributes__has_key=k) for k in MEDIA_KEYS], _connector=Q.OR))
        kept = old.filter(pk__in=held).count() if held else 0
        ids = list(old.exclude(pk__in=held).values_list("pk", flat=True))
        return subjects.erase_attributes(subject_ids=ids, keys=MEDIA_KEYS, actor=ACTOR, reason=reason), kept
    if data_class == DataClass.LEDGER_PERSONAL_PARTS:
        events = LedgerEvent.objects.filter(occurred_at__lt=cutoff, payload__has_key=PERSONAL_KEY)
        kept = events.filter(subject_id__in=held).count() if held else 0
        digests = [p[PERSONAL_KEY] for p in events.exclude(subject_id__in=held).values_list("payload", flat=True)]
        live = PersonalPart.objects.filter(digest__in=digests, purged_at__isnull=True).values_list("digest", flat=True)
        return ledger.purge_personal(list(live), reason=reason, actor=ACTOR), kept
    if data_class == DataClass.TICKET_CONTENTS:
        tickets = ports.get("support.tickets_of")
        return (tickets.purge_contents(before=cutoff) if tickets else 0), 0
    raise Invalid("invalid_data_class", f"Unknown data class {data_class}.", field="data_class")


def purge(*, data_classes=None) -> list[PurgeRun]:
    """The purge job: each data class in its own transaction; what a hold keeps is counted, not touched."""
    runs = []
    days = retention_days()
    for data_class in data_classes or DataClass.values:
        with transaction.atomic():
            now = clock.now()
            cutoff = now - timedelta(days=days[data_class])
            purged, kept = _purge_class(data_class, cutoff, held_subject_ids(now))
            runs.append(PurgeRun.objects.create(data_class=data_class, ran_at=now, cutoff=cutoff, purged=purged,
                                                kept_under_hold=kept))
    return runs


# ---- data subjects -------------------------------------------------------------------------------------------

def _account(subject_type: str, external_id: str) -> Subject:
    subject = Subject.objects.filter(type=subject_type, external_id=external_id).first()
    if subject is None:
        raise NotFound("subject_not_found", f"No {subject_type} {external_id!r}.")
    if not subject.is_account:
        raise Invalid("not_an_account", "Data subject requests are made for an account (a person).",
                      field="subject_type")
    return subject


def _scope_ids(account: Subject) -> list[int]:
    return [account.pk, *Subject.objects.filter(owner_id=account.pk).values_list("pk", flat=True)]


def archive_of(account: Subject) -> dict:
    """Everything trustops holds about the person behind an account, as plain JSON."""
    ids = _scope_ids(account)
    subjects_rows = Subject.objects.filter(pk__in=ids).order_by("pk")
    reports_about = Report.objects.filter(subject_id__in=ids).select_related("policy").order_by("pk")
    reports_by = Report.objects.filter(reporter_external_id=account.external_id).select_related("policy").order_by("pk")
    decisions = Decision.objects.filter(case__subject_id__in=ids).select_related("policy").order_by("pk")
    tickets = ports.get("support.tickets_of")
    return {
        "account": {"type": account.type, "external_id": account.external_id, "region": account.region},
        "subjects": [{"type": s.type, "external_id": s.external_id, "region": s.region, "language": s.language,
                      "attributes": s.attributes, "first_seen_at": s.first_seen_at.isoformat()} for s in subjects_rows],
        "reports_about": [_report(r) for r in reports_about],
        "reports_filed": [_report(r) for r in reports_by],
        "decisions": [{"id": d.pk, "verdict": d.verdict, "policy": d.policy.code if d.policy_id else None,
                       "actions": d.actions, "rationale": d.rationale, "decided_at": d.decided_at.isoformat()}
                      for d in decisions],
        "enforcement": [{"action": a.action, "status": a.status, "starts_at": a.starts_at.isoformat(),
                         "ends_at": a.ends_at.isoformat() if a.ends_at else None, "decision_id": a.decision_id}
                        for a in EnforcementAction.objects.filter(target_id__in=ids).order_by("pk")],
        "strikes": [{"policy_family": s.policy_family, "points": s.points, "issued_at": s.issued_at.isoformat(),
                     "expires_at": s.expires_at.isoformat(), "reversed": s.reversed_at is not None}
                    for s in Strike.objects.filter(account_id=account.pk).order_by("pk")],
        "appeals": [{"decision_id": a.decision_id, "statement": a.statement, "status": a.status,
                     "received_at": a.received_at.isoformat()}
                    for a in Appeal.objects.filter(decision__case__subject_id__in=ids).order_by("pk")],
        "tickets": tickets.export(external_id=account.external_id) if tickets else None,
    }


def _report(r: Report) -> dict:
    return {"id": r.pk, "reason": r.policy.code, "source": r.source, "text": r.text,
            "received_at": r.received_at.isoformat()}


@transaction.atomic
def export(*, subject_type: str, external_id: str, actor=None) -> DataSubjectRequest:
    account = _account(subject_type, external_id)
    archive = archive_of(account)
    request = DataSubjectRequest.objects.create(
        kind=RequestKind.EXPORT, subject=account, status=RequestStatus.COMPLETED, requested_at=clock.now(),
        requested_by=actor if getattr(actor, "pk", None) else None, archive=archive,
        outcome={"counts": {k: len(v) for k, v in archive.items() if isinstance(v, list)}})
    ledger.record("data_subject.exported", actor=actor, subject_id=account.pk, payload={"request_id": request.pk,
                                                                                         **request.outcome})
    return request


@transaction.atomic
def erase(*, subject_type: str, external_id: str, actor=None) -> DataSubjectRequest:
    """Erase the person's data except the lawful exceptions (listed in the outcome); refused under a hold."""
    account = _account(subject_type, external_id)
    ids = _scope_ids(account)
    holds = list(active_holds().filter(subject_id__in=ids))
    now = clock.now()
    who = actor if getattr(actor, "pk", None) else None
    if holds:
        reasons = [f"{h.get_kind_display()} hold #{h.pk}: {h.reason}" for h in holds]
        request = DataSubjectRequest.objects.create(
            kind=RequestKind.ERASURE, subject=account, status=RequestStatus.REFUSED, requested_at=now,
            requested_by=who, outcome={"refused": "The records are under legal hold.", "holds": reasons})
        ledger.record("data_subject.erasure_refused", actor=actor, subject_id=account.pk,
                      payload={"request_id": request.pk, "holds": [h.pk for h in holds]})
        return request
    reason = f"erasure request for {account.type} {account.external_id}"
    about = list(Report.objects.filter(subject_id__in=ids).values_list("pk", flat=True))
    filed = list(Report.objects.filter(reporter_external_id=account.external_id).values_list("pk", flat=True))
    erased = {
        "report_texts": intake.redact_reports(report_ids=about, fields=("text",), actor=actor, reason=reason),
        "reports_filed": intake.redact_reports(report_ids=filed, fields=("text", "reporter_external_id"),
                                               actor=actor, reason=reason),
        "subject_attributes": subjects.erase_attributes(subject_ids=ids, actor=actor, reason=reason),
    }
    digests = [p[PERSONAL_KEY] for p in LedgerEvent.objects.filter(subject_id__in=ids, payload__has_key=PERSONAL_KEY)
               .values_list("payload", flat=True)]
    erased["ledger_personal_parts"] = ledger.purge_personal(digests, reason=reason, actor=actor)
    tickets = ports.get("support.tickets_of")
    erased["tickets"] = tickets.erase(external_id=account.external_id) if tickets else 0
    request = DataSubjectRequest.objects.create(
        kind=RequestKind.ERASURE, subject=account, status=RequestStatus.PARTIAL, requested_at=now, requested_by=who,
        outcome={"erased": erased, "kept": LAWFUL_EXCEPTIONS})
    ledger.record("data_subject.erased", actor=actor, subject_id=account.pk,
                  payload={"request_id": request.pk, "erased": erased})
    return request
