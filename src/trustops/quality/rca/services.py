"""Root-cause analyses: why a group of audited errors happened, the corrective action, its owner and due date.

QA auditors and leads write them. The owner, who carries out the corrective action, moves its status along.
Linking an audit that has no RCA category gives it the RCA's category (a category the auditor chose is never
overwritten), so the error Pareto and the report's "errors without a cause" warning follow the analysis.
"""
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from trustops.identity.models import User
from trustops.identity.roles import AUDITOR_ROLES
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.quality.models import Audit, RcaCategory, RcaStatus, RootCauseAnalysis
from trustops.quality.rca.selectors import RcaAudit, get_rca
from trustops.quality.selectors import audits_visible_to

MAX_LINKED_AUDITS = 5000
TEXT_LIMITS = {"title": 200, "root_cause": 10_000, "corrective_action": 10_000}


@dataclass
class RcaFields:
    """What an RCA says. For an update, None means "leave as it is"."""
    title: str | None = None
    category: str | None = None
    root_cause: str | None = None
    corrective_action: str | None = None
    owner: str | None = None
    due_date: date | None = None
    audit_ids: list[int] | None = None


def _require_auditor(actor) -> None:
    if actor.role not in AUDITOR_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors and leads write root-cause analyses.")


def _text(name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"missing_{name}", f"{name.replace('_', ' ').capitalize()} is required.", field=name)
    if len(value) > TEXT_LIMITS[name]:
        raise Invalid("too_long", f"{name} is at most {TEXT_LIMITS[name]:,} characters.", field=name)
    return value


def _category(value: str) -> str:
    if value not in RcaCategory.values:
        raise Invalid("unknown_rca_category", f"One of: {', '.join(RcaCategory.values)}.", field="category")
    return value


def _due_date(value: date) -> date:
    if value < clock.now().date():
        raise Invalid("due_date_in_past", "The due date cannot be in the past.", field="due_date")
    return value


def _owner(username: str) -> User:
    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None:
        raise Invalid("unknown_owner", f"No active user {username!r}.", field="owner")
    return owner


def _visible_audits(actor, audit_ids: list[int]) -> list[Audit]:
    if len(audit_ids) > MAX_LINKED_AUDITS:
        raise Invalid("too_many_audits", f"At most {MAX_LINKED_AUDITS:,} audits per RCA.", field="audit_ids")
    wanted = set(audit_ids)
    found = list(audits_visible_to(actor).filter(pk__in=wanted))
    missing = sorted(wanted - {a.pk for a in found})
    if missing:
        raise NotFound("audit_not_found", f"No audit {missing[0]}.", field="audit_ids")
    return found


def _check_owner_sees(owner: User, audit_ids: set[int]) -> None:
    """An owner must be allowed to see every audit the RCA explains: owning it must not open other data."""
    if not audit_ids:
        return
    seen = audits_visible_to(owner).filter(pk__in=audit_ids).count()
    if seen != len(audit_ids):
        raise Invalid("owner_out_of_scope", f"{owner.username} may not see every audit this RCA explains; "
                                            "choose an owner whose quality scope covers them.", field="owner")


def _categorise(audit_ids: set[int], category: str) -> list[int]:
    """Give the linked audits without an RCA category this one; returns the ids it changed."""
    uncategorised = Audit.objects.filter(pk__in=audit_ids, rca_category="").exclude(error_type="correct")
    changed = sorted(uncategorised.values_list("pk", flat=True))
    if changed:
        Audit.objects.filter(pk__in=changed).update(rca_category=category)
    return changed


@transaction.atomic
def create_rca(*, actor, fields: RcaFields, status: str = RcaStatus.OPEN) -> RootCauseAnalysis:
    _require_auditor(actor)
    title = _text("title", fields.title)
    category = _category(fields.category)
    root_cause = _text("root_cause", fields.root_cause)
    corrective_action = _text("corrective_action", fields.corrective_action)
    if fields.owner is None:
        raise Invalid("missing_owner", "Name the person who owns the corrective action.", field="owner")
    if fields.due_date is None:
        raise Invalid("missing_due_date", "Give the date the corrective action is due.", field="due_date")
    due_date = _due_date(fields.due_date)
    if status not in RcaStatus.values:
        raise Invalid("unknown_status", f"One of: {', '.join(RcaStatus.values)}.", field="status")
    owner = _owner(fields.owner)
    audits = _visible_audits(actor, fields.audit_ids or [])
    audit_ids = {a.pk for a in audits}
    _check_owner_sees(owner, audit_ids)
    now = clock.now()
    rca = RootCauseAnalysis.objects.create(
        title=title, category=category, root_cause=root_cause, corrective_action=corrective_action, owner=owner,
        due_date=due_date, status=status, created_by=actor, created_at=now,
        closed_at=now if status == RcaStatus.DONE else None)
    rca.audits.set(audits)
    categorised = _categorise(audit_ids, category)
    ledger.record("qa.rca_created", actor=actor, payload={
        "rca_id": rca.pk, "title": title, "category": category, "owner": owner.username,
        "due_date": due_date.isoformat(), "status": status, "audit_ids": sorted(audit_ids),
        "audits_categorised": categorised})
    return rca


