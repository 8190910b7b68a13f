"""Taking reports and signals in: idempotent, in bulk, one transaction per request."""
import logging
import random
import time
from dataclasses import dataclass

import psycopg
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from pydantic import ValidationError

from trustops.intake.models import Report, Signal
from trustops.intake.schemas import ReportIn, SignalIn, SubjectIn
from trustops.kernel import bulk, clock, ports
from trustops.kernel.canonical import digest
from trustops.kernel.errors import Busy, Conflict, DomainError, Forbidden, Invalid
from trustops.kernel.inputs import refuse_unstorable
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.policies import selectors as policies
from trustops.review import services as review
from trustops.subjects.services import RefusedChange, SubjectRef, refused_changes, upsert_many

log = logging.getLogger(__name__)
RETRIES = 5
RETRY_PAUSE_SECONDS = 0.01   # doubled after each collision, jittered, so colliding senders drift apart


@dataclass
class Outcome:
    status: int                     # 201 stored, 200 replayed
    body: dict | None = None
    error: DomainError | None = None


def validation_error(error: ValidationError) -> Invalid:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()))
    return Invalid("invalid_field" if first.get("type") != "missing" else "missing_field",
                   f"{field or 'body'}: {first.get('msg')}", field=field or None)


def _subject_ref(subject: SubjectIn) -> SubjectRef:
    owner = None
    if subject.owner:
        # A new owner account lives where its item lives; a known one stays where it is.
        owner = SubjectRef(subject.owner.type, subject.owner.external_id, region_if_new=subject.region)
    return SubjectRef(subject.type, subject.external_id, owner, subject.region, subject.language, subject.reach,
                      subject.attributes)


def _with_retries(work):
    """Run the write; when concurrent writers collide, run it again (it then sees their rows).

    Two senders can insert the same key or the same new subject at once (a unique index refuses the second), or
    lock the same rows in an order the database has to break (a deadlock). Either way the loser's transaction is
    rolled back whole, so running it again is safe. If they keep colliding, the sender is told to send again
    (503): nothing of the request was stored.
    """
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return work()
        except (IntegrityError, OperationalError) as error:
            if isinstance(error, OperationalError) and not _transient(error):
                raise
            log.info("intake collided with a concurrent writer (%s); retrying (%s)", type(error.__cause__ or error)
                     .__name__, attempt + 1)
            time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * 2 ** attempt))
    log.warning("intake gave up after %s collisions with concurrent writers", RETRIES)
    raise Busy("intake_busy", "Reports about the same subjects were being stored at the same moment; send the "
                              "request again.")


def _transient(error: OperationalError) -> bool:
    """A deadlock or serialisation failure on PostgreSQL, a locked database on SQLite: worth another try."""
    if isinstance(error.__cause__, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)):
        return True
    return "database is locked" in str(error)


def _report_body(report: Report, refused: list[dict]) -> dict:
    return {"report_id": report.pk, "case_id": report.case_id, "case_created": report.opened_case,
            "queue": report.queue_key, "refused_changes": refused}


def _refused_by_subject(refused: list[RefusedChange]) -> dict[tuple[str, str], list[dict]]:
    """The changes to known subjects intake did not apply, per subject, as the integrator is told them: the
    report is accepted all the same (docs/concepts/intake.md, "What the platform may change")."""
    by_subject: dict[tuple[str, str], list[dict]] = {}
    for change in refused:
        by_subject.setdefault(change.subject, []).append(change.as_body())
    return by_subject


def _key(subject: SubjectIn) -> tuple[str, str]:
    return (subject.type, subject.external_id)


def _suspended_notifiers(valid: list[tuple[int, ReportIn, str]], outcomes: list) -> list[tuple[int, ReportIn, str]]:
    """The items whose notifier compliance has not suspended (the `compliance.suspensions` port, one lookup per
    batch); each suspended notifier's item is refused on its own (DSA Art. 23(2))."""
    suspensions = ports.get("compliance.suspensions")
    reporters = {item.reporter_external_id for _, item, _ in valid if item.reporter_external_id}
    until = suspensions.suspended_until("notices", reporters) if suspensions is not None and reporters else {}
    if not until:
        return valid
    kept = []
    for index, item, fingerprint in valid:
        ends = until.get(item.reporter_external_id)
        if ends is None:
            kept.append((index, item, fingerprint))
            continue
        outcomes[index] = Outcome(403, error=Forbidden(
            "notifier_suspended", "The processing of this notifier's notices is suspended until "
            f"{ends.isoformat()} (DSA Art. 23(2)): the notice was not stored.", field="reporter_external_id"))
    return kept


