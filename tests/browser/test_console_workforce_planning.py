"""Workforce planning in a real browser: a vendor manager forecasts a queue and plans its week; a stakeholder's
requirement is approved; an agent takes a quiz and is certified; an owner moves an improvement plan."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from tests.conftest import ApiClient
from tests.planning_history import HALF_HOUR, START, pattern, seed_intake
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.improvement import services as improving
from trustops.workforce.training.models import Quiz, QuizQuestion, Sop

pytestmark = pytest.mark.browser
NOW = START + 3 * 48 * HALF_HOUR


def test_a_vendor_manager_forecasts_and_plans_a_week(page, people, platform):
    seed_intake(platform.queues["live"], pattern(3 * 48))
    manager = people.person("vendor_manager", username="console-planner")
    with clock.frozen(NOW):
        sign_in(page, manager)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Workforce").click()
        page.get_by_role("link", name="Staffing planner").first.click()
        page.get_by_label("Queue").select_option("live")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("button", name="Run forecast").click()
        expect(page.get_by_role("status")).to_contain_text("Seasonal naive")
        expect(page.get_by_role("img", name=re.compile(r"^Forecast of live per half-hour"))).to_be_visible()
        expect(page.get_by_text(re.compile(r"Fallback: .*days of history"))).to_be_visible()
        page.get_by_label("AHT (s)").fill("300")
        page.get_by_role("button", name="Build the week's plan").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Staffing plan \d+"))).to_be_visible()
        headcount = page.locator("#vendor-headcount")
        expect(headcount).to_contain_text(setup.VENDOR_B)


def test_a_requirement_is_filed_and_approved(page, people, platform):
    manager = people.person("vendor_manager", username="console-approver")
    with clock.frozen(NOW):
        sign_in(page, manager)
        page.goto("/workforce/requirements/")
        page.get_by_label("Title").fill("Weekend integrity cover")
        page.get_by_label("Queues").select_option(["integrity"])
        page.get_by_label("Expected decisions per day").fill("960")
        page.get_by_label("Starts on").fill("2026-04-01")
        page.get_by_role("button", name="File requirement").click()
        expect(page.get_by_role("status")).to_contain_text("FTE proposed")
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("status")).to_contain_text("approved")
        expect(page.get_by_role("heading", name=re.compile("Contract addenda"))).to_be_visible()


def test_an_agent_takes_a_quiz_and_is_certified(page, people, platform, world):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    mod = world.moderator("quiz-source-mod")
    source = world.violation(mod, "general-us", "harassment.bullying")["case"]
    auditor = world.person("quiz-auditor", "qa_auditor")
    golden = ApiClient(auditor.token).post("/api/v1/qa/golden-items", {
        "source_case_id": source["id"], "queue": "general-us", "expected_verdict": "violation",
        "expected_policy": "harassment.bullying"}).json()
    queue = platform.queues["general-us"]
    sop = Sop.objects.create(queue=queue, version=1, title="US SOP", body="Decide.", created_at=clock.now())
    quiz = Quiz.objects.create(queue=queue, sop=sop, title="US general quiz", pass_mark=1.0, created_at=clock.now())
    QuizQuestion.objects.create(quiz=quiz, golden_item_id=golden["golden_item_id"], position=1)
    agent = people.vendor_agent(username="console-quiz-agent")
    sign_in(page, agent)
    page.goto("/workforce/training/")
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_label("Violation", exact=True).check()
    page.get_by_label("Policy").select_option("harassment.bullying")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("status")).to_contain_text("certified on General review")
    expect(page.locator("#certifications")).to_contain_text("valid")


def test_an_owner_moves_their_improvement_plan(page, people, platform):
    lead = people.person("qa_lead", username="console-qa-lead-wf")
    owner = people.person("vendor_manager", vendor=setup.VENDOR_A, username="console-coach")
    improving.open_plan(actor=lead, data=improving.PlanInput(
        title="Coach new agents", kind="human_error", owner="console-coach", metric="accuracy",
        due_on=clock.now().date() + timedelta(days=14), vendor="northwind-bpo"))
    sign_in(page, owner)
    page.goto("/workforce/improvement/")
    row = page.locator("#improvement-plans").get_by_role("row").filter(has_text="Coach new agents")
    row.get_by_label("New status").select_option("in_progress")
    row.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_contain_text("moved")
    expect(page.locator("#improvement-plans")).to_contain_text("In progress")
