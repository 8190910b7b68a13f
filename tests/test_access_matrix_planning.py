"""The access matrix for workforce planning: every role × every planning surface (API and console) × a foreign
vendor's records. The records belong to Lumen's queue (`live`), Lumen's agent and Lumen's improvement plan; each
role's person is of Northwind (vendor roles) or in-house. Hidden is 404 (or 403 for a token lacking the scope),
and lists never show hidden rows. In-house planners (admin, analyst, vendor manager) see everything; QA leads
see training and improvement; a queue's quiz is for whoever sees the queue; everyone else sees none of it.
"""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from tests.planning_history import HALF_HOUR, START, pattern, seed_intake
from tests.test_console_access import verified_console
from trustops.identity.roles import IN_HOUSE_CASE_ROLES, Role
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.forecasts import services as forecasting
from trustops.workforce.improvement import services as improving
from trustops.workforce.plans import services as planning
from trustops.workforce.requirements import services as requiring
from trustops.workforce.training.models import Certification, Quiz, Sop

VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}
PLANNERS = {Role.ADMIN, Role.ANALYST, Role.VENDOR_MANAGER}
TRAINING = PLANNERS | {Role.QA_LEAD}


@pytest.fixture
def records(world, platform):
    manager = world.person("planner", "vendor_manager").user
    live = platform.queues["live"]
    seed_intake(live, pattern(3 * 48))
    with clock.frozen(START + 3 * 48 * HALF_HOUR):
        forecast = forecasting.run_forecast(actor=manager, queue_key="live", horizon_intervals=48)
        plan = planning.build_plan(actor=manager, queue_key="live", aht_seconds=300)
        requirement = requiring.file_requirement(actor=manager, data=requiring.RequirementInput(
            title="More LIVE", queues=["live"], aht_seconds=200, sla_seconds=3600, starts_on=START.date(),
            duration_days=30, daily_volume=1000))
    lumen_agent = world.vendor_agent("lumen-agent", vendor=setup.VENDOR_B).user
    sop = Sop.objects.create(queue=live, version=1, title="LIVE SOP", body="...", created_at=clock.now())
    quiz = Quiz.objects.create(queue=live, sop=sop, title="LIVE quiz", pass_mark=0.8, created_at=clock.now())
    Certification.objects.create(user=lumen_agent, queue=live, quiz=quiz, certified_at=clock.now())
    improvement = improving.open_plan(actor=manager, data=improving.PlanInput(
        title="LIVE accuracy", kind="human_error", owner="lumen-agent", metric="accuracy",
        due_on=clock.now().date() + timedelta(days=10), vendor="lumen-outsourcing", queue="live"))
    return {"forecast": forecast.pk, "plan": plan.pk, "requirement": requirement.pk, "quiz": quiz.pk,
            "improvement": improvement.pk}


def _person(world, role):
    vendor = setup.VENDOR_A if role in VENDOR_ROLES else None
    team = None if vendor else setup.IN_HOUSE_TEAM
    return world.person(f"matrix-{role}", role, vendor=vendor, team=team, regions=("US",))


def _sees(role, surface) -> bool:
    in_house = role not in VENDOR_ROLES
    if surface in ("forecast", "plan", "requirement", "allocation"):
        return in_house and role in PLANNERS
    if surface == "quiz":     # a queue's quiz: for whoever sees the queue (in-house reviewers see every queue)
        return in_house and (role in TRAINING or role in IN_HOUSE_CASE_ROLES)
    return in_house and role in TRAINING     # certifications, improvement plans


def _lacks_scope(response) -> bool:
    return response.status_code == 403 and response.json()["error"]["code"] == "missing_scope"


