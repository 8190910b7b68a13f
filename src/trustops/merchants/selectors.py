"""Reading merchants, always through identity/access.py's `merchant_filter`; vendor staff read them masked."""
from datetime import timedelta

from django.db.models import Q, QuerySet

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.ledger.models import LedgerEvent
from trustops.merchants import health, lifecycle
from trustops.merchants.models import Category, Health, Merchant, Qualification, QualificationStatus
from trustops.merchants.services.common import current_rules
from trustops.review.models import Appeal, AppealStatus, CaseKind
from trustops.review.selectors import cases_visible_to
from trustops.subjects.masking import mask_attributes


def merchants_visible_to(viewer) -> QuerySet[Merchant]:
    rule = access.merchant_filter(viewer)
    if rule == access.NOTHING:
        return Merchant.objects.none()
    if access.viewer(viewer).is_vendor_staff:   # the rule walks cases: one row per merchant via a subquery
        return Merchant.objects.filter(pk__in=Merchant.objects.filter(rule).values("pk"))
    return Merchant.objects.filter(rule)


def get_merchant(viewer, external_id: str) -> Merchant:
    merchant = merchants_visible_to(viewer).select_related("category", "account").filter(
        external_id=external_id).first()
    if merchant is None:
        raise NotFound("merchant_not_found", f"No merchant {external_id!r}.")
    return merchant


def search(viewer, text: str = "", *, status: str = "", limit: int = 50) -> list[Merchant]:
    found = merchants_visible_to(viewer).select_related("category", "health")
    if text:
        q = Q(external_id__istartswith=text)
        if not access.masks_merchant(viewer):   # vendor staff may not find a merchant by its legal name
            q |= Q(legal_name__icontains=text)
        found = found.filter(q)
    if status:
        found = found.filter(status=status)
    return list(found.order_by("external_id")[:limit])


def onboarding_queue(viewer, limit: int = 100) -> list[Merchant]:
    return list(merchants_visible_to(viewer).filter(status__in=lifecycle.ONBOARDING).select_related("category")
                .order_by("created_at")[:limit])


def expiring_licences(viewer, days: int = 30, limit: int = 100) -> list[Qualification]:
    today = clock.now().date()
    return list(Qualification.objects.filter(
        merchant__in=merchants_visible_to(viewer).filter(status__in=lifecycle.SELLING),
        status=QualificationStatus.APPROVED, expires_on__lte=today + timedelta(days=days),
        expires_on__gte=today - timedelta(days=30)).select_related("merchant").order_by("expires_on")[:limit])


def waiting_appeals(viewer, limit: int = 100) -> list[dict]:
    """Merchants' appeals not yet decided, oldest first: their cases wait in the merchants queue."""
    accounts = merchants_visible_to(viewer).values("account_id")
    rows = (Appeal.objects.filter(case__in=cases_visible_to(viewer), status=AppealStatus.PENDING,
                                  decision__case__kind=CaseKind.MERCHANT_REVIEW,
                                  decision__case__subject_id__in=accounts)
            .select_related("decision", "case__subject").order_by("received_at", "id")[:limit])
    return [{"appeal_id": a.pk, "case_id": a.case_id, "merchant": a.case.subject.external_id,
             "decision": a.decision.rationale, "received_at": a.received_at} for a in rows]


def categories() -> list[Category]:
    return list(Category.objects.select_related("parent").order_by("code"))


def history(viewer, merchant: Merchant, limit: int = 100) -> list[LedgerEvent]:
    subjects = [merchant.account_id, *merchant.listings.values_list("subject_id", flat=True)]
    return list(LedgerEvent.objects.filter(subject_id__in=subjects).filter(access.event_filter(viewer))
                .order_by("-occurred_at", "-id")[:limit])


def identity(viewer, merchant: Merchant) -> dict:
    raw = {"legal_name": merchant.legal_name, "registration_number": merchant.registration_number,
           "address": merchant.address, "phone": merchant.phone, "device_id": merchant.device_id,
           "bank_account_fingerprint": merchant.bank_account_fingerprint, "owners": merchant.owners,
           "pois": merchant.pois}
    return mask_attributes(raw, subject_type="merchant") if access.masks_merchant(viewer) else raw


def contributions(merchant: Merchant) -> list[dict]:
    """Each factor's share of the score, from the figures last computed and the weights in force."""
    row = Health.objects.filter(merchant=merchant).first()
    found = health.Figures(**{name: getattr(row, name) for name in health.FACTORS}) if row else health.Figures()
    return health.score(found, current_rules()["health"])[1]


