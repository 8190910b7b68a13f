"""The demo's Local Services merchants: a category tree, merchants at every stage of their lifecycle in several
categories, a month of daily figures, and licences about to lapse (or lapsed). Deterministic for a seed; written
through the merchants app's services, as the platform and a merchant specialist would."""
import random
from datetime import datetime, timedelta

from trustops.kernel import clock
from trustops.merchants.services import configuration, decisions, listings, onboarding, qualifications

PDF = b"%PDF-1.4 demo registration extract"
CATEGORIES = [
    ("beauty", "Beauty and wellness", None, {}, ["business_registration"], [], []),
    ("beauty.salon", "Hair and beauty salons", "beauty", {"*": ["cosmetology_licence"]}, [],
     ["botox injections", "tattoo removal"], ["guaranteed results", "permanent cure"]),
    ("beauty.spa", "Day spas", "beauty", {"*": ["massage_therapy_licence"]}, [], [], ["detox cure"]),
    ("food", "Food and drink", None, {}, ["business_registration"], [], []),
    ("food.restaurant", "Restaurants", "food", {"*": ["health_permit"]}, [], ["live animal sales"],
     ["best in the world"]),
    ("repair", "Home repair", None, {}, ["business_registration", "proof_of_insurance"], [], []),
    ("repair.contractor", "Licensed contractors", "repair", {"*": ["contractor_licence"], "US": ["insurance"]},
     [], ["gas line work without permit"], ["lifetime guarantee"]),
    ("retail", "Retail", None, {}, ["business_registration"], [], ["lowest price guaranteed"]),
    ("classes", "Classes and lessons", None, {}, ["business_registration"], [], []),
]
LICENCE = {"beauty.salon": ["cosmetology_licence"], "beauty.spa": ["massage_therapy_licence"],
           "food.restaurant": ["health_permit"], "repair.contractor": ["contractor_licence", "insurance"]}
# external id, category, region, stage, days its licences have left
MERCHANTS = [
    ("luna-hair", "beauty.salon", "US", "active", 200),
    ("fade-factory", "beauty.salon", "US", "active", 20),       # a notice at 30 days sent
    ("curl-up", "beauty.salon", "GB", "active", 5),             # inside 7 days
    ("nonna-trattoria", "food.restaurant", "US", "active", 300),
    ("taco-norte", "food.restaurant", "BR", "active", -10),     # lapsed ten days ago: payouts delayed
    ("fixit-bros", "repair.contractor", "US", "restricted", 150),
    ("serene-spa", "beauty.spa", "DE", "suspended", 90),
    ("corner-books", "retail", "GB", "active", None),
    ("salsa-studio", "classes", "FR", "active", None),
    ("quick-bites", "food.restaurant", "US", "approved", 365),
    ("brow-bar", "beauty.salon", "US", "in_review", 365),
    ("pipe-pros", "repair.contractor", "US", "documents_requested", None),
    ("glam-nails", "beauty.salon", "JP", "revision_requested", None),
    ("pop-up-deals", "retail", "ID", "applied", None),
    ("fake-clinic", "beauty.spa", "US", "rejected", None),
    ("gone-grill", "food.restaurant", "US", "closed", 200),
    ("fading-florist", "retail", "GB", "offboarding", None),
]
PATHS = {
    "applied": [], "documents_requested": ["documents_requested"], "in_review": ["in_review"],
    "revision_requested": ["in_review", "revision_requested"], "rejected": ["rejected"],
    "approved": ["in_review", "approved"], "active": ["in_review", "approved", "active"],
    "restricted": ["in_review", "approved", "active", "restricted"],
    "suspended": ["in_review", "approved", "active", "suspended"],
    "offboarding": ["in_review", "approved", "active", "offboarding"],
    "closed": ["in_review", "approved", "active", "offboarding", "closed"],
}
REASONS = {"documents_requested": "registration extract missing", "in_review": "documents received",
           "revision_requested": "licence number unreadable", "rejected": "unlicensed medical treatments",
           "approved": "KYB and licences checked", "active": "welcome to Local Services",
           "restricted": "no-show complaints under review", "suspended": "chargebacks far above the category",
           "offboarding": "repeated policy violations", "closed": "settlement complete"}


