"""A merchant's way in: application, KYB documents, licences, review, and the statechart's guards."""
from tests.merchants_world import merchants_fixture  # noqa: F401
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import OutboxMessage


def test_onboarding_with_a_rejected_then_accepted_document(merchants):
    created = merchants.apply("salon-1")
    assert created["status"] == "applied"
    assert created["verification"]["provider"] == "local"
    assert created["verification"]["outcome"] == "consistent"
    assert "verified" not in str(created["verification"]).replace("no authority", "")

    # In review needs the category's documents.
    refused = merchants.move("salon-1", "in_review")
    assert refused.status_code == 409 and "business_registration" in refused.json()["error"]["message"]

    blurry = merchants.document("salon-1").json()
    rejected = merchants.api.post(f"/api/v1/merchants/salon-1/documents/{blurry['id']}/review",
                                  {"outcome": "rejected", "reason": "illegible scan"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert merchants.move("salon-1", "documents_requested", "send a legible extract").status_code == 200
    assert merchants.move("salon-1", "in_review").status_code == 409

    legible = merchants.document("salon-1").json()
    assert merchants.move("salon-1", "in_review").status_code == 200
    # Approval needs the document approved and the salon's licence.
    guarded = merchants.move("salon-1", "approved")
    assert guarded.status_code == 409
    problems = guarded.json()["error"]["details"]["problems"]
    assert any("business_registration" in p for p in problems) and any("cosmetology_licence" in p for p in problems)
    assert merchants.api.post(f"/api/v1/merchants/salon-1/documents/{legible['id']}/review",
                              {"outcome": "approved", "reason": "legible"}).status_code == 200
    merchants.licence("salon-1")
    assert merchants.move("salon-1", "approved").status_code == 200
    active = merchants.move("salon-1", "active", "welcome").json()
    assert active["status"] == "active"
    assert active["benefits"]["promotion_eligible"] is True and active["funds"]["payout"] == "normal"
    assert [q["status"] for q in active["qualifications"]] == ["approved"]

    kinds = list(LedgerEvent.objects.filter(kind__startswith="merchant.").values_list("kind", flat=True))
    assert "merchant.document_rejected" in kinds and "merchant.document_approved" in kinds
    assert kinds.count("merchant.status_changed") == 4
    moves = [m.payload["status"] for m in OutboxMessage.objects.filter(kind="merchant.status_changed").order_by("id")]
    assert moves == ["applied", "documents_requested", "in_review", "approved", "active"]


def test_a_forbidden_transition_is_409_naming_the_allowed_ones(merchants):
    merchants.apply("salon-2")
    response = merchants.move("salon-2", "active")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_forbidden"
    assert error["details"]["allowed"] == ["documents_requested", "in_review", "rejected"]
    assert "documents_requested, in_review, rejected" in error["message"]
    assert merchants.get("salon-2")["status"] == "applied"
