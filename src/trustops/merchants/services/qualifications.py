"""Qualifications (licences, permits): submitted, reviewed, and the merchant's state moved at once on each change;
`refresh_due` is the daily job that moves merchants as their licences near and pass expiry."""
from datetime import date, timedelta

from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.merchants import lifecycle
from trustops.merchants.models import Merchant, Qualification, QualificationStatus
from trustops.merchants.services import standing
from trustops.merchants.services.common import locked, record, require, required_kinds


def known_kinds(merchant: Merchant) -> set[str]:
    kinds = set(required_kinds(merchant.category, merchant.region))
    for cat in {listing.category for listing in merchant.listings.select_related("category")}:
        kinds |= set(required_kinds(cat, merchant.region))
    return kinds


@transaction.atomic
def submit(*, actor, external_id: str, kind: str, number: str, issued_on: date, expires_on: date,
           authority: str = "") -> Qualification:
    require(access.onboards_merchants(actor), "submit merchants' licences")
    merchant = locked(actor, external_id)
    kinds = known_kinds(merchant)
    if kind not in kinds:
        raise Invalid("unknown_qualification_kind",
                      f"{merchant.category.code} in {merchant.region} needs: {', '.join(sorted(kinds)) or 'none'}.",
                      field="kind")
    if expires_on <= issued_on:
        raise Invalid("expiry_before_issue", "A licence expires after it is issued.", field="expires_on")
    if issued_on > clock.now().date():
        raise Invalid("issued_in_future", "A licence cannot be issued in the future.", field="issued_on")
    q = Qualification.objects.create(merchant=merchant, kind=kind, number=number, authority=authority,
                                     issued_on=issued_on, expires_on=expires_on, submitted_at=clock.now())
    record("merchant.qualification_submitted", merchant, actor, qualification=q.pk, kind=kind,
           expires_on=expires_on)
    return q


@transaction.atomic
def review(*, actor, external_id: str, qualification_id: int, outcome: str, reason: str) -> Qualification:
    require(access.governs_merchants(actor), "review merchants' licences")
    merchant = locked(actor, external_id)
    q = Qualification.objects.filter(merchant=merchant, pk=qualification_id).first()
    if q is None:
        raise NotFound("qualification_not_found", f"No qualification {qualification_id} of this merchant.")
    if outcome not in (QualificationStatus.APPROVED, QualificationStatus.REJECTED):
        raise Invalid("invalid_field", "outcome is approved or rejected.", field="outcome")
    if not reason.strip():
        raise Invalid("reason_required", "A review needs a reason.", field="reason")
    if q.status != QualificationStatus.PENDING:
        raise Conflict("already_reviewed", f"This qualification was {q.status}.")
    q.status, q.reason, q.reviewed_at = outcome, reason, clock.now()
    q.reviewed_by = actor if hasattr(actor, "_meta") else None
    q.save()
    record(f"merchant.qualification_{outcome}", merchant, actor, qualification=q.pk, kind=q.kind, reason=reason,
           expires_on=q.expires_on)
    standing.refresh(merchant, actor=actor)
    return q


def refresh_due(*, today: date | None = None, batch: int = 500) -> int:
    """The daily job: every merchant with a licence within the notice window or lapsed, or whose state says a
    category is withdrawn, re-applied (each in its own transaction). Returns how many were refreshed."""
    today = today or clock.now().date()
    horizon = today + timedelta(days=31)
    ids = set(Qualification.objects.filter(status=QualificationStatus.APPROVED, expires_on__lte=horizon,
                                           expires_on__gte=today - timedelta(days=60))
              .values_list("merchant_id", flat=True))
    ids |= {m.pk for m in Merchant.objects.filter(status__in=lifecycle.SELLING).only("pk", "licence_state")
            if (m.licence_state or {}).get("withdrawn_categories")}
    done = 0
    for merchant_id in sorted(ids):
        with transaction.atomic():
            merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
            standing.refresh(merchant, actor="licence-check")
        done += 1
    return done
