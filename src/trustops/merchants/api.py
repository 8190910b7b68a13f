"""Merchants API: onboarding and the lifecycle, documents, qualifications, listings, figures, funds, appeals,
categories and rules. Thin: each endpoint calls one service or selector."""
import base64
import binascii

from ninja import Router
from ninja.responses import Status

from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Invalid
from trustops.kernel.inputs import Id
from trustops.merchants import selectors
from trustops.merchants.schemas import (
    CategoryIn,
    CategoryOut,
    DocumentIn,
    DocumentOut,
    EvasionClearIn,
    FundsDecisionIn,
    ListedIn,
    ListingIn,
    ListingOut,
    MerchantAppealIn,
    MerchantAppealOut,
    MerchantIn,
    MerchantOut,
    MerchantRow,
    MetricsIn,
    QualificationIn,
    QualificationOut,
    ReverseIn,
    ReviewIn,
    RulesIn,
    TransitionIn,
)
from trustops.merchants.services import configuration, decisions, listings, onboarding, qualifications
from trustops.merchants.services.common import current_rules, require

router = Router(tags=["merchants"])
READ, WRITE = scope("merchants:read"), scope("merchants:write")


def _out(request, merchant):
    return selectors.detail(request.auth, selectors.get_merchant(request.auth, merchant.external_id))


def _listing(listing) -> dict:
    return {"external_id": listing.external_id, "title": listing.title, "category": listing.category.code,
            "price": str(listing.price), "status": listing.status, "reason": listing.reason,
            "findings": listing.findings}


@router.post("/merchants", response={201: MerchantOut}, auth=WRITE,
             summary="A merchant applies: its business identity is verified by the configured provider and "
                     "matched against merchants that left (ban evasion)")
def post_merchant(request, body: MerchantIn):
    merchant = onboarding.apply(
        actor=request.auth, external_id=body.external_id, legal_name=body.legal_name, category_code=body.category,
        region=body.region, registration_number=body.registration_number, address=body.address,
        phone=body.phone, device_id=body.device_id, bank_account_fingerprint=body.bank_account_fingerprint,
        owners=[o.model_dump(mode="json") for o in body.owners], pois=body.pois)
    return Status(201, _out(request, merchant))


@router.get("/merchants", response=list[MerchantRow], auth=READ, summary="Merchants the caller may see")
def list_merchants(request, q: str = "", status: str = ""):
    if len(q) > 200 or len(status) > 32:
        raise Invalid("invalid_field", "q and status are short.", field="q")
    return [{"external_id": m.external_id, "status": m.status, "category": m.category.code, "region": m.region,
             "health_score": m.health_score, "health_band": m.health_band}
            for m in selectors.search(request.auth, q, status=status)]


@router.get("/merchants/{external_id}", response=MerchantOut, auth=READ,
            summary="A merchant: status, health with its contributions, benefits, funds, qualifications")
def get_merchant(request, external_id: str):
    return selectors.detail(request.auth, selectors.get_merchant(request.auth, external_id))


@router.post("/merchants/{external_id}/transition", response=MerchantOut, auth=WRITE,
             summary="Move a merchant in its lifecycle; a move the statechart forbids is a 409 naming the "
                     "allowed ones")
def post_transition(request, external_id: str, body: TransitionIn):
    return _out(request, onboarding.transition(actor=request.auth, external_id=external_id, to=body.to,
                                               reason=body.reason))


@router.post("/merchants/{external_id}/evasion/clear", response=MerchantOut, auth=WRITE,
             summary="Clear a ban-evasion flag after review")
def post_clear_evasion(request, external_id: str, body: EvasionClearIn):
    return _out(request, onboarding.clear_evasion(actor=request.auth, external_id=external_id, reason=body.reason))


@router.post("/merchants/{external_id}/documents", response={201: DocumentOut}, auth=WRITE,
             summary="A KYB document the category asks for (PDF, JPEG or PNG, at most 10 MiB)")
def post_document(request, external_id: str, body: DocumentIn):
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("invalid_field", "content_base64 is not base64.", field="content_base64") from None
    document = onboarding.submit_document(actor=request.auth, external_id=external_id, kind=body.kind,
                                          filename=body.filename, content_type=body.content_type, content=content)
    return Status(201, document)


@router.post("/merchants/{external_id}/documents/{document_id}/review", response=DocumentOut, auth=WRITE,
             summary="Approve or reject a document, with a reason")
def post_document_review(request, external_id: str, document_id: Id, body: ReviewIn):
    return onboarding.review_document(actor=request.auth, external_id=external_id, document_id=document_id,
                                      outcome=body.outcome, reason=body.reason)


@router.post("/merchants/{external_id}/qualifications", response={201: QualificationOut}, auth=WRITE,
             summary="A licence or permit, pending review")
def post_qualification(request, external_id: str, body: QualificationIn):
    return Status(201, qualifications.submit(
        actor=request.auth, external_id=external_id, kind=body.kind, number=body.number, authority=body.authority,
        issued_on=body.issued_on, expires_on=body.expires_on))


