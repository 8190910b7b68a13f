"""The allocation optimiser on small cases whose optimum is worked out by hand beside each test."""
import pytest

from trustops.workforce.plans.optimiser import Problem, QueueNeed, VendorTerms, solve

MEAN = {"mean": 1.0}


def queue(key="q", need=(5,), credit=100.0, **extra):
    need = extra.pop("needs", {"mean": list(need)})
    intervals = len(next(iter(need.values())))
    return QueueNeed(key=key, need=need, decisions_per_agent=extra.pop("decisions", [10.0] * intervals),
                     credit=credit, **extra)


def by(result):
    return {(a["vendor"], a["queue"]): a["agents"] for a in result["allocation"]}


def test_the_cheaper_vendor_fills_to_its_maximum_and_the_other_takes_the_rest():
    # Need 5; A at 10 a head but at most 3, B at 12: 3×10 + 2×12 = 54.
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10}, max_agents=3), VendorTerms("b", {"q": 12})],
                           queues=[queue()], scenarios=MEAN))
    assert result["status"] == "optimal" and result["objective"] == pytest.approx(54)
    assert by(result) == {("a", "q"): [3], ("b", "q"): [2]}
    assert {"constraint": "floor_max", "on": "a", "intervals": 1} in result["binding"]
    assert result["costs"] == {"price": 54, "expected_error_cost": 0, "expected_credits": 0}


@pytest.mark.parametrize("error_cost, winner, objective", [
    # A: 10 + (1 − 0.8) × 10 decisions × cost; B: 12 + 0.01 × 10 × cost. At 1: 12 vs 12.1 → A, 5 × 12 = 60.
    (1.0, "a", 60.0),
    # At 2: 14 vs 12.2 → B, 5 × 12.2 = 61.
    (2.0, "b", 61.0),
])
def test_the_expected_cost_of_errors_decides_between_a_cheap_and_an_accurate_vendor(error_cost, winner, objective):
    vendors = [VendorTerms("a", {"q": 10}, accuracy={"q": 0.8}), VendorTerms("b", {"q": 12}, accuracy={"q": 0.99})]
    result = solve(Problem(vendors=vendors, queues=[queue(error_cost=error_cost)], scenarios=MEAN))
    assert by(result) == {(winner, "q"): [5]} and result["objective"] == pytest.approx(objective)


SCENARIOS = {"mean": 0.75, "upper": 0.25}
NEEDS = {"mean": [4], "upper": [6]}


@pytest.mark.parametrize("credit, agents, objective", [
    # The median (4) is staffed whatever the credits. A fifth agent costs 10 and saves 0.25 × 8 = 2 of expected
    # credits: stay at 4; 40 + 0.25 × 2 × 8 = 44.
    (8.0, 4, 44.0),
    # At a credit of 50 it saves 12.5 > 10: staff the upper scenario, 6 × 10 = 60.
    (50.0, 6, 60.0),
])
def test_staffing_for_uncertainty_buys_agents_only_while_they_save_more_credits_than_they_cost(credit, agents,
                                                                                             objective):
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10})], queues=[queue(needs=NEEDS, credit=credit)],
                           scenarios=SCENARIOS, base="mean"))
    assert by(result) == {("a", "q"): [agents]} and result["objective"] == pytest.approx(objective)


def test_without_a_base_scenario_cheap_credits_leave_a_queue_unstaffed():
    # Credits of 8 a head short against a price of 10: paying the credits (0.75×4×8 + 0.25×6×8 = 36) is cheaper.
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10})], queues=[queue(needs=NEEDS, credit=8.0)],
                           scenarios=SCENARIOS))
    assert by(result) == {} and result["objective"] == pytest.approx(36)
    assert result["costs"]["expected_credits"] == pytest.approx(36)


def test_a_legal_clock_staffs_its_scenario_whatever_the_credits():
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10})],
                           queues=[queue(needs=NEEDS, credit=0.0, legal="upper")], scenarios=SCENARIOS))
    assert by(result) == {("a", "q"): [6]} and result["objective"] == pytest.approx(60)
    assert {"constraint": "legal", "on": "q", "intervals": 1} in result["binding"]


def test_an_exposure_cap_rotates_a_vendors_agents_through_other_work():
    # Severe queue s needs 2, plain queue p needs 1. With at most half of A's floor on s at once, A needs two
    # agents on p: 4 agents × 10 = 40 (against 30 without the cap).
    queues = [queue("s", need=[2], severe=True), queue("p", need=[1])]
    vendors = [VendorTerms("a", {"s": 10, "p": 10})]
    free = solve(Problem(vendors=vendors, queues=queues, scenarios=MEAN))
    capped = solve(Problem(vendors=vendors, queues=queues, scenarios=MEAN, exposure_cap=0.5))
    assert free["objective"] == pytest.approx(30)
    assert capped["objective"] == pytest.approx(40) and by(capped) == {("a", "s"): [2], ("a", "p"): [2]}
    assert any(b["constraint"] == "exposure" for b in capped["binding"])


def test_languages_and_skills_keep_a_vendor_off_a_queue_and_say_so():
    queues = [queue("ja", need=[3], languages=frozenset({"ja"}))]
    vendors = [VendorTerms("cheap", {"ja": 5}, languages=frozenset({"en"})),
               VendorTerms("tokyo", {"ja": 9}, languages=frozenset({"en", "ja"}))]
    result = solve(Problem(vendors=vendors, queues=queues, scenarios=MEAN))
    assert by(result) == {("tokyo", "ja"): [3]}
    assert result["excluded"] == [{"vendor": "cheap", "queue": "ja", "reason": "lacks language ja"}]


def test_vendor_minimums_hold_across_intervals():
    # Need 1 then 3; B must keep 2 on the floor in every interval: interval 1 is B 2 (over-staffed), interval 2
    # is A 1 + B 2. Cost 2×12 + 10 + 2×12 = 58.
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10}), VendorTerms("b", {"q": 12}, min_agents=2)],
                           queues=[queue(need=[1, 3])], scenarios=MEAN))
    assert result["objective"] == pytest.approx(58)
    assert by(result) == {("a", "q"): [0, 1], ("b", "q"): [2, 2]}


def test_an_impossible_legal_clock_is_reported_with_the_reason():
    result = solve(Problem(vendors=[VendorTerms("a", {"q": 10}, max_agents=3)],
                           queues=[queue(need=[5], legal="mean")], scenarios=MEAN))
    assert result["status"] == "infeasible"
    assert "the legal clock needs 5 agents; vendors' maxima allow 3" in result["binding"][0]


@pytest.mark.parametrize("problem, message", [
    (dict(scenarios={"mean": 0.5}), "sum to 1"),
    (dict(exposure_cap=0), "exposure_cap"),
    (dict(queues=[queue(need=[-1])]), "not negative"),
    (dict(vendors=[VendorTerms("a", {"q": 10}, min_agents=3, max_agents=2)]), "max_agents below"),
])
def test_bad_problems_are_refused(problem, message):
    arguments = {"vendors": [VendorTerms("a", {"q": 10})], "queues": [queue()], "scenarios": MEAN, **problem}
    with pytest.raises(ValueError, match=message):
        solve(Problem(**arguments))
