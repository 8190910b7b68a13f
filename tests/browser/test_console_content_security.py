"""The console under its Content-Security-Policy, in a real browser: the main pages load and work (HTMX refresh,
keyboard shortcuts, the authenticator's QR code, the charts, the admin) and the browser refuses nothing."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.console import code_from_setup_key, queue_cell, section, sign_in, take_next_case

pytestmark = pytest.mark.browser

# Init scripts run outside the page's policy; each refusal is reported as a console message.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("csp-violation " + event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def violations(page):
    seen = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: seen.append(message.text) if (
        "csp-violation" in message.text or "Content Security Policy" in message.text) else None)
    return seen


def test_a_moderator_works_a_case_by_keyboard_with_nothing_refused(page, violations, people, world):
    subject = world.subject(region="US")
    world.report(subject=subject, reason="harassment.bullying", text="Mocks a classmate by name.")
    page.clock.install()
    sign_in(page, people.moderator())
    expect(queue_cell(page, "general-us", "Waiting")).to_have_text("1")

    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    page.clock.run_for(11_000)
    expect(queue_cell(page, "general-us", "Waiting")).to_have_text("2")     # the HTMX refresh

    take_next_case(page, "general-us")
    expect(page.get_by_text("Mocks a classmate by name.")).to_be_visible()
    page.keyboard.press("r")                                                # reveal, posted by HTMX
    expect(page.get_by_text("Revealed", exact=True)).to_be_visible()
    page.keyboard.press("v")
    expect(page.get_by_role("radio", name="Violation", exact=True)).to_be_checked()
    page.get_by_label("Policy").select_option("harassment.bullying")
    page.get_by_label("Rationale").fill("Mocks a private person by name.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="Decision recorded")).to_be_visible()
    expect(section(page, "Owner history")).to_contain_text("2 strike points")

    for path, heading in (("/appeals/", "Appeals"), ("/accounts/", "Accounts"), ("/preferences/", "Preferences"),
                          (f"/accounts/creator/{subject['owner']['external_id']}/", None)):
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert violations == []


def test_an_admin_enrols_reads_quality_and_the_admin_with_nothing_refused(page, violations, people):
    admin = people.person("admin")

    sign_in(page, admin)
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("Code").fill(code_from_setup_key(page.get_by_label("Setup key").inner_text()))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()

    for path, heading in (("/quality/", "Quality"), ("/deliveries/", "Webhook deliveries")):
        page.goto(path)
        expect(page.get_by_role("heading", name=re.compile(heading)).first).to_be_visible()
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"/admin/identity/user/{admin.pk}/change/")
    expect(page.get_by_label("Username")).to_have_value(admin.username)
    assert violations == []
