"""Licences lapsing and coming back, health falling and recovering, funds and status decided and appealed."""
from datetime import timedelta

from tests.merchants_world import (
    merchants_fixture,  # noqa: F401
    today,
)
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.merchants.services import decisions, qualifications
from trustops.merchants.tasks import recompute_all
from trustops.outbox.models import OutboxMessage
from trustops.review.models import Appeal, Case, Decision


def _events(kind):
    return list(LedgerEvent.objects.filter(kind=kind).order_by("id"))


def test_a_lapsing_licence_steps_benefits_listings_and_payouts_down_in_order_and_a_new_one_restores_them(merchants):
    merchants.active("glow-salon", licence_days=40)
    mark = LedgerEvent.objects.latest("id").id     # onboarding withdrew and restored the category once already
    for listing, category in (("glow-cut", "beauty.salon"), ("glow-shampoo", "retail")):
        response = merchants.platform.post("/api/v1/merchants/glow-salon/listings", {
            "external_id": listing, "title": listing, "category": category, "price": "30.00"})
        assert response.status_code == 201, response.content
    start = clock.now()

    def day(n):
        with clock.frozen(start + timedelta(days=n)):
            qualifications.refresh_due()
            return merchants.get("glow-salon")

    assert day(5)["benefits"]["badges"] == ["trusted_merchant"]
    assert [e.payload["days"] for e in _events("merchant.licence_notice")] == []
    day(11)     # 29 days left
    assert [e.payload["days"] for e in _events("merchant.licence_notice")] == [30]
    day(12)     # no second notice for the same threshold
    day(34)     # 6 days left
    assert [e.payload["days"] for e in _events("merchant.licence_notice")] == [30, 7]
    assert OutboxMessage.objects.filter(kind="merchant.licence_notice").count() == 2

    lapsed = day(41)   # expired yesterday
    assert lapsed["benefits"]["withdrawn_categories"] == ["beauty.salon"]
    status = {listing["external_id"]: listing["status"] for listing in lapsed["listings"]}
    assert status == {"glow-cut": "hidden", "glow-shampoo": "live"}   # only the salon's listings
    assert lapsed["funds"]["payout"] == "normal"
    assert day(47)["funds"]["payout"] == "delayed"                   # 7 days after
    held = day(70)                                                    # 30 days after
    assert held["funds"]["payout"] == "held"
    assert _events("merchant.offboarding_proposed")
    steps = [e.kind for e in LedgerEvent.objects.filter(kind__in=[
        "merchant.category_withdrawn", "merchant.listing_hidden", "merchant.licence_payout",
        "merchant.offboarding_proposed"], id__gt=mark).order_by("id")]
    assert steps == ["merchant.category_withdrawn", "merchant.listing_hidden", "merchant.licence_payout",
                     "merchant.licence_payout", "merchant.offboarding_proposed"]
    assert all(e.payload["reason"] for e in _events("merchant.licence_payout"))

    with clock.frozen(start + timedelta(days=70)):
        merchants.licence("glow-salon", days_left=365)
        restored = merchants.get("glow-salon")
    assert restored["benefits"]["withdrawn_categories"] == []
    assert restored["funds"]["payout"] == "normal"
    assert {listing["status"] for listing in restored["listings"]} == {"live"}
    assert _events("merchant.category_restored") and _events("merchant.listing_shown")


def test_health_falls_after_refunds_and_recovers_only_after_the_cooldown(merchants):
    merchants.active("quick-fix", category="retail")
    start = clock.now()
    bad = {"day": str(today() - timedelta(days=1)), "orders": 100, "gross_amount": "5000", "refunds": 30,
           "refund_amount": "1500", "chargebacks": 2, "chargeback_amount": "100", "complaints": 4}
    fallen = merchants.platform.post("/api/v1/merchants/quick-fix/metrics", {"days": [bad]}).json()
    assert fallen["health"]["score"] < 70 and fallen["health"]["band"] == "at_risk"
    refund = next(c for c in fallen["health"]["contributions"] if c["factor"] == "refund_rate")
    assert refund["points"] == -15 and refund["value"] == 0.3
    assert fallen["benefits"]["subsidies"] is False and fallen["benefits"]["badges"] == []
    assert fallen["funds"]["reserve_percent"] == 48 and fallen["funds"]["release_days"] == 90

    with clock.frozen(start + timedelta(days=32)):      # the refunds are out of the health window
        recompute_all()
        recovering = merchants.get("quick-fix")
    assert recovering["health"]["score"] == 100 and recovering["health"]["band"] == "at_risk"
    with clock.frozen(start + timedelta(days=40)):
        recompute_all()
        assert merchants.get("quick-fix")["health"]["band"] == "at_risk"
    with clock.frozen(start + timedelta(days=47)):      # 14 days better: the cooldown has passed
        recompute_all()
        healthy = merchants.get("quick-fix")
    assert healthy["health"]["band"] == "healthy" and healthy["benefits"]["badges"] == ["trusted_merchant"]
    bands = [(e.payload["before"], e.payload["after"]) for e in _events("merchant.band_changed")]
    assert bands == [("healthy", "at_risk"), ("at_risk", "healthy")]