def _registration(rng) -> str:
    """A registration number with a valid check digit (Luhn), unique enough for the demo."""
    digits = [rng.randint(0, 9) for _ in range(10)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _phone(rng) -> str:
    return f"+1 555 {rng.randint(1000, 9999)}"


def _appeals(specialist, integration) -> None:
    """Three appeals waiting in the merchants queue: of a specialist's payout hold, of a suspension, and of the
    reserve the rules set from a merchant's refunds."""
    decisions.decide_funds(actor=specialist, external_id="fixit-bros", payout="held",
                           reason="chargebacks under investigation with the payment processor")
    for external_id, about, statement in (
            ("fixit-bros", "payout", "The chargebacks came from the processor's outage in week two."),
            ("serene-spa", "status", "The complaints were about a neighbouring business."),
            ("taco-norte", "reserve", "Refunds were for one delivery partner's late orders, now replaced.")):
        decisions.appeal(actor=integration, external_id=external_id, about=about, statement=statement)


def seed(*, specialist, integration, anchor: datetime, seed: int = 7) -> dict:
    rng = random.Random(seed)
    for code, name, parent, requirements, documents, prohibited, misleading in CATEGORIES:
        configuration.save_category(actor=specialist, code=code, name=name, parent=parent,
                                    requirements=requirements, documents=documents, prohibited_services=prohibited,
                                    misleading_phrases=misleading)
    today = anchor.date()
    for external_id, category, region, stage, days_left in MERCHANTS:
        # Onboarding happened a few months before the anchor.
        with clock.frozen(anchor - timedelta(days=120)):
            _onboard(rng, specialist, integration, external_id, category, region, stage, days_left, today)
    with clock.frozen(anchor - timedelta(days=1)):
        # A returning merchant: the closed grill's owner and bank account, a new name.
        onboarding.apply(actor=integration, external_id="grill-reborn", legal_name="Grill Reborn LLC",
                         category_code="food.restaurant", region="US", phone=_phone(rng),
                         bank_account_fingerprint="bank-gone-grill",
                         owners=[{"name": "Owner of gone-grill", "date_of_birth": "1975-05-05",
                                  "share_percent": 100}])
    with clock.frozen(anchor):
        _figures(rng, integration, anchor)
        qualifications.refresh_due(today=today)
        _appeals(specialist, integration)
    return {"merchants": len(MERCHANTS) + 1, "categories": len(CATEGORIES)}


def _onboard(rng, specialist, integration, external_id, category, region, stage, days_left, today):
    onboarding.apply(
        actor=integration, external_id=external_id, legal_name=f"{external_id.replace('-', ' ').title()} Ltd",
        category_code=category, region=region, registration_number=_registration(rng) if rng.random() < 0.8 else "",
        address=f"{rng.randint(1, 300)} High Street", phone=_phone(rng), device_id=f"device-{external_id}",
        bank_account_fingerprint=f"bank-{external_id}",
        owners=[{"name": f"Owner of {external_id}", "date_of_birth": "1975-05-05", "share_percent": 100}])
    path = PATHS[stage]
    if path:
        for kind in ["business_registration", "proof_of_insurance"] if category.startswith("repair") else [
                "business_registration"]:
            document = onboarding.submit_document(actor=integration, external_id=external_id, kind=kind,
                                                  filename=f"{kind}.pdf", content_type="application/pdf",
                                                  content=PDF)
            if "approved" in path:
                onboarding.review_document(actor=specialist, external_id=external_id, document_id=document.pk,
                                           outcome="approved", reason="legible and current")
    if days_left is not None:
        now = clock.now().date()
        for kind in LICENCE.get(category, []):
            q = qualifications.submit(actor=integration, external_id=external_id, kind=kind,
                                      number=f"{kind[:3].upper()}-{rng.randint(10000, 99999)}",
                                      authority=f"{region} licensing board", issued_on=now - timedelta(days=200),
                                      expires_on=today + timedelta(days=days_left))
            if "approved" in path:
                qualifications.review(actor=specialist, external_id=external_id, qualification_id=q.pk,
                                      outcome="approved", reason="matches the register")
    for to in path:
        onboarding.transition(actor=specialist, external_id=external_id, to=to, reason=REASONS[to])
    if stage in ("active", "restricted"):
        for n in range(3):
            listings.submit(actor=integration, external_id=external_id, listing_id=f"{external_id}-offer-{n}",
                            title=f"{category.split('.')[-1].title()} offer {n + 1}", category_code=category,
                            price=rng.choice([25, 35, 45, 60, 80]))
        if external_id == "luna-hair":   # a salon that also sells retail: its licence does not cover them
            listings.submit(actor=integration, external_id=external_id, listing_id="luna-hair-shampoo",
                            title="Salon shampoo", category_code="retail", price=18)
            listings.submit(actor=integration, external_id=external_id, listing_id="luna-hair-botox",
                            title="Botox injections at home", category_code=category, price=120)


def _figures(rng, integration, anchor):
    """A month of days for the selling merchants; two of them with refunds and chargebacks well above the rest."""
    troubled = {"fixit-bros": (0.25, 0.03), "taco-norte": (0.12, 0.015)}
    for external_id, _, _, stage, _ in MERCHANTS:
        if stage not in ("active", "restricted"):
            continue
        refund_rate, chargeback_rate = troubled.get(external_id, (0.03, 0.002))
        days = []
        for back in range(1, 31):
            orders = rng.randint(10, 60)
            refunds = min(orders, round(orders * refund_rate * rng.uniform(0.5, 1.5)))
            chargebacks = min(orders - refunds, round(orders * chargeback_rate * rng.uniform(0, 2)))
            price = rng.choice([30, 45, 60])
            days.append({"day": anchor.date() - timedelta(days=back), "orders": orders,
                         "gross_amount": orders * price, "refunds": refunds, "refund_amount": refunds * price,
                         "chargebacks": chargebacks, "chargeback_amount": chargebacks * price,
                         "no_shows": rng.randint(0, 2), "complaints": rng.randint(0, 2),
                         "response_minutes": rng.randint(10, 180), "audits_failed": 0})
        decisions.post_metrics(actor=integration, external_id=external_id, days=days)
