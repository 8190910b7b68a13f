"""Who sees what: vendor tenancy and data regions, through the API. Every rule has its negative."""
from tests.conftest import ApiClient


def test_vendor_agent_sees_a_case_in_a_queue_contracted_to_their_vendor(api, world):
    case = world.report(subject=world.subject(region="US"))                 # general-us: Northwind's
    agent = world.vendor_agent("nw-agent", vendor="Northwind BPO")
    assert ApiClient(agent.token).get(f"/api/v1/cases/{case['case_id']}").status_code == 200


def test_vendor_agent_cannot_see_another_vendors_case(api, world):
    case = world.report(subject=world.subject(region="BR"))                 # general-intl: Lumen's
    agent = world.vendor_agent("nw-agent", vendor="Northwind BPO")
    response = ApiClient(agent.token).get(f"/api/v1/cases/{case['case_id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "case_not_found"


def test_vendor_agent_cannot_see_an_in_house_only_queue(api, world):
    case = world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")   # child-safety
    agent = world.vendor_agent("nw-agent", vendor="Northwind BPO")
    assert ApiClient(agent.token).get(f"/api/v1/cases/{case['case_id']}").status_code == 404


def test_vendor_agent_lists_only_their_vendors_cases_and_queues(api, world):
    world.report(subject=world.subject(region="US"))
    world.report(subject=world.subject(region="BR"))
    world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")
    agent = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO").token)
    assert {c["queue"] for c in agent.get("/api/v1/cases").json()["cases"]} == {"general-us"}
    queues = {q["key"] for q in agent.get("/api/v1/queues").json()}
    assert queues == {"general-us", "merchants", "integrity"}


def test_vendor_staff_get_personal_data_masked(api, world):
    subject = world.subject(region="US", attributes={"caption": "clip", "contact_email": "someone@example.test"})
    case = world.report(subject=subject, reporter_external_id="user-77")
    agent = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO").token)
    body = agent.get(f"/api/v1/cases/{case['case_id']}").json()
    assert body["subject"]["attributes"] == {"caption": "clip", "contact_email": "•••"}
    assert body["reports"][0]["reporter_external_id"] == "•••"
    in_house = api.get(f"/api/v1/cases/{case['case_id']}").json()
    assert in_house["subject"]["attributes"]["contact_email"] == "someone@example.test"


def test_a_moderator_not_cleared_for_a_region_cannot_see_its_cases(api, world):
    case = world.report(subject=world.subject(region="DE"))
    us_only = ApiClient(world.moderator("us-mod", regions=["US"]).token)
    assert us_only.get(f"/api/v1/cases/{case['case_id']}").status_code == 404
    cleared = ApiClient(world.moderator("de-mod", regions=["DE"]).token)
    assert cleared.get(f"/api/v1/cases/{case['case_id']}").status_code == 200


def test_region_clearance_also_guards_subjects_and_their_timeline(api, world):
    subject = world.subject(region="DE")
    world.report(subject=subject)
    us_only = ApiClient(world.moderator("us-mod", regions=["US"]).token)
    assert us_only.get(f"/api/v1/subjects/video/{subject['external_id']}").status_code == 404
    assert us_only.get(f"/api/v1/subjects/video/{subject['external_id']}/events").status_code == 404


def test_vendor_agent_cannot_read_subjects_outside_their_cases(api, world):
    subject = world.subject(region="BR")
    world.report(subject=subject)
    agent = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO").token)
    assert agent.get(f"/api/v1/subjects/video/{subject['external_id']}").status_code == 404


def test_roles_without_case_work_see_no_cases(api, world):
    case = world.report()
    support = world.person("helpdesk", "support_specialist", scopes=["cases:read"])
    assert ApiClient(support.token).get(f"/api/v1/cases/{case['case_id']}").status_code == 404


def test_standing_follows_region_clearance(api, world):
    subject = world.subject(region="DE")
    world.report(subject=subject)
    owner = subject["owner"]["external_id"]
    us_only = ApiClient(world.moderator("us-mod", regions=["US"]).token)
    assert us_only.get(f"/api/v1/accounts/creator/{owner}/standing").status_code == 404
    assert api.get(f"/api/v1/accounts/creator/{owner}/standing").status_code == 200
    assert api.get("/api/v1/accounts/video/whatever/standing").status_code == 404


def test_vendor_agent_cannot_claim_from_a_queue_not_contracted_to_them(world):
    world.report(subject=world.subject(region="BR"))
    agent = ApiClient(world.vendor_agent("nw-agent", vendor="Northwind BPO").token)
    assert agent.post("/api/v1/queues/general-intl/claim").status_code == 404
    assert agent.post("/api/v1/queues/child-safety/claim").status_code == 404


def test_vendor_agent_cannot_decide_or_release_a_foreign_case(world):
    world.report(subject=world.subject(region="BR"))
    lumen = world.vendor_agent("lumen-agent", vendor="Lumen Outsourcing")
    case = world.claim(lumen, "general-intl")
    northwind = world.vendor_agent("nw-agent", vendor="Northwind BPO")
    assert world.decide(northwind, case, verdict="no_violation").status_code == 404
    assert ApiClient(northwind.token).post(f"/api/v1/cases/{case['id']}/release").status_code == 404


def test_people_who_do_not_review_cannot_claim(world):
    world.report(subject=world.subject(region="US"))
    analyst = world.person("analyst", "analyst", scopes=["cases:write"])
    response = ApiClient(analyst.token).post("/api/v1/queues/general-us/claim")
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_allowed_to_work_queue"


def test_a_moderator_not_cleared_for_a_region_is_never_given_its_cases(world):
    world.report(subject=world.subject(region="US"), reason="integrity.spam")
    world.report(subject=world.subject(region="DE"), reason="integrity.spam")
    us_only = world.moderator("us-mod", regions=["US"])
    case = world.claim(us_only, "integrity")
    assert case["subject"]["region"] == "US"
    assert ApiClient(us_only.token).post("/api/v1/queues/integrity/claim").status_code == 204


def test_the_integration_token_cannot_work_cases(api, world):
    world.report(subject=world.subject(region="US"))
    assert api.post("/api/v1/queues/general-us/claim").status_code == 403


def test_a_queue_open_to_one_team_is_worked_only_by_that_team_and_admins(world):
    from trustops.identity import services as identity
    from trustops.review.models import Queue

    world.report(subject=world.subject(region="US"), reason="integrity.spam")
    world.report(subject=world.subject(region="US"), reason="integrity.spam")
    specialists = identity.ensure_team(name="Integrity Specialists")
    Queue.objects.get(key="integrity").teams.set([specialists])
    generalist = world.moderator("generalist")                       # the in-house team, not the specialists
    response = ApiClient(generalist.token).post("/api/v1/queues/integrity/claim")
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_allowed_to_work_queue"
    specialist = world.person("specialist", "moderator", team="Integrity Specialists")
    assert world.claim(specialist, "integrity")["queue"] == "integrity"
    admin = world.person("admin", "admin")
    assert world.claim(admin, "integrity")["queue"] == "integrity"
    Queue.objects.filter(key="integrity").update(active=False)       # a closed queue is gone for everyone
    assert ApiClient(admin.token).post("/api/v1/queues/integrity/claim").status_code == 404
