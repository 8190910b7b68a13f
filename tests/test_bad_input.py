"""Input no column can hold is a 4xx in the usual error shape, in the API and the console; never a 500.

NUL characters (PostgreSQL refuses them in text and jsonb), NaN and Infinity (not JSON, RFC 8259 §6),
integers beyond a column's range, negative durations, extreme floats, and ids that name nothing.
"""
import pytest
from django.test import Client

from tests.conftest import ApiClient
from trustops.intake.models import Report
from trustops.review.models import Decision
from trustops.simulation import platform as setup

TOO_BIG = str(2 ** 64)


def console(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def refused(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    if field is not None:
        assert error.get("field") == field, error
    return error


@pytest.fixture
def quiet_api(world):
    """Speaks as the integration, and reports a server error as a response rather than raising it."""
    api = ApiClient(world.integration.token)
    api.client.raise_request_exception = False
    return api


@pytest.fixture
def admin(world):
    api = ApiClient(world.person("root", "admin", scopes=["admin"]).token)
    api.client.raise_request_exception = False
    return api


# ---- NUL characters ------------------------------------------------------------------------------------------

def test_a_nul_in_a_json_string_is_refused_with_its_path(world, quiet_api):
    refused(quiet_api.post("/api/v1/reports", world.report_body(text="see\x00this")), 422, "text")
    subject = world.subject(attributes={"note": ["fine", "bad\x00"]})
    refused(quiet_api.post("/api/v1/reports", world.report_body(subject=subject)), 422,
            "subject.attributes.note.1")
    assert Report.objects.count() == 0


def test_a_nul_in_a_json_object_key_is_refused(world, quiet_api):
    subject = world.subject(attributes={"k\x00": 1})
    error = refused(quiet_api.post("/api/v1/reports", world.report_body(subject=subject)), 422)
    assert error["field"].startswith("subject.attributes.k")


def test_a_nul_in_the_url_path_is_a_400(world, admin):
    refused(admin.get("/api/v1/subjects/video/abc%00def"), 400, "path")
    refused(admin.post("/api/v1/queues/general%00us/claim"), 400, "path")


def test_a_nul_in_the_query_string_is_a_400(world, admin):
    refused(admin.get("/api/v1/cases", queue="general\x00us"), 400, "query")
    refused(admin.get("/api/v1/qa/rcas", owner="x\x00"), 400, "query")


# ---- NaN and Infinity ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_and_are_refused_with_their_path(world, quiet_api, literal):
    signal = quiet_api.post("/api/v1/signals", raw='{"detector": "d", "policy": "harassment.bullying", '
                            f'"score": {literal}, "subject": {{"type": "user", "external_id": "u-1"}}}}')
    refused(signal, 422, "score")
    report = quiet_api.post("/api/v1/reports", raw=(
        '{"idempotency_key": "k", "reason": "harassment.bullying", "source": "user", '
        f'"subject": {{"type": "user", "external_id": "u-2", "attributes": {{"risk": {literal}}}}}}}'))
    refused(report, 422, "subject.attributes.risk")
    assert Report.objects.count() == 0


# ---- integers beyond a column's range ------------------------------------------------------------------------

def test_an_integer_beyond_64_bits_anywhere_in_a_body_is_refused(world, quiet_api, admin):
    subject = world.subject(attributes={"followers": 2 ** 64})
    refused(quiet_api.post("/api/v1/reports", world.report_body(subject=subject)), 422,
            "subject.attributes.followers")
    refused(quiet_api.post("/api/v1/reports", world.report_body(subject=world.subject(reach=2 ** 63))), 422,
            "subject.reach")
    refused(quiet_api.post("/api/v1/appeals", {"decision_id": 2 ** 63, "statement": "no", "idempotency_key": "a"}),
            422, "decision_id")
    refused(admin.post("/api/v1/qa/audits", {"decision_id": 2 ** 64, "correct_verdict": "violation"}), 422,
            "decision_id")


@pytest.mark.parametrize("path", [
    "/api/v1/cases/{big}", "/api/v1/qa/tasks/{big}", "/api/v1/qa/rcas/{big}", "/api/v1/qa/experiments/{big}",
    "/api/v1/calibrations/{big}/agreement", "/api/v1/qa/experiments/{big}/analysis",
])
def test_an_id_in_the_path_beyond_64_bits_is_refused(admin, path):
    refused(admin.get(path.format(big=TOO_BIG)), 422)


@pytest.mark.parametrize("path, body", [
    ("/api/v1/cases/{big}/renew", None), ("/api/v1/cases/{big}/release", None),
    ("/api/v1/cases/{big}/decision", {"version": 1, "verdict": "no_violation", "rationale": "fine"}),
    ("/api/v1/cases/{big}/escalate", {"to_queue": "general-us", "reason": "why"}),
    ("/api/v1/qa/audits/{big}/disputes", {"reason": "unfair"}),
    ("/api/v1/qa/disputes/{big}/arbitration", {"outcome": "upheld", "note": "fine"}),
    ("/api/v1/calibrations/{big}/labels", {"item": 1, "label": "no_violation"}),
    ("/api/v1/calibrations/{big}/close", None),
    ("/api/v1/qa/rcas/{big}/status", {"status": "done"}),
    ("/api/v1/qa/experiments/{big}/start", {"reviewers": ["a"]}),
    ("/api/v1/qa/experiments/{big}/finish", None),
])
def test_an_id_in_the_path_of_a_write_beyond_64_bits_is_refused(admin, path, body):
    refused(admin.post(path.format(big=TOO_BIG), body), 422)


def test_ids_in_queries_and_object_keys_beyond_64_bits_are_refused(admin):
    refused(admin.get("/api/v1/qa/rcas", audit_id=TOO_BIG), 422, "audit_id")
    refused(admin.post("/api/v1/calibrations/1/close", {"benchmarks": {TOO_BIG: "no_violation"}}), 422)


@pytest.mark.parametrize("limit", [TOO_BIG, "-1", "0"])
def test_page_sizes_out_of_any_range_are_clamped_or_refused_never_a_failure(world, admin, limit):
    assert admin.get("/api/v1/cases", limit=limit).status_code == 200
    world.report(subject=world.subject(type="user", owner=False, **{"external_id": "u-limits"}))
    assert admin.get("/api/v1/subjects/user/u-limits/events", limit=limit).status_code == 200
    assert admin.get("/api/v1/qa/tasks", limit=limit).status_code == 422


def test_a_negative_or_oversized_handle_time_is_refused_and_nothing_is_decided(world, quiet_api):
    moderator = world.moderator()
    world.report(subject=world.subject(region="US"))
    case = world.claim(moderator, "general-us")
    for seconds in (-1, 2 ** 31):
        response = world.decide(moderator, case, verdict="no_violation", handle_seconds=seconds)
        refused(response, 422, "handle_seconds")
    assert Decision.objects.count() == 0


def test_day_counts_beyond_any_calendar_are_refused(admin):
    body = {"period_start": "2026-01-01T00:00:00Z", "period_end": "2026-02-01T00:00:00Z", "size": 5,
            "oversample_new_agents_days": 10 ** 15}
    refused(admin.post("/api/v1/qa/samples", body), 422, "oversample_new_agents_days")


# ---- extreme floats ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, field", [
    ({"kind": "proportion", "expected_accuracy": 0.5, "margin": 5e-324}, "margin"),
    ({"kind": "proportion", "expected_accuracy": 0.5, "margin": 1e-300, "confidence": 0.99}, "margin"),
    ({"kind": "two_proportions", "p1": 0.5, "p2": 0.5000000001, "alpha": 5e-324}, None),
    ({"kind": "proportion", "expected_accuracy": "nan", "margin": 0.01}, "expected_accuracy"),
    ({"kind": "proportion", "expected_accuracy": 0.5, "margin": "inf"}, "margin"),
])
def test_the_sample_size_calculator_refuses_extreme_inputs(admin, params, field):
    refused(admin.get("/api/v1/qa/sample-size", **params), 422, field)


