"""Bearer-token authentication for the API, with a required scope per endpoint."""
from django.conf import settings
from ninja.security import HttpBearer

from trustops.identity import services, tokens
from trustops.identity.models import ApiToken
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Unauthorized


def authenticate_token(raw: str) -> ApiToken:
    token = (ApiToken.objects.select_related("user", "user__vendor", "user__team")
             .filter(token_hash=tokens.hash_token(raw)).first())
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise Unauthorized("invalid_token", "The bearer token is not valid.")
    if token.expires_at is not None and token.expires_at <= clock.now():
        raise Unauthorized("token_expired", "The bearer token has expired.")
    return token


class ScopedBearer(HttpBearer):
    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token):
        api_token = authenticate_token(token)
        if self.scope not in api_token.scopes and "admin" not in api_token.scopes:
            raise Forbidden("missing_scope", f"This token lacks the {self.scope!r} scope.")
        services.touch_token(api_token, every_seconds=settings.TRUSTOPS["API_TOKEN_TOUCH_SECONDS"])
        request.api_token = api_token
        return api_token.user


_bearers: dict[str, ScopedBearer] = {}


def scope(name: str) -> ScopedBearer:
    if name not in _bearers:
        _bearers[name] = ScopedBearer(name)
    return _bearers[name]
