"""Sign-in beyond the password: TOTP for privileged roles, and the lockout after too many failures."""
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.console import code_from_setup_key, current_code, sign_in, sign_out
from trustops.simulation import platform as setup

pytestmark = pytest.mark.browser

SECOND_FACTOR_PAGE = re.compile(r"/login/second-factor/")
QUEUES_PAGE = re.compile(r"/queues/$")


def test_a_team_lead_enrols_an_authenticator_then_needs_a_code_at_every_sign_in(page, people):
    lead = people.person("team_lead", team=setup.IN_HOUSE_TEAM)

    sign_in(page, lead)

    expect(page).to_have_url(SECOND_FACTOR_PAGE)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    for closed in ("/queues/", "/admin/", "/deliveries/"):
        page.goto(closed)
        expect(page).to_have_url(SECOND_FACTOR_PAGE)
    setup_key = page.get_by_label("Setup key").inner_text()
    page.get_by_label("Code").fill(code_from_setup_key(setup_key))
    page.get_by_role("button", name="Confirm and continue").click()

    # On to the page last asked for.
    expect(page).to_have_url(re.compile(r"/deliveries/$"))
    expect(page.get_by_role("heading", name="Webhook deliveries")).to_be_visible()

    sign_out(page)
    sign_in(page, lead)
    expect(page).to_have_url(SECOND_FACTOR_PAGE)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.goto("/queues/")
    expect(page).to_have_url(SECOND_FACTOR_PAGE)
    page.get_by_label("Code").fill(current_code(TOTPDevice.objects.get(user=lead, confirmed=True)))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(QUEUES_PAGE)
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()


def test_a_moderator_signs_in_with_the_password_alone(page, people):
    sign_in(page, people.moderator())

    expect(page).to_have_url(QUEUES_PAGE)
    expect(page.get_by_role("link", name="Deliveries")).to_have_count(0)


def test_too_many_wrong_passwords_lock_the_sign_in_and_say_when_to_try_again(page, people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    moderator = people.moderator()

    for _ in range(2):
        sign_in(page, moderator, password="a wrong password")
        expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    sign_in(page, moderator, password="a wrong password")

    expect(page.get_by_role("heading", name="Sign-in locked for now")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("after 3 failed attempts")
    expect(page.get_by_text(re.compile(r"Try again after \d\d:\d\d UTC \(in 15 min\)"))).to_be_visible()

    sign_in(page, moderator)
    expect(page.get_by_role("heading", name="Sign-in locked for now")).to_be_visible()
    page.goto("/queues/")
    expect(page).to_have_url(re.compile(r"/login/"))
