"""Every API response that is an error has the one JSON error shape, even those Django makes itself."""
import json

from django.http import HttpResponse, HttpResponseBadRequest

CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "payload_too_large", 415: "unsupported_media_type", 500: "internal_error"}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            code = CODES.get(response.status_code, "error")
            body = {"error": {"code": code, "message": code.replace("_", " ")}}
            shaped = HttpResponse(json.dumps(body), status=response.status_code, content_type="application/json")
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


class RefuseNulMiddleware:
    """NUL cannot be stored (PostgreSQL refuses it in text) and is in no legitimate URL or form: refuse it
    with a 400 before any view looks anything up by it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._nul_in(request)
        if where is None:
            return self.get_response(request)
        message = f"The {where} contains a NUL character."
        if request.path.startswith("/api/"):
            body = {"error": {"code": "bad_request", "message": message, "field": where}}
            return HttpResponse(json.dumps(body), status=400, content_type="application/json")
        return HttpResponseBadRequest(message, content_type="text/plain")

    @staticmethod
    def _nul_in(request) -> str | None:
        if "\x00" in request.path:
            return "path"
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return "query"
        if request.method == "POST" and request.content_type in FORM_TYPES:
            if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists()):
                return "form"
        return None


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
