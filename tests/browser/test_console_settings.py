"""Settings in the console: an admin sets up a queue and a routing rule, and the next report lands there."""
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.console import current_code, sign_in
from trustops.review.models import Queue, RoutingRule

pytestmark = pytest.mark.browser


def sign_in_as_admin(page, people):
    admin = people.person("admin")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    sign_in(page, admin)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/queues/$"))
    return admin


def test_an_admin_creates_a_queue_and_a_rule_and_the_next_report_lands_there(page, people, world):
    sign_in_as_admin(page, people)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()

    page.get_by_label("Key").fill("hate-speech")
    page.get_by_label("Name", exact=True).fill("Hate speech")
    page.get_by_label("SLA (hours)").fill("6")
    page.get_by_label("Active").check()
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_text("Queue hate-speech created.")).to_be_visible()
    assert Queue.objects.get(key="hate-speech").sla_seconds == 6 * 3600

    # A bad key is refused beside the form, and nothing is created.
    page.get_by_label("Key").fill("general-us")
    page.get_by_label("Name", exact=True).fill("Again")
    page.get_by_role("button", name="Create queue").click()
    expect(page.get_by_role("alert")).to_contain_text("exists already")

    page.get_by_role("link", name="Routing rules").click()
    page.get_by_label("Name").fill("Hate speech to its specialists")
    page.get_by_label("Queue").select_option("hate-speech")
    page.get_by_label("Policies (codes or families, comma-separated)").fill("hate")
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("added last")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Hate speech to its specialists")
    row.get_by_role("button", name="Move Hate speech to its specialists up").click()
    rules = list(RoutingRule.objects.order_by("position", "id").values_list("name", flat=True))
    assert rules[-2] == "Hate speech to its specialists"

    page.get_by_label("Policy reported").fill("hate.slurs")
    page.get_by_label("Region", exact=True).fill("BR")
    page.get_by_role("button", name="Test routing").click()
    expect(page.locator("#probe-result")).to_contain_text("into hate-speech")

    filed = world.report(subject=world.subject(region="BR"), reason="hate.slurs")
    assert filed["queue"] == "hate-speech"


def test_an_admin_registers_an_endpoint_sees_its_secret_once_and_sends_a_test(page, people):
    sign_in_as_admin(page, people)
    page.goto("/settings/webhooks/")
    page.get_by_label("URL (HTTPS)").fill("https://hooks.example.com/trustops")
    page.get_by_label("Name (defaults to the host)").fill("platform")
    page.get_by_role("button", name="Register endpoint").click()
    secret = page.locator("#new-secret").inner_text()
    assert len(secret) >= 32
    page.goto("/settings/webhooks/")
    expect(page.locator("#new-secret")).to_have_count(0)
    assert secret not in page.content()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event queued for platform")).to_be_visible()
    page.goto("/deliveries/")
    expect(page.get_by_role("cell", name="webhook.test")).to_be_visible()


def test_settings_are_closed_to_moderators(page, people):
    sign_in(page, people.moderator())
    expect(page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings")).to_have_count(0)
    page.goto("/settings/queues/")
    expect(page.get_by_role("heading", name="Settings")).to_have_count(0)
