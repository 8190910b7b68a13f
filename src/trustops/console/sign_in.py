"""Signing in beyond the password: the lockout page after too many failures, and the TOTP step."""
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from trustops.console.middleware import needs_second_factor
from trustops.identity import services as identity
from trustops.kernel.errors import DomainError


def client_address(request) -> str | None:
    """The address django-axes counts sign-in failures against (AXES_CLIENT_IP_CALLABLE): the peer, or the
    client as the trusted proxies in front reported it (waitress rewrote REMOTE_ADDR before Django ran)."""
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) when a sign-in is refused for too many failures."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_seconds": int(cool_off.total_seconds()) if cool_off else None,
        # Each attempt during the lock starts the wait again, so the lock ends one cool-off from now.
        "retry_at": timezone.now() + cool_off if cool_off else None,
    }
    return render(request, "console/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _next_url(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _device_id(raw: str | None) -> int:
    """The device the enrolment form names; a value that names no device becomes 0, which none has."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else 0


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@never_cache
def second_factor(request):
    """Enrol an authenticator app (first time) or verify a code from it (every sign-in)."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    next_url = _next_url(request)
    if not needs_second_factor(user) or user.is_verified():
        return redirect(next_url)
    enrolled = django_otp.user_has_device(user, confirmed=True)
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            if enrolled:
                device = identity.verify_totp(user=user, code=code)
            else:
                device = identity.confirm_totp_device(user=user, device_id=_device_id(request.POST.get("device")),
                                                      code=code)
        except DomainError as refused:
            error = refused
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(next_url)
    context = {"next": next_url, "error": error}
    if enrolled:
        return render(request, "console/totp_verify.html", context, status=422 if error else 200)
    device = identity.start_totp_enrolment(user=user)
    context.update(device=device, secret=_grouped(b32encode(device.bin_key).decode()),
                   qr_svg=segno.make(device.config_url, error="m").svg_inline(
                       scale=4, dark="#1d2330", svgclass="qr", title="QR code for your authenticator app"))
    return render(request, "console/totp_enrol.html", context, status=422 if error else 200)
