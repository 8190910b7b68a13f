"""A QA auditor's day in the console, in a real browser: draw a sample, audit a case blind, see accuracy move;
and a calibration labelled by two participants, closed by a QA lead, with its agreement shown."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in, sign_out
from trustops.kernel import clock
from trustops.review.models import Case

pytestmark = pytest.mark.browser

RATIONALE = "Slur in the caption, zz-browser-rationale."


@pytest.fixture
def decided(world):
    """Three decided cases in general-us; the first reported as bullying and decided as hate."""
    reviewer = world.moderator("browser-reviewer")
    world.report(subject=world.subject(region="US"), reason="harassment.bullying", text="Posts about a classmate.")
    first = world.violation(reviewer, "general-us", "hate.slurs", actions=["remove"], rationale=RATIONALE)
    for _ in range(2):
        world.report(subject=world.subject(region="US"), reason="harassment.bullying")
        world.violation(reviewer, "general-us", "harassment.bullying", actions=["remove"])
    return {"reviewer": reviewer, "first": first}


def test_an_auditor_draws_a_sample_audits_blind_and_sees_accuracy_move(page, people, decided):
    auditor = people.person("qa_auditor", username="browser-auditor")
    sign_in(page, auditor)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="QA").click()
    expect(page.get_by_role("heading", name="QA", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Audited accuracy")).to_contain_text("—")

    page.get_by_role("navigation", name="QA workspace").get_by_role("link", name="Samples").click()
    form = page.get_by_role("form", name="Sample design")
    today = clock.now().date()
    form.get_by_label("From").fill((today - timedelta(days=1)).isoformat())
    form.get_by_label("To (inclusive)").fill(today.isoformat())
    form.get_by_label("Size", exact=True).fill("1")
    form.get_by_label("Seed").fill("11")
    form.get_by_label("Assign to auditors").fill("browser-auditor")
    form.get_by_role("button", name="Show strata").click()
    strata = page.get_by_role("region", name="Strata")
    expect(strata).to_contain_text("1 of 3 decisions would be drawn")
    expect(strata).to_contain_text("Too small to estimate")
    page.get_by_role("form", name="Sample design").get_by_role("button", name="Draw sample").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Sample \d+$"))).to_be_visible()
    expect(page.get_by_role("region", name="Drawn decisions 1")).not_to_contain_text("browser-reviewer")

    page.get_by_role("navigation", name="QA workspace").get_by_role("link", name="Audit tasks").click()
    page.get_by_role("button", name="Next audit task").click()
    expect(page.get_by_text("Blind audit")).to_be_visible()
    # The case as the reviewer met it (the form beside it lists every policy and action to choose from).
    main = page.locator("main .qa-stack")
    for leak in ("browser-reviewer", RATIONALE, "Decision made", "Enforcement", "Strike"):
        expect(main).not_to_contain_text(leak)
    # The drawn case is any of the three; judge it as no violation, which all three decisions contradict.
    audit = page.get_by_role("form", name="Audit")
    audit.get_by_label("No violation").check()
    audit.get_by_role("button", name="Submit audit").click()

    comparison = page.get_by_role("region", name="Comparison")
    expect(comparison).to_contain_text("False positive")
    expect(comparison).to_contain_text("browser-reviewer")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Decision made")

    page.get_by_role("navigation", name="QA workspace").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("region", name="Audited accuracy")).to_contain_text("0.0%")
    expect(page.get_by_role("region", name="Audited accuracy")).to_contain_text("0 of 1 audits correct")


def test_a_calibration_is_labelled_by_two_participants_closed_and_its_agreement_shown(page, people, decided):
    lead = people.person("qa_lead", username="browser-qa-lead")
    first = people.moderator(username="calibrator-one")
    second = people.moderator(username="calibrator-two")
    cases = list(Case.objects.filter(status="resolved").order_by("id").values_list("pk", flat=True))

    sign_in(page, lead)
    page.goto("/qa/calibrations/")
    form = page.get_by_role("form", name="New calibration")
    form.get_by_label("Name").fill("Slur or bullying")
    for case_id in cases[:2]:
        form.get_by_role("checkbox", name=re.compile(rf"\bCase {case_id} ·")).check()
    form.get_by_label("Participants").fill("calibrator-one calibrator-two")
    form.get_by_role("button", name="Create session").click()
    expect(page.get_by_role("heading", name="Slur or bullying", level=1)).to_be_visible()
    session_url = page.url
    sign_out(page)

    for person, labels in ((first, ["hate.slurs", "harassment.bullying"]), (second, ["hate.slurs", "no_violation"])):
        sign_in(page, person)
        page.goto(session_url)
        page.get_by_role("link", name=f"Case {cases[0]}").click()
        for label in labels:
            expect(page.get_by_text("Nobody's labels")).to_be_visible()
            expect(page.locator("main")).not_to_contain_text(RATIONALE)
            page.get_by_label("Your label").select_option(label)
            page.get_by_role("button", name="Save label").click()
        items = page.get_by_role("region", name="Items")
        expect(items.get_by_role("row").filter(has_text=f"Case {cases[0]}")).to_contain_text("hate.slurs")
        if person is second:      # the first participant's labels stay hidden from the second
            expect(items).not_to_contain_text("harassment.bullying")
        sign_out(page)

    sign_in(page, lead)
    page.goto(session_url)
    page.get_by_role("button", name="Close and measure agreement").click()
    agreement = page.get_by_role("region", name="Agreement")
    expect(agreement).to_contain_text("Krippendorff's alpha")
    expect(agreement).to_contain_text("Fleiss' kappa")
    expect(agreement).to_contain_text("Gwet's AC1")
    expect(agreement).to_contain_text("Cohen's kappa, calibrator-one and calibrator-two")
    expect(agreement.get_by_role("row").filter(has_text="Percent agreement")).to_contain_text("0.500")
