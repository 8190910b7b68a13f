"""What an integrator reads in /api/v1/openapi.json before writing a line of client code."""
import pytest


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_a_report_batch_documents_each_item_with_its_limits(document, settings):
    body = document["paths"]["/api/v1/reports/batch"]["post"]["requestBody"]["content"]["application/json"]
    reports = _resolve(document, body["schema"])["properties"]["reports"]

    assert reports["type"] == "array"
    assert (reports["minItems"], reports["maxItems"]) == (1, settings.TRUSTOPS["INTAKE_BATCH_MAX"]) == (1, 1000)
    item = _resolve(document, reports["items"])
    assert set(item["required"]) == {"idempotency_key", "subject", "reason", "source"}
    assert item["additionalProperties"] is False
    fields = item["properties"]
    assert (fields["idempotency_key"]["minLength"], fields["idempotency_key"]["maxLength"]) == (1, 200)
    assert fields["reason"]["maxLength"] == 120
    assert {"type": "string", "maxLength": 5000} in fields["text"]["anyOf"]
    assert set(fields["source"]["enum"]) == {"user", "trusted_flagger", "automated", "internal", "authority"}
    subject = _resolve(document, fields["subject"])
    assert {"user", "video", "comment"} <= set(subject["properties"]["type"]["enum"])
    assert subject["properties"]["region"]["anyOf"][0]["pattern"] == "^[A-Z]{2,3}$"


def test_the_batch_item_is_the_same_schema_as_a_single_report(document):
    single = document["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    batch = document["components"]["schemas"]["ReportBatchIn"]["properties"]["reports"]["items"]
    assert _resolve(document, batch) == _resolve(document, single)


def test_documenting_the_items_keeps_a_bad_item_failing_alone(api, world):
    response = api.post("/api/v1/reports/batch", {"reports": [world.report_body(), {"source": "gossip"}]})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 422]


def test_no_two_schemas_of_the_api_share_a_name():
    """The OpenAPI document names each schema by its class: two classes of one name would silently share one
    entry, and an integrator would be told the wrong shape for one of them."""
    from pydantic import BaseModel

    import trustops.api  # noqa: F401  (every router, and so every schema, is imported)

    seen: dict[str, set[str]] = {}
    stack = list(BaseModel.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("trustops.") and cls.__name__ != "Strict":   # bases, never in the document
            seen.setdefault(cls.__name__, set()).add(cls.__module__)
    shared = {name: modules for name, modules in seen.items() if len(modules) > 1}
    assert not shared, shared