def test_a_vanishing_margin_with_a_finite_population_means_auditing_everything(admin):
    response = admin.get("/api/v1/qa/sample-size", kind="proportion", expected_accuracy=0.5, margin=5e-324,
                         population=1000)
    assert response.status_code == 200, response.content
    assert response.json()["n"] == 1000


def test_a_sample_with_a_vanishing_margin_is_not_a_server_error(admin):
    body = {"period_start": "2026-01-01T00:00:00Z", "period_end": "2026-02-01T00:00:00Z", "margin": 5e-324}
    assert admin.post("/api/v1/qa/samples", body).status_code < 500


# ---- moments from outside -----------------------------------------------------------------------------------

def test_a_moment_with_an_offset_postgresql_refuses_is_taken_in_utc(admin):
    response = admin.get("/api/v1/qa/trends", to="3908-08-19T06:10:47+19:06")
    assert response.status_code == 200, response.content
    assert admin.get("/api/v1/qa/pareto", to="2026-03-01T00:00:00-17:16").status_code == 200


@pytest.mark.parametrize("path, params, field", [
    ("/api/v1/qa/trends", {"to": "0001-01-03T00:00:00"}, "to"),
    ("/api/v1/qa/pareto", {"from": "0001-01-01T00:00:00+14:00", "to": "0001-02-01T00:00:00"}, "from"),
    ("/api/v1/qa/accuracy", {"to": "9999-12-31T23:59:59-12:00"}, "to"),
])
def test_a_moment_at_the_end_of_the_calendar_is_refused(admin, path, params, field):
    refused(admin.get(path, **params), 422, field)


