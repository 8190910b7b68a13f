"""Training and certification: a queue that requires certification is closed to an agent until they pass its
quiz (built from golden items), and closed again when the policy they were tested on changes version."""
import pytest

from tests.conftest import ApiClient
from trustops.policies import services as policies
from trustops.policies.models import Policy
from trustops.simulation import platform as setup
from trustops.workforce.training import services as training
from trustops.workforce.training.models import Certification

POLICY = "harassment.bullying"


@pytest.fixture
def people(world):
    return {"auditor": world.person("auditor", "qa_auditor"), "mod": world.moderator("first-reviewer"),
            "manager": world.person("vm-inhouse", "vendor_manager"),
            "agent": world.vendor_agent("nw-agent", vendor=setup.VENDOR_A, regions=["US"]),
            "other": world.vendor_agent("lumen-agent", vendor=setup.VENDOR_B),
            "northwind_manager": world.person("vm-northwind", "vendor_manager", vendor=setup.VENDOR_A)}


def _resolved(world, people):
    world.report(subject=world.subject(region="US"), reason=POLICY)
    return world.violation(people["mod"], "general-us", POLICY)["case"]


def _golden(people, source):
    body = {"source_case_id": source["id"], "queue": "general-us", "expected_verdict": "violation",
            "expected_policy": POLICY}
    response = ApiClient(people["auditor"].token).post("/api/v1/qa/golden-items", body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def quiz(world, people):
    for source in [_resolved(world, people), _resolved(world, people)]:
        _golden(people, source)
    manager = ApiClient(people["manager"].token)
    sop = manager.post("/api/v1/workforce/sops", {"queue": "general-us", "title": "US general review SOP",
                                                  "body": "Read the report, the item, decide.", "policy": POLICY})
    assert sop.status_code == 201 and sop.json()["version"] == 1
    response = manager.post("/api/v1/workforce/quizzes", {"sop_id": sop.json()["id"], "pass_mark": 1.0})
    assert response.status_code == 201, response.content
    gate = manager.post("/api/v1/workforce/queues/general-us/certification", {"requires_certification": True})
    assert gate.status_code == 200 and gate.json()["requires_certification"]
    return response.json()


def _answers(quiz, verdict="violation", policy=POLICY):
    return {"answers": [{"position": q["position"], "verdict": verdict, "policy": policy} for q in quiz["questions"]]}


def test_an_agent_is_blocked_from_a_queue_until_certified(world, people, quiz):
    agent = ApiClient(people["agent"].token)
    blocked = agent.post("/api/v1/queues/general-us/claim")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "certification_required"
    # The quiz shows the items, never the answers.
    shown = agent.get(f"/api/v1/workforce/quizzes/{quiz['id']}").json()
    assert len(shown["questions"]) == 2 and "expected" not in str(shown)

    failed = agent.post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts", _answers(quiz, "no_violation", None))
    assert failed.status_code == 201 and not failed.json()["passed"] and failed.json()["score"] == 0
    assert agent.post("/api/v1/queues/general-us/claim").status_code == 403

    passed = agent.post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts", _answers(quiz))
    assert passed.status_code == 201 and passed.json()["passed"] and passed.json()["correct"] == 2
    assert agent.post("/api/v1/queues/general-us/claim").status_code == 200
    mine = agent.get("/api/v1/workforce/certifications").json()
    assert [(c["user"], c["queue"], c["status"]) for c in mine] == [("nw-agent", "general-us", "valid")]


def test_a_new_policy_version_requires_recertification(world, people, quiz):
    agent = ApiClient(people["agent"].token)
    agent.post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts", _answers(quiz))
    current = Policy.objects.get(code=POLICY).current_version
    revised = policies.revise_policy(code=POLICY, changes={"severity": 1 + current.severity % 4}, note="stricter")
    assert revised.pk != current.pk
    blocked = agent.post("/api/v1/queues/general-us/claim")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "certification_required"
    assert agent.get("/api/v1/workforce/certifications").json()[0]["status"] == "expired"
    assert training.expire_stale_certifications() == 1
    cert = Certification.objects.get()
    assert cert.status == "expired" and POLICY in cert.expiry_reason
    # Passing again certifies against the new version.
    agent.post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts", _answers(quiz))
    assert agent.post("/api/v1/queues/general-us/claim").status_code == 200


def test_queues_without_the_gate_are_unaffected_and_certifications_are_scoped(world, people, quiz):
    # general-us is Northwind's; Lumen's agent sees neither its quiz nor others' certifications.
    other = ApiClient(people["other"].token)
    assert other.get(f"/api/v1/workforce/quizzes/{quiz['id']}").status_code == 404
    assert other.post("/api/v1/queues/live/claim").status_code in (200, 204)
    ApiClient(people["agent"].token).post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts", _answers(quiz))
    assert other.get("/api/v1/workforce/certifications").json() == []
    northwind = ApiClient(people["northwind_manager"].token).get("/api/v1/workforce/certifications").json()
    assert [c["user"] for c in northwind] == ["nw-agent"]
    assert [c["user"] for c in ApiClient(people["manager"].token).get("/api/v1/workforce/certifications").json()] \
        == ["nw-agent"]


def test_bad_training_input_is_refused(world, people, quiz):
    manager = ApiClient(people["manager"].token)
    agent = ApiClient(people["agent"].token)
    assert manager.post("/api/v1/workforce/quizzes", {"sop_id": 999, "pass_mark": 0.8}).status_code == 404
    assert manager.post("/api/v1/workforce/quizzes", {"sop_id": 1, "pass_mark": 1.5}).status_code == 422
    response = agent.post(f"/api/v1/workforce/quizzes/{quiz['id']}/attempts",
                          {"answers": [{"position": 1, "verdict": "violation", "policy": POLICY}]})
    assert response.status_code == 422 and "answer every question" in response.json()["error"]["message"]
    assert agent.post("/api/v1/workforce/sops", {"queue": "general-us", "title": "x", "body": "y"}).status_code == 403
    sop = manager.post("/api/v1/workforce/sops", {"queue": "live", "title": "LIVE SOP", "body": "..."}).json()
    response = manager.post("/api/v1/workforce/quizzes", {"sop_id": sop["id"], "pass_mark": 0.8})
    assert response.status_code == 422 and response.json()["error"]["code"] == "no_golden_items"
