"""Domain errors. Services raise these; the API and console turn them into responses."""


class DomainError(Exception):
    status = 400
    default_code = "bad_request"

    def __init__(self, code: str | None = None, message: str = "", field: str | None = None,
                 details: dict | None = None):
        self.code = code or self.default_code
        self.message = message or self.code.replace("_", " ")
        self.field = field
        self.details = details
        super().__init__(self.message)

    def as_body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return {"error": error}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401
    default_code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    default_code = "payload_too_large"


class Invalid(DomainError):
    status = 422
    default_code = "invalid"


class Busy(DomainError):
    """The request collided with concurrent work too often and changed nothing: send it again."""
    status = 503
    default_code = "busy"
