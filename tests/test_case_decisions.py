"""The platform reads a decided case and appeals its decision by the id the case carries."""
from tests.conftest import ApiClient


def test_a_decided_case_carries_the_decision_id_the_platform_appeals(world, api):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    mod = world.moderator("decider")
    decided = world.violation(mod, "general-us", "harassment.bullying")

    case = api.get(f"/api/v1/cases/{decided['case']['id']}").json()
    assert case["decision_ids"] == [decided["decision_id"]]
    appeal = api.post("/api/v1/appeals", {"decision_id": case["decision_ids"][0], "idempotency_key": "a-1",
                                          "statement": "Taken out of context."})
    assert appeal.status_code == 201, appeal.content
    # The appeal is a case of its own, not yet decided.
    assert api.get(f"/api/v1/cases/{appeal.json()['case_id']}").json()["decision_ids"] == []


def test_an_open_case_carries_no_decision_ids(world, api):
    case_id = world.report(subject=world.subject(region="US"), reason="harassment.bullying")["case_id"]
    assert api.get(f"/api/v1/cases/{case_id}").json()["decision_ids"] == []


def test_a_case_beyond_ones_vendor_or_region_shows_no_decisions_at_all(world):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    decided = world.violation(world.moderator("decider"), "general-us", "harassment.bullying")
    case_id = decided["case"]["id"]
    for outsider in (world.vendor_agent("gb-only", vendor="Northwind BPO", regions=["GB"]),
                     world.vendor_agent("other-bpo", vendor="Lumen Outsourcing")):
        response = ApiClient(outsider.token).get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 404
        assert "decision_ids" not in response.json()


def test_a_golden_case_shows_decisions_as_an_ordinary_case_would(world):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    mod = world.moderator("first-reviewer")
    source = world.violation(mod, "general-us", "harassment.bullying")
    auditor = ApiClient(world.person("auditor", "qa_auditor").token)
    golden_id = auditor.post("/api/v1/qa/golden-items", {"source_case_id": source["case"]["id"], "queue": "general-us",
                                                         "expected_verdict": "violation",
                                                         "expected_policy": "harassment.bullying"}).json()["case_id"]
    reviewer = world.moderator("second-reviewer")

    # Undecided, it names none of the decisions of the case it copies.
    assert ApiClient(reviewer.token).get(f"/api/v1/cases/{golden_id}").json()["decision_ids"] == []
    decided = world.violation(reviewer, "general-us", "harassment.bullying")
    assert decided["case"]["id"] == golden_id

    # Its reviewer sees their decision, as on any case they decided…
    assert ApiClient(reviewer.token).get(f"/api/v1/cases/{golden_id}").json()["decision_ids"] == [
        decided["decision_id"]]
    # …while for the platform nothing was decided that it could appeal.
    platform = ApiClient(world.integration.token)
    assert platform.get(f"/api/v1/cases/{golden_id}").json()["decision_ids"] == []
