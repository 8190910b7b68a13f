"""An integrating platform sends reports; trustops turns them into deduplicated, routed cases."""
from trustops.intake.models import Report
from trustops.review.models import Case


def test_a_report_opens_a_case_routed_by_the_rules(api, world):
    body = world.report_body(subject=world.subject(type="video", region="US"), reason="harassment.bullying")
    response = api.post("/api/v1/reports", body)

    assert response.status_code == 201
    result = response.json()
    assert result["case_created"] is True
    assert result["queue"] == "general-us"          # rule 80: US general
    case = api.get(f"/api/v1/cases/{result['case_id']}").json()
    assert case["status"] == "open" and case["policy"] == "harassment.bullying"
    assert case["subject"]["owner"]["type"] == "creator"


def test_routing_first_match_wins_and_default_queue_catches_the_rest(api, world):
    child = world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")
    assert child["queue"] == "child-safety"         # rule 10 beats rule 80 for a US video
    listing = world.report(subject=world.subject(type="listing", region="DE"), reason="merchant.fraud.fake_listing")
    assert listing["queue"] == "merchants"
    authority = world.report(subject=world.subject(region="FR"), reason="hate.slurs", source="authority")
    assert authority["queue"] == "authority-orders"
    elsewhere = world.report(subject=world.subject(region="BR"), reason="hate.slurs")
    assert elsewhere["queue"] == "general-intl"     # no rule matched: the default queue


def test_a_second_report_attaches_to_the_open_case_and_raises_its_priority(api, world):
    subject = world.subject(region="US")
    first = world.report(subject=subject, reason="harassment.bullying")
    priority_before = api.get(f"/api/v1/cases/{first['case_id']}").json()["priority"]
    second = world.report(subject=subject, reason="harassment.bullying", source="trusted_flagger")

    assert second["case_id"] == first["case_id"] and second["case_created"] is False
    case = api.get(f"/api/v1/cases/{first['case_id']}").json()
    assert case["report_count"] == 2 and case["priority"] > priority_before
    assert len(case["reports"]) == 2
    assert Case.objects.filter(subject__external_id=subject["external_id"]).count() == 1


def test_a_more_severe_report_moves_a_waiting_case_to_the_specialist_queue(api, world):
    subject = world.subject(region="US")
    first = world.report(subject=subject, reason="integrity.spam")
    assert first["queue"] == "integrity"
    second = world.report(subject=subject, reason="minor_safety.grooming")
    assert second["case_id"] == first["case_id"] and second["queue"] == "child-safety"
    kinds = [e["kind"] for e in api.get(f"/api/v1/subjects/video/{subject['external_id']}/events").json()["events"]]
    assert "case.rerouted" in kinds


def test_replaying_a_key_returns_the_same_result_and_stores_nothing(api, world):
    body = world.report_body()
    first = api.post("/api/v1/reports", body)
    again = api.post("/api/v1/reports", body)

    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert Report.objects.filter(idempotency_key=body["idempotency_key"]).count() == 1
    assert Case.objects.count() == 1


def test_reusing_a_key_with_another_payload_is_a_conflict(api, world):
    body = world.report_body()
    assert api.post("/api/v1/reports", body).status_code == 201
    response = api.post("/api/v1/reports", {**body, "reason": "hate.slurs"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_an_unknown_policy_is_refused_with_422(api, world):
    response = api.post("/api/v1/reports", world.report_body(reason="no_such.policy"))
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "unknown_policy", "message": "No active policy 'no_such.policy'.",
                                        "field": "reason"}
    assert Case.objects.count() == 0


def test_a_batch_with_a_bad_item_reports_it_by_index_and_keeps_the_others(api, world):
    good = [world.report_body() for _ in range(3)]
    bad_policy = world.report_body(reason="nope")
    missing_subject = {"idempotency_key": "k-missing", "reason": "hate.slurs", "source": "user"}
    response = api.post("/api/v1/reports/batch", {"reports": [good[0], bad_policy, good[1], missing_subject, good[2]]})

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["failed"]) == (3, 2)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201, 422, 201, 422, 201]
    assert body["results"][1]["error"]["code"] == "unknown_policy"
    assert body["results"][3]["error"]["code"] == "missing_field"
    assert body["results"][3]["error"]["field"] == "subject"
    assert Report.objects.count() == 3
    # The answer is sent as built; it must still be exactly what the documented schema says.
    from trustops.intake.schemas import BatchOut
    assert BatchOut.model_validate(body).model_dump(mode="json") == body
    assert response["Content-Type"] == "application/json"


def test_a_batch_replays_and_conflicts_item_by_item(api, world):
    body = world.report_body()
    api.post("/api/v1/reports", body)
    response = api.post("/api/v1/reports/batch", {"reports": [body, {**body, "text": "changed"}, body]})
    assert [r["status"] for r in response.json()["results"]] == [200, 409, 200]


