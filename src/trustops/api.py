"""The HTTP API: one NinjaAPI, every error in one shape: {"error": {"code", "message", "field"?}}."""
import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from trustops.enforcement.api import router as enforcement_router
from trustops.intake.api import router as intake_router
from trustops.kernel.errors import DomainError
from trustops.kernel.inputs import StrictJsonParser
from trustops.outbox.api import router as outbox_router
from trustops.policies.api import router as policies_router
from trustops.quality.api import router as quality_router
from trustops.review.api import router as review_router
from trustops.subjects.api import router as subjects_router

log = logging.getLogger(__name__)

ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "Machine-readable, e.g. invalid_field, not_found"},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "The offending field's dotted path, when there is one"},
        "details": {"type": "object"}}}},
}
# Every operation may answer with these; each is documented once here rather than beside every endpoint.
ERROR_STATUSES = {400: "Malformed request", 401: "Missing or invalid bearer token",
                  403: "The token lacks the scope, or the caller the role", 404: "Not found, or not visible",
                  409: "Conflicts with the current state", 413: "Too large",
                  422: "Invalid input, with the field's path", 503: "Busy: send again (see Retry-After)"}


class TrustopsApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                declared = {str(status) for status in responses}
                for status, description in ERROR_STATUSES.items():
                    if str(status) not in declared:   # an operation's own description of a status wins
                        responses[status] = {"description": description, "content": error}
        return schema


api = TrustopsApi(
    title="trustops API", version="1", urls_namespace="api",
    description="Reports and signals in; cases, queues, subjects, policies and the ledger out. "
                "Authenticate with `Authorization: Bearer <token>`.",
    docs_url="/docs", openapi_url="/openapi.json", parser=StrictJsonParser(),
    # Swagger UI would otherwise ask an outside validator about the spec; the docs page stays on this server.
    docs=Swagger(settings={"validatorUrl": None}),
)


def _error(request, status: int, code: str, message: str, field: str | None = None, details=None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_body(), status=exc.status)
    if exc.status == 503:
        response["Retry-After"] = "1"   # a collision with concurrent work: a second is plenty
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    problems = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ())]
        # Ninja prefixes the location with where the value came from ("body", "query", the param name).
        if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form"}:
            loc = loc[1:]
        if loc and loc[0] in {"body", "q", "payload"}:
            loc = loc[1:]
        problems.append({"field": ".".join(loc), "type": error.get("type"), "message": error.get("msg")})
    first = problems[0] if problems else {"field": "", "type": "", "message": "invalid input"}
    code = "missing_field" if first["type"] == "missing" else "invalid_field"
    return _error(request, 422, code, f"{first['field'] or 'body'}: {first['message']}",
                  field=first["field"] or None, details={"problems": problems})


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "Send `Authorization: Bearer <token>`.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", "No such resource.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = {400: "bad_request", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "error")
    if isinstance(exc.__cause__, DomainError):   # the parser refused a value it could read
        return on_domain_error(request, exc.__cause__)
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        code = "malformed_json"
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "payload_too_large", "The request body is larger than this server accepts.")


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    log.exception("unhandled error in %s %s", request.method, request.path)
    return _error(request, 500, "internal_error", "Something went wrong on our side; it has been logged.")


api.add_router("", intake_router)
api.add_router("", review_router)
api.add_router("", subjects_router)
api.add_router("", policies_router)
api.add_router("", outbox_router)
api.add_router("", enforcement_router)
api.add_router("", quality_router)
api.add_router("", "trustops.insights.api.router")
api.add_router("", "trustops.workforce.api.router")
api.add_router("", "trustops.compliance.api.router")
api.add_router("", "trustops.risk.api.router")
api.add_router("", "trustops.support.api.router")
api.add_router("", "trustops.merchants.api.router")
api.add_router("", "trustops.workforce.planning_api.router")
