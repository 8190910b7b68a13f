"""Forecasts and staffing plans: a queue's intake with a known weekly pattern is forecast back with a small
backtested error, short histories fall back to seasonal naive and say why, and a week's plan follows."""
import numpy as np
import pytest

from tests.conftest import ApiClient
from tests.planning_history import HALF_HOUR, START, pattern, seed_intake
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.forecasts import engine

WEEKS = 4


def test_mstl_recovers_a_known_daily_and_weekly_pattern():
    history = pattern(WEEKS * engine.WEEK)
    result = engine.forecast(history, engine.WEEK)
    truth = pattern((WEEKS + 1) * engine.WEEK)[-engine.WEEK:]
    assert result.model == "mstl" and result.reason == ""
    assert result.wape is not None and result.wape < 0.05             # the pattern repeats exactly
    assert engine.wape(truth, result.mean) < 0.05
    assert np.all(result.lower <= result.mean) and np.all(result.mean <= result.upper)
    assert np.all(result.upper <= result.upper_95) and np.all(result.lower >= 0)


def test_noisy_intake_intervals_cover_about_what_they_claim():
    rng = np.random.default_rng(3)
    t = np.arange(5 * engine.WEEK)
    rate = 20 + 10 * np.sin(2 * np.pi * t / 48) + 5 * np.sin(2 * np.pi * t / 336)
    counts = rng.poisson(rate)
    result = engine.forecast(counts[:4 * engine.WEEK], engine.WEEK)
    actual = counts[4 * engine.WEEK:]
    inside = np.mean((actual >= result.lower) & (actual <= result.upper))
    assert 0.7 <= inside <= 0.95
    # Poisson noise alone at these rates is a WAPE near 0.18; the forecast is not far from that.
    assert result.wape < 0.3


def test_wape_is_the_weighted_absolute_error():
    assert engine.wape([10, 0, 30], [12, 1, 27]) == pytest.approx((2 + 1 + 3) / 40)
    assert engine.wape([0, 0], [1, 2]) is None


def test_short_history_falls_back_to_seasonal_naive_with_a_reason():
    ten_days = pattern(10 * 48)
    result = engine.forecast(ten_days, 96)
    assert result.model == "seasonal_naive" and "three weeks" in result.reason and "yesterday" in result.reason
    assert list(result.mean[:48]) == list(ten_days[-48:])
    two_weeks = engine.forecast(pattern(2 * engine.WEEK + 10), 48)
    assert "last week" in two_weeks.reason and two_weeks.wape is not None
    with pytest.raises(engine.HistoryTooShort):
        engine.forecast(np.ones(47), 48)


@pytest.fixture
def manager(world):
    return world.person("vm-inhouse", "vendor_manager")


@pytest.fixture
def seasonal_queue(platform):
    queue = platform.queues["integrity"]
    seed_intake(queue, pattern(WEEKS * engine.WEEK))
    return queue


def test_a_vendor_manager_forecasts_a_queue_and_plans_its_week(world, manager, seasonal_queue):
    client = ApiClient(manager.token)
    with clock.frozen(START + WEEKS * engine.WEEK * HALF_HOUR):
        response = client.post("/api/v1/workforce/forecasts", {"queue": "integrity", "horizon": 336})
        assert response.status_code == 201, response.content
        forecast = response.json()
        assert forecast["model"] == "mstl" and forecast["wape"] < 0.05 and len(forecast["mean"]) == 336
        assert forecast["history_volume"] == int(pattern(WEEKS * engine.WEEK).sum())
        assert client.get(f"/api/v1/workforce/forecasts/{forecast['id']}").json()["wape"] == forecast["wape"]

        response = client.post("/api/v1/workforce/plans", {
            "queue": "integrity", "forecast_id": forecast["id"], "aht_seconds": 600, "shrinkage": 0.3,
            "max_occupancy": 0.85, "target": {"service_level": 0.8, "answer_seconds": 1800}})
        assert response.status_code == 201, response.content
    plan = response.json()
    assert len(plan["intervals"]) == 336
    noon = plan["intervals"][24]     # Monday 12:00: 8 cases × 600 s / 1800 s = 2.67 erlangs
    assert noon["volume"] == pytest.approx(8, abs=0.5) and noon["agents"] >= 4
    assert all(row["scheduled"] >= row["agents"] for row in plan["intervals"])
    # Both vendors work the integrity queue; with no contracts the work is split evenly.
    vendors = {row["vendor"]: row for row in plan["vendor_headcount"]}
    assert set(vendors) == {setup.VENDOR_A, setup.VENDOR_B}
    assert vendors[setup.VENDOR_A]["share"] == pytest.approx(0.5)
    total_hours = sum(row["scheduled"] for row in plan["intervals"]) * 0.5
    assert sum(r["scheduled_hours"] for r in vendors.values()) == pytest.approx(total_hours, abs=0.2)

    # Northwind's own manager sees the plan (Northwind works the queue), but only Northwind's row.
    northwind = world.person("vm-northwind", "vendor_manager", vendor=setup.VENDOR_A)
    theirs = ApiClient(northwind.token).get(f"/api/v1/workforce/plans/{plan['id']}").json()
    assert [row["vendor"] for row in theirs["vendor_headcount"]] == [setup.VENDOR_A]


