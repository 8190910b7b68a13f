"""The reviewer's day in the console: next case, media behind a veil, a decision by keyboard, appeals."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.console import image_filter, section, sign_in, take_next_case, wait_until_unveiled
from tests.conftest import ApiClient
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup

pytestmark = pytest.mark.browser

CASE_PAGE = re.compile(r"/cases/\d+/$")


def test_a_moderator_takes_the_next_case_reveals_its_media_and_decides_with_the_keyboard(page, people, world):
    subject = world.subject(region="US")
    world.report(subject=subject, reason="harassment.bullying", text="Mocks a classmate by name.")
    moderator = people.moderator()

    sign_in(page, moderator)
    take_next_case(page, "general-us")

    expect(page).to_have_url(CASE_PAGE)
    expect(page.get_by_role("heading", name=re.compile(r"^Case \d+"))).to_be_visible()
    expect(page.get_by_text("Mocks a classmate by name.")).to_be_visible()
    owner = section(page, "Owner history")
    expect(owner).to_contain_text("0 strike points")
    expect(owner).to_contain_text("No active strikes")

    media = page.get_by_role("img", name="Media of the video (generated placeholder)")
    expect(media).to_be_visible()
    expect(page.get_by_text("Hidden for your wellbeing: blurred and greyscale")).to_be_visible()
    assert "blur" in image_filter(media) and "grayscale" in image_filter(media)
    page.keyboard.press("r")
    expect(page.get_by_text("Revealed", exact=True)).to_be_visible()
    wait_until_unveiled(page, page.get_by_role("img", name="Media of the video (generated placeholder)"))
    assert LedgerEvent.objects.filter(kind="content.revealed", actor_name=moderator.username).count() == 1

    page.keyboard.press("v")
    expect(page.get_by_role("radio", name="Violation", exact=True)).to_be_checked()
    policy = page.get_by_label("Policy")
    expect(policy).to_be_focused()
    policy.select_option("hate.slurs")
    expect(page.get_by_text("Slurs used to attack")).to_be_visible()
    policy.select_option("harassment.bullying")
    expect(page.get_by_text("Insults, degrading content or mockery")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Remove the item")).to_be_checked()
    page.get_by_label("Rationale").fill("Named a private person and mocked them: bullying.")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("heading", name="Decision recorded")).to_be_visible()
    expect(page.get_by_text("Strike added")).to_be_visible()
    expect(owner).to_contain_text("2 strike points")
    expect(owner).to_contain_text("harassment.bullying")
    expect(page.get_by_role("button", name="Next case in General review — US")).to_be_focused()


def test_letters_typed_into_the_rationale_are_text_not_shortcuts(page, people, world):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    sign_in(page, people.moderator())
    take_next_case(page, "general-us")

    page.get_by_label("Rationale").press_sequentially("verse")

    expect(page.get_by_label("Rationale")).to_have_value("verse")
    expect(page.get_by_role("radio", name="Violation", exact=True)).not_to_be_checked()
    expect(page.get_by_text("Hidden for your wellbeing")).to_be_visible()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("Choose a verdict first")
    expect(page.get_by_label("Rationale")).to_have_value("verse")


def test_a_vendor_agent_opening_a_case_outside_their_queues_gets_the_not_found_page(page, people, world):
    foreign = world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")
    assert foreign["queue"] == "child-safety"
    subject_path = "/subjects/video/video-1/media.svg"

    sign_in(page, people.vendor_agent(vendor=setup.VENDOR_A))
    page.goto(f"/cases/{foreign['case_id']}/")

    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("minor_safety.grooming")).to_have_count(0)
    expect(page.get_by_role("img")).to_have_count(0)
    assert page.request.get(subject_path).status == 404


def test_an_appeal_shows_the_original_decision_beside_the_statement_and_can_be_overturned(page, people, world):
    first = world.moderator("first-reviewer")
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    decided = world.violation(first, "general-us", "harassment.bullying",
                              rationale="Repeated insults aimed at one classmate.")
    appeal = ApiClient(world.integration.token).post("/api/v1/appeals", {
        "decision_id": decided["decision_id"], "idempotency_key": "appeal-1",
        "statement": "The video is a sketch with my brother, who agreed to it."})
    assert appeal.status_code == 201, appeal.content

    sign_in(page, people.moderator())
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Appeals").click()
    waiting = page.get_by_role("row").filter(has_text="harassment.bullying")
    expect(waiting).to_contain_text("a sketch with my brother")
    page.get_by_role("button", name="Next appeal").click()

    expect(page).to_have_url(CASE_PAGE)
    original = section(page, "Original decision")
    statement = section(page, "Appeal statement")
    expect(original).to_contain_text("Violation")
    expect(original).to_contain_text("harassment.bullying")
    expect(original).to_contain_text("Repeated insults aimed at one classmate.")
    expect(original).to_contain_text("first-reviewer")
    expect(statement).to_contain_text("The video is a sketch with my brother, who agreed to it.")
    expect(section(page, "Owner history")).to_contain_text("2 strike points")

    page.keyboard.press("o")
    expect(page.get_by_role("radio", name="Overturn")).to_be_checked()
    expect(page.get_by_label("Rationale")).to_be_focused()
    page.keyboard.type("Consent is clear from the follow-up video.")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("heading", name="Decision recorded")).to_be_visible()
    expect(page.get_by_text("Overturned", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Strike added · creator .* · reversed"))).to_be_visible()
    expect(section(page, "Owner history")).to_contain_text("0 strike points")
