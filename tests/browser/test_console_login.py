"""Signing in to the console and reading the queue overview, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.console import PASSWORD, queue_cell, queue_rows, sign_in, sign_out
from trustops.simulation import platform as setup

pytestmark = pytest.mark.browser

LOGIN_PAGE = re.compile(r"/login/")
QUEUES_PAGE = re.compile(r"/queues/$")


def test_a_moderator_signs_in_and_sees_every_queue_with_its_waiting_cases(page, people, reported):
    moderator = people.moderator()

    sign_in(page, moderator)

    expect(page).to_have_url(QUEUES_PAGE)
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
    expect(page.get_by_text(moderator.username)).to_be_visible()
    rows = queue_rows(page)
    assert set(rows) == {key for key, *_ in setup.QUEUES}
    assert rows["general-us"]["waiting"] == str(reported["general-us"]) == "3"
    assert rows["integrity"]["waiting"] == "4"
    assert rows["child-safety"]["waiting"] == "1"
    assert rows["appeals"]["waiting"] == "0"


def test_a_wrong_password_is_refused_and_the_person_stays_on_the_sign_in_page(page, people):
    moderator = people.moderator()

    sign_in(page, moderator, password="not the password at all")

    expect(page).to_have_url(LOGIN_PAGE)
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/queues/")
    expect(page).to_have_url(LOGIN_PAGE)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_then_back_to_the_queues(page, people):
    page.goto("/queues/")

    expect(page).to_have_url(LOGIN_PAGE)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)

    page.get_by_label("Username").fill(people.moderator().username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(QUEUES_PAGE)


def test_a_vendor_agent_sees_only_the_queues_contracted_to_their_vendor(page, people, reported):
    agent = people.vendor_agent(vendor=setup.VENDOR_A)

    sign_in(page, agent)

    expect(page).to_have_url(QUEUES_PAGE)
    expect(page.get_by_text(setup.VENDOR_A)).to_be_visible()
    rows = queue_rows(page)
    assert set(rows) == {"general-us", "merchants", "integrity"}
    assert rows["general-us"]["waiting"] == "3"
    assert "child-safety" not in rows and "general-intl" not in rows
    expect(page.get_by_text("Child safety")).to_have_count(0)
    expect(page.get_by_text("General review — international")).to_have_count(0)


def test_the_other_vendor_does_not_see_northwinds_queues(page, people, reported):
    agent = people.vendor_agent(vendor=setup.VENDOR_B)

    sign_in(page, agent)

    rows = queue_rows(page)
    assert set(rows) == {"live", "integrity", "general-intl"}
    assert rows["general-intl"]["waiting"] == "2"


def test_signing_out_returns_to_the_sign_in_page_and_closes_the_console(page, people):
    sign_in(page, people.moderator())
    expect(page).to_have_url(QUEUES_PAGE)

    sign_out(page)

    expect(page).to_have_url(LOGIN_PAGE)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/queues/")
    expect(page).to_have_url(LOGIN_PAGE)


def test_the_overview_refreshes_itself_when_new_cases_arrive(page, people, world):
    page.clock.install()
    sign_in(page, people.moderator())
    expect(page).to_have_url(QUEUES_PAGE)
    assert queue_rows(page)["general-us"]["waiting"] == "0"

    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    page.clock.run_for(11_000)

    expect(queue_cell(page, "general-us", "Waiting")).to_have_text("1")
    expect(page.get_by_role("heading", name="Queues")).to_have_count(1)


def test_a_person_whose_session_ended_is_sent_to_sign_in_by_the_next_refresh(page, people):
    moderator = people.moderator()
    page.clock.install()
    sign_in(page, moderator)
    expect(page).to_have_url(QUEUES_PAGE)

    page.context.clear_cookies()
    page.clock.run_for(11_000)

    expect(page).to_have_url(LOGIN_PAGE)
    expect(page.get_by_role("heading", name="Sign in")).to_have_count(1)
    expect(page.get_by_role("table")).to_have_count(0)
    page.get_by_label("Username").fill(moderator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(QUEUES_PAGE)