def test_a_queue_with_little_history_is_forecast_naively_and_says_why(manager, platform):
    seed_intake(platform.queues["live"], pattern(5 * 48))
    with clock.frozen(START + 5 * 48 * HALF_HOUR):
        response = ApiClient(manager.token).post("/api/v1/workforce/forecasts", {"queue": "live", "horizon": 48})
    assert response.status_code == 201
    assert response.json()["model"] == "seasonal_naive" and "days of history" in response.json()["fallback_reason"]


@pytest.mark.parametrize("body, field", [
    ({"queue": "integrity", "shrinkage": 1}, "shrinkage"),
    ({"queue": "integrity", "shrinkage": -0.1}, "shrinkage"),
    ({"queue": "integrity", "max_occupancy": 0}, "max_occupancy"),
    ({"queue": "integrity", "aht_seconds": -5}, "aht_seconds"),
    ({"queue": "integrity", "volume_basis": "median"}, "volume_basis"),
])
def test_bad_plan_input_is_refused_with_the_field(manager, seasonal_queue, body, field):
    response = ApiClient(manager.token).post("/api/v1/workforce/plans", body)
    assert response.status_code == 422
    assert field in (response.json()["error"].get("field") or "")


def test_no_forecast_no_history_and_unknown_queues_are_clear_errors(manager, platform):
    client = ApiClient(manager.token)
    assert client.post("/api/v1/workforce/plans", {"queue": "appeals"}).json()["error"]["code"] == "no_forecast"
    response = client.post("/api/v1/workforce/forecasts", {"queue": "appeals"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "history_too_short"
    assert client.post("/api/v1/workforce/forecasts", {"queue": "nope"}).status_code == 404
    assert client.post("/api/v1/workforce/forecasts", {"queue": "integrity", "horizon": 0}).status_code == 422


def test_the_optimiser_allocates_forecast_work_across_the_vendors_of_the_queues(world, manager, platform):
    for key in ("integrity", "general-us"):
        seed_intake(platform.queues[key], pattern(3 * engine.WEEK, base=2))
    client = ApiClient(manager.token)
    with clock.frozen(START + 3 * engine.WEEK * HALF_HOUR):
        for key in ("integrity", "general-us"):
            assert client.post("/api/v1/workforce/forecasts", {"queue": key, "horizon": 48}).status_code == 201
        response = client.post("/api/v1/workforce/allocations", {"queues": ["integrity", "general-us"],
                                                                 "intervals": 48})
    assert response.status_code == 201, response.content
    result = response.json()["result"]
    assert result["status"] == "optimal"
    # Unpriced offers: only the vendors that work each queue get its work, and every median need is met.
    pairs = {(a["vendor"], a["queue"]) for a in result["allocation"]}
    assert pairs <= {(setup.VENDOR_A, "integrity"), (setup.VENDOR_B, "integrity"), (setup.VENDOR_A, "general-us")}
    assert any(q == "general-us" for _, q in pairs)
    assert set(result["costs"]) == {"price", "expected_error_cost", "expected_credits"}
    assert any(b["constraint"] == "base" for b in result["binding"])
    run_id = response.json()["id"]
    assert client.get(f"/api/v1/workforce/allocations/{run_id}").status_code == 200
    northwind = world.person("vm-northwind", "vendor_manager", vendor=setup.VENDOR_A)
    assert ApiClient(northwind.token).get(f"/api/v1/workforce/allocations/{run_id}").status_code == 404
