"""Preferences › API tokens: anyone signed in makes their own tokens (scopes their role may hold, a lifetime),
sees each secret once, and revokes them. Admins also revoke anyone's from the user's page. Someone else's token
is not found."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.console.views import console_page, local_url
from trustops.identity import selectors as people
from trustops.identity import services as identity
from trustops.identity.roles import SCOPES, default_scopes
from trustops.kernel.errors import DomainError, Invalid


def _lifetime(request) -> int | None:
    value = request.POST.get("expires_in_days", "").strip()
    if value in ("", "never"):
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid("invalid_expiry", "Pick a lifetime from the list.", field="expires_in_days") from None


@console_page
def tokens(request):
    user = request.user
    error, created = None, None
    if request.method == "POST":
        try:
            token, secret = identity.issue_own_token(
                user=user, name=request.POST.get("name", ""), scopes=request.POST.getlist("scopes"),
                expires_in_days=_lifetime(request))
        except DomainError as refused:
            error = refused
        else:
            # Rendered, not redirected: the secret is in this answer only.
            created = {"token": token, "secret": secret}
    return render(request, "console/tokens.html", {
        "tokens": people.tokens_visible_to(user, owner_id=user.pk),
        "scopes": [(scope, SCOPES[scope]) for scope in default_scopes(user.role) if scope in SCOPES],
        "lifetimes": identity.TOKEN_LIFETIMES_DAYS, "error": error, "created": created,
        "form": request.POST if error else {}}, status=error.status if error else (201 if created else 200))


@require_POST
@console_page
def revoke(request, token_id: int):
    token = people.get_token(request.user, token_id)
    try:
        identity.revoke_token(token_id=token.pk, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Token {token.name} ({token.prefix}…) revoked: it no longer works.")
    return redirect(local_url(request, request.POST.get("return_to"), "console:tokens"))
