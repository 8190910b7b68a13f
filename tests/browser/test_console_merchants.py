"""The merchant workspace: a specialist works the onboarding queue, reviews a licence and approves a merchant."""
import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from tests.merchants_world import merchants_fixture  # noqa: F401
from trustops.merchants.models import Merchant
from trustops.simulation import platform as setup

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



def test_a_specialist_holds_payouts_records_the_merchants_appeal_and_sees_it_overturned(page, people, merchants):
    merchants.active("fade-shop", category="retail")
    sign_in(page, people.person("merchant_specialist", team=setup.MERCHANT_TEAM))
    page.goto("/merchants/m/fade-shop/")
    funds = page.get_by_role("region", name="Benefits and funds")
    funds.get_by_label("Payouts").select_option("held")
    funds.get_by_label("Reason for the decision").fill("chargebacks under investigation")
    funds.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()

    appeals = page.get_by_role("region", name="Appeals")
    appeals.get_by_label("Of").select_option("payout")
    appeals.get_by_label("The merchant's statement").fill("The processor double-counted.")
    appeals.get_by_role("button", name="Record the appeal").click()
    expect(page.get_by_text("in the merchants queue")).to_be_visible()
    row = page.get_by_role("region", name="Appeals").get_by_role("row", name="The processor double-counted.")
    expect(row).to_contain_text("pending")
    expect(row.get_by_role("link", name="Case")).to_be_visible()

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Merchants").click()
    waiting = page.get_by_role("region", name="Appeals waiting").get_by_role("row", name="fade-shop")
    expect(waiting).to_contain_text("payout held")
    waiting.get_by_role("link", name="Case").click()
    expect(page.get_by_text("The processor double-counted.").first).to_be_visible()

    second = merchants.specialist_named("second-look")
    case = merchants.world.claim(second, "merchants")
    assert merchants.world.decide(second, case, verdict="overturned", rationale="processor error").status_code == 200
    page.goto("/merchants/m/fade-shop/")
    row = page.get_by_role("region", name="Appeals").get_by_role("row", name="The processor double-counted.")
    expect(row).to_contain_text("overturned")
    expect(page.get_by_role("region", name="Benefits and funds")).to_contain_text("normal")
