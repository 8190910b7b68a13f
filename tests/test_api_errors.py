"""Bad input always gets a clear 4xx in one machine-readable shape, and nothing is half-written."""
import pytest

from trustops.intake.models import Report
from trustops.subjects.models import Subject


def test_missing_auth_is_401(world):
    from tests.conftest import ApiClient
    response = ApiClient().post("/api/v1/reports", world.report_body())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_an_invalid_token_is_401(world):
    from tests.conftest import ApiClient
    response = ApiClient("tso_not-a-real-token").get("/api/v1/policies")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_a_revoked_token_is_401(world):
    from tests.conftest import ApiClient
    from trustops.identity import services
    from trustops.identity.models import ApiToken
    person = world.moderator()
    services.revoke_token(token_id=ApiToken.objects.get(user=person.user).pk)
    assert ApiClient(person.token).get("/api/v1/queues").status_code == 401


def test_an_expired_token_is_401(world):
    from datetime import timedelta

    from tests.conftest import ApiClient
    from trustops.identity import services
    user = world.moderator().user
    token, plaintext = services.issue_token(user=user, expires_in=timedelta(seconds=-1))
    response = ApiClient(plaintext).get("/api/v1/queues")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"


def test_a_token_without_the_scope_is_403(world):
    from tests.conftest import ApiClient
    reader = world.person("read-only", "integration", scopes=["cases:read"])
    response = ApiClient(reader.token).post("/api/v1/reports", world.report_body())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"
    assert Report.objects.count() == 0


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/reports", raw="{not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("mutate, field", [
    (lambda b: b.pop("reason"), "reason"),
    (lambda b: b.pop("idempotency_key"), "idempotency_key"),
    (lambda b: b.update(source="rumour"), "source"),
    (lambda b: b.update(text="x" * 5001), "text"),
    (lambda b: b.update(idempotency_key="k" * 201), "idempotency_key"),
    (lambda b: b["subject"].update(type="spaceship"), "subject.type"),
    (lambda b: b["subject"].update(reach="lots"), "subject.reach"),
    (lambda b: b["subject"].update(reach=-1), "subject.reach"),
    (lambda b: b["subject"].update(region="united states"), "subject.region"),
    (lambda b: b["subject"].update(owner={"type": "video", "external_id": "v"}), "subject.owner.type"),
    (lambda b: b.update(unexpected=True), "unexpected"),
])
def test_invalid_reports_are_422_with_the_field(api, world, mutate, field):
    body = world.report_body()
    mutate(body)
    response = api.post("/api/v1/reports", body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] in {"missing_field", "invalid_field"}
    assert error["field"] == field
    assert Report.objects.count() == 0 and Subject.objects.count() == 0


def test_an_account_subject_cannot_have_an_owner(api, world):
    body = world.report_body(subject={"type": "creator", "external_id": "c1",
                                      "owner": {"type": "user", "external_id": "u1"}})
    assert api.post("/api/v1/reports", body).status_code == 422


def test_unknown_case_is_404_in_the_error_shape(api):
    response = api.get("/api/v1/cases/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "case_not_found"


def test_wrong_type_in_a_path_is_422(api):
    assert api.get("/api/v1/cases/abc").status_code == 422


def test_an_invalid_cursor_is_400(api):
    response = api.get("/api/v1/cases", cursor="%%%")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_unknown_subject_type_is_404(api):
    assert api.get("/api/v1/subjects/spaceship/1").status_code == 404


def test_a_wrong_method_is_405_in_the_error_shape(api):
    response = api.client.delete("/api/v1/policies", **api._headers())
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_unknown_api_path_is_404_in_the_error_shape(api):
    response = api.get("/api/v1/nowhere")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
