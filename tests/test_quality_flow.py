"""QA's month: sample decisions, audit them blind, see accuracy with intervals, settle disputes, calibrate."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from trustops.kernel import clock
from trustops.quality.models import Audit, AuditTask


@pytest.fixture
def decisions(world):
    """Decisions by an in-house moderator and two vendor agents: 12 in general-us, 8 in general-intl."""
    mod = world.moderator("in-house-mod")
    northwind = world.vendor_agent("nw-agent", vendor="Northwind BPO", regions=["US"])
    lumen = world.vendor_agent("lumen-agent", vendor="Lumen Outsourcing")
    made = []
    for i in range(12):
        world.report(subject=world.subject(region="US"), reason="harassment.bullying")
        reviewer = northwind if i % 2 else mod
        made.append(world.violation(reviewer, "general-us", "harassment.bullying", actions=["remove"]))
    for _ in range(8):
        world.report(subject=world.subject(region="BR"), reason="hate.slurs")
        made.append(world.violation(lumen, "general-intl", "hate.slurs", actions=["remove"]))
    return {"mod": mod, "northwind": northwind, "lumen": lumen, "made": made}


@pytest.fixture
def qa(world):
    return {"auditor": world.person("auditor", "qa_auditor"), "lead": world.person("qa-lead", "qa_lead")}


def _period():
    now = clock.now()
    return {"period_start": (now - timedelta(days=1)).isoformat(), "period_end": (now + timedelta(days=1)).isoformat()}


def test_sample_audit_accuracy_with_interval(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    sample = auditor.post("/api/v1/qa/samples", {**_period(), "strata": ["vendor"], "size": 10, "seed": 42,
                                                 "auditors": ["auditor"]})
    assert sample.status_code == 201, sample.content
    body = sample.json()
    assert body["population"] == 20 and body["tasks"] == 10
    assert {a["stratum"] for a in body["allocation"]} == {"vendor=in-house", "vendor=northwind-bpo",
                                                          "vendor=lumen-outsourcing"}
    tasks = auditor.get("/api/v1/qa/tasks").json()
    assert len(tasks) == 10 and all(t["original_decision"] is None for t in tasks)    # blind until audited

    for i, task in enumerate(tasks):
        judgement = ({"correct_verdict": "no_violation"} if i < 2 else
                     {"correct_verdict": "violation", "correct_policy": task_policy(task)})
        response = auditor.post("/api/v1/qa/audits", {"decision_id": task["decision_id"], **judgement,
                                                      "rca_category": "human_training" if i < 2 else None})
        assert response.status_code == 201, response.content
    assert auditor.get(f"/api/v1/qa/tasks/{tasks[0]['task_id']}").json()["original_decision"]["verdict"] == "violation"
    assert Audit.objects.filter(error_type="false_positive").count() == 2

    accuracy = auditor.get("/api/v1/qa/accuracy", group_by="vendor").json()
    overall = accuracy["overall"]
    assert overall["audited"] == 10 and overall["correct"] == 8 and overall["accuracy"] == 0.8
    assert overall["wilson_low"] < 0.8 < overall["wilson_high"]
    assert accuracy["population_estimate"] is not None
    assert {r["group"] for r in accuracy["rows"]} <= {"in-house", "northwind-bpo", "lumen-outsourcing"}


def task_policy(task):
    return "harassment.bullying" if task["queue"] == "general-us" else "hate.slurs"


def test_the_same_seed_draws_the_same_sample(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    body = {**_period(), "strata": ["queue"], "size": 6, "seed": 7}
    first = auditor.post("/api/v1/qa/samples", body).json()
    drawn = sorted(AuditTask.objects.filter(sample_id=first["sample_id"]).values_list("decision_id", flat=True))
    AuditTask.objects.all().delete()
    again = auditor.post("/api/v1/qa/samples", body).json()
    assert sorted(AuditTask.objects.filter(sample_id=again["sample_id"]).values_list("decision_id", flat=True)) == drawn


def test_a_margin_of_error_sizes_each_stratum_with_finite_population_correction(world, decisions, qa):
    body = {**_period(), "strata": ["queue"], "margin": 0.05, "expected_accuracy": 0.9}
    sample = ApiClient(qa["auditor"].token).post("/api/v1/qa/samples", body).json()
    # tiny strata: the corrected size cannot exceed the stratum, so everything is drawn
    assert sample["tasks"] == 20


def test_auditors_never_get_their_own_decisions(world, qa):
    auditor = qa["auditor"]
    from trustops.identity.models import User
    User.objects.filter(pk=auditor.user.pk).update(team=None)
    world.report(subject=world.subject(region="US"))
    mod = world.moderator()
    decision = world.violation(mod, "general-us", "harassment.bullying")
    assert ApiClient(mod.token).post("/api/v1/qa/audits", {"decision_id": decision["decision_id"],
                                                           "correct_verdict": "violation",
                                                           "correct_policy": "harassment.bullying"}).status_code == 403


def test_audit_input_is_validated(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    decision_id = decisions["made"][0]["decision_id"]
    missing = auditor.post("/api/v1/qa/audits", {"decision_id": decision_id, "correct_verdict": "violation"})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "missing_policy"
    bad_rca = auditor.post("/api/v1/qa/audits", {"decision_id": decision_id, "correct_verdict": "no_violation",
                                                  "rca_category": "bad_luck"})
    assert bad_rca.status_code == 422
    assert auditor.post("/api/v1/qa/audits", {"decision_id": 99999, "correct_verdict": "no_violation"}
                        ).status_code == 404
    ok = auditor.post("/api/v1/qa/audits", {"decision_id": decision_id, "correct_verdict": "no_violation"})
    assert ok.status_code == 201
    again = auditor.post("/api/v1/qa/audits", {"decision_id": decision_id, "correct_verdict": "no_violation"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_audited"


def test_wrong_policy_and_wrong_action_are_derived(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    wrong_policy = auditor.post("/api/v1/qa/audits", {"decision_id": decisions["made"][0]["decision_id"],
                                                       "correct_verdict": "violation", "correct_policy": "hate.slurs"})
    assert wrong_policy.json()["error_type"] == "wrong_policy"
    wrong_action = auditor.post("/api/v1/qa/audits", {"decision_id": decisions["made"][2]["decision_id"],
                                                       "correct_verdict": "violation",
                                                       "correct_policy": "harassment.bullying",
                                                       "correct_actions": ["remove", "strike"]})
    assert wrong_action.json()["error_type"] == "wrong_action"


def test_dispute_and_arbitration_keep_the_history(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    decision = decisions["made"][1]                          # made by the Northwind agent
    audit = auditor.post("/api/v1/qa/audits", {"decision_id": decision["decision_id"],
                                               "correct_verdict": "no_violation"}).json()
    assert audit["error_type"] == "false_positive"

    agent = ApiClient(decisions["northwind"].token)
    dispute = agent.post(f"/api/v1/qa/audits/{audit['audit_id']}/disputes", {"reason": "The caption names a slur."})
    assert dispute.status_code == 201
    assert agent.post(f"/api/v1/qa/audits/{audit['audit_id']}/disputes", {"reason": "again"}).status_code == 409
    outsider = ApiClient(decisions["lumen"].token)
    assert outsider.post(f"/api/v1/qa/audits/{audit['audit_id']}/disputes", {"reason": "x"}).status_code == 404

    arbitration = {"outcome": "revised", "note": "The agent was right.", "correct_verdict": "violation",
                   "correct_policy": "harassment.bullying"}
    assert auditor.post(f"/api/v1/qa/disputes/{dispute.json()['dispute_id']}/arbitration",
                        arbitration).status_code == 403          # only a QA lead arbitrates
    settled = ApiClient(qa["lead"].token).post(f"/api/v1/qa/disputes/{dispute.json()['dispute_id']}/arbitration",
                                               arbitration).json()
    assert settled["status"] == "revised" and settled["error_type"] == "correct"
    assert settled["audit_before"]["error_type"] == "false_positive"


def test_a_vendor_manager_sees_only_their_vendors_quality(world, decisions, qa):
    auditor = ApiClient(qa["auditor"].token)
    for made in decisions["made"]:
        auditor.post("/api/v1/qa/audits", {"decision_id": made["decision_id"], "correct_verdict": "violation",
                                           "correct_policy": "hate.slurs" if made["case"]["queue"] == "general-intl"
                                           else "harassment.bullying"})
    manager = ApiClient(world.person("nw-manager", "vendor_manager", vendor="Northwind BPO").token)
    rows = manager.get("/api/v1/qa/accuracy", group_by="vendor").json()["rows"]
    assert [r["group"] for r in rows] == ["northwind-bpo"] and rows[0]["audited"] == 6
    lumen_audit = Audit.objects.filter(decision__reviewer=decisions["lumen"].user).first()
    assert manager.post(f"/api/v1/qa/audits/{lumen_audit.pk}/disputes", {"reason": "not ours"}).status_code == 404
    agents = {r["group"] for r in manager.get("/api/v1/qa/accuracy", group_by="agent").json()["rows"]}
    assert agents == {"nw-agent"}


def test_calibration_with_a_missing_label(world, decisions, qa):
    lead = ApiClient(qa["lead"].token)
    raters = [world.moderator(f"rater-{i}") for i in range(3)]
    cases = [m["case"]["id"] for m in decisions["made"][:4]]
    created = lead.post("/api/v1/calibrations", {"name": "Bullying vs banter", "items": cases,
                                                 "participants": [r.username for r in raters]})
    assert created.status_code == 201, created.content
    session = created.json()["calibration_id"]
    labels = [["harassment.bullying", "harassment.bullying", "harassment.bullying"],
              ["harassment.bullying", "no_violation", None],             # rater-2 skipped this one
              ["no_violation", "no_violation", "no_violation"],
              ["harassment.bullying", "harassment.bullying", "no_violation"]]
    for case_id, row in zip(cases, labels):
        for rater, label in zip(raters, row):
            if label:
                response = ApiClient(rater.token).post(f"/api/v1/calibrations/{session}/labels",
                                                       {"item": case_id, "label": label})
                assert response.status_code == 201, response.content
    assert lead.post(f"/api/v1/calibrations/{session}/close", {"benchmarks": {
        str(cases[1]): "harassment.bullying"}}).status_code == 200
    result = lead.get(f"/api/v1/calibrations/{session}/agreement").json()
    assert result["units"] == 4 and result["raters"] == 3
    assert 0 < result["percent_agreement"] < 1
    assert result["krippendorff_alpha"] is not None and result["gwet_ac1"] is not None
    assert result["fleiss_kappa"] is None          # undefined with a missing label: said, not invented
    by_item = {i["item"]: i for i in result["items"]}
    assert by_item[cases[0]]["agreement"] == 1.0 and by_item[cases[1]]["likely_policy_ambiguity"] is True
    assert {p["username"] for p in result["participants"]} == {r.username for r in raters}
    closed = ApiClient(raters[0].token).post(f"/api/v1/calibrations/{session}/labels",
                                             {"item": cases[0], "label": "no_violation"})
    assert closed.status_code == 409


def test_calibration_refuses_non_participants_and_bad_labels(world, decisions, qa):
    lead = ApiClient(qa["lead"].token)
    raters = [world.moderator(f"rater-{i}") for i in range(2)]
    cases = [decisions["made"][0]["case"]["id"]]
    session = lead.post("/api/v1/calibrations", {"name": "x", "items": cases,
                                                 "participants": [r.username for r in raters]}).json()["calibration_id"]
    stranger = world.moderator("stranger")
    assert ApiClient(stranger.token).post(f"/api/v1/calibrations/{session}/labels",
                                          {"item": cases[0], "label": "no_violation"}).status_code == 404
    bad = ApiClient(raters[0].token).post(f"/api/v1/calibrations/{session}/labels",
                                          {"item": cases[0], "label": "made.up"})
    assert bad.status_code == 422
    assert lead.post("/api/v1/calibrations", {"name": "x", "items": [cases[0]], "participants": ["rater-0"]}
                     ).status_code == 422


def test_a_calibration_over_a_region_one_is_not_cleared_for_is_hidden(world, decisions, qa):
    """The sessions of a BR case stay out of a US-only quality reader's sight: 404, and absent from lists."""
    lead = ApiClient(qa["lead"].token)
    raters = [world.moderator(f"br-rater-{i}") for i in range(2)]
    br_case = decisions["made"][-1]["case"]["id"]
    session = lead.post("/api/v1/calibrations", {"name": "Slurs in Portuguese", "items": [br_case],
                                                 "participants": [r.username for r in raters]}).json()["calibration_id"]
    us_lead = ApiClient(world.person("us-qa-lead", "qa_lead", regions=["US"]).token)
    assert us_lead.get(f"/api/v1/calibrations/{session}/agreement").status_code == 404
    assert lead.get(f"/api/v1/calibrations/{session}/agreement").status_code == 200
