"""Onboarding and the lifecycle: applications, KYB documents and verification, ban-evasion matching, moves.

Every move is guarded by the statechart (`lifecycle.TRANSITIONS`; a forbidden one is a 409 naming the allowed
ones) and by what the target status needs (approval needs the category's documents and licences approved, the
verification answered without inconsistency, and no open ban-evasion flag); each move is a ledger event with its
reason and a `merchant.status_changed` message to the platform.
"""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.merchants import kyb, lifecycle
from trustops.merchants.models import (
    Document,
    DocumentStatus,
    Listing,
    ListingStatus,
    Merchant,
    OwnerKey,
    Qualification,
    QualificationStatus,
    Status,
)
from trustops.merchants.services import standing
from trustops.merchants.services.common import (
    category,
    locked,
    record,
    require,
    required_documents,
    required_kinds,
    retention_days,
    tell,
)
from trustops.review.models import CaseKind
from trustops.review.requests import open_review_case, record_direct_decision
from trustops.subjects import services as subjects

DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def identity_of(merchant: Merchant) -> dict:
    return {"legal_name": merchant.legal_name, "registration_number": merchant.registration_number,
            "address": merchant.address, "phone": merchant.phone, "device_id": merchant.device_id,
            "bank_account_fingerprint": merchant.bank_account_fingerprint, "owners": merchant.owners,
            "pois": merchant.pois}


def _evasion(identity: dict) -> list[dict]:
    """Merchants that left and share a key with this identity (found by index, then compared)."""
    keys = kyb.identity_keys(identity)
    q = Q(pk__in=[])
    if keys["registration_number"]:
        q |= Q(registration_number__in=[identity["registration_number"]])
    for field in ("bank_account_fingerprint", "phone", "device_id"):
        if identity.get(field):
            q |= Q(**{field: identity[field]})
    if keys["owner"]:
        q |= Q(pk__in=OwnerKey.objects.filter(key__in=keys["owner"]).values("merchant_id"))
    gone = Merchant.objects.filter(q, status__in=lifecycle.GONE).order_by("external_id")[:50]
    return kyb.matches(identity, [(m.external_id, identity_of(m)) for m in gone])


def _phone(text: str) -> str:
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    return f"+{digits}" if digits else ""


@transaction.atomic
def apply(*, actor, external_id: str, legal_name: str, category_code: str, region: str,
          registration_number: str = "", address: str = "", phone: str = "", device_id: str = "",
          bank_account_fingerprint: str = "", owners: list[dict] | None = None, pois: list[str] | None = None,
          ) -> Merchant:
    require(access.onboards_merchants(actor), "onboard merchants")
    if not access.viewer(actor).is_cleared_for(region):
        raise Invalid("region_not_cleared", f"You are not cleared for region {region}.", field="region")
    cat = category(category_code)
    if Merchant.objects.filter(external_id=external_id).exists():
        raise Conflict("merchant_exists", f"Merchant {external_id!r} already applied.")
    upserted = subjects.upsert_many([subjects.SubjectRef(
        "merchant", external_id, region=region,
        attributes={"business_category": cat.code, "merchant_stage": Status.APPLIED})], actor=actor)
    if upserted.refused:
        raise Conflict("account_region", f"Account merchant:{external_id} lives in another region.",
                       field="region")
    account = upserted[("merchant", external_id)]
    now = clock.now()
    merchant = Merchant.objects.create(
        account=account, external_id=external_id, legal_name=legal_name, category=cat, region=region,
        registration_number=kyb.normalised(registration_number).upper(), address=address, phone=_phone(phone),
        device_id=device_id, bank_account_fingerprint=bank_account_fingerprint, owners=owners or [],
        pois=pois or [], created_at=now, updated_at=now, band_since=now)
    OwnerKey.objects.bulk_create([OwnerKey(merchant=merchant, key=kyb.owner_key(o)) for o in merchant.owners
                                  if o.get("name")])
    merchant.verification = kyb.provider().verify(identity_of(merchant))
    merchant.evasion_matches = _evasion(identity_of(merchant))
    record("merchant.applied", merchant, actor, category=cat.code, region=region,
           verification=merchant.verification["outcome"], provider=merchant.verification["provider"])
    if merchant.evasion_matches:
        _flag(merchant, actor)
    standing.refresh(merchant, actor=actor, now=now)
    tell("merchant.status_changed", merchant, status=merchant.status, before=None, reason="applied",
         allowed=lifecycle.allowed(merchant.status))
    return merchant


