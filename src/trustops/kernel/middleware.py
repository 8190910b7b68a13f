"""Every API response that is an error has the one JSON error shape, even those Django makes itself."""
import json

from django.http import HttpResponse

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
