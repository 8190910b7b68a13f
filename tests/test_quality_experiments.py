"""Experiments: the QA lead compares two guideline texts by reviewer (or by item); the analysis gives accuracy with
a two-proportion test and a Newcombe interval, handle time with Welch and a bootstrap, and McNemar on items both
arms judged. The sample-size calculator answers as `statistics` does."""
import pytest

from tests.conftest import ApiClient
from trustops.quality.experiments.services import deal
from trustops.quality.stats import comparisons, proportions

ARMS = [{"key": "control", "description": "Current guideline text"},
        {"key": "treatment", "description": "Guideline text with worked examples"}]


@pytest.fixture
def qa(world):
    return {"lead": world.person("qa-lead", "qa_lead"), "auditor": world.person("auditor", "qa_auditor")}


def _create(person, name="Worked examples", unit="reviewer", seed=3, **extra):
    return ApiClient(person.token).post("/api/v1/qa/experiments",
                                        {"name": name, "unit": unit, "arms": ARMS, "seed": seed, **extra})


def _started(world, qa, reviewers, *, seed=3, name="Worked examples"):
    lead = ApiClient(qa["lead"].token)
    experiment = _create(qa["lead"], name=name, seed=seed)
    assert experiment.status_code == 201, experiment.content
    started = lead.post(f"/api/v1/qa/experiments/{experiment.json()['experiment_id']}/start",
                        {"reviewers": [r.username for r in reviewers]})
    assert started.status_code == 200, started.content
    body = started.json()
    arms = {arm["key"]: arm["assigned"] for arm in body["arms"]}
    by_name = {r.username: r for r in reviewers}
    return body, {key: [by_name[u] for u in names] for key, names in arms.items()}


def _decide(world, reviewer, *, handle_seconds, verdict="violation"):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    case = world.claim(reviewer, "general-us")
    body = {"verdict": verdict, "handle_seconds": handle_seconds}
    if verdict == "violation":
        body["policy"] = "harassment.bullying"
    response = world.decide(reviewer, case, **body)
    assert response.status_code == 200, response.content
    return response.json()["decision_id"]


def _audit(auditor, decision_id, *, right: bool):
    judgement = ({"correct_verdict": "violation", "correct_policy": "harassment.bullying"} if right
                 else {"correct_verdict": "no_violation"})
    response = ApiClient(auditor.token).post("/api/v1/qa/audits", {"decision_id": decision_id, **judgement})
    assert response.status_code == 201, response.content


