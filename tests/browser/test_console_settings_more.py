"""More Settings in the console: an admin opens an account and its person signs in; anyone makes an API token,
sees it once and uses it; a policy manager publishes new guidance and reviewers read it on the case page."""
import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.console import PASSWORD, sign_in, sign_out, take_next_case
from tests.browser.test_console_settings import sign_in_as_admin
from trustops.identity.models import User
from trustops.policies.models import Policy
from trustops.simulation import platform as setup

pytestmark = pytest.mark.browser


def test_an_admin_creates_a_user_and_the_user_signs_in(page, people):
    sign_in_as_admin(page, people)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Users").click()
    form = page.get_by_role("region", name="New user")
    form.get_by_label("Username").fill("new-moderator")
    form.get_by_label("First password").fill(PASSWORD)
    form.get_by_label("Role").select_option("moderator")
    form.get_by_label("Cleared regions (codes, comma-separated; * for all)").fill("US, BR")
    form.get_by_role("checkbox", name=re.compile("restricted:child_safety")).check()
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("new-moderator can sign in now.")).to_be_visible()
    made = User.objects.get(username="new-moderator")
    assert made.role == "moderator" and made.cleared_regions == ["BR", "US"]
    assert made.clearances == ["restricted:child_safety"]

    sign_out(page)
    sign_in(page, made)
    expect(page).to_have_url(re.compile(r"/queues/$"))
    expect(page.get_by_text("new-moderator · Moderator")).to_be_visible()


def test_a_person_creates_a_token_sees_the_secret_once_and_uses_it(page, people, live_server):
    moderator = people.moderator()
    sign_in(page, moderator)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Preferences").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("checkbox", name=re.compile(r"^config:write"))).to_have_count(0)
    page.get_by_label("Token name").fill("queue watcher")
    page.get_by_role("checkbox", name=re.compile(r"^queues:read")).check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token").inner_text().strip()
    assert len(secret) >= 32
    expect(page.get_by_role("cell", name=re.compile(r"^queue watcher"))).to_be_visible()

    page.goto("/preferences/tokens/")   # the page again (a reload would send the form again)
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()

    answer = httpx.get(f"{live_server.url}/api/v1/queues", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and any(q["key"] == "general-us" for q in answer.json())
    page.get_by_role("button", name="Revoke queue watcher").click()
    expect(page.get_by_text("revoked: it no longer works")).to_be_visible()
    assert httpx.get(f"{live_server.url}/api/v1/queues",
                     headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_policy_manager_publishes_new_guidance_and_sees_it_on_the_case_page(page, people, world):
    manager = people.person("policy_manager", team=setup.IN_HOUSE_TEAM,
                            clearances=(setup.CHILD_SAFETY, setup.TERRORISM_NCII))
    queue = world.report(subject=world.subject(region="US"), reason="hate.slurs")["queue"]
    sign_in(page, manager)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Policies").click()
    page.get_by_role("link", name="hate.slurs").click()
    page.get_by_label("Guidance for reviewers").fill("Reclaimed use by the targeted group is not a violation.")
    page.get_by_label("Change note").fill("reclaimed use")
    page.get_by_role("button", name="Publish version").click()
    expect(page.get_by_text(re.compile(r"hate\.slurs version \d+ published"))).to_be_visible()
    versions = page.get_by_role("region", name="Versions")
    expect(versions.get_by_role("row").filter(has_text="reclaimed use")).to_be_visible()
    number = Policy.objects.select_related("current_version").get(code="hate.slurs").current_version.number

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Queues").click()
    take_next_case(page, queue)
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    page.get_by_role("radio", name="Violation", exact=True).check()
    page.get_by_label("Policy").select_option("hate.slurs")
    expect(page.get_by_text("Reclaimed use by the targeted group is not a violation.")).to_be_visible()
    assert number >= 2