def detail(viewer, merchant: Merchant) -> dict:
    """The merchant as the API and the console show it."""
    masked = access.masks_merchant(viewer)
    selling = merchant.status in lifecycle.SELLING
    return {
        "external_id": merchant.external_id, "status": merchant.status, "status_reason": merchant.status_reason,
        "allowed_transitions": lifecycle.allowed(merchant.status), "category": merchant.category.code,
        "region": merchant.region, "identity": identity(viewer, merchant),
        "verification": merchant.verification or {},
        "evasion_matches": [] if masked else merchant.evasion_matches,
        "health": {"score": merchant.health_score, "band": merchant.health_band,
                   "band_since": merchant.band_since, "contributions": contributions(merchant)},
        "benefits": merchant.benefits or {}, "funds": merchant.funds or {},
        "decisions": {} if masked else (merchant.overrides or {}),
        "licences": merchant.licence_state or {},
        "qualifications": [{
            "id": q.pk, "kind": q.kind, "number": "•••" if masked else q.number, "authority": q.authority,
            "issued_on": q.issued_on, "expires_on": q.expires_on, "status": q.status, "reason": q.reason}
            for q in merchant.qualifications.order_by("kind", "-expires_on")],
        "documents": [{"id": d.pk, "kind": d.kind, "content_type": d.content_type, "size_bytes": d.size_bytes,
                       "status": d.status, "reason": d.reason} for d in merchant.documents.order_by("id")],
        "listings": [{"external_id": listing.external_id, "title": listing.title,
                      "category": listing.category.code, "price": str(listing.price), "status": listing.status,
                      "visible": selling and listing.status == "live", "reason": listing.reason,
                      "findings": listing.findings}
                     for listing in merchant.listings.select_related("category").order_by("external_id")],
        "settlement": {} if masked else (merchant.settlement or {}),
        "appeals": [] if masked else appeals(viewer, merchant),
        "retention_until": merchant.retention_until,
        "created_at": merchant.created_at, "updated_at": merchant.updated_at,
    }


APPEALABLE = ("payout", "reserve", "benefits", "status")


def decision_in_force(merchant: Merchant, about: str) -> int | None:
    """The review decision behind the merchant's payout, reserve, benefits or status, if a person made one."""
    if about == "status":
        return merchant.status_decision_id
    return (merchant.overrides or {}).get(about, {}).get("decision_id")


def rules_restrictions(merchant: Merchant) -> dict[str, str]:
    """What the rules themselves (the band, the exposure), not a person's decision, restrict of the merchant's
    payout, reserve and benefits, each with why; relief from an overturned appeal lifts it."""
    band, money, overrides = merchant.health_band, merchant.funds or {}, merchant.overrides or {}
    found = {}
    payout = current_rules()["funds"]["payout"].get(band, "normal")
    if payout != "normal" and "relief_payout" not in overrides:
        found["payout"] = f"band {band}: payouts {payout}"
    if money.get("reserve_percent") and not {"reserve", "relief_reserve"} & set(overrides):
        found["reserve"] = f"exposure {money.get('exposure', 0):.1%}: reserve {money['reserve_percent']}%"
    if band != "healthy" and merchant.status in lifecycle.SELLING and "relief_benefits" not in overrides:
        found["benefits"] = f"band {band}"
    return found


def appealable(merchant: Merchant) -> list[str]:
    """What the merchant may appeal now: a person's decision in force, or a restriction of the rules' making."""
    by_rules = rules_restrictions(merchant)
    return [what for what in APPEALABLE if decision_in_force(merchant, what) or what in by_rules]


def decisions_in_force(merchant: Merchant) -> dict[int, list[str]]:
    """The review decisions behind the merchant's payout, reserve, benefits and status, by decision id."""
    found: dict[int, list[str]] = {}
    for about in APPEALABLE:
        decision_id = decision_in_force(merchant, about)
        if decision_id:
            found.setdefault(decision_id, []).append(about)
    for what, made in (merchant.overrides or {}).items():
        if what.startswith("relief_") and made.get("decision_id"):
            found.setdefault(made["decision_id"], []).append(what)
    for about, decision_id in (merchant.rule_decisions or {}).items():
        found.setdefault(decision_id, []).append(f"the rules' {about}")
    return found


def appeals(viewer, merchant: Merchant, *, limit: int = 50) -> list[dict]:
    """The merchant's appeals of decisions on it, newest first, as far as the viewer may see their cases."""
    in_force = decisions_in_force(merchant)
    rows = (Appeal.objects.filter(case__in=cases_visible_to(viewer), decision__case__subject_id=merchant.account_id,
                                  decision__case__kind=CaseKind.MERCHANT_REVIEW)
            .select_related("decision", "outcome").order_by("-id")[:limit])
    return [{"appeal_id": a.pk, "decision_id": a.decision_id, "decision": a.decision.rationale,
             "in_force": in_force.get(a.decision_id, []), "case_id": a.case_id, "status": a.status,
             "statement": a.statement, "received_at": a.received_at, "decided_at": a.decided_at,
             "outcome": a.outcome.rationale if a.outcome_id else ""} for a in rows]
