"""Calibration sessions: several reviewers label the same cases blind; agreement is measured on close."""
from django.db import transaction

from trustops.identity.models import User
from trustops.identity.roles import AUDITOR_ROLES, QA_LEAD_ROLES
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies
from trustops.quality.calibration.selectors import get_calibration
from trustops.quality.models import CalibrationItem, CalibrationLabel, CalibrationSession
from trustops.review.selectors import cases_visible_to

NO_VIOLATION = "no_violation"
MAX_ITEMS = 500


def _label_ok(label: str) -> bool:
    return label == NO_VIOLATION or policies.get_active(label) is not None


@transaction.atomic
def create_session(*, actor, name: str, case_ids: list[int], participants: list[str]) -> CalibrationSession:
    if actor.role not in AUDITOR_ROLES:
        raise Forbidden("auditors_only", "Only QA runs calibration sessions.")
    if not name or not name.strip():
        raise Invalid("missing_name", "Name the session.", field="name")
    if not case_ids or len(case_ids) > MAX_ITEMS or len(set(case_ids)) != len(case_ids):
        raise Invalid("invalid_items", f"1 to {MAX_ITEMS} distinct case ids.", field="items")
    if len(set(participants)) < 2:
        raise Invalid("too_few_participants", "Calibration needs at least two participants.", field="participants")
    visible = set(cases_visible_to(actor).filter(pk__in=case_ids).values_list("pk", flat=True))
    missing = [c for c in case_ids if c not in visible]
    if missing:
        raise NotFound("case_not_found", f"No case {missing[0]}.", field="items")
    people = list(User.objects.filter(username__in=participants, is_active=True))
    unknown = sorted(set(participants) - {p.username for p in people})
    if unknown:
        raise Invalid("unknown_participant", f"No user {unknown[0]!r}.", field="participants")
    session = CalibrationSession.objects.create(name=name.strip(), created_by=actor, created_at=clock.now())
    session.participants.set(people)
    CalibrationItem.objects.bulk_create([CalibrationItem(session=session, case_id=c) for c in case_ids])
    ledger.record("qa.calibration_created", actor=actor, payload={
        "session_id": session.pk, "items": case_ids, "participants": sorted(participants)})
    return session


@transaction.atomic
def submit_label(*, actor, session_id: int, case_id: int, label: str) -> CalibrationLabel:
    session = get_calibration(actor, session_id)
    if session.closed_at:
        raise Conflict("session_closed", "This calibration session is closed.")
    if not session.participants.filter(pk=actor.pk).exists():
        raise Forbidden("not_a_participant", "You are not a participant of this session.")
    item = session.items.filter(case_id=case_id).first()
    if item is None:
        raise NotFound("item_not_found", f"Case {case_id} is not in this session.", field="item")
    if not _label_ok(label):
        raise Invalid("unknown_label", "A label is an active policy code or `no_violation`.", field="label")
    row, created = CalibrationLabel.objects.update_or_create(
        item=item, participant=actor, defaults={"label": label, "labelled_at": clock.now()})
    ledger.record("qa.calibration_labelled", actor=actor, case_id=case_id,
                  payload={"session_id": session.pk, "changed": not created})
    return row


@transaction.atomic
def close_session(*, actor, session_id: int, benchmarks: dict[int, str] | None = None) -> CalibrationSession:
    if actor.role not in QA_LEAD_ROLES:
        raise Forbidden("qa_leads_only", "Only a QA lead closes a calibration session.")
    session = get_calibration(actor, session_id)
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if session.closed_at:
        raise Conflict("session_closed", "This calibration session is already closed.")
    items = {i.case_id: i for i in session.items.all()}
    for case_id, label in (benchmarks or {}).items():
        if case_id not in items:
            raise Invalid("item_not_found", f"Case {case_id} is not in this session.", field="benchmarks")
        if not _label_ok(label):
            raise Invalid("unknown_label", f"{label!r} is not a policy code or `no_violation`.", field="benchmarks")
        items[case_id].benchmark_label = label
    CalibrationItem.objects.bulk_update(list(items.values()), ["benchmark_label"])
    session.closed_at = clock.now()
    session.save(update_fields=["closed_at"])
    ledger.record("qa.calibration_closed", actor=actor, payload={"session_id": session.pk,
                                                                 "benchmarks": len(benchmarks or {})})
    return session