def submit_reports(*, submitter, items: list) -> list[Outcome]:
    """Validate each item on its own, then store all valid ones in one transaction.

    Returns one outcome per item, in order. Replays (same key, same payload) return the stored result.
    """
    outcomes: list[Outcome | None] = [None] * len(items)
    catalogue = policies.active_catalogue()
    valid: list[tuple[int, ReportIn, str]] = []
    for index, raw in enumerate(items):
        try:
            if not isinstance(raw, ReportIn):
                refuse_unstorable(raw)   # the body's parser left batch items to be judged one by one
            item = raw if isinstance(raw, ReportIn) else ReportIn.model_validate(raw)
        except ValidationError as error:
            outcomes[index] = Outcome(422, error=validation_error(error))
            continue
        except Invalid as error:
            outcomes[index] = Outcome(422, error=error)
            continue
        if item.reason not in catalogue:
            outcomes[index] = Outcome(422, error=Invalid("unknown_policy", f"No active policy {item.reason!r}.",
                                                         field="reason"))
            continue
        valid.append((index, item, digest(item.model_dump(mode="json"))))
    valid = _suspended_notifiers(valid, outcomes)
    if valid:
        for index, outcome in _with_retries(lambda: _store_reports(submitter, valid, catalogue)).items():
            outcomes[index] = outcome
    return outcomes  # type: ignore[return-value]


def _store_reports(submitter, valid: list[tuple[int, ReportIn, str]], catalogue) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    existing = {r.idempotency_key: r for r in Report.objects.filter(
        bulk.OneOf(F("idempotency_key"), [item.idempotency_key for _, item, _ in valid]), submitted_by=submitter)}
    fresh: list[tuple[int, ReportIn, str]] = []
    first_in_batch: dict[str, tuple[int, str]] = {}
    repeats: list[tuple[int, str, str]] = []
    replayed: list[tuple[int, ReportIn, Report]] = []
    for index, item, fingerprint in valid:
        key = item.idempotency_key
        if key in existing:
            stored = existing[key]
            if stored.fingerprint == fingerprint:
                replayed.append((index, item, stored))
            else:
                outcomes[index] = Outcome(409, error=_key_reused())
        elif key in first_in_batch:
            repeats.append((index, key, fingerprint))
        else:
            first_in_batch[key] = (index, fingerprint)
            fresh.append((index, item, fingerprint))
    if replayed:
        # A replay stores nothing; it answers as the first sending did, refusals included (still refused now).
        refused = _refused_by_subject(refused_changes([_subject_ref(item.subject) for _, item, _ in replayed]))
        for index, item, stored in replayed:
            outcomes[index] = Outcome(200, _report_body(stored, refused.get(_key(item.subject), [])))
    if fresh:
        subjects = upsert_many([_subject_ref(item.subject) for _, item, _ in fresh], actor=submitter)
        refused = _refused_by_subject(subjects.refused)
        notices = [review.Notice(subject=subjects[(item.subject.type, item.subject.external_id)],
                                 policy=catalogue[item.reason], source=item.source) for _, item, _ in fresh]
        filed = review.file_notices(notices, actor=submitter)
        now = clock.now()
        # Rows rather than Report instances: nothing needs the instances, and building a thousand costs more
        # than writing them.
        report_ids = bulk.insert(Report, [
            {"submitted_by_id": submitter.pk, "idempotency_key": item.idempotency_key,
             "fingerprint": fingerprint, "subject_id": notice.subject.pk,
             "policy_id": notice.policy.policy_id, "policy_version_id": notice.policy.version_id,
             "source": item.source, "reporter_external_id": item.reporter_external_id or "",
             "text": item.text or "", "received_at": now, "case_id": f.case_id, "opened_case": f.created,
             "queue_key": f.queue_key}
            for (_, item, fingerprint), notice, f in zip(fresh, notices, filed)])
        ledger.record_many([
            ledger.Entry("report.received", {"report_id": report_id, "reason": item.reason,
                                             "source": item.source, "policy_version": notice.policy.version,
                                             "case_created": f.created, "queue": f.queue_key},
                         subject_id=notice.subject.pk, case_id=f.case_id)
            for report_id, (_, item, _), notice, f in zip(report_ids, fresh, notices, filed)],
            actor=submitter)
        for report_id, (index, item, _), f in zip(report_ids, fresh, filed):
            outcomes[index] = Outcome(201, {"report_id": report_id, "case_id": f.case_id,
                                            "case_created": f.created, "queue": f.queue_key,
                                            "refused_changes": refused.get(_key(item.subject), [])})
    for index, key, fingerprint in repeats:
        first_index, first_fingerprint = first_in_batch[key]
        outcomes[index] = (Outcome(200, outcomes[first_index].body) if fingerprint == first_fingerprint else
                           Outcome(409, error=_key_reused()))
    return outcomes


