"""Error trends by ISO week and the Pareto of error causes, read through the quality scope."""
from datetime import datetime, timezone

import pytest

from tests.quality_month import Clients
from trustops.simulation import platform as setup

US = {"queue": "general-us", "region": "US", "reason": "harassment.bullying"}
INTL = {"queue": "general-intl", "region": "BR", "reason": "hate.slurs"}
RANGE = {"from": "2025-06-02", "to": "2025-06-23"}        # ISO weeks 2025-W23, W24 and W25


def at(day: int) -> datetime:
    return datetime(2025, 6, day, 12, tzinfo=timezone.utc)


@pytest.fixture
def weeks(world):
    """Three weeks of June 2025 and one decision after them, every one audited.

    W23: Northwind 3 correct, 1 false positive (human / training).
    W24: Northwind 1 false positive (human / training), 1 wrong policy (policy); Lumen 2 correct.
    W25: Lumen 1 missed slur (product / tech), 1 false positive with no RCA category.
    June 24 (outside the range): Northwind 1 false positive.
    """
    clients = Clients(world)
    people = {"nw": world.vendor_agent("tr-nw", vendor=setup.VENDOR_A, regions=["US"]),
              "lumen": world.vendor_agent("tr-lumen", vendor=setup.VENDOR_B),
              "auditor": world.person("tr-auditor", "qa_auditor"),
              "nw_manager": world.person("tr-nw-manager", "vendor_manager", vendor=setup.VENDOR_A)}
    correct_us = {"correct_verdict": "violation", "correct_policy": "harassment.bullying"}
    correct_intl = {"correct_verdict": "violation", "correct_policy": "hate.slurs"}
    false_positive = {"correct_verdict": "no_violation"}
    plan = [
        ("nw", US, "violation", 2, correct_us, None), ("nw", US, "violation", 3, correct_us, None),
        ("nw", US, "violation", 4, correct_us, None), ("nw", US, "violation", 5, false_positive, "human_training"),
        ("nw", US, "violation", 9, false_positive, "human_training"),
        ("nw", US, "violation", 10, {"correct_verdict": "violation", "correct_policy": "harassment.doxxing"}, "policy"),
        ("lumen", INTL, "violation", 11, correct_intl, None), ("lumen", INTL, "violation", 12, correct_intl, None),
        ("lumen", INTL, "no_violation", 16, correct_intl, "product_tech"),
        ("lumen", INTL, "violation", 17, false_positive, None),
        ("nw", US, "violation", 24, false_positive, "process"),
    ]
    for who, where, verdict, day, judgement, rca in plan:
        decision = clients.decide(people[who], verdict=verdict, moment=at(day), **where)
        audit = clients(people["auditor"]).post("/api/v1/qa/audits", {"decision_id": decision, "rca_category": rca,
                                                                      **judgement})
        assert audit.status_code == 201, audit.content
    return {"api": clients, "people": people}


def test_weekly_error_counts_and_accuracy_with_intervals(weeks):
    auditor = weeks["api"](weeks["people"]["auditor"])
    response = auditor.get("/api/v1/qa/trends", by="error_type", **RANGE)
    assert response.status_code == 200, response.content
    trend = response.json()
    assert [w["week"] for w in trend["weeks"]] == ["2025-W23", "2025-W24", "2025-W25"]
    assert [w["starts"] for w in trend["weeks"]] == ["2025-06-02", "2025-06-09", "2025-06-16"]
    assert [(w["audited"], w["correct"]) for w in trend["weeks"]] == [(4, 3), (4, 2), (2, 0)]
    first = trend["weeks"][0]
    assert first["accuracy"] == 0.75 and first["wilson_low"] < 0.75 < first["wilson_high"]
    assert trend["weeks"][2]["wilson_low"] == 0.0          # 0 of 2: the interval starts exactly at 0
    by_type = {g["group"]: g for g in trend["groups"]}
    assert set(by_type) == {"false_positive", "false_negative", "wrong_policy", "wrong_action"}
    assert [w["count"] for w in by_type["false_positive"]["weeks"]] == [1, 1, 1]
    assert [w["count"] for w in by_type["false_negative"]["weeks"]] == [0, 0, 1]
    assert by_type["false_positive"]["weeks"][1]["share"] == 0.25
    assert by_type["wrong_action"]["total"] == 0
    assert trend["overall"]["audited"] == 10 and trend["overall"]["correct"] == 5     # June 24 is outside


