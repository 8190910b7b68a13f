"""The owner appeals; a different reviewer upholds or overturns; overturning undoes the penalty."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from trustops.kernel import clock
from trustops.review.models import Appeal


@pytest.fixture
def decided(world):
    """A creator struck three times for bullying, now suspended; returns the last decision."""
    mod = world.moderator("original-decider")
    owner = {"type": "creator", "external_id": "appellant"}
    for _ in range(3):
        world.report(subject={**world.subject(region="US"), "owner": owner}, reason="harassment.bullying")
    outcomes = [world.violation(mod, "general-us", "harassment.bullying") for _ in range(3)]
    assert outcomes[-1]["standing"]["status"] == "suspended"
    return {"mod": mod, "first": outcomes[0], "last": outcomes[-1]}


def _appeal(api, decision_id, key="appeal-1", statement="It was a joke between friends."):
    return api.post("/api/v1/appeals", {"decision_id": decision_id, "statement": statement, "idempotency_key": key})


def test_an_appeal_opens_a_case_in_the_appeals_queue(api, decided):
    response = _appeal(api, decided["last"]["decision_id"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["queue"] == "appeals"
    case = api.get(f"/api/v1/cases/{body['case_id']}").json()
    assert case["kind"] == "appeal" and case["status"] == "open"


def test_an_appeal_is_never_offered_to_the_reviewer_who_decided(world, api, decided):
    _appeal(api, decided["last"]["decision_id"])
    original = ApiClient(decided["mod"].token)
    assert original.post("/api/v1/queues/appeals/claim").status_code == 204
    assert world.claim(world.moderator("second-look"), "appeals")["kind"] == "appeal"


def test_overturning_reverses_enforcement_and_strikes(world, api, decided):
    appeal = _appeal(api, decided["last"]["decision_id"]).json()
    reviewer = world.moderator("appeals-reviewer")
    case = world.claim(reviewer, "appeals")
    response = world.decide(reviewer, case, verdict="overturned", rationale="Context shows friendly banter.")
    assert response.status_code == 200, response.content
    standing = response.json()["standing"]
    assert standing["status"] == "restricted"          # 4 points remain: the commenting restriction stands
    assert standing["strike_points"] == 4
    reversed_actions = {a["action"] for a in response.json()["enforcement"]}
    assert {"remove", "strike", "suspend"} <= reversed_actions
    assert Appeal.objects.get(pk=appeal["appeal_id"]).status == "overturned"
    kinds = {e["kind"] for e in api.get("/api/v1/subjects/creator/appellant/events", limit=200).json()["events"]}
    assert {"enforcement.reversed", "strike.reversed"} <= kinds


def test_overturning_an_earlier_strike_drops_ladder_steps_that_no_longer_hold(world, api, decided):
    _appeal(api, decided["first"]["decision_id"])
    reviewer = world.moderator("appeals-reviewer")
    world.decide(reviewer, world.claim(reviewer, "appeals"), verdict="overturned", rationale="Misread.")
    standing = api.get("/api/v1/accounts/creator/appellant/standing").json()
    assert standing["strike_points"] == 4 and standing["status"] == "restricted"


def test_upholding_keeps_everything(world, api, decided):
    _appeal(api, decided["last"]["decision_id"])
    reviewer = world.moderator("appeals-reviewer")
    response = world.decide(reviewer, world.claim(reviewer, "appeals"), verdict="upheld", rationale="Stands.")
    assert response.json()["standing"]["status"] == "suspended"


def test_appeals_are_idempotent_and_one_per_decision(api, decided):
    decision_id = decided["last"]["decision_id"]
    first = _appeal(api, decision_id)
    again = _appeal(api, decision_id)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    changed = _appeal(api, decision_id, statement="Different words.")
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"
    second = _appeal(api, decision_id, key="appeal-2")
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_appealed"


def test_appeals_after_the_window_are_refused(api, decided):
    with clock.frozen(clock.now() + timedelta(days=200)):
        response = _appeal(api, decided["last"]["decision_id"])
    assert response.status_code == 422 and response.json()["error"]["code"] == "appeal_window_closed"


def test_unknown_and_unappealable_decisions(world, api):
    assert _appeal(api, 999999).status_code == 404
    mod = world.moderator()
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    decision = world.decide(mod, case, verdict="no_violation").json()
    response = _appeal(api, decision["decision_id"])
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_appealable"


def test_an_appeal_case_takes_only_appeal_verdicts(world, api, decided):
    _appeal(api, decided["last"]["decision_id"])
    reviewer = world.moderator("appeals-reviewer")
    case = world.claim(reviewer, "appeals")
    response = world.decide(reviewer, case, verdict="violation", policy="harassment.bullying")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_verdict"


def test_an_appeal_of_restricted_content_stays_behind_its_clearance(world, api):
    """A child-safety decision is re-reviewed in its own cleared queue, never in the open appeals queue."""
    cleared = world.moderator("cleared-decider")
    world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")
    decision = world.violation(cleared, "child-safety", "minor_safety.grooming")
    body = _appeal(api, decision["decision_id"], key="restricted-appeal").json()
    assert body["queue"] == "child-safety"
    uncleared = world.moderator("uncleared-appeals", clearances=())
    assert ApiClient(uncleared.token).get(f"/api/v1/cases/{body['case_id']}").status_code == 404
    assert ApiClient(uncleared.token).post("/api/v1/queues/appeals/claim").status_code == 204
    second = world.claim(world.moderator("cleared-second-look"), "child-safety")
    assert second["kind"] == "appeal" and second["id"] == body["case_id"]
    response = world.decide(world.moderator("cleared-second-look"), second, verdict="upheld",
                            rationale="The grooming pattern is clear.")
    assert response.status_code == 200, response.content
    assert Appeal.objects.get(pk=body["appeal_id"]).status == "upheld"
