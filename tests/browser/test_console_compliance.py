"""A compliance officer works the compliance workspace: sees a statement waiting (submission not configured),
records an NCII removal request and watches its clock run, places a hold, and has an erasure refused under it."""
import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in

pytestmark = pytest.mark.browser


def test_a_compliance_officer_works_statements_clocks_holds_and_erasure(page, people, world):
    owner = {"type": "creator", "external_id": "creator-lena"}
    subject = {**world.subject(region="DE"), "owner": owner}
    world.report(subject=subject)
    world.violation(world.moderator("de-mod"), "general-intl", "harassment.bullying")
    officer = people.person("compliance_officer", username="c.officer")

    sign_in(page, officer)
    page.get_by_role("link", name="Compliance", exact=True).click()
    expect(page.get_by_role("heading", name="Compliance", exact=True)).to_be_visible()
    expect(page.get_by_text("not configured")).to_be_visible()
    expect(page.get_by_role("cell", name="pending")).to_be_visible()

    page.get_by_role("link", name="Transparency report").click()
    expect(page.get_by_role("heading", name="Notices")).to_be_visible()
    page.get_by_role("link", name="show").first.click()
    expect(page.get_by_text("row(s)")).to_be_visible()

    page.get_by_role("link", name="Legal clocks").click()
    page.get_by_label("Kind").select_option("ncii")
    page.get_by_label("Subject type").select_option("video")
    page.get_by_label("External id").fill(subject["external_id"])
    page.get_by_label("Name").fill("L. Example")
    page.get_by_label("Contact").fill("l@example.org")
    page.get_by_label("Signature").fill("L. Example")
    page.get_by_label("Good-faith statement").fill("I did not consent.")
    page.get_by_role("button", name="Start the clock").click()
    expect(page.get_by_text("The clock is running.")).to_be_visible()
    expect(page.get_by_role("cell", name="NCII removal request (48 h)")).to_be_visible()

    page.get_by_role("link", name="Holds and retention").click()
    page.get_by_label("Subject type").select_option("creator")
    page.get_by_label("External id").fill("creator-lena")
    page.get_by_label("Reason").fill("Litigation hold 2026-4")
    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_text("The records are held.")).to_be_visible()

    page.get_by_role("link", name="Data subjects").click()
    page.get_by_label("Request").select_option("erasure")
    page.get_by_label("Account type").select_option("creator")
    page.get_by_label("External id").fill("creator-lena")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Erasure refused")).to_be_visible()
    expect(page.get_by_text("Litigation hold 2026-4").first).to_be_visible()
