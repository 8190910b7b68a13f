"""Health, licences, benefits and funds, recomputed for one merchant and applied idempotently.

`refresh` is called by every use case that changes an input (a licence reviewed, figures posted, a decision on
funds, a move in the lifecycle) and by the nightly job. It writes only what changed, each change a ledger event
with its reason and, for benefits, funds and listings, a message to the platform.
"""
from datetime import timedelta

from django.db.models import Sum

from trustops.enforcement import selectors as enforcement
from trustops.kernel import clock
from trustops.merchants import expiry, funds, health, lifecycle
from trustops.merchants.models import DailyMetrics, Health, Listing, ListingStatus, Merchant, Qualification
from trustops.merchants.services.common import current_rules, record, required_kinds, tell

FLOORS = {"restricted": "at_risk", "suspended": "critical"}   # the band a merchant cannot be above while so


def band_reason(score: int, status: str) -> str:
    floor = FLOORS.get(status)
    return f"score {score}" + (f"; floor {floor} while {status}" if floor else "")


def benefits_reason(band: str, withdrawn: list[str], selling: bool, status: str) -> str:
    return f"band {band}" + (f"; withdrawn in {', '.join(withdrawn)}" if withdrawn else "") + (
        "" if selling else f"; not selling ({status})")


def funds_reason(reasons: list[str]) -> str:
    return "; ".join(reasons) or "nothing holds the merchant's money back"


def figures(merchant: Merchant, rules: dict, now) -> health.Figures:
    since = (now - timedelta(days=rules["health"]["window_days"])).date()
    sums = DailyMetrics.objects.filter(merchant=merchant, day__gt=since).aggregate(
        orders=Sum("orders"), refunds=Sum("refunds"), chargebacks=Sum("chargebacks"), no_shows=Sum("no_shows"),
        complaints=Sum("complaints"), audits=Sum("audits_failed"))
    days = DailyMetrics.objects.filter(merchant=merchant, day__gt=since, orders__gt=0)
    response = days.aggregate(total=Sum("response_minutes"))["total"] or 0
    orders = sums["orders"] or 0
    strikes = list(enforcement.active_strikes(merchant.account, now))

    def rate(n):
        return (n or 0) / orders if orders else 0.0
    return health.Figures(
        violations=len(strikes), strike_points=sum(s.points for s in strikes),
        complaints=rate(sums["complaints"]), refund_rate=rate(sums["refunds"]),
        chargeback_rate=rate(sums["chargebacks"]), no_show_rate=rate(sums["no_shows"]),
        response_minutes=response / days.count() if days.exists() else 0, audits_failed=sums["audits"] or 0)


def exposure_rate(merchant: Merchant, rules: dict, now) -> float:
    since = (now - timedelta(days=rules["funds"]["window_days"])).date()
    sums = DailyMetrics.objects.filter(merchant=merchant, day__gt=since).aggregate(
        gross=Sum("gross_amount"), refunded=Sum("refund_amount"), charged=Sum("chargeback_amount"))
    return funds.exposure(float(sums["gross"] or 0), float(sums["refunded"] or 0), float(sums["charged"] or 0))


def required(merchant: Merchant) -> dict[str, list[str]]:
    """Category code -> qualification kinds, for the merchant's category and those it lists in."""
    cats = {merchant.category_id: merchant.category}
    for listing in Listing.objects.filter(merchant=merchant).exclude(status=ListingStatus.DELISTED).select_related(
            "category"):
        cats.setdefault(listing.category_id, listing.category)
    out = {}
    for cat in cats.values():
        kinds = required_kinds(cat, merchant.region)
        if kinds:
            out[cat.code] = kinds
    return out


def licence_state(merchant: Merchant, rules: dict, today) -> expiry.Desired:
    held = [expiry.Held(q.pk, q.kind, q.status, q.issued_on, q.expires_on)
            for q in Qualification.objects.filter(merchant=merchant)]
    return expiry.desired_state(required(merchant), held, today, rules["licences"])


def _listings(merchant: Merchant, withdrawn: list[str], reasons: dict, actor) -> None:
    """Only the listings of a category whose licence lapsed are hidden; they come back with the licence."""
    now = clock.now()
    for listing in Listing.objects.filter(merchant=merchant, status__in=[ListingStatus.LIVE, ListingStatus.HIDDEN]
                                          ).select_related("category"):
        hide = listing.category.code in withdrawn
        if hide and listing.status == ListingStatus.LIVE:
            listing.status, listing.reason = ListingStatus.HIDDEN, f"licence: {reasons.get(listing.category.code)}"
        elif not hide and listing.status == ListingStatus.HIDDEN:
            listing.status, listing.reason = ListingStatus.LIVE, "licence restored"
        else:
            continue
        listing.updated_at = now
        listing.save(update_fields=["status", "reason", "updated_at"])
        record(f"merchant.listing_{'hidden' if hide else 'shown'}", merchant, actor, listing=listing.external_id,
               category=listing.category.code, reason=listing.reason)
        tell("merchant.listing_changed", merchant, listing=listing.external_id, status=listing.status,
             reason=listing.reason)


