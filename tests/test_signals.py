"""Automated detectors send scores; above the policy's threshold they open or enrich a case."""
from trustops.intake.models import Signal
from trustops.review.models import Case


def _signal(world, subject, score, policy="integrity.spam", key=None):
    body = {"detector": "spam-classifier-v3", "score": score, "policy": policy, "subject": subject}
    if key:
        body["idempotency_key"] = key
    return body


def test_a_signal_below_threshold_is_kept_but_opens_no_case(api, world):
    response = api.post("/api/v1/signals", _signal(world, world.subject(), 0.3))
    assert response.status_code == 201
    body = response.json()
    assert body["above_threshold"] is False and body["case_id"] is None and body["threshold"] == 0.9
    assert Signal.objects.count() == 1 and Case.objects.count() == 0


def test_a_signal_above_threshold_opens_a_case(api, world):
    body = api.post("/api/v1/signals", _signal(world, world.subject(region="US"), 0.97)).json()
    assert body["case_created"] is True and body["queue"] == "integrity"
    case = api.get(f"/api/v1/cases/{body['case_id']}").json()
    assert case["signal_count"] == 1 and case["report_count"] == 0
    assert case["signals"][0]["detector"] == "spam-classifier-v3"


def test_a_signal_enriches_an_open_case_and_raises_its_priority(api, world):
    subject = world.subject(region="US")
    report = world.report(subject=subject, reason="integrity.spam")
    before = api.get(f"/api/v1/cases/{report['case_id']}").json()["priority"]
    body = api.post("/api/v1/signals", _signal(world, subject, 0.95)).json()
    assert body["case_id"] == report["case_id"] and body["case_created"] is False
    after = api.get(f"/api/v1/cases/{report['case_id']}").json()
    assert after["signal_count"] == 1 and after["priority"] > before


def test_signals_are_idempotent_by_key(api, world):
    body = _signal(world, world.subject(), 0.95, key="sig-1")
    first = api.post("/api/v1/signals", body)
    again = api.post("/api/v1/signals", body)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    conflict = api.post("/api/v1/signals", {**body, "score": 0.99})
    assert conflict.status_code == 409
    assert Signal.objects.count() == 1


def test_bad_signals_are_refused(api, world):
    assert api.post("/api/v1/signals", _signal(world, world.subject(), 1.5)).status_code == 422
    unknown = api.post("/api/v1/signals", _signal(world, world.subject(), 0.5, policy="nope"))
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_policy"
    assert Signal.objects.count() == 0


def test_a_token_without_the_signal_scope_is_403(world):
    from tests.conftest import ApiClient
    reporter = world.person("reports-only", "integration", scopes=["reports:write"])
    response = ApiClient(reporter.token).post("/api/v1/signals", _signal(world, world.subject(), 0.5))
    assert response.status_code == 403