def test_a_funds_decision_is_reasoned_appealed_through_review_and_overturned(merchants):
    merchants.active("cut-above", category="retail")
    decided = merchants.api.post("/api/v1/merchants/cut-above/funds", {
        "reason": "chargeback spike under investigation", "payout": "held"}).json()
    merchants.api.post("/api/v1/merchants/cut-above/funds", {
        "reason": "exposure too high", "reserve_percent": 20, "reserve_days": 120})
    decided = merchants.get("cut-above")
    assert decided["funds"]["payout"] == "held" and decided["funds"]["reserve_percent"] == 20
    assert any("chargeback spike" in r for r in decided["funds"]["reasons"])
    assert OutboxMessage.objects.filter(kind="merchant.funds_changed").last().payload["funds"]["payout"] == "held"
    payout = Decision.objects.get(pk=decided["decisions"]["payout"]["decision_id"])
    assert payout.reviewer == merchants.specialist.user and payout.case.kind == "merchant_review"
    assert payout.case.status == "resolved" and "payout held" in payout.rationale

    appeal = merchants.platform.post("/api/v1/merchants/cut-above/appeals", {
        "about": "payout", "statement": "The chargebacks were a processor error.", "idempotency_key": "m-1"})
    assert appeal.status_code == 201, appeal.content
    body = appeal.json()
    assert body["decision_id"] == payout.pk and body["queue"] == "merchants" and body["status"] == "pending"
    replay = merchants.platform.post("/api/v1/merchants/cut-above/appeals", {
        "about": "payout", "statement": "The chargebacks were a processor error.", "idempotency_key": "m-1"})
    assert replay.status_code == 200 and replay.json()["appeal_id"] == body["appeal_id"]
    again = merchants.platform.post("/api/v1/merchants/cut-above/appeals", {
        "about": "payout", "statement": "Please look again."})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_appealed"
    assert Appeal.objects.get(pk=body["appeal_id"]).case.kind == "appeal"

    # The specialist who decided is never offered the appeal; another one works it from the merchants queue.
    assert merchants.api.post("/api/v1/queues/merchants/claim").status_code == 204
    second = merchants.specialist_named("second-specialist")
    case = merchants.world.claim(second, "merchants")
    assert case["id"] == body["case_id"]
    decided = merchants.world.decide(second, case, verdict="overturned", rationale="processor confirmed the error")
    assert decided.status_code == 200, decided.content
    after = merchants.get("cut-above")
    assert after["funds"]["payout"] == "normal" and after["funds"]["reserve_percent"] == 20   # its own decision
    assert "payout" not in after["decisions"]
    assert [(a["appeal_id"], a["status"], a["outcome"]) for a in after["appeals"]] == [
        (body["appeal_id"], "overturned", "processor confirmed the error")]
    reversal = _events("merchant.funds_decision_reversed")[-1].payload
    assert reversal["what"] == "payout" and f"appeal {body['appeal_id']} overturned" in reversal["reason"]
    assert OutboxMessage.objects.filter(kind="merchant.funds_changed").last().payload["funds"]["payout"] == "normal"
    assert merchants.platform.post("/api/v1/merchants/cut-above/appeals", {
        "about": "payout", "statement": "x"}).json()["error"]["code"] == "decision_not_found"
    assert merchants.api.post("/api/v1/merchants/cut-above/funds/reverse", {
        "what": "reserve", "reason": "no longer needed"}).json()["funds"]["reserve_percent"] == 0


def test_a_suspension_appealed_and_overturned_moves_the_merchant_back_and_an_upheld_one_stands(merchants):
    for name in ("late-cafe", "noisy-bar"):
        merchants.active(name, category="retail")
        assert merchants.move(name, "suspended", "complaints about hygiene").status_code == 200
        response = merchants.platform.post(f"/api/v1/merchants/{name}/appeals", {
            "about": "status", "statement": "The complaints were from a competitor."})
        assert response.status_code == 201, response.content
    second = merchants.specialist_named("second-specialist")
    for verdict in ("overturned", "upheld"):
        case = merchants.world.claim(second, "merchants")
        assert merchants.world.decide(second, case, verdict=verdict, rationale="checked the reviews").status_code == 200
    assert merchants.get("late-cafe")["status"] == "active"
    assert merchants.get("noisy-bar")["status"] == "suspended"
    moved = _events("merchant.status_changed")[-1].payload
    assert moved["before"] == "suspended" and moved["after"] == "active" and "overturned" in moved["reason"]