def _key_reused() -> Conflict:
    return Conflict("idempotency_key_reused", "This idempotency key was already used with a different payload.",
                    field="idempotency_key")


def submit_signal(*, submitter, item: SignalIn) -> Outcome:
    policy = policies.active_catalogue().get(item.policy)
    if policy is None:
        raise Invalid("unknown_policy", f"No active policy {item.policy!r}.", field="policy")
    return _with_retries(lambda: _store_signal(submitter, item, policy, digest(item.model_dump(mode="json"))))


def _signal_body(signal: Signal, refused: list[dict]) -> dict:
    return {"signal_id": signal.pk, "above_threshold": signal.case_id is not None, "threshold": signal.threshold,
            "case_id": signal.case_id, "case_created": signal.opened_case, "queue": signal.queue_key or None,
            "refused_changes": refused}


def _store_signal(submitter, item: SignalIn, policy, fingerprint: str) -> Outcome:
    if item.idempotency_key:
        stored = Signal.objects.filter(submitted_by=submitter, idempotency_key=item.idempotency_key).first()
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise _key_reused()
            refused = _refused_by_subject(refused_changes([_subject_ref(item.subject)]))
            return Outcome(200, _signal_body(stored, refused.get(_key(item.subject), [])))
    subjects = upsert_many([_subject_ref(item.subject)], actor=submitter)
    subject = subjects[_key(item.subject)]
    signal = Signal(submitted_by=submitter, idempotency_key=item.idempotency_key, fingerprint=fingerprint,
                    subject=subject, detector=item.detector, score=item.score, policy_id=policy.policy_id,
                    policy_version_id=policy.version_id, threshold=policy.signal_threshold, received_at=clock.now())
    if item.score >= policy.signal_threshold:
        filed = review.file_notices([review.Notice(subject=subject, policy=policy, source="automated",
                                                   is_signal=True, trust_factor=item.score)], actor=submitter)[0]
        signal.case_id, signal.opened_case, signal.queue_key = filed.case_id, filed.created, filed.queue_key
    signal.save(force_insert=True)
    ledger.record("signal.received", actor=submitter, subject_id=subject.pk, case_id=signal.case_id, payload={
        "signal_id": signal.pk, "detector": item.detector, "score": item.score, "policy": policy.code,
        "threshold": policy.signal_threshold, "case_created": signal.opened_case})
    return Outcome(201, _signal_body(signal, _refused_by_subject(subjects.refused).get(_key(item.subject), [])))


def resolve_reports(*, case_id: int, decision_id: int, violation: bool, actor) -> int:
    """Close the reports a decision answered and tell each reporter. Runs in the decision's transaction."""

    now = clock.now()
    reports = list(Report.objects.filter(case_id=case_id, resolved_at__isnull=True)
                   .only("id", "reporter_external_id", "idempotency_key", "source"))
    if not reports:
        return 0
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(resolved_at=now)
    outcome = "action_taken" if violation else "no_violation"
    outbox.enqueue_many("report.resolved", [{
        "report_id": report.pk, "idempotency_key": report.idempotency_key, "source": report.source,
        "reporter_external_id": report.reporter_external_id or None, "case_id": case_id,
        "decision_id": decision_id, "outcome": outcome} for report in reports])
    ledger.record("reports.resolved", actor=actor, case_id=case_id,
                  payload={"decision_id": decision_id, "report_ids": [r.pk for r in reports], "outcome": outcome})
    return len(reports)


REDACTABLE = ("text", "reporter_external_id")


def redact_reports(*, report_ids, fields: tuple[str, ...], actor, reason: str) -> int:
    """Blank reports' texts and reporters' identities (retention, erasure), in the caller's transaction. The
    report itself stays: its source, reason and times are what the transparency report counts."""
    unknown = set(fields) - set(REDACTABLE)
    if unknown:
        raise ValueError(f"cannot redact {sorted(unknown)}")
    ids = list(report_ids)
    changed = 0
    for start in range(0, len(ids), 5000):
        chunk = Report.objects.filter(pk__in=ids[start:start + 5000])
        stale = Q()
        for name in fields:
            stale |= ~Q(**{name: ""})
        changed += chunk.filter(stale).update(**{name: "" for name in fields})
    if changed:
        ledger.record("reports.redacted", actor=actor, payload={"count": changed, "fields": list(fields),
                                                                "reason": reason[:200]})
    return changed