def _flag(merchant: Merchant, actor) -> None:
    shared = ", ".join(f"{m['merchant']} ({'/'.join(m['shared'])})" for m in merchant.evasion_matches)
    record("merchant.evasion_suspected", merchant, actor, matches=merchant.evasion_matches,
           reason=f"shares identity with merchants that left: {shared}")
    open_review_case(subject=merchant.account, kind=CaseKind.MERCHANT_REVIEW,
                     queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"], actor=actor,
                     reason=f"possible ban evasion: {shared}")


@transaction.atomic
def clear_evasion(*, actor, external_id: str, reason: str) -> Merchant:
    require(access.governs_merchants(actor), "clear ban-evasion flags")
    merchant = locked(actor, external_id)
    if not merchant.evasion_matches:
        raise Conflict("not_flagged", "This merchant carries no ban-evasion flag.")
    record("merchant.evasion_cleared", merchant, actor, matches=merchant.evasion_matches, reason=reason)
    merchant.evasion_matches = []
    merchant.save(update_fields=["evasion_matches"])
    return merchant


def _guard(merchant: Merchant, to: str) -> None:
    problems = []
    if to == Status.IN_REVIEW:
        submitted = set(merchant.documents.exclude(status=DocumentStatus.REJECTED).values_list("kind", flat=True))
        missing = sorted(set(required_documents(merchant.category)) - submitted)
        if missing:
            problems.append(f"documents missing: {', '.join(missing)}")
    if to == Status.APPROVED:
        approved = set(merchant.documents.filter(status=DocumentStatus.APPROVED).values_list("kind", flat=True))
        missing = sorted(set(required_documents(merchant.category)) - approved)
        if missing:
            problems.append(f"documents not approved: {', '.join(missing)}")
        today = clock.now().date()
        valid = set(Qualification.objects.filter(merchant=merchant, status=QualificationStatus.APPROVED,
                                                 issued_on__lte=today, expires_on__gte=today)
                    .values_list("kind", flat=True))
        lacking = sorted(set(required_kinds(merchant.category, merchant.region)) - valid)
        if lacking:
            problems.append(f"licences not approved and valid: {', '.join(lacking)}")
        if merchant.evasion_matches:
            problems.append("an open ban-evasion flag")
        if (merchant.verification or {}).get("outcome") == "inconsistent":
            problems.append("the verification found inconsistencies")
    if problems:
        raise Conflict("transition_guarded", f"Cannot move to {to}: {'; '.join(problems)}.",
                       details={"problems": problems})


@transaction.atomic
def transition(*, actor, external_id: str, to: str, reason: str) -> Merchant:
    require(access.governs_merchants(actor), "move merchants through their lifecycle")
    merchant = locked(actor, external_id)
    before = merchant.status
    if to not in Status.values:
        raise Invalid("unknown_status", f"Unknown status {to!r}; one of {', '.join(Status.values)}.", field="to")
    if not lifecycle.may_move(before, to):
        allowed = lifecycle.allowed(before)
        raise Conflict("transition_forbidden",
                       f"A merchant {before} cannot move to {to}; allowed: {', '.join(allowed) or 'none'}.",
                       details={"status": before, "allowed": allowed})
    if not reason.strip():
        raise Invalid("reason_required", "Every move needs a reason.", field="reason")
    _guard(merchant, to)
    now = clock.now()
    merchant.status, merchant.status_reason = to, reason
    extra = {}
    if to in lifecycle.RESTRICTIVE:
        decision = record_direct_decision(subject=merchant.account, actor=actor, what="status",
                                          queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"],
                                          rationale=f"moved from {before} to {to}. {reason}")
        merchant.status_decision_id, merchant.status_decided_from = decision.pk, before
        extra = {"decision_id": decision.pk}
    elif merchant.status_decision_id:
        merchant.status_decision_id, merchant.status_decided_from = None, ""
    if to == Status.OFFBOARDING:
        extra.update(_offboard(merchant, before, reason, now))
    if to == Status.CLOSED:
        merchant.retention_until = (now + timedelta(days=retention_days())).date()
        extra = {"retention_until": merchant.retention_until}
    account = merchant.account
    account.attributes = {**account.attributes, "merchant_stage": to}
    account.updated_at = now
    account.save(update_fields=["attributes", "updated_at"])
    record("merchant.status_changed", merchant, actor, before=before, after=to, reason=reason, **extra)
    standing.refresh(merchant, actor=actor, now=now)
    tell("merchant.status_changed", merchant, before=before, status=to, reason=reason,
         allowed=lifecycle.allowed(to), **extra)
    return merchant


