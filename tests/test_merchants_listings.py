"""Listings against category policy: built-in checks, risk's rules through the port, delisting and relisting,
and leaving the platform."""
import pytest

from tests.conftest import ApiClient
from tests.merchants_world import merchants_fixture  # noqa: F401
from tests.test_console_access import console
from trustops.kernel import ports
from trustops.ledger.models import LedgerEvent
from trustops.merchants.listing_checks import robust_z
from trustops.merchants.ports import LISTING_RULES, Finding
from trustops.review.models import Case
from trustops.simulation import platform as setup


def _listing(merchants, merchant, listing, title, price="40.00", category="beauty.salon", description=""):
    response = merchants.platform.post(f"/api/v1/merchants/{merchant}/listings", {
        "external_id": listing, "title": title, "category": category, "price": price,
        "description": description})
    assert response.status_code == 201, response.content
    return response.json()


def test_the_robust_z_score_matches_iglewicz_and_hoaglin():
    # Median 5, MAD 1: a value of 10 lies 0.6745 × 5 = 3.3725 robust deviations out (below their 3.5 cut-off).
    assert robust_z(10, [3, 4, 5, 6, 7]) == pytest.approx(3.3725)
    assert robust_z(5, [5, 5, 5]) is None


def test_prohibited_services_misleading_claims_and_odd_prices_are_caught_with_the_merchants_context(merchants):
    merchants.active("fine-salon")
    for n in range(10):
        _listing(merchants, "fine-salon", f"cut-{n}", f"Haircut {n}", price=str(38 + n))
    botox = _listing(merchants, "fine-salon", "botox", "Botox injections at home")
    assert botox["status"] == "pending_review" and botox["findings"][0]["rule"] == "prohibited_service"
    claim = _listing(merchants, "fine-salon", "claim", "Colour with guaranteed results")
    assert claim["status"] == "live" and [f["rule"] for f in claim["findings"]] == ["misleading_claim"]
    pricey = _listing(merchants, "fine-salon", "pricey", "Haircut deluxe", price="900.00")
    assert [f["rule"] for f in pricey["findings"]] == ["price_anomaly"]
    case = Case.objects.get(subject__external_id="botox", kind="merchant_review")
    assert case.queue.key == "merchants"
    opened = LedgerEvent.objects.get(kind="case.opened", case_id=case.pk)
    assert "merchant fine-salon (active, beauty.salon, health 100 healthy" in opened.payload["reason"]
    assert case.subject.owner.external_id == "fine-salon"


def test_risk_rules_plug_in_through_the_port(merchants):
    class NoDiscountsOver90:
        def check(self, listing):
            return [Finding("risk.deep_discount", "90% off", blocking=True)] if "90%" in listing.title else []

    ports.provide(LISTING_RULES, NoDiscountsOver90())
    try:
        merchants.active("deal-salon")
        deal = _listing(merchants, "deal-salon", "deal", "Everything 90% off")
        assert deal["status"] == "pending_review" and deal["findings"][0]["rule"] == "risk.deep_discount"
    finally:
        ports.withdraw(LISTING_RULES)


def test_delist_and_relist_with_reasons_then_offboarding_settles(merchants):
    merchants.active("brief-salon")
    _listing(merchants, "brief-salon", "trim", "Trim")
    assert merchants.api.post("/api/v1/merchants/brief-salon/listings/trim/delist", {"reason": ""}).status_code == 422
    delisted = merchants.api.post("/api/v1/merchants/brief-salon/listings/trim/delist", {"reason": "fake photos"})
    assert delisted.json()["status"] == "delisted" and delisted.json()["reason"] == "fake photos"
    relisted = merchants.api.post("/api/v1/merchants/brief-salon/listings/trim/relist", {"reason": "photos replaced"})
    assert relisted.json()["status"] == "live"
    merchants.api.post("/api/v1/merchants/brief-salon/funds", {"reason": "exposure", "reserve_percent": 10,
                                                               "reserve_days": 120})
    leaving = merchants.move("brief-salon", "offboarding", "repeated no-shows").json()
    settlement = leaving["settlement"]
    assert [r["on"] for r in settlement["reserve_release"]][-1] and len(settlement["reserve_release"]) == 6
    assert sum(r["share_of_reserve_percent"] for r in settlement["reserve_release"]) == pytest.approx(100)
    assert settlement["statement_of_reasons"]["reason"] == "repeated no-shows"
    assert leaving["funds"]["payout"] == "held" and leaving["listings"][0]["status"] == "delisted"
    closed = merchants.move("brief-salon", "closed", "settled").json()
    assert closed["retention_until"] and closed["allowed_transitions"] == []


def test_a_vendor_agent_sees_a_merchants_personal_and_bank_data_masked(world, merchants):
    merchants.active("masked-salon", bank_account_fingerprint="fp-secret-bank", phone="+1 555 0142",
                     address="42 Elm Street")
    world.report(subject={"type": "merchant", "external_id": "masked-salon", "region": "US"},
                 reason="merchant.misleading_info")
    agent = world.vendor_agent()
    page = console(agent.user).get("/merchants/m/masked-salon/")
    assert page.status_code == 200
    body = page.content.decode()
    for secret in ("fp-secret-bank", "15550142", "42 Elm Street", "masked-salon Ltd", "Owner of masked-salon",
                   "79927398713"):
        assert secret not in body, secret
    assert "•••" in body
    by_token = ApiClient(agent.token).get("/api/v1/merchants/masked-salon")   # the agent's token reads it too
    assert by_token.status_code == 200 and by_token.json()["status"] == "active"
    for secret in ("fp-secret-bank", "15550142", "42 Elm Street", "masked-salon Ltd", "79927398713"):
        assert secret not in by_token.content.decode(), secret
    assert ApiClient(world.vendor_agent("other-agent", vendor=setup.VENDOR_B).token).get(
        "/api/v1/merchants/masked-salon").status_code == 404   # another vendor's agent has no case on it
    specialist = console(merchants.specialist.user).get("/merchants/m/masked-salon/").content.decode()
    assert "fp-secret-bank" in specialist and "42 Elm Street" in specialist
