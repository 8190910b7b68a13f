"""The second factor for privileged roles, enforced in one place for the console and the admin site.

After the password, people whose role is in `TRUSTOPS["TOTP_ROLES"]` reach nothing but the TOTP step (and
signing out) until a code from their authenticator has verified the session.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in but not yet verified person may still reach. The API authenticates with bearer tokens.
OPEN_PREFIXES = ("/api/", "/admin/logout/")


def needs_second_factor(user) -> bool:
    return user.is_authenticated and user.role in settings.TRUSTOPS["TOTP_ROLES"]


def second_factor_pending(user) -> bool:
    return needs_second_factor(user) and not user.is_verified()


class RequireSecondFactorMiddleware:
    """Install after `django_otp.middleware.OTPMiddleware`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if second_factor_pending(request.user) and not self._open(request.path):
            target = f"{reverse('console:totp')}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                # A background refresh must not swap the TOTP page into a table: send the browser there.
                response = HttpResponse(status=401)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if path.startswith(OPEN_PREFIXES) or (settings.STATIC_URL and path.startswith(settings.STATIC_URL)):
            return True
        return path in {reverse("console:login"), reverse("console:logout"), reverse("console:totp")}
