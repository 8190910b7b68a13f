"""The merchant workspace: a specialist works the onboarding queue, reviews a licence and approves a merchant."""
import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from tests.merchants_world import merchants_fixture  # noqa: F401
from trustops.merchants.models import Merchant

pytestmark = pytest.mark.browser


def test_a_specialist_reviews_a_licence_and_approves_a_merchant_from_the_onboarding_queue(page, people, merchants):
    merchants.apply("brow-bar")
    document = merchants.document("brow-bar").json()
    merchants.api.post(f"/api/v1/merchants/brow-bar/documents/{document['id']}/review",
                       {"outcome": "approved", "reason": "legible"})
    merchants.licence("brow-bar", approve=False)
    assert merchants.move("brow-bar", "in_review").status_code == 200

    sign_in(page, people.person("merchant_specialist"))
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Merchants").click()
    queue = page.get_by_role("region", name="Onboarding review queue")
    queue.get_by_role("link", name="brow-bar").click()
    expect(page.get_by_role("heading", name="brow-bar")).to_be_visible()

    # Approval is refused while the licence waits for review, and the page says why.
    lifecycle = page.get_by_role("region", name="Lifecycle")
    lifecycle.get_by_label("Reason to move to approved").fill("KYB checked")
    lifecycle.get_by_role("button", name="Move to approved").click()
    expect(page.get_by_text("licences not approved and valid: cosmetology_licence")).to_be_visible()

    licences = page.get_by_role("region", name="Qualifications")
    licences.get_by_role("textbox").fill("matches the state register")
    licences.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Qualification reviewed.")).to_be_visible()

    lifecycle = page.get_by_role("region", name="Lifecycle")
    lifecycle.get_by_label("Reason to move to approved").fill("KYB checked")
    lifecycle.get_by_role("button", name="Move to approved").click()
    expect(page.get_by_text("Moved.")).to_be_visible()
    expect(page.get_by_role("button", name="Move to active")).to_be_visible()
    assert Merchant.objects.get(external_id="brow-bar").status == "approved"
    health = page.get_by_role("region", name="Health")
    expect(health.get_by_role("listitem")).to_have_count(8)
