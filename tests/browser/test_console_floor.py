"""A team lead runs the floor: finds a case with the search box, sees who holds it, and takes it back."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.console import current_code, sign_in
from tests.conftest import ApiClient
from trustops.identity import services as identity
from trustops.review.models import Case
from trustops.simulation import platform as setup

pytestmark = pytest.mark.browser


def test_a_lead_finds_a_case_sees_who_holds_it_and_releases_it(page, people, world):
    subject = world.subject(region="US")
    case_id = world.report(subject=subject, reason="harassment.bullying")["case_id"]
    moderator = people.moderator(username="maria.k")
    lead = people.person("team_lead", team=setup.IN_HOUSE_TEAM, username="a.lindqvist",
                         clearances=(setup.CHILD_SAFETY, setup.TERRORISM_NCII))
    # The moderator took the case (through the API, as a second desk would).
    _, token = identity.issue_token(user=moderator)
    assert ApiClient(token).post("/api/v1/queues/general-us/claim").json()["case"]["id"] == case_id
    # Team leads confirm their sign-in with an authenticator code.
    device = identity.start_totp_enrolment(user=lead)
    device.confirmed = True
    device.save()

    sign_in(page, lead)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()

    search = page.get_by_role("searchbox", name="Find a case or account")
    search.fill(subject["external_id"])
    search.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}/$"))

    page.get_by_role("link", name="Floor", exact=True).click()
    held = page.get_by_role("table", name="Held in General review — US")
    row = held.get_by_role("row").filter(has_text=f"Case {case_id}")
    expect(row).to_contain_text("maria.k")
    row.get_by_role("link", name=f"Release or reassign case {case_id}").click()

    page.get_by_label("Reason for releasing").fill("Held for an hour without progress; back to the pool.")
    page.get_by_role("button", name=f"Release case {case_id}").click()

    expect(page.get_by_text(f"Case {case_id} is back in General review — US")).to_be_visible()
    expect(page.get_by_role("table", name="Held in General review — US")).to_have_count(0)
    case = Case.objects.get(pk=case_id)
    assert case.status == "open" and case.assignee_id is None