def test_an_overturned_offboarding_is_left_to_a_specialist_on_a_case(merchants):
    merchants.active("gone-shop", category="retail")
    assert merchants.move("gone-shop", "offboarding", "fraud ring").status_code == 200
    assert merchants.get("gone-shop")["settlement"]["statement_of_reasons"]["facts"]["status_before"] == "active"
    appeal = merchants.platform.post("/api/v1/merchants/gone-shop/appeals", {
        "about": "status", "statement": "We are not part of it."}).json()
    second = merchants.specialist_named("second-specialist")
    case = merchants.world.claim(second, "merchants")
    assert merchants.world.decide(second, case, verdict="overturned", rationale="wrong account").status_code == 200
    assert merchants.get("gone-shop")["status"] == "offboarding"
    pending = _events("merchant.overturn_pending")[-1]
    assert pending.payload["back_to"] == "active"
    follow_up = Case.objects.get(pk=pending.case_id)
    assert follow_up.kind == "merchant_review" and follow_up.status == "open"
    assert Appeal.objects.get(pk=appeal["appeal_id"]).status == "overturned"


def test_what_the_rules_set_is_appealed_too_and_an_overturn_gives_relief_for_a_while(merchants):
    merchants.active("refund-shop", category="retail")
    bad = {"day": str(today() - timedelta(days=1)), "orders": 100, "gross_amount": "5000", "refunds": 30,
           "refund_amount": "1500", "chargebacks": 2, "chargeback_amount": "100", "complaints": 4}
    fallen = merchants.platform.post("/api/v1/merchants/refund-shop/metrics", {"days": [bad]}).json()
    assert fallen["health"]["band"] == "at_risk" and fallen["funds"]["reserve_percent"] == 48
    assert fallen["funds"]["payout"] == "normal"
    nothing = merchants.platform.post("/api/v1/merchants/refund-shop/appeals", {"about": "payout", "statement": "?"})
    assert nothing.status_code == 404 and nothing.json()["error"]["code"] == "decision_not_found"

    for about in ("reserve", "benefits"):
        response = merchants.platform.post("/api/v1/merchants/refund-shop/appeals", {
            "about": about, "statement": f"The refunds were one faulty batch ({about})."})
        assert response.status_code == 201, response.content
    again = merchants.platform.post("/api/v1/merchants/refund-shop/appeals", {
        "about": "reserve", "statement": "Again."})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_appealed"
    rules = Decision.objects.get(pk=response.json()["decision_id"])
    assert rules.reviewer.username == "merchant-rules" and rules.reviewer.role == "integration"
    assert "band at_risk" in rules.rationale and not rules.reviewer.has_usable_password()

    # The rules decided, so any specialist of the team may work the appeals.
    reviewer = merchants.specialist
    for verdict in ("overturned", "upheld"):
        case = merchants.world.claim(reviewer, "merchants")
        assert merchants.world.decide(reviewer, case, verdict=verdict, rationale="one faulty batch").status_code \
            == 200
    relieved = merchants.get("refund-shop")
    assert relieved["funds"]["reserve_percent"] == 0
    assert any(r.startswith("appeal relief: no rolling reserve") for r in relieved["funds"]["reasons"])
    assert relieved["benefits"]["subsidies"] is False                # the benefits appeal was upheld
    relief = relieved["decisions"]["relief_reserve"]
    assert relief["until"] == str(today() + timedelta(days=30))
    assert _events("merchant.relief_granted")[-1].payload["about"] == "reserve"

    with clock.frozen(clock.now() + timedelta(days=31)):
        decisions.expire_decisions()
        back = merchants.get("refund-shop")
    assert "relief_reserve" not in back["decisions"] and back["funds"]["reserve_percent"] == 48


def test_only_a_decision_in_force_can_be_appealed(merchants):
    merchants.active("calm-shop", category="retail")
    for about in ("payout", "status"):
        response = merchants.platform.post("/api/v1/merchants/calm-shop/appeals", {
            "about": about, "statement": "Why?"})
        assert response.status_code == 404 and response.json()["error"]["code"] == "decision_not_found"
    blank = merchants.platform.post("/api/v1/merchants/calm-shop/appeals", {"about": "payout", "statement": "  "})
    assert blank.status_code == 422


def test_a_returning_banned_merchant_is_matched_at_onboarding(merchants):
    merchants.active("old-salon", bank_account_fingerprint="bank-fp-777", device_id="device-42")
    for to in ("offboarding", "closed"):
        assert merchants.move("old-salon", to, "repeated fraud").status_code == 200
    returning = merchants.apply("new-salon", bank_account_fingerprint="bank-fp-777", phone="+1 (555) 0199",
                                registration_number="", owners=[{"name": "Owner of old-salon",
                                                                 "date_of_birth": "1980-01-01"}])
    assert returning["evasion_matches"] == [{"merchant": "old-salon",
                                             "shared": ["bank_account_fingerprint", "owner"]}]
    case = Case.objects.get(subject__external_id="new-salon", kind="merchant_review")
    assert case.queue.key == "merchants"
    assert _events("merchant.evasion_suspected")[0].payload["matches"][0]["merchant"] == "old-salon"
    innocent = merchants.apply("other-salon", registration_number="4539578763621486", phone="+44 20 7946 0000")
    assert innocent["evasion_matches"] == []