def release_schedule(percent: float, days: int, start, tranches: int = 6) -> list[dict]:
    """The reserve released in equal tranches over its holding period (≤ 180 days), the last on its end."""
    if not percent or not days:
        return []
    tranches = max(1, min(tranches, days))
    share = round(100 / tranches, 2)
    return [{"on": (start + timedelta(days=round(days * (i + 1) / tranches))).isoformat(),
             "share_of_reserve_percent": share if i < tranches - 1 else round(100 - share * (tranches - 1), 2)}
            for i in range(tranches)]


def _offboard(merchant: Merchant, before: str, reason: str, now) -> dict:
    """Final settlement, notice for pending bookings, a statement of reasons and the retention date."""
    money = merchant.funds or {}
    retention = (now + timedelta(days=retention_days())).date()
    hidden = []
    for listing in Listing.objects.filter(merchant=merchant).exclude(status=ListingStatus.DELISTED):
        listing.status, listing.reason, listing.updated_at = ListingStatus.DELISTED, f"off-boarding: {reason}", now
        listing.save(update_fields=["status", "reason", "updated_at"])
        hidden.append(listing.external_id)
    merchant.settlement = {
        "final_payout": "after the pending bookings are served or refunded",
        "reserve_percent": money.get("reserve_percent", 0), "release_days": money.get("release_days", 0),
        "reserve_release": release_schedule(money.get("reserve_percent", 0), money.get("release_days", 0),
                                            now.date()),
        "pending_bookings": "the platform notifies every customer with a pending booking",
        "statement_of_reasons": {"decision": "off-boarding", "reason": reason, "facts": {
            "status_before": before, "health_score": merchant.health_score,
            "band": merchant.health_band},
            "redress": f"the merchant may appeal within {settings.TRUSTOPS['APPEAL_WINDOW_DAYS']} days"},
        "delisted": hidden, "retention_until": retention.isoformat()}
    merchant.retention_until = retention
    tell("merchant.offboarding", merchant, settlement=merchant.settlement)
    return {"settlement": merchant.settlement}


# ---- documents ----------------------------------------------------------------------------------------------

@transaction.atomic
def submit_document(*, actor, external_id: str, kind: str, filename: str, content_type: str,
                    content: bytes) -> Document:
    require(access.onboards_merchants(actor), "submit merchants' documents")
    merchant = locked(actor, external_id)
    wanted = required_documents(merchant.category)
    if kind not in wanted:
        raise Invalid("unknown_document_kind", f"{merchant.category.code} asks for: {', '.join(wanted) or 'none'}.",
                      field="kind")
    if content_type not in DOCUMENT_TYPES:
        raise Invalid("wrong_document_type", f"Documents are one of {', '.join(DOCUMENT_TYPES)}.",
                      field="content_type")
    if not content or len(content) > DOCUMENT_MAX_BYTES:
        raise Invalid("wrong_document_size", f"A document holds 1 byte to {DOCUMENT_MAX_BYTES // 1024 // 1024} MiB.",
                      field="content")
    magic = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8"}[content_type]
    if not content.startswith(magic):
        raise Invalid("wrong_document_type", f"The content is not {content_type}.", field="content")
    document = Document.objects.create(merchant=merchant, kind=kind, filename=filename, content_type=content_type,
                                       size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                       submitted_at=clock.now())
    record("merchant.document_submitted", merchant, actor, document=document.pk, kind=kind,
           sha256=document.sha256, size_bytes=document.size_bytes)
    return document


@transaction.atomic
def review_document(*, actor, external_id: str, document_id: int, outcome: str, reason: str) -> Document:
    require(access.governs_merchants(actor), "review merchants' documents")
    merchant = locked(actor, external_id)
    document = Document.objects.filter(merchant=merchant, pk=document_id).first()
    if document is None:
        raise NotFound("document_not_found", f"No document {document_id} of this merchant.")
    if outcome not in (DocumentStatus.APPROVED, DocumentStatus.REJECTED):
        raise Invalid("invalid_field", "outcome is approved or rejected.", field="outcome")
    if outcome == DocumentStatus.REJECTED and not reason.strip():
        raise Invalid("reason_required", "A rejection needs a reason.", field="reason")
    if document.status != DocumentStatus.PENDING:
        raise Conflict("already_reviewed", f"This document was {document.status}.")
    document.status, document.reason = outcome, reason
    document.reviewed_by, document.reviewed_at = actor if hasattr(actor, "_meta") else None, clock.now()
    document.save()
    record(f"merchant.document_{outcome}", merchant, actor, document=document.pk, kind=document.kind,
           reason=reason)
    return document
