"""Who sees which merchant: every role × the merchants API and console × a foreign region and a vendor's cases.

`us-salon` is a US merchant whose account has an open case in the merchants queue (contracted to Northwind);
`br-salon` is a BR merchant with no case. Each person is US-cleared; vendor staff are Northwind's. In-house
merchant readers see `us-salon` only; vendor staff see it only through their case, masked (agents by token too,
managers in the console only); nobody cleared for the US alone sees `br-salon`; everyone else sees no merchant. Hidden is 404 (or 403 for a token
lacking the scope), and lists never show hidden rows.
"""
import pytest

from tests.conftest import ApiClient
from tests.merchants_world import merchants_fixture  # noqa: F401
from tests.test_access_matrix import ROLES, VENDOR_ROLES, _console, _person
from trustops.identity.access import MERCHANT_GOVERNORS, MERCHANT_READERS
from trustops.identity.roles import Role, default_scopes
from trustops.review.models import Appeal


@pytest.fixture
def two(world, merchants):
    merchants.active("us-salon", bank_account_fingerprint="fp-us-salon-bank", address="1 Main St")
    merchants.active("br-salon", region="BR")
    world.report(subject={"type": "merchant", "external_id": "us-salon", "region": "US"},
                 reason="merchant.misleading_info")
    for external_id in ("us-salon", "br-salon"):
        decided = merchants.api.post(f"/api/v1/merchants/{external_id}/funds", {"reason": "probe", "payout": "held"})
        assert decided.status_code == 200, decided.content
    appealed = merchants.platform.post("/api/v1/merchants/br-salon/appeals", {"about": "payout", "statement": "BR"})
    assert appealed.status_code == 201, appealed.content
    return merchants


def _appeals(external_id) -> int:
    return Appeal.objects.filter(decision__case__subject__external_id=external_id).count()


def _appeals_for(role) -> bool:
    """Who sends a merchant's appeal: the platform, and merchant specialists recording one."""
    return role in MERCHANT_GOVERNORS | {Role.INTEGRATION}


def _reads(role) -> bool:
    return role in MERCHANT_READERS


def _reads_by_token(role) -> bool:
    return _reads(role) or role == Role.VENDOR_AGENT


@pytest.mark.parametrize("role", ROLES)
def test_the_merchants_api_by_role_and_region(world, two, role):
    person = _person(world, role)
    client = ApiClient(person.token)
    scoped = "merchants:read" in default_scopes(role)
    for external_id, visible in (("us-salon", _reads_by_token(role)), ("br-salon", False)):
        response = client.get(f"/api/v1/merchants/{external_id}")
        expected = 403 if not scoped else 200 if visible else 404
        assert response.status_code == expected, (role, external_id, response.content)
        if expected == 200:
            identity = response.json()["identity"]
            masked = role in VENDOR_ROLES
            assert (identity["bank_account_fingerprint"] == "fp-us-salon-bank") is not masked, role
            assert (identity["address"] == "1 Main St") is not masked, role
    listed = client.get("/api/v1/merchants", q="")
    if scoped:
        assert [m["external_id"] for m in listed.json()] == (["us-salon"] if _reads_by_token(role) else [])
    moved = client.post("/api/v1/merchants/br-salon/transition", {"to": "restricted", "reason": "probe"})
    assert moved.status_code in (403, 404)
    assert two.get("br-salon")["status"] == "active"
    appeal = {"about": "payout", "statement": "probe"}
    assert client.post("/api/v1/merchants/br-salon/appeals", appeal).status_code in (403, 404), role
    assert _appeals("br-salon") == 1
    appealed = client.post("/api/v1/merchants/us-salon/appeals", appeal)
    assert (appealed.status_code == 201) is _appeals_for(role), (role, appealed.content)
    assert appealed.status_code in (201, 403, 404) and _appeals("us-salon") == int(_appeals_for(role))


@pytest.mark.parametrize("role", ROLES)
def test_the_merchant_console_by_role_region_and_vendor(world, two, role):
    person = _person(world, role)
    browser = _console(person.user)
    workspace = role in MERCHANT_READERS - {Role.INTEGRATION}
    assert browser.get("/merchants/").status_code == (200 if workspace else 404)
    sees_us = workspace or role in VENDOR_ROLES
    page = browser.get("/merchants/m/us-salon/")
    assert page.status_code == (200 if sees_us else 404), role
    assert browser.get("/merchants/m/br-salon/").status_code == 404
    if sees_us:
        body = page.content.decode()
        masked = role in VENDOR_ROLES
        assert ("fp-us-salon-bank" in body) is not masked and ("1 Main St" in body) is not masked
        assert ("us-salon Ltd" in body) is not masked
    if workspace:
        found = browser.get("/merchants/", {"q": "salon"}).content.decode()
        assert "us-salon" in found and "br-salon" not in found
        assert "No merchant appeal is waiting." in browser.get("/merchants/").content.decode()   # BR's is hidden
    moved = browser.post("/merchants/m/us-salon/transition/", {"to": "restricted", "reason": "probe"})
    expected = 302 if role in MERCHANT_GOVERNORS else 403 if sees_us else 404
    assert moved.status_code == expected, role
    assert browser.post("/merchants/m/br-salon/transition/", {"to": "restricted", "reason": "probe"}).status_code \
        == 404
    appeal = {"about": "payout", "statement": "probe"}
    assert browser.post("/merchants/m/br-salon/appeal/", appeal).status_code == 404 and _appeals("br-salon") == 1
    appealed = browser.post("/merchants/m/us-salon/appeal/", appeal)
    records = sees_us and _appeals_for(role)
    assert appealed.status_code == (302 if records else 403 if sees_us else 404), role
    assert _appeals("us-salon") == int(records)