def test_weekly_accuracy_per_vendor_queue_and_policy(weeks):
    auditor = weeks["api"](weeks["people"]["auditor"])
    vendors = {g["group"]: g for g in auditor.get("/api/v1/qa/trends", by="vendor", **RANGE).json()["groups"]}
    assert set(vendors) == {"northwind-bpo", "lumen-outsourcing"}
    assert [(w["audited"], w["correct"]) for w in vendors["northwind-bpo"]["weeks"]] == [(4, 3), (2, 0), (0, 0)]
    assert vendors["northwind-bpo"]["weeks"][2]["accuracy"] is None        # no audits: no figure, not 0
    queues = {g["group"] for g in auditor.get("/api/v1/qa/trends", by="queue", **RANGE).json()["groups"]}
    assert queues == {"general-us", "general-intl"}
    policies = {g["group"]: g["audited"] for g in auditor.get("/api/v1/qa/trends", by="policy", **RANGE).json()["groups"]}
    assert policies == {"harassment.bullying": 6, "hate.slurs": 3, "no_violation": 1}


def test_pareto_of_error_causes_with_cumulative_share(weeks):
    auditor = weeks["api"](weeks["people"]["auditor"])
    pareto = auditor.get("/api/v1/qa/pareto", **RANGE).json()
    assert pareto["errors"] == 5
    assert [(r["cause"], r["errors"], r["cumulative_share"], r["vital_few"]) for r in pareto["by_rca_category"]] == [
        ("human_training", 2, 0.4, True), ("policy", 1, 0.6, True), ("product_tech", 1, 0.8, True),
        ("uncategorised", 1, 1.0, False)]
    pairs = [(r["error_type"], r["policy"], r["errors"]) for r in pareto["by_error_type_and_policy"]]
    # A missed violation counts against the policy QA named; the others against the policy the reviewer cited.
    assert pairs == [("false_positive", "harassment.bullying", 2), ("false_negative", "hate.slurs", 1),
                     ("false_positive", "hate.slurs", 1), ("wrong_policy", "harassment.bullying", 1)]
    everything = auditor.get("/api/v1/qa/pareto", **{"from": "2025-06-01", "to": "2025-07-01"}).json()
    assert everything["errors"] == 6 and everything["by_rca_category"][0] == {
        "cause": "human_training", "errors": 2, "share": 0.3333, "cumulative_share": 0.3333, "vital_few": True}


def test_a_vendor_manager_sees_their_vendors_trends_only(weeks):
    manager = weeks["api"](weeks["people"]["nw_manager"])
    vendors = manager.get("/api/v1/qa/trends", by="vendor", **RANGE).json()
    assert [g["group"] for g in vendors["groups"]] == ["northwind-bpo"]
    assert {g["group"] for g in manager.get("/api/v1/qa/trends", by="queue", **RANGE).json()["groups"]} == {"general-us"}
    assert manager.get("/api/v1/qa/trends", by="error_type", **RANGE).json()["overall"]["audited"] == 6
    pareto = manager.get("/api/v1/qa/pareto", **RANGE).json()
    assert pareto["errors"] == 3 and {r["policy"] for r in pareto["by_error_type_and_policy"]} == {"harassment.bullying"}
    assert "hate.slurs" not in str(pareto) and "lumen" not in str(vendors)


@pytest.mark.parametrize("params, field", [
    ({"from": "2025-06-23", "to": "2025-06-02"}, "from"),
    ({"from": "2024-01-01", "to": "2025-06-02"}, "from"),
    ({"from": "last tuesday", "to": "2025-06-02"}, "from"),
    ({"by": "weather", **RANGE}, "by"),
])
def test_bad_trend_queries_are_refused(world, params, field):
    auditor = Clients(world)(world.person("tr-auditor", "qa_auditor"))
    response = auditor.get("/api/v1/qa/trends", **params)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["field"] == field
    if "by" not in params:
        assert auditor.get("/api/v1/qa/pareto", **params).status_code == 422
