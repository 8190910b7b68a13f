"""What every workforce console page shares: sign-in, and hidden things shown as "not found"."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from trustops.identity import access
from trustops.identity.roles import REVIEWER_ROLES
from trustops.kernel.errors import Forbidden, NotFound


def page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return login_required(wrapper)


def takes_training(user) -> bool:
    return access.viewer(user).role in REVIEWER_ROLES


def uses_workforce(user) -> bool:
    """Whether any workforce planning page is for this person."""
    return (access.reads_planning(user) or access.files_requirements(user) or access.manages_training(user)
            or takes_training(user))


def require(allowed: bool) -> None:
    if not allowed:
        raise NotFound("not_found", "Nothing here.")


def errors_of(exc) -> list[str]:
    details = getattr(exc, "details", None) or {}
    if details.get("problems"):
        return [f"{p['field']}: {p['message']}" for p in details["problems"]]
    return [exc.message]