def test_the_same_key_twice_in_one_batch_is_stored_once(api, world):
    body = world.report_body()
    response = api.post("/api/v1/reports/batch", {"reports": [body, body]})
    assert [r["status"] for r in response.json()["results"]] == [201, 200]
    assert Report.objects.count() == 1


def test_oversized_batches_are_refused_whole(api, world):
    response = api.post("/api/v1/reports/batch", {"reports": [world.report_body() for _ in range(1001)]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"
    assert Report.objects.count() == 0


def test_an_empty_batch_is_invalid(api):
    response = api.post("/api/v1/reports/batch", {"reports": []})
    assert response.status_code == 422


def test_many_reports_on_one_subject_in_one_batch_make_one_case(api, world):
    subject = world.subject(region="GB")
    response = api.post("/api/v1/reports/batch", {"reports": [world.report_body(subject=subject) for _ in range(5)]})
    results = response.json()["results"]
    assert len({r["result"]["case_id"] for r in results}) == 1
    assert [r["result"]["case_created"] for r in results] == [True, False, False, False, False]
    assert Case.objects.get().report_count == 5


def test_subject_upsert_keeps_the_latest_facts(api, world):
    subject = world.subject(region="US", reach=10, attributes={"caption": "hello"})
    world.report(subject=subject)
    world.report(subject={**subject, "reach": 5000, "attributes": {"views_24h": 12}})
    read = api.get(f"/api/v1/subjects/video/{subject['external_id']}").json()
    assert read["reach"] == 5000
    assert read["attributes"] == {"caption": "hello", "views_24h": 12}


def test_an_owner_takes_its_first_items_region_and_keeps_it(api, world):
    from trustops.subjects.models import Subject

    owner = {"type": "creator", "external_id": "travelling-creator"}
    world.report(subject={**world.subject(region="DE"), "owner": owner})
    assert Subject.objects.get(type="creator", external_id="travelling-creator").region == "DE"
    # A later item of the same account lives elsewhere: the item does, the account does not move.
    filed = world.report(subject={**world.subject(region="BR"), "owner": owner})
    assert Case.objects.get(pk=filed["case_id"]).subject.region == "BR"
    assert Subject.objects.get(type="creator", external_id="travelling-creator").region == "DE"
    # Reporting the account itself with another region does not move it either (test_intake_lanes.py).
    refused = world.report(subject={**owner, "region": "BR"})["refused_changes"]
    assert [(r["field"], r["current"], r["sent"]) for r in refused] == [("region", "DE", "BR")]
    assert Subject.objects.get(type="creator", external_id="travelling-creator").region == "DE"


def test_a_write_that_keeps_colliding_with_other_senders_is_refused_whole_with_503(api, world, monkeypatch):
    from django.db import IntegrityError

    from trustops.intake import services

    calls = []

    def collide(*args):
        calls.append(1)
        raise IntegrityError("duplicate key value violates unique constraint")
    monkeypatch.setattr(services, "_store_reports", collide)
    monkeypatch.setattr(services, "RETRY_PAUSE_SECONDS", 0)
    response = api.post("/api/v1/reports/batch", {"reports": [world.report_body(), world.report_body()]})
    assert response.status_code == 503 and response.json()["error"]["code"] == "intake_busy"
    assert response["Retry-After"] == "1"
    assert len(calls) == services.RETRIES and Report.objects.count() == 0


def test_a_deadlock_is_retried_and_the_second_try_stores_the_batch(api, world, monkeypatch):
    import psycopg
    from django.db import OperationalError

    from trustops.intake import services

    real, calls = services._store_reports, []

    def deadlock_once(*args):
        calls.append(1)
        if len(calls) == 1:
            try:
                raise psycopg.errors.DeadlockDetected("deadlock detected")
            except psycopg.Error as cause:
                raise OperationalError("deadlock detected") from cause
        return real(*args)
    monkeypatch.setattr(services, "_store_reports", deadlock_once)
    monkeypatch.setattr(services, "RETRY_PAUSE_SECONDS", 0)
    response = api.post("/api/v1/reports/batch", {"reports": [world.report_body(), world.report_body()]})
    assert response.status_code == 200 and response.json()["accepted"] == 2
    assert len(calls) == 2 and Report.objects.count() == 2


def test_an_operational_error_that_is_not_a_collision_is_not_retried(world, monkeypatch):
    import pytest
    from django.db import OperationalError

    from trustops.intake import services

    calls = []

    def broken(*args):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(services, "_store_reports", broken)
    with pytest.raises(OperationalError):
        services.submit_reports(submitter=world.integration.user, items=[world.report_body()])
    assert len(calls) == 1