@pytest.mark.parametrize("role", list(Role.values))
def test_planning_api_hides_a_foreign_vendors_records(world, records, role):
    person = _person(world, role)
    client = ApiClient(person.token)
    details = {"forecast": f"/api/v1/workforce/forecasts/{records['forecast']}",
               "plan": f"/api/v1/workforce/plans/{records['plan']}",
               "requirement": f"/api/v1/workforce/requirements/{records['requirement']}",
               "improvement": f"/api/v1/workforce/improvement-plans/{records['improvement']}",
               "quiz": f"/api/v1/workforce/quizzes/{records['quiz']}"}
    for surface, url in details.items():
        response = client.get(url)
        status = response.status_code
        if _sees(role, surface) and not _lacks_scope(response):   # a QA lead's default token reads quality only
            assert status == 200, (role, surface)
        else:
            assert status in (403, 404), (role, surface, status)
    for url, key in (("/api/v1/workforce/requirements", "id"), ("/api/v1/workforce/improvement-plans", "id"),
                     ("/api/v1/workforce/certifications", "user")):
        response = client.get(url)
        if response.status_code == 200:
            shown = {row[key] for row in response.json()}
            hidden = {"/api/v1/workforce/requirements": records["requirement"],
                      "/api/v1/workforce/improvement-plans": records["improvement"],
                      "/api/v1/workforce/certifications": "lumen-agent"}[url]
            surface = {"id": "requirement" if "requirements" in url else "improvement"}.get(key, "certification")
            assert (hidden in shown) == _sees(role, surface), (role, url)


@pytest.mark.parametrize("role", list(Role.values))
def test_planning_console_hides_a_foreign_vendors_records(world, records, role):
    person = _person(world, role)
    client = verified_console(person.user)
    planner = client.get(f"/workforce/planner/?forecast={records['forecast']}")
    assert planner.status_code == (200 if _sees(role, "forecast") else 404), role
    plan = client.get(f"/workforce/planner/?plan={records['plan']}")
    assert plan.status_code == (200 if _sees(role, "plan") else 404), role
    requirements = client.get("/workforce/requirements/")
    if requirements.status_code == 200:
        assert ("More LIVE" in requirements.content.decode()) == _sees(role, "requirement"), role
    training = client.get("/workforce/training/")
    if training.status_code == 200:
        assert ("lumen-agent" in training.content.decode()) == _sees(role, "certification"), role
    quiz = client.get(f"/workforce/training/quiz/{records['quiz']}/")
    assert quiz.status_code == (200 if _sees(role, "quiz") else 404), role
    improvement = client.get("/workforce/improvement/")
    if improvement.status_code == 200:
        assert ("LIVE accuracy" in improvement.content.decode()) == _sees(role, "improvement"), role


def test_lumens_own_people_see_their_vendors_records(world, records):
    manager = world.person("lumen-vm", "vendor_manager", vendor=setup.VENDOR_B)
    client = ApiClient(manager.token)
    assert client.get(f"/api/v1/workforce/forecasts/{records['forecast']}").status_code == 200
    assert client.get(f"/api/v1/workforce/requirements/{records['requirement']}").status_code == 404
    assert [c["user"] for c in client.get("/api/v1/workforce/certifications").json()] == ["lumen-agent"]
    assert [p["id"] for p in client.get("/api/v1/workforce/improvement-plans").json()] == [records["improvement"]]
    agent = world.vendor_agent("lumen-agent-2", vendor=setup.VENDOR_B)
    assert ApiClient(agent.token).get(f"/api/v1/workforce/quizzes/{records['quiz']}").status_code == 200


@pytest.mark.parametrize("role, reads", [(Role.QA_LEAD, True), (Role.TEAM_LEAD, True), (Role.VENDOR_MANAGER, True),
                                         (Role.MODERATOR, False), (Role.QA_AUDITOR, False)])
def test_a_roles_default_token_reads_the_workforce_api_when_its_people_need_it(world, role, reads):
    """Tokens issued with the role's default scopes: QA leads (training, improvement plans) and team leads
    (staffing requirements) read the workforce API; a token without the scope is a 403 whatever the access rule."""
    person = world.person(f"default-{role}", role)
    status = ApiClient(person.token).get("/api/v1/workforce/requirements").status_code
    assert status == (200 if reads else 403)
