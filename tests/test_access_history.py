"""What a person may read of a subject's history: only what belongs to cases they may see."""
from tests.conftest import ApiClient
from tests.test_console_access import console
from trustops.identity import access
from trustops.quality.selectors import decisions_in_quality_scope
from trustops.review.models import Decision
from trustops.simulation import platform as setup


def test_a_vendor_agent_does_not_read_the_history_of_a_case_escalated_out_of_their_queue(world):
    video = world.subject(region="US")
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    world.report(subject=video)
    first = world.claim(agent, "general-us")
    assert world.decide(agent, first, verdict="no_violation").status_code == 200
    world.report(subject=video)                                  # a new case on the same video, same queue
    case = world.claim(agent, "general-us")
    escalated = ApiClient(agent.token).post(f"/api/v1/cases/{case['id']}/escalate", {
        "to_queue": "policy-specialists", "reason": "Possible grooming pattern in the comments; sensitive.",
        "version": case["version"]})
    assert escalated.status_code == 200, escalated.content

    # The case is now an in-house one: the agent no longer sees it, nor anything recorded about it.
    assert ApiClient(agent.token).get(f"/api/v1/cases/{case['id']}").status_code == 404
    events = ApiClient(agent.token).get(f"/api/v1/subjects/video/{video['external_id']}/events")
    assert events.status_code == 200                             # the video is still theirs through the first case
    shown = events.json()["events"]
    assert any(e.get("case_id") == first["id"] for e in shown)
    assert all(e.get("case_id") != case["id"] for e in shown)
    assert "grooming" not in events.content.decode()
    # An in-house moderator sees the whole story, the escalation reason included.
    moderator = world.moderator()
    story = ApiClient(moderator.token).get(f"/api/v1/subjects/video/{video['external_id']}/events").json()
    assert any(e["kind"] == "case.escalated" and "grooming" in e["payload"]["reason"] for e in story["events"])


def test_an_account_timeline_leaves_out_the_events_of_cases_one_may_not_see(world):
    creator = {"type": "creator", "external_id": "creator-two-queues", "region": "US"}
    world.report(subject=creator, reason="harassment.bullying")                      # general-us: Northwind
    world.report(subject={**creator}, reason="minor_safety.grooming", key="k-restricted")  # child safety
    uncleared = world.moderator("uncleared", clearances=())
    timeline = ApiClient(uncleared.token).get("/api/v1/subjects/creator/creator-two-queues/events").json()["events"]
    cleared = ApiClient(world.moderator("cleared").token).get(
        "/api/v1/subjects/creator/creator-two-queues/events").json()["events"]
    assert any(e["payload"].get("queue") == "child-safety" or e["kind"] == "case.rerouted" for e in cleared)
    assert not any(e["payload"].get("queue") == "child-safety" or e["payload"].get("to_queue") == "child-safety"
                   for e in timeline)
    page = console(uncleared.user).get("/accounts/creator/creator-two-queues/").content.decode()
    assert "child-safety" not in page and "grooming" not in page


def test_a_vendor_manager_cleared_for_one_region_reads_no_quality_data_of_another(world):
    agent = world.vendor_agent("northwind.everywhere", vendor=setup.VENDOR_A, regions=("*",))
    for region in ("US", "BR"):
        world.report(subject=world.subject(region=region), reason="integrity.spam")   # integrity: both vendors
        world.violation(agent, "integrity", "integrity.spam")
    manager = world.person("manager.us", "vendor_manager", vendor=setup.VENDOR_A, regions=("US",))
    scoped = decisions_in_quality_scope(manager.user)
    assert {d.case.subject.region for d in scoped} == {"US"}
    assert Decision.objects.filter(reviewer=agent.user).count() == 2
    everywhere = world.person("manager.all", "vendor_manager", vendor=setup.VENDOR_A, regions=("*",))
    assert decisions_in_quality_scope(everywhere.user).count() == 2
    accuracy = ApiClient(manager.token).get("/api/v1/qa/accuracy", group_by="vendor")
    assert accuracy.status_code == 200
    assert access.viewer(manager.user).regions == frozenset({"US"})
