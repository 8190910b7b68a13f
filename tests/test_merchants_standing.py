"""Licences lapsing and coming back, health falling and recovering, funds decided and contested."""
from datetime import timedelta

from tests.merchants_world import (
    merchants_fixture,  # noqa: F401
    today,
)
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.merchants.services import qualifications
from trustops.merchants.tasks import recompute_all
from trustops.outbox.models import OutboxMessage
from trustops.review.models import Case


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


def test_a_funds_decision_is_reasoned_contested_and_reversed(merchants):
    merchants.active("cut-above", category="retail")
    decided = merchants.api.post("/api/v1/merchants/cut-above/funds", {
        "reason": "chargeback spike under investigation", "payout": "held", "reserve_percent": 20,
        "reserve_days": 120}).json()
    assert decided["funds"]["payout"] == "held" and decided["funds"]["reserve_percent"] == 20
    assert any("chargeback spike" in r for r in decided["funds"]["reasons"])
    sent = OutboxMessage.objects.filter(kind="merchant.funds_changed").last()
    assert sent.payload["funds"]["payout"] == "held"

    contest = merchants.platform.post("/api/v1/merchants/cut-above/contests", {
        "about": "payout", "statement": "The chargebacks were a processor error."})
    assert contest.status_code == 201
    case = Case.objects.get(pk=contest.json()["case_id"])
    assert case.kind == "merchant_review" and case.queue.key == "merchants"
    reversed_ = merchants.api.post(f"/api/v1/merchants/cut-above/contests/{contest.json()['id']}/decision",
                                   {"outcome": "reversed", "reason": "processor confirmed the error"})
    assert reversed_.status_code == 200 and reversed_.json()["outcome"] == "reversed"
    after = merchants.get("cut-above")
    assert after["funds"]["payout"] == "normal" and after["funds"]["reserve_percent"] == 20   # reserve stays
    assert merchants.api.post("/api/v1/merchants/cut-above/funds/reverse", {
        "what": "reserve", "reason": "no longer needed"}).json()["funds"]["reserve_percent"] == 0


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
