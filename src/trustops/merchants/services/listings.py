"""Listings: checked against category policy when sent (built-in checks, and risk's rules when installed),
delisted and relisted by people with a reason; a finding opens a merchant review case with the merchant's
context."""
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.merchants import lifecycle, listing_checks
from trustops.merchants.models import Listing, ListingStatus, Merchant
from trustops.merchants.ports import ListingFacts
from trustops.merchants.services import standing
from trustops.merchants.services.common import category, current_rules, locked, record, require, tell
from trustops.review.models import CaseKind
from trustops.review.requests import open_review_case
from trustops.subjects import services as subjects


def facts(listing: Listing, merchant: Merchant) -> ListingFacts:
    return ListingFacts(listing.external_id, merchant.external_id, listing.category.code, merchant.region,
                        listing.title, listing.description, float(listing.price), merchant.health_band,
                        merchant.status)


def context(merchant: Merchant) -> str:
    """What a reviewer of a listing case needs to know about its merchant, in one line."""
    return (f"merchant {merchant.external_id} ({merchant.status}, {merchant.category.code}, health "
            f"{merchant.health_score} {merchant.health_band}, payouts {(merchant.funds or {}).get('payout', 'normal')})")


@transaction.atomic
def submit(*, actor, external_id: str, listing_id: str, title: str, category_code: str, price: Decimal,
           description: str = "") -> Listing:
    require(access.onboards_merchants(actor), "send merchants' listings")
    merchant = locked(actor, external_id)
    cat = category(category_code)
    if price < 0:
        raise Invalid("invalid_field", "A price is not negative.", field="price")
    if Listing.objects.filter(external_id=listing_id).exclude(merchant=merchant).exists():
        raise Conflict("listing_of_another", f"Listing {listing_id!r} belongs to another merchant.")
    upserted = subjects.upsert_many([subjects.SubjectRef(
        "listing", listing_id, owner=subjects.SubjectRef("merchant", merchant.external_id),
        region_if_new=merchant.region, attributes={"title": title, "category": cat.code, "price": str(price)})],
        actor=actor)
    now = clock.now()
    listing, _ = Listing.objects.update_or_create(
        external_id=listing_id, defaults=dict(
            merchant=merchant, subject=upserted[("listing", listing_id)], title=title, description=description,
            category=cat, price=price, updated_at=now), create_defaults=dict(
            merchant=merchant, subject=upserted[("listing", listing_id)], title=title, description=description,
            category=cat, price=price, created_at=now, updated_at=now))
    peers = [float(p) for p in Listing.objects.filter(category=cat, status=ListingStatus.LIVE)
             .exclude(pk=listing.pk).values_list("price", flat=True)[:5000]]
    found = listing_checks.check(facts(listing, merchant), prohibited=cat.prohibited_services,
                                 misleading=cat.misleading_phrases, peers=peers, rules=current_rules()["listings"])
    listing.findings = [f.as_dict() for f in found]
    if listing.status != ListingStatus.DELISTED:
        listing.status = ListingStatus.PENDING_REVIEW if any(f.blocking for f in found) else ListingStatus.LIVE
    listing.save()
    record("merchant.listing_checked", merchant, actor, listing=listing_id, findings=listing.findings,
           status=listing.status)
    if found:
        open_review_case(subject=listing.subject, kind=CaseKind.MERCHANT_REVIEW,
                         queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"], actor=actor,
                         reason=f"{'; '.join(f.message for f in found)} — {context(merchant)}")
    # A listing in a category that needs a licence the merchant lacks is hidden by the licence rules.
    standing.refresh(merchant, actor=actor, now=now)
    listing.refresh_from_db()
    return listing


@transaction.atomic
def set_listed(*, actor, external_id: str, listing_id: str, listed: bool, reason: str) -> Listing:
    require(access.governs_merchants(actor), "delist or relist listings")
    merchant = locked(actor, external_id)
    listing = Listing.objects.filter(merchant=merchant, external_id=listing_id).first()
    if listing is None:
        raise NotFound("listing_not_found", f"No listing {listing_id!r} of this merchant.")
    if not reason.strip():
        raise Invalid("reason_required", "Delisting and relisting need a reason.", field="reason")
    if listed and listing.status not in (ListingStatus.DELISTED, ListingStatus.PENDING_REVIEW):
        raise Conflict("already_listed", f"The listing is {listing.status}.")
    if not listed and listing.status == ListingStatus.DELISTED:
        raise Conflict("already_delisted", "The listing is delisted already.")
    if listed and merchant.status not in lifecycle.SELLING:
        raise Conflict("merchant_not_selling", f"A merchant {merchant.status} lists nothing.")
    listing.status = ListingStatus.LIVE if listed else ListingStatus.DELISTED
    listing.reason, listing.updated_at = reason, clock.now()
    listing.save(update_fields=["status", "reason", "updated_at"])
    record(f"merchant.listing_{'relisted' if listed else 'delisted'}", merchant, actor, listing=listing_id,
           reason=reason)
    tell("merchant.listing_changed", merchant, listing=listing_id, status=listing.status, reason=reason)
    standing.refresh(merchant, actor=actor)   # a relisted listing in a lapsed category is hidden again
    listing.refresh_from_db()
    return listing
