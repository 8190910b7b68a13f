"""The console shell and its list pages: queues, appeals, the webhook delivery log, preferences.

Views are thin: reads go through the owning app's selectors (which decide who sees what), writes through its
services. Domain errors become pages or inline messages, never server errors.
"""
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from trustops.identity import services as identity
from trustops.identity.models import MediaPreference
from trustops.kernel.errors import Forbidden, Invalid, NotFound
from trustops.outbox import selectors as outbox
from trustops.outbox.models import DeliveryStatus
from trustops.review import casework
from trustops.review import selectors as review
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


def console_page(view):
    """A signed-in console view whose `NotFound`/`Forbidden` become calm pages.

    Something the person may not see is "not found", exactly like something that does not exist.
    """
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return console_login_required(wrapper)


def partial_or_page(request, partial: str, page: str, context: dict) -> HttpResponse:
    """The fragment for an HTMX refresh, the whole page otherwise; caches must keep the two apart."""
    response = render(request, partial if request.headers.get("HX-Request") else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def local_url(request, candidate: str | None, default: str) -> str:
    """`candidate` if it stays on this site, else `default` (never an open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return resolve_url(default)


@console_login_required
def home(request):
    return redirect("console:queues")


@console_login_required
def queue_overview(request):
    return partial_or_page(request, "console/_queue_table.html", "console/queues.html",
                           {"queues": overview(request.user), "workable": review.workable_queue_keys(request.user),
                            "refresh_seconds": QUEUE_REFRESH_SECONDS})


@require_POST
@console_page
def next_case(request, queue_key: str):
    """Claim the next case of the queue and open it; a friendly note when nothing is waiting."""
    back = local_url(request, request.POST.get("return_to"), "console:queues")
    try:
        case = casework.claim_next(actor=request.user, queue_key=queue_key)
    except (NotFound, Forbidden) as error:
        messages.error(request, error.message)
        return redirect(back)
    if case is None:
        queue = review.queues_visible_to(request.user).filter(key=queue_key).first()
        messages.info(request, f"Nothing waiting in {queue.name if queue else queue_key}. "
                               "New cases show up in the overview as they arrive.")
        return redirect(back)
    return redirect("console:case", case_id=case.pk)


@console_page
def appeals(request):
    user = request.user
    appeals_queue = review.queues_visible_to(user).filter(key=settings.TRUSTOPS["APPEALS_QUEUE"]).first()
    return render(request, "console/appeals.html", {
        "appeals": review.pending_appeals_visible_to(user),
        "appeals_queue": appeals_queue,
        "may_take": appeals_queue is not None and review.may_work(user, appeals_queue),
    })


@console_page
def deliveries(request):
    user = request.user
    if not outbox.may_see_deliveries(user):
        raise Forbidden("delivery_log_closed", "The webhook delivery log is open to admins and team leads.")
    status = request.GET.get("status") if request.GET.get("status") in DeliveryStatus.values else None
    return render(request, "console/deliveries.html", {
        "deliveries": outbox.deliveries_visible_to(user, status=status), "status": status,
        "statuses": DeliveryStatus.values})


@console_page
def preferences(request):
    user = request.user
    error = None
    if request.method == "POST":
        try:
            identity.set_media_preference(user=user, preference=request.POST.get("media_preference", ""))
        except Invalid as refused:
            error = refused
        else:
            messages.success(request, "Saved. Media now opens "
                                      f"{MediaPreference(user.media_preference).label.lower()}.")
            return redirect("console:preferences")
    return render(request, "console/preferences.html", {
        "choices": MediaPreference.choices, "current": user.media_preference, "error": error},
        status=error.status if error else 200)