def refresh(merchant: Merchant, *, actor=None, now=None, score_event: bool = True) -> Merchant:
    """Recompute and apply; the merchant is locked by the caller. The nightly pass counts the scores it moves
    in its own event (`score_event=False`) rather than one event per merchant."""
    now = now or clock.now()
    rules = current_rules()
    selling = merchant.status in lifecycle.SELLING
    # Health and its band.
    found = figures(merchant, rules, now)
    value, contributions = health.score(found, rules["health"])
    raw = health.raw_band(value, found, rules["health"])
    floor = FLOORS.get(merchant.status)
    if floor and health.ORDER[floor] > health.ORDER[raw]:
        raw = floor
    state = health.next_band(health.BandState(merchant.health_band, merchant.band_since, merchant.recovering_since),
                             raw, now, rules["health"]["cooldown_days"])
    if state.band != merchant.health_band:
        record("merchant.band_changed", merchant, actor, before=merchant.health_band, after=state.band, score=value,
               reason=band_reason(value, merchant.status))
    if value != merchant.health_score and score_event:
        record("merchant.health_scored", merchant, actor, before=merchant.health_score, after=value,
               contributions=[c for c in contributions if c["points"]])
    stored = {name: round(float(getattr(found, name)), 4) for name in health.FACTORS}
    merchant.health = Health.objects.update_or_create(merchant=merchant, defaults={"score": value, **stored})[0]
    merchant.health_band, merchant.band_since, merchant.recovering_since = (
        state.band, state.band_since, state.recovering_since)
    # Licences.
    desired = licence_state(merchant, rules, now.date())
    previous = merchant.licence_state or {}
    _apply_licences(merchant, previous, desired, actor)
    if selling:
        _listings(merchant, desired.withdrawn_categories, desired.reasons, actor)
    merchant.licence_state = desired.as_state()
    # Benefits and funds.
    benefits = funds.benefits_for(band=merchant.health_band, selling=selling,
                                  withdrawn_categories=desired.withdrawn_categories,
                                  overrides=merchant.overrides or {}, rules=rules["benefits"])
    money, reasons = funds.funds_for(band=merchant.health_band, status=merchant.status, licence_payout=desired.payout,
                                     exposure_rate=exposure_rate(merchant, rules, now),
                                     overrides=merchant.overrides or {}, rules=rules["funds"])
    if benefits != merchant.benefits:
        why = benefits_reason(merchant.health_band, desired.withdrawn_categories, selling, merchant.status)
        record("merchant.benefits_changed", merchant, actor, before=merchant.benefits, after=benefits, reason=why)
        tell("merchant.benefits_changed", merchant, benefits=benefits, reason=why)
        merchant.benefits = benefits
    money["reasons"] = reasons
    if money != merchant.funds:
        record("merchant.funds_changed", merchant, actor, before=merchant.funds, after=money,
               reason=funds_reason(reasons))
        tell("merchant.funds_changed", merchant, funds=money)
        merchant.funds = money
    merchant.updated_at = now
    merchant.save()
    return merchant


def _apply_licences(merchant: Merchant, previous: dict, desired: expiry.Desired, actor) -> None:
    before_withdrawn = set(previous.get("withdrawn_categories", []))
    for code in sorted(set(desired.withdrawn_categories) - before_withdrawn):
        record("merchant.category_withdrawn", merchant, actor, category=code, reason=desired.reasons[code])
    for code in sorted(before_withdrawn - set(desired.withdrawn_categories)):
        record("merchant.category_restored", merchant, actor, category=code, reason="valid licence approved")
    if desired.payout != previous.get("payout", "normal"):
        record("merchant.licence_payout", merchant, actor, before=previous.get("payout", "normal"),
               after=desired.payout, reason=desired.reasons.get("payout", "valid licence approved"))
    if desired.offboarding_proposed and not previous.get("offboarding_proposed"):
        record("merchant.offboarding_proposed", merchant, actor, reason=desired.reasons.get("payout"))
    for notice in sorted(set(desired.notices) - set(previous.get("notices", []))):
        qualification_id, days = notice.split(":")
        q = Qualification.objects.get(pk=int(qualification_id))
        record("merchant.licence_notice", merchant, actor, qualification=q.pk, kind=q.kind, days=int(days),
               expires_on=q.expires_on, reason=f"{q.kind} lapses within {days} days")
        tell("merchant.licence_notice", merchant, qualification={"id": q.pk, "kind": q.kind,
                                                                 "expires_on": q.expires_on}, days=int(days))