# ---- batches: a bad item fails alone -------------------------------------------------------------------------

def test_in_a_batch_unstorable_items_fail_alone_and_the_good_ones_are_stored(world, quiet_api):
    good = world.report_body()
    nul = world.report_body(text="bad\x00")
    big = world.report_body(subject=world.subject(attributes={"n": 2 ** 70}))
    far = world.report_body(subject=world.subject(reach=2 ** 63))
    items = ",".join(__import__("json").dumps(item) for item in (good, nul, big, far))
    nan = ('{"idempotency_key": "nan-1", "reason": "harassment.bullying", "source": "user", '
           '"subject": {"type": "user", "external_id": "u-9", "attributes": {"x": NaN}}}')
    response = quiet_api.post("/api/v1/reports/batch", raw=f'{{"reports": [{items}, {nan}]}}')
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["failed"]) == (1, 4)
    fields = [(r["status"], r["error"] and r["error"].get("field")) for r in body["results"]]
    assert fields == [(201, None), (422, "text"), (422, "subject.attributes.n"), (422, "subject.reach"),
                      (422, "subject.attributes.x")]
    assert list(Report.objects.values_list("idempotency_key", flat=True)) == [good["idempotency_key"]]


def test_a_nul_outside_the_items_of_a_batch_refuses_the_batch(world, quiet_api):
    response = quiet_api.post("/api/v1/reports/batch", {"reports": [world.report_body()], "x\x00": 1})
    assert response.status_code == 422
    assert Report.objects.count() == 0


# ---- the console ---------------------------------------------------------------------------------------------

def test_a_nul_in_a_console_form_or_url_is_a_400(world):
    client = console(world.moderator().user)
    assert client.post("/cases/1/decision/", {"verdict": "violation", "rationale": "a\x00b"}).status_code == 400
    assert client.get("/accounts/", {"type": "creator", "external_id": "c\x00"}).status_code == 400
    assert client.get("/accounts/creator/c%00d/").status_code == 400
    assert Client(raise_request_exception=False).post(
        "/login/", {"username": "mod\x00", "password": "x"}).status_code == 400


def test_a_console_case_id_beyond_64_bits_is_not_found(world):
    client = console(world.moderator().user)
    assert client.get(f"/cases/{TOO_BIG}/").status_code == 404
    assert client.post(f"/cases/{TOO_BIG}/decision/", {"verdict": "no_violation"}).status_code == 404


@pytest.mark.parametrize("device", ["abc", TOO_BIG, "-3", "", "1.5"])
def test_a_bad_totp_device_id_at_enrolment_is_refused_on_the_page(world, device):
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)
    client = console(lead.user)
    assert client.get("/login/second-factor/").status_code == 200   # enrolment starts: one device waits
    response = client.post("/login/second-factor/", {"device": device, "code": "123456"})
    assert response.status_code in (404, 422), response.status_code
    assert b"start again" in response.content or b"not right" in response.content
