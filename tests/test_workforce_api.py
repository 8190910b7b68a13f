"""A vendor manager sizes next week's Tuesday peak through the API: Erlang C, then with abandonment, then checks
what the vendor's proposed headcount achieves. Impossible inputs are 422s naming the field; the scope is needed."""
import pytest

from tests.conftest import ApiClient

URL = "/api/v1/workforce/staffing"
PEAK = {"interval_seconds": 1800, "volume": 100, "aht_seconds": 180,
        "target": {"service_level": 0.8, "answer_seconds": 20}, "max_occupancy": 0.85, "shrinkage": 0.3}


@pytest.fixture
def manager(world):
    return ApiClient(world.person("vm", "vendor_manager").token)


def test_a_vendor_manager_sizes_the_peak(manager):
    plan = manager.post(URL, PEAK)
    assert plan.status_code == 200, plan.content
    body = plan.json()
    # The Call Centre Helper worked example: 14 agents on the floor, 20 scheduled after 30% shrinkage.
    assert body["model"] == "erlang_c" and body["agents"] == 14 and body["scheduled"] == 20
    assert body["service_level"] == pytest.approx(0.8884, abs=5e-5) and body["abandonment"] == 0.0
    assert body["occupancy"] == pytest.approx(10 / 14)

    impatient = manager.post(URL, {**PEAK, "patience_seconds": 300}).json()
    assert impatient["model"] == "erlang_a" and impatient["agents"] < 14 and impatient["abandonment"] > 0

    proposed = manager.post(URL, {**PEAK, "agents": 12}).json()
    assert proposed["agents"] == 12 and proposed["scheduled"] == 18 and proposed["service_level"] < 0.8

    overloaded = manager.post(URL, {**PEAK, "agents": 9})
    assert overloaded.status_code == 200 and overloaded.json()["asa_seconds"] is None   # the queue never drains

    for target, field in (({"max_wait_probability": 0.2}, "wait_probability"), ({"max_asa_seconds": 30}, "asa_seconds")):
        answer = manager.post(URL, {**PEAK, "target": target}).json()
        assert answer[field] <= list(target.values())[0]


@pytest.mark.parametrize("change, field", [
    ({"shrinkage": 1}, "shrinkage"),
    ({"volume": -1}, "volume"),
    ({"aht_seconds": 0}, "aht_seconds"),
    ({"max_occupancy": 0}, "max_occupancy"),
    ({"max_occupancy": 1.2}, "max_occupancy"),
    ({"target": {"service_level": 1, "answer_seconds": 20}}, "target.service_level"),
    ({"target": {"service_level": 0, "answer_seconds": 20}}, "target.service_level"),
    ({"target": {}}, "target"),
    ({"target": {"service_level": 0.8}}, "target"),
    ({"interval_seconds": 0}, "interval_seconds"),
    ({"patience_seconds": 0}, "patience_seconds"),
    ({"agents": -1}, "agents"),
    ({"agents": 10 ** 9}, "agents"),
    ({"volume": 10 ** 9}, "volume"),             # far more than the agent limit
])
def test_impossible_inputs_are_refused_with_the_field(manager, change, field):
    response = manager.post(URL, {**PEAK, **change})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["field"] == field


def test_the_workforce_scope_is_needed(world):
    assert ApiClient(world.person("ana", "analyst").token).post(URL, PEAK).status_code == 200
    assert ApiClient(world.person("admin", "admin").token).post(URL, PEAK).status_code == 200
    assert ApiClient(world.moderator().token).post(URL, PEAK).status_code == 403
    assert ApiClient(world.person("narrow", "vendor_manager", scopes=["queues:read"]).token).post(
        URL, PEAK).status_code == 403
    assert ApiClient().post(URL, PEAK).status_code == 401