@router.post("/merchants/{external_id}/qualifications/{qualification_id}/review", response=QualificationOut,
             auth=WRITE, summary="Approve or reject a qualification; the merchant's state follows at once")
def post_qualification_review(request, external_id: str, qualification_id: Id, body: ReviewIn):
    return qualifications.review(actor=request.auth, external_id=external_id, qualification_id=qualification_id,
                                 outcome=body.outcome, reason=body.reason)


@router.post("/merchants/{external_id}/listings", response={201: ListingOut}, auth=WRITE,
             summary="Send or update a listing; it is checked against its category's policy")
def post_listing(request, external_id: str, body: ListingIn):
    listing = listings.submit(actor=request.auth, external_id=external_id, listing_id=body.external_id,
                              title=body.title, category_code=body.category, price=body.price,
                              description=body.description)
    return Status(201, _listing(listing))


@router.post("/merchants/{external_id}/listings/{listing_id}/delist", response=ListingOut, auth=WRITE,
             summary="Delist a listing, with a reason")
def post_delist(request, external_id: str, listing_id: str, body: ListedIn):
    return _listing(listings.set_listed(actor=request.auth, external_id=external_id, listing_id=listing_id,
                                        listed=False, reason=body.reason))


@router.post("/merchants/{external_id}/listings/{listing_id}/relist", response=ListingOut, auth=WRITE,
             summary="Relist a listing, with a reason")
def post_relist(request, external_id: str, listing_id: str, body: ListedIn):
    return _listing(listings.set_listed(actor=request.auth, external_id=external_id, listing_id=listing_id,
                                        listed=True, reason=body.reason))


@router.post("/merchants/{external_id}/metrics", response=MerchantOut, auth=WRITE,
             summary="Daily figures (orders, refunds, chargebacks, no-shows, complaints, response times, "
                     "audits); health, benefits and funds are recomputed at once")
def post_metrics(request, external_id: str, body: MetricsIn):
    return _out(request, decisions.post_metrics(actor=request.auth, external_id=external_id,
                                                days=[d.model_dump() for d in body.days]))


@router.post("/merchants/{external_id}/funds", response=MerchantOut, auth=WRITE,
             summary="Decide on payouts, the reserve (≤ 100%, ≤ 180 days) or benefits, with a reason")
def post_funds(request, external_id: str, body: FundsDecisionIn):
    return _out(request, decisions.decide_funds(
        actor=request.auth, external_id=external_id, reason=body.reason, payout=body.payout,
        reserve_percent=body.reserve_percent, reserve_days=body.reserve_days,
        revoke_benefits=list(body.revoke_benefits), until=body.until))


@router.post("/merchants/{external_id}/funds/reverse", response=MerchantOut, auth=WRITE,
             summary="Reverse a decision on payouts, the reserve or benefits")
def post_funds_reverse(request, external_id: str, body: ReverseIn):
    return _out(request, decisions.reverse_decision(actor=request.auth, external_id=external_id, what=body.what,
                                                    reason=body.reason))


@router.post("/merchants/{external_id}/appeals", response={200: MerchantAppealOut, 201: MerchantAppealOut},
             auth=WRITE, summary="The merchant appeals the decision behind its payouts, reserve, benefits or status "
                                 "(review's appeals: another merchant specialist decides; an overturn reverses it)")
def post_appeal(request, external_id: str, body: MerchantAppealIn):
    status, found = decisions.appeal(actor=request.auth, external_id=external_id, about=body.about,
                                     statement=body.statement, idempotency_key=body.idempotency_key)
    return Status(status, found)


@router.get("/merchant-categories", response=list[CategoryOut], auth=READ, summary="The category tree")
def get_categories(request):
    return [_category(c) for c in selectors.categories()]


def _category(c) -> dict:
    return {"code": c.code, "name": c.name, "parent": c.parent.code if c.parent else None,
            "requirements": c.requirements, "documents": c.documents,
            "prohibited_services": c.prohibited_services, "misleading_phrases": c.misleading_phrases,
            "active": c.active}


@router.post("/merchant-categories", response=CategoryOut, auth=WRITE,
             summary="Create or change a category: its parent, the qualifications it needs per region, the "
                     "documents onboarding asks for, prohibited services and misleading phrases")
def post_category(request, body: CategoryIn):
    return _category(configuration.save_category(actor=request.auth, **body.model_dump()))


@router.get("/merchant-rules", response=dict, auth=READ, summary="The health, benefits and funds rules in force")
def get_rules(request):
    require(access.uses_merchant_workspace(request.auth) or access.onboards_merchants(request.auth),
            "read the merchant rules")
    return current_rules()


@router.put("/merchant-rules", response=dict, auth=WRITE,
            summary="Change the health weights, bands, cooldown and floors, the benefits per band and the funds "
                    "rules (reserve ≤ 100%, ≤ 180 days)")
def put_rules(request, body: RulesIn):
    return configuration.save_rules(actor=request.auth, body=body.rules)
