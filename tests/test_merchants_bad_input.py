"""Bad input to the merchants API: each a clear 4xx, nothing half-written."""
from datetime import timedelta

from tests.merchants_world import (
    merchants_fixture,  # noqa: F401
    today,
)
from trustops.merchants.models import Document, Merchant, Qualification


def test_an_unknown_category_is_refused(merchants):
    response = merchants.platform.post("/api/v1/merchants", {
        "external_id": "nowhere", "legal_name": "Nowhere Ltd", "category": "space.tourism", "region": "US"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "category"
    assert not Merchant.objects.filter(external_id="nowhere").exists()
    listing = merchants.active("salon-x")
    assert listing["status"] == "active"
    bad = merchants.platform.post("/api/v1/merchants/salon-x/listings", {
        "external_id": "l-1", "title": "Cut", "category": "space.tourism", "price": "10"})
    assert bad.status_code == 422


def test_expiry_before_issue_and_unknown_kinds_are_refused(merchants):
    merchants.apply("salon-e")
    for body, field in (({"kind": "cosmetology_licence", "number": "1", "issued_on": str(today()),
                          "expires_on": str(today() - timedelta(days=1))}, "expires_on"),
                        ({"kind": "pilot_licence", "number": "1", "issued_on": str(today() - timedelta(days=1)),
                          "expires_on": str(today() + timedelta(days=9))}, "kind")):
        response = merchants.platform.post("/api/v1/merchants/salon-e/qualifications", body)
        assert response.status_code == 422 and response.json()["error"]["field"] == field
    assert not Qualification.objects.exists()


def test_a_reserve_over_100_percent_or_180_days_is_refused(merchants):
    merchants.active("salon-r", category="retail")
    for body in ({"reason": "x", "reserve_percent": 101, "reserve_days": 30},
                 {"reason": "x", "reserve_percent": 10, "reserve_days": 181},
                 {"reason": "x", "reserve_percent": 10}):
        assert merchants.api.post("/api/v1/merchants/salon-r/funds", body).status_code == 422, body
    assert merchants.get("salon-r")["funds"]["reserve_percent"] == 0


def test_rules_with_a_reserve_beyond_180_days_are_refused(merchants):
    from django.test import Client
    client = Client()
    response = client.put("/api/v1/merchant-rules", '{"rules": {"funds": {"reserve_days": {"healthy": 30, '
                                                      '"at_risk": 90, "critical": 200}}}}',
                          content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {merchants.specialist.token}")
    assert response.status_code == 422 and response.json()["error"]["field"] == "funds.reserve_days.critical"


def test_documents_of_the_wrong_type_or_size_are_refused(merchants):
    merchants.apply("salon-d")
    assert merchants.document("salon-d", content_type="application/zip").status_code == 422
    assert merchants.document("salon-d", content=b"MZ not a pdf").status_code == 422   # says PDF, is not
    assert merchants.document("salon-d", kind="passport_of_the_cat").status_code == 422
    big = b"%PDF" + b"0" * (10 * 1024 * 1024)
    assert merchants.document("salon-d", content=big).status_code == 422
    not_base64 = merchants.platform.post("/api/v1/merchants/salon-d/documents", {
        "kind": "business_registration", "filename": "x.pdf", "content_type": "application/pdf",
        "content_base64": "%%%"})
    assert not_base64.status_code == 422
    assert not Document.objects.exists()


def test_a_move_without_reason_or_to_an_unknown_status_is_refused(merchants):
    merchants.apply("salon-m")
    assert merchants.move("salon-m", "in_review", reason="").status_code == 422
    assert merchants.move("salon-m", "flying").status_code == 422
    assert merchants.get("salon-m")["status"] == "applied"