@transaction.atomic
def update_rca(*, actor, rca_id: int, fields: RcaFields) -> RootCauseAnalysis:
    _require_auditor(actor)
    rca = get_rca(actor, rca_id)
    rca = RootCauseAnalysis.objects.select_for_update().select_related("owner").get(pk=rca.pk)
    if rca.status == RcaStatus.DONE:
        raise Conflict("rca_closed", "This RCA is done; reopen it (set its status) before changing it.")
    changes: dict = {}
    for name in ("title", "root_cause", "corrective_action"):
        value = getattr(fields, name)
        if value is not None and (value := _text(name, value)) != getattr(rca, name):
            changes[name] = value
    if fields.category is not None and _category(fields.category) != rca.category:
        changes["category"] = fields.category
    if fields.due_date is not None and fields.due_date != rca.due_date:
        changes["due_date"] = _due_date(fields.due_date)
    owner = rca.owner
    if fields.owner is not None and fields.owner != rca.owner.username:
        owner = _owner(fields.owner)
        changes["owner"] = owner

    linked = set(RcaAudit.objects.filter(rootcauseanalysis_id=rca.pk).values_list("audit_id", flat=True))
    audit_ids = linked
    added: set[int] = set()
    removed: set[int] = set()
    if fields.audit_ids is not None:
        given = {a.pk for a in _visible_audits(actor, fields.audit_ids)}
        mine = set(audits_visible_to(actor).filter(pk__in=linked).values_list("pk", flat=True))
        # Links to audits outside the actor's scope are not theirs to see, so not theirs to drop.
        audit_ids = (linked - mine) | given
        added, removed = audit_ids - linked, linked - audit_ids
    if "owner" in changes or added:
        _check_owner_sees(owner, audit_ids)
    if not changes and not added and not removed:
        return rca

    for name, value in changes.items():
        setattr(rca, name, value)
    if changes:
        rca.save(update_fields=list(changes))
    if removed:
        RcaAudit.objects.filter(rootcauseanalysis_id=rca.pk, audit_id__in=removed).delete()
    if added:
        RcaAudit.objects.bulk_create([RcaAudit(rootcauseanalysis_id=rca.pk, audit_id=a) for a in sorted(added)])
    categorised = _categorise(added, rca.category)
    ledger.record("qa.rca_updated", actor=actor, payload={
        "rca_id": rca.pk,
        "changed": {k: (v.username if isinstance(v, User) else v.isoformat() if isinstance(v, date) else v)
                    for k, v in changes.items()},
        "audits_added": sorted(added), "audits_removed": sorted(removed), "audits_categorised": categorised})
    return rca


@transaction.atomic
def set_rca_status(*, actor, rca_id: int, status: str, note: str = "") -> RootCauseAnalysis:
    """QA moves an RCA along, and so does its owner: open → in progress → done, or back when reopened."""
    rca = get_rca(actor, rca_id)
    if actor.role not in AUDITOR_ROLES and rca.owner_id != actor.pk:
        raise Forbidden("not_rca_owner", "Only QA or the RCA's owner change its status.")
    if status not in RcaStatus.values:
        raise Invalid("unknown_status", f"One of: {', '.join(RcaStatus.values)}.", field="status")
    if len(note) > 5000:
        raise Invalid("too_long", "note is at most 5,000 characters.", field="note")
    rca = RootCauseAnalysis.objects.select_for_update().get(pk=rca.pk)
    if rca.status == status:
        return rca
    before = rca.status
    rca.status = status
    rca.closed_at = clock.now() if status == RcaStatus.DONE else None
    rca.save(update_fields=["status", "closed_at"])
    ledger.record("qa.rca_status_changed", actor=actor, payload={
        "rca_id": rca.pk, "from": before, "to": status, "note": note.strip() or None,
        "overdue": rca.due_date < clock.now().date() and before != RcaStatus.DONE})
    return rca
