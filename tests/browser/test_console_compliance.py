"""A compliance officer works the compliance workspace: sees a statement waiting (submission not configured),
records an NCII removal request and watches its clock run, places a hold, and has an erasure refused under it."""
import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from trustops.simulation import platform as setup

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


def test_a_cleared_officer_assembles_opens_and_submits_a_child_safety_report(page, people, world):
    """The package is assembled from the case, its evidence shown only after a recorded reason, the submission
    tracked with the submitter's reference, and the evidence's access log lists the opening."""
    world.report(subject=world.subject(region="US"), reason="minor_safety.grooming", text="He asked her age.")
    world.violation(world.moderator("cs-mod"), "child-safety", "minor_safety.grooming")
    officer = people.person("compliance_officer", username="cs.officer", clearances=(setup.CHILD_SAFETY,))

    sign_in(page, officer)
    page.get_by_role("link", name="Compliance", exact=True).click()
    page.get_by_role("link", name="Child-safety reports").click()
    page.get_by_role("button", name="Assemble the report").click()
    expect(page.get_by_text("its evidence is held for a year")).to_be_visible()
    expect(page.get_by_text("Nobody has opened it yet.")).to_be_visible()

    page.get_by_label("Why you open it (recorded)").fill("Checking the package before submission")
    page.get_by_role("button", name="Open the evidence").click()
    expect(page.get_by_label("Report package")).to_contain_text("He asked her age.")
    expect(page.get_by_role("cell", name="Checking the package before submission")).to_be_visible()

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted through local-stand-in")).to_be_visible()
    expect(page.get_by_role("cell", name="submission to the reporting authority")).to_be_visible()
    page.get_by_role("link", name="Child-safety reports").click()
    expect(page.get_by_role("cell", name="Submitted")).to_be_visible()
    expect(page.get_by_text("No child-safety case is waiting for a report.")).to_be_visible()


def test_an_uncleared_officer_has_no_child_safety_page(page, people):
    officer = people.person("compliance_officer", username="plain.officer")
    sign_in(page, officer)
    page.get_by_role("link", name="Compliance", exact=True).click()
    expect(page.get_by_role("link", name="Child-safety reports")).to_have_count(0)


def test_a_compliance_officer_warns_then_suspends_a_notifier_and_lifts_it(page, people):
    officer = people.person("compliance_officer", username="c.art23")
    sign_in(page, officer)
    page.goto("/compliance/")
    page.get_by_role("link", name="Art. 23 suspensions").click()
    expect(page.get_by_text("No warnings or suspensions.")).to_be_visible()
    warn = page.get_by_role("form", name="Warn")
    warn.get_by_label("Of").select_option("notices")
    warn.get_by_label("Party").fill("reporter-77")
    warn.get_by_label("Manifestly unfounded submissions counted").fill("41")
    warn.get_by_label("Reason").fill("41 of 43 notices this month named content that breaks no rule.")
    warn.get_by_role("button", name="Warn").click()
    expect(page.get_by_text("Warning recorded")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="reporter-77")
    expect(row).to_contain_text("warned")
    row.get_by_label("Days to suspend reporter-77").fill("30")
    row.get_by_label("Why suspend reporter-77").fill("Carried on after the warning.")
    row.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Processing of reporter-77's notices suspended until")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="reporter-77")
    expect(row.get_by_text("suspended", exact=True)).to_be_visible()
    row.get_by_label("Why lift reporter-77").fill("Agreed to stop.")
    row.get_by_role("button", name="Lift").click()
    expect(page.get_by_role("row").filter(has_text="reporter-77")).to_contain_text("lifted")
