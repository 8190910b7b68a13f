from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers

from trustops.review.selectors import queue_overview as overview

# How often the queue overview refreshes itself in the browser.
QUEUE_REFRESH_SECONDS = 10


def console_login_required(view):
    """`login_required` that also serves the console's background refreshes (HTMX).

    A refresh that followed the usual redirect would swap the whole sign-in page into the table; instead the
    browser is told to go to the sign-in page itself, and to come back here afterwards.
    """
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            response = HttpResponse(status=401)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{query}"
            return response
        return protected(request, *args, **kwargs)
    return wrapper


def partial_or_page(request, partial: str, page: str, context: dict) -> HttpResponse:
    """The fragment for an HTMX refresh, the whole page otherwise; caches must keep the two apart."""
    response = render(request, partial if request.headers.get("HX-Request") else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@console_login_required
def home(request):
    return redirect("console:queues")


@console_login_required
def queue_overview(request):
    return partial_or_page(request, "console/_queue_table.html", "console/queues.html",
                           {"queues": overview(request.user), "refresh_seconds": QUEUE_REFRESH_SECONDS})