def test_a_reviewer_experiment_from_start_to_analysis(world, qa):
    reviewers = [world.moderator(f"reviewer-{n}") for n in range(4)]
    experiment, arms = _started(world, qa, reviewers)
    assert experiment["status"] == "running" and [len(v) for v in arms.values()] == [2, 2]

    times = {"control": [], "treatment": []}
    wrong = {"control": 4, "treatment": 1}         # of ten decisions per arm, as the audits will find
    for arm, people in arms.items():
        for n in range(10):
            seconds = (60 if arm == "control" else 75) + 7 * (n % 4)
            decision_id = _decide(world, people[n % 2], handle_seconds=seconds)
            times[arm].append(seconds)
            _audit(qa["auditor"], decision_id, right=n >= wrong[arm])
    lead = ApiClient(qa["lead"].token)
    assert lead.post(f"/api/v1/qa/experiments/{experiment['experiment_id']}/finish").json()["status"] == "finished"
    # A decision after the end does not count.
    _decide(world, arms["control"][0], handle_seconds=500)

    analysis = lead.get(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").json()
    control, treatment = analysis["arms"]
    assert (control["arm"], treatment["arm"]) == ("control", "treatment") and analysis["control"] == "control"
    assert (control["decisions"], treatment["decisions"]) == (10, 10)
    assert (control["accuracy"]["judged"], control["accuracy"]["correct"]) == (10, 6)
    assert (treatment["accuracy"]["judged"], treatment["accuracy"]["correct"]) == (10, 9)
    assert control["accuracy"]["from_audits"] == 10 and control["accuracy"]["from_golden"] == 0
    wilson = proportions.wilson_interval(6, 10)
    assert control["accuracy"]["low"] == round(wilson.low, 4) and control["accuracy"]["high"] == round(wilson.high, 4)
    assert control["handle_seconds"]["mean"] == round(sum(times["control"]) / 10, 1)

    comparison = analysis["comparisons"][0]
    assert (comparison["arm"], comparison["against"]) == ("treatment", "control")
    test = comparisons.two_proportion_test(9, 10, 6, 10)
    interval = comparisons.newcombe_difference_interval(9, 10, 6, 10)
    accuracy = comparison["accuracy"]
    assert accuracy["difference"] == pytest.approx(0.3) and accuracy["undefined"] is None
    assert accuracy["z"] == round(test.z, 4) and accuracy["p_value"] == round(test.p_value, 6)
    assert (accuracy["newcombe_low"], accuracy["newcombe_high"]) == (round(interval.low, 4), round(interval.high, 4))
    assert accuracy["newcombe_low"] < 0.3 < accuracy["newcombe_high"]

    handle = comparison["handle_seconds"]
    welch = comparisons.welch_test(times["treatment"], times["control"])
    assert handle["difference"] == pytest.approx(15.0) and handle["welch"]["p_value"] == round(welch.p_value, 6)
    assert handle["welch"]["low"] == round(welch.interval.low, 2)
    bootstrap = comparisons.bootstrap_mean_difference_interval(times["treatment"], times["control"], seed=3)
    assert (handle["bootstrap"]["low"], handle["bootstrap"]["high"]) == (round(bootstrap.low, 2),
                                                                         round(bootstrap.high, 2))
    assert handle["bootstrap"]["seed"] == 3
    # Reading it again gives the same numbers: the bootstrap is seeded by the experiment.
    assert lead.get(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").json()["comparisons"] == [
        comparison]
    # Different subjects in each arm: nothing to pair.
    assert comparison["paired"]["pairs"] == 0 and comparison["paired"]["mcnemar"] is None
    assert "No item was judged in both arms" in comparison["paired"]["undefined"]


def test_items_judged_in_both_arms_are_paired_for_mcnemar(world, qa):
    """The same three known cases, placed as golden items, decided once by each arm."""
    reviewers = [world.moderator(f"reviewer-{n}") for n in range(2)]
    experiment, arms = _started(world, qa, reviewers)
    outsider = world.moderator("outside-the-experiment")
    auditor = ApiClient(qa["auditor"].token)
    for n in range(3):
        world.report(subject=world.subject(region="US"), reason="harassment.bullying")
        source = world.violation(outsider, "general-us", "harassment.bullying")["case"]
        for arm, right in (("control", n == 0), ("treatment", True)):
            placed = auditor.post("/api/v1/qa/golden-items", {
                "source_case_id": source["id"], "queue": "general-us", "expected_verdict": "violation",
                "expected_policy": "harassment.bullying"})
            assert placed.status_code == 201, placed.content
            reviewer = arms[arm][0]
            case = world.claim(reviewer, "general-us")
            body = {"verdict": "violation", "policy": "harassment.bullying"} if right else {"verdict": "no_violation"}
            assert world.decide(reviewer, case, handle_seconds=40 + n, **body).status_code == 200

    analysis = ApiClient(qa["lead"].token).get(
        f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").json()
    control, treatment = analysis["arms"]
    assert control["accuracy"]["from_golden"] == 3 and control["accuracy"]["correct"] == 1
    assert treatment["accuracy"]["correct"] == 3
    paired = analysis["comparisons"][0]["paired"]
    assert (paired["pairs"], paired["both_correct"], paired["b"], paired["c"], paired["both_wrong"]) == (3, 1, 0, 2, 0)
    expected = comparisons.mcnemar(0, 2)
    assert paired["mcnemar"] == {"statistic": None, "p_value": round(expected.p_value, 6), "method": "exact"}
    assert paired["undefined"] is None


def test_an_item_experiment_assigns_cases_and_says_what_it_cannot_compute(world, qa):
    reviewer = world.moderator("reviewer")
    case_ids = [world.report(subject=world.subject(region="US"), reason="harassment.bullying")["case_id"]
                for _ in range(6)]
    lead = ApiClient(qa["lead"].token)
    experiment = _create(qa["lead"], unit="item", queue="general-us").json()
    assert lead.post(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").status_code == 405
    assert lead.get(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").status_code == 409
    started = lead.post(f"/api/v1/qa/experiments/{experiment['experiment_id']}/start", {"items": case_ids}).json()
    assigned = {arm["key"]: arm["assigned"] for arm in started["arms"]}
    assert sorted(assigned["control"] + assigned["treatment"]) == sorted(case_ids)
    assert len(assigned["control"]) == len(assigned["treatment"]) == 3

    empty = lead.get(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").json()
    assert all(arm["decisions"] == 0 and arm["accuracy"]["estimate"] is None for arm in empty["arms"])
    comparison = empty["comparisons"][0]
    assert comparison["accuracy"]["z"] is None and comparison["accuracy"]["undefined"]
    assert comparison["handle_seconds"]["welch"] is None and comparison["handle_seconds"]["bootstrap"] is None
    assert set(comparison["handle_seconds"]["undefined"]) == {"welch", "bootstrap"}

    for n in range(6):
        case = world.claim(reviewer, "general-us")
        assert world.decide(reviewer, case, verdict="no_violation", handle_seconds=30 + 5 * n).status_code == 200
    decided = lead.get(f"/api/v1/qa/experiments/{experiment['experiment_id']}/analysis").json()
    assert [arm["decisions"] for arm in decided["arms"]] == [3, 3]
    comparison = decided["comparisons"][0]
    assert comparison["handle_seconds"]["welch"] is not None       # handle times need no audit
    assert comparison["accuracy"]["difference"] is None            # nobody judged the decisions yet
    assert "audited or a golden item" in decided["arms"][0]["accuracy"]["undefined"]


def test_assignment_is_balanced_and_reproducible_by_the_seed(world, qa):
    reviewers = [world.moderator(f"reviewer-{n}") for n in range(5)]
    first, _ = _started(world, qa, reviewers, seed=11, name="First")
    again, _ = _started(world, qa, list(reversed(reviewers)), seed=11, name="Again")
    other, _ = _started(world, qa, reviewers, seed=12, name="Other seed")
    assert first["arms"] == again["arms"]
    assert sorted(len(arm["assigned"]) for arm in first["arms"]) == [2, 3]
    usernames = sorted(r.username for r in reviewers)
    assert deal(usernames, ["control", "treatment"], 11) == deal(list(reversed(usernames)), ["control", "treatment"], 11)
    assert any(deal(usernames, ["a", "b"], seed) != deal(usernames, ["a", "b"], 11) for seed in range(12, 20))
    assert other["seed"] == 12


def test_only_qa_leads_policy_managers_and_admins_run_experiments(world, qa):
    moderator = world.moderator("mod")
    assert _create(moderator).status_code == 403
    assert _create(qa["auditor"]).status_code == 403
    manager = world.person("policy-manager", "policy_manager")
    created = _create(manager, name="By the policy manager")
    assert created.status_code == 201
    experiment_id = created.json()["experiment_id"]
    # Reviewers must not even learn an experiment exists (they might guess their arm).
    assert ApiClient(moderator.token).get(f"/api/v1/qa/experiments/{experiment_id}").status_code == 404
    assert ApiClient(moderator.token).post(f"/api/v1/qa/experiments/{experiment_id}/start",
                                           {"reviewers": ["mod"]}).status_code == 403
    vendor_manager = ApiClient(world.person("vm", "vendor_manager", vendor="Northwind BPO").token)
    assert vendor_manager.get(f"/api/v1/qa/experiments/{experiment_id}").status_code == 404
    assert ApiClient(qa["auditor"].token).get(f"/api/v1/qa/experiments/{experiment_id}").status_code == 200


def test_experiment_input_is_validated(world, qa):
    lead = ApiClient(qa["lead"].token)
    one_arm = lead.post("/api/v1/qa/experiments", {"name": "x", "unit": "reviewer", "arms": ARMS[:1]})
    assert one_arm.status_code == 422
    same_keys = lead.post("/api/v1/qa/experiments", {"name": "x", "unit": "reviewer", "arms": [ARMS[0], ARMS[0]]})
    assert same_keys.status_code == 422 and same_keys.json()["error"]["code"] == "duplicate_arm"
    bad_key = lead.post("/api/v1/qa/experiments", {"name": "x", "unit": "reviewer",
                                                   "arms": [{"key": "Control Arm"}, {"key": "b"}]})
    assert bad_key.status_code == 422 and bad_key.json()["error"]["field"] == "arms.0.key"
    assert lead.post("/api/v1/qa/experiments", {"name": "x", "unit": "team", "arms": ARMS}).status_code == 422
    assert _create(qa["lead"], queue="no-such-queue").status_code == 404

    experiment_id = _create(qa["lead"]).json()["experiment_id"]
    assert _create(qa["lead"]).status_code == 409                               # the name is taken
    start = f"/api/v1/qa/experiments/{experiment_id}/start"
    world.moderator("alone")
    assert lead.post(start, {"reviewers": ["alone"]}).json()["error"]["code"] == "invalid_units"
    assert lead.post(start, {"reviewers": ["alone", "nobody"]}).json()["error"]["code"] == "unknown_reviewer"
    assert lead.post(start, {"reviewers": ["alone", "auditor"]}).json()["error"]["code"] == "not_a_reviewer"
    assert lead.post(start, {"items": [1, 2]}).json()["error"]["code"] == "wrong_unit"
    assert lead.post(f"/api/v1/qa/experiments/{experiment_id}/finish").status_code == 409   # not running
    world.moderator("second")
    assert lead.post(start, {"reviewers": ["alone", "second"]}).status_code == 200
    assert lead.post(start, {"reviewers": ["alone", "second"]}).status_code == 409           # already started
    assert lead.get("/api/v1/qa/experiments/999999").status_code == 404


# ---- the sample-size calculator ----

def _size(person, **params):
    return ApiClient(person.token).get("/api/v1/qa/sample-size", **params)


def test_the_sample_size_calculator_answers_as_the_statistics_do(world, qa):
    auditor = qa["auditor"]
    proportion = _size(auditor, kind="proportion", expected_accuracy=0.9, margin=0.05).json()
    assert proportion["n"] == proportions.sample_size_for_proportion(0.9, 0.05) == 139
    finite = _size(auditor, kind="proportion", expected_accuracy=0.9, margin=0.03, confidence=0.99,
                   population=500).json()
    assert finite["n"] == proportions.sample_size_for_proportion(0.9, 0.03, confidence=0.99, population=500)
    assert "finite population" in finite["method"]

    two = _size(auditor, kind="two_proportions", p1=0.9, p2=0.95).json()
    expected = comparisons.sample_size_two_proportions(0.9, 0.95)
    assert (two["n1"], two["n2"], two["total"]) == (expected.n1, expected.n2, expected.n1 + expected.n2)
    assert two["inputs"] == {"p1": 0.9, "p2": 0.95, "alpha": 0.05, "power": 0.8, "ratio": 1.0}
    uneven = _size(auditor, kind="two_proportions", p1=0.9, p2=0.95, alpha=0.01, power=0.9, ratio=2).json()
    expected = comparisons.sample_size_two_proportions(0.9, 0.95, alpha=0.01, power=0.9, ratio=2)
    assert (uneven["n1"], uneven["n2"]) == (expected.n1, expected.n2) and uneven["n2"] >= 2 * uneven["n1"] - 1
    same = _size(auditor, kind="two_proportions", p1=0.9, p2=0.9).json()
    assert same["n1"] is None and "no sample size detects a zero difference" in same["undefined"]

    power = _size(auditor, kind="power", p1=0.9, p2=0.95, n1=400).json()
    assert power["power"] == round(comparisons.power_two_proportions(0.9, 0.95, 400), 4)
    uneven_power = _size(auditor, kind="power", p1=0.9, p2=0.95, n1=400, n2=200, alpha=0.1).json()
    assert uneven_power["power"] == round(comparisons.power_two_proportions(0.9, 0.95, 400, 200, alpha=0.1), 4)


@pytest.mark.parametrize("params, field", [
    ({"kind": "proportion", "expected_accuracy": 0.9, "margin": 0}, "margin"),
    ({"kind": "proportion", "expected_accuracy": 1.2, "margin": 0.05}, "expected_accuracy"),
    ({"kind": "proportion", "margin": 0.05}, "expected_accuracy"),
    ({"kind": "proportion", "expected_accuracy": 0.9, "margin": 0.05, "population": 0}, "population"),
    ({"kind": "two_proportions", "p1": 1.5, "p2": 0.9}, "p1"),
    ({"kind": "two_proportions", "p1": 0.8}, "p2"),
    ({"kind": "two_proportions", "p1": 0.8, "p2": 0.9, "power": 1}, "power"),
    ({"kind": "power", "p1": 0.8, "p2": 0.9}, "n1"),
    ({"kind": "power", "p1": 0.8, "p2": 0.9, "n1": "many"}, "n1"),
    ({"kind": "guess"}, "kind"),
    ({}, "kind"),
])
def test_the_sample_size_calculator_refuses_bad_input(world, qa, params, field):
    response = _size(qa["auditor"], **params)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["field"] == field


def test_the_sample_size_calculator_needs_a_token(world):
    assert ApiClient().get("/api/v1/qa/sample-size", kind="proportion", expected_accuracy=0.9,
                           margin=0.05).status_code == 401
