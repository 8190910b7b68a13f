"""Art. 23 suspensions: warn, suspend for a stated period, lift. Every step is a ledger event; intake and appeals
ask the `compliance.suspensions` port (registered in `apps.py`) whether a submission is to be processed.

The DSA lets a provider suspend "the processing of notices and complaints" for a reasonable period after a prior
warning (Art. 23(2)), deciding case by case on the absolute numbers and proportion of manifestly unfounded
submissions, their gravity and the intent (Art. 23(3)). So a warning comes first and states the count and the
reason; a suspension needs a warning on record, lasts at most `MAX_DAYS`, and ends by itself.
"""
from datetime import timedelta

from django.db import transaction

from trustops.compliance.models import ProcessingSuspension, SuspensionKind, SuspensionStatus
from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger

MAX_DAYS = 180


def _require(actor) -> None:
    if not access.works_compliance(actor):
        raise Forbidden("compliance_only", "Only compliance officers and admins suspend notifiers or complainants.")


def _text(name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"missing_{name}", f"A {name.replace('_', ' ')} is needed.", field=name)
    if "\x00" in value or len(value) > limit:
        raise Invalid(f"invalid_{name}", f"The {name.replace('_', ' ')} is text of at most {limit:,} characters.",
                      field=name)
    return value


def _payload(s: ProcessingSuspension) -> dict:
    return {"suspension_id": s.pk, "kind": s.kind, "party": s.party, "status": s.status, "unfounded": s.unfounded,
            "ends_at": s.ends_at}


def _open(kind: str, party: str, now) -> ProcessingSuspension | None:
    """The warning or running suspension of this party, if any (an expired suspension is over)."""
    for s in ProcessingSuspension.objects.filter(kind=kind, party=party, status__in=[
            SuspensionStatus.WARNED, SuspensionStatus.SUSPENDED]).order_by("-id"):
        if s.status == SuspensionStatus.WARNED or (s.ends_at and s.ends_at > now):
            return s
    return None


@transaction.atomic
def warn(*, actor, kind: str, party: str, unfounded: int, reason: str) -> ProcessingSuspension:
    _require(actor)
    if kind not in SuspensionKind.values:
        raise Invalid("unknown_kind", f"One of {', '.join(SuspensionKind.values)}.", field="kind")
    party = _text("party", party, 200)
    reason = _text("reason", reason, 4000)
    if not isinstance(unfounded, int) or not 1 <= unfounded <= 1_000_000:
        raise Invalid("invalid_unfounded", "The count of manifestly unfounded submissions is 1..1,000,000.",
                      field="unfounded")
    now = clock.now()
    if _open(kind, party, now) is not None:
        raise Conflict("already_warned", f"{party!r} already has a warning or a running suspension of its {kind}.")
    s = ProcessingSuspension.objects.create(kind=kind, party=party, unfounded=unfounded, reason=reason, warned_at=now,
                                            warned_by_id=access.viewer(actor).user_id)
    ledger.record("compliance.art23_warned", actor=actor, payload={**_payload(s), "reason": reason})
    return s


def _locked(suspension_id: int) -> ProcessingSuspension:
    s = ProcessingSuspension.objects.select_for_update().filter(pk=suspension_id).first()
    if s is None:
        raise NotFound("suspension_not_found", f"No suspension {suspension_id}.")
    return s


@transaction.atomic
def suspend(*, actor, suspension_id: int, days: int, reason: str) -> ProcessingSuspension:
    """Suspend after the warning on record: processing stops now, for `days` days."""
    _require(actor)
    s = _locked(suspension_id)
    if s.status != SuspensionStatus.WARNED:
        raise Conflict("not_warned", f"Suspension {s.pk} is {s.status}: a suspension follows a standing warning.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid("invalid_days", f"A suspension lasts 1..{MAX_DAYS} days.", field="days")
    reason = _text("reason", reason, 4000)
    now = clock.now()
    s.status, s.suspended_at, s.ends_at = SuspensionStatus.SUSPENDED, now, now + timedelta(days=days)
    s.suspended_by_id, s.reason = access.viewer(actor).user_id, f"{s.reason}\n\nSuspended: {reason}"
    s.save(update_fields=["status", "suspended_at", "ends_at", "suspended_by", "reason"])
    ledger.record("compliance.art23_suspended", actor=actor, payload={**_payload(s), "days": days, "reason": reason})
    return s


@transaction.atomic
def lift(*, actor, suspension_id: int, reason: str) -> ProcessingSuspension:
    """End a suspension early, or withdraw a warning."""
    _require(actor)
    s = _locked(suspension_id)
    if s.status == SuspensionStatus.LIFTED:
        raise Conflict("already_lifted", f"Suspension {s.pk} is already lifted.")
    s.status, s.lifted_at, s.lift_reason = SuspensionStatus.LIFTED, clock.now(), _text("reason", reason, 4000)
    s.save(update_fields=["status", "lifted_at", "lift_reason"])
    ledger.record("compliance.art23_lifted", actor=actor, payload={**_payload(s), "reason": s.lift_reason})
    return s


class SuspensionPort:
    """`kernel.ports.get("compliance.suspensions")`: intake and appeals ask before processing a submission."""

    def suspended_until(self, kind: str, parties) -> dict:
        """Party -> when its suspension of this kind ends, for the parties whose submissions are not processed
        now (one query for a whole batch; the others are absent)."""
        parties = sorted({p for p in parties if p})
        if not parties:
            return {}
        now = clock.now()
        until: dict = {}
        for party, ends_at in ProcessingSuspension.objects.filter(
                kind=kind, party__in=parties, status=SuspensionStatus.SUSPENDED, suspended_at__lte=now,
                ends_at__gt=now).values_list("party", "ends_at"):
            until[party] = max(ends_at, until.get(party, ends_at))
        return until
