"""Settings: queues, routing rules (with the routing tester) and webhook endpoints, for admins and policy managers.

Forms post to views that call the same services the API calls; a refusal is shown beside the form it is about.
"""
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.console.views import console_page
from trustops.identity import access
from trustops.identity.access import CLEARANCES
from trustops.kernel.errors import DomainError, Forbidden, Invalid
from trustops.outbox import selectors as outbox_read
from trustops.outbox import services as outbox
from trustops.policies.actions import ACTIONS
from trustops.review import configuration
from trustops.review import selectors as review_read
from trustops.review.priority import SOURCE_TRUST
from trustops.subjects.models import SUBJECT_TYPES


def _configurer(request):
    if not access.configures_platform(request.user):
        raise Forbidden("not_a_configurer", "Settings are for admins and policy managers.")
    return request.user


def _words(request, name: str) -> list[str]:
    """A comma- or space-separated field (or a multiple choice) as a list."""
    values = request.POST.getlist(name)
    return [w for value in values for w in value.replace(",", " ").split() if w]


def _number(request, name: str, *, blank=None):
    value = request.POST.get(name, "").strip()
    if not value:
        return blank
    try:
        return int(value)
    except ValueError:
        raise Invalid("invalid_number", f"{name.replace('_', ' ')} is a whole number.", field=name) from None


def _queue_form(request) -> dict:
    hours = request.POST.get("sla_hours", "").strip()
    try:
        sla_seconds = round(float(hours) * 3600) if hours else 24 * 3600
    except ValueError:
        raise Invalid("invalid_sla", "The SLA is a number of hours.", field="sla_seconds") from None
    return {"name": request.POST.get("name", "").strip(), "description": request.POST.get("description", ""),
            "sla_seconds": sla_seconds, "tier": _number(request, "tier", blank=1),
            "severe_content": request.POST.get("severe_content") == "on",
            "required_clearance": request.POST.get("required_clearance", ""),
            "teams": _words(request, "teams"), "vendors": _words(request, "vendors"),
            "allowed_actions": _words(request, "allowed_actions"),
            "is_default": request.POST.get("is_default") == "on", "active": request.POST.get("active") == "on",
            "requires_certification": request.POST.get("requires_certification") == "on"}


def _queue_choices() -> dict:
    from trustops.identity.models import Team, Vendor  # the console reads choices for its forms
    return {"clearances": CLEARANCES, "actions": ACTIONS, "teams": Team.objects.order_by("name"),
            "vendors": Vendor.objects.order_by("name")}


@console_page
def queues(request):
    user = _configurer(request)
    error, form = None, {}
    if request.method == "POST":
        try:
            form = _queue_form(request)
            key = request.POST.get("key", "").strip()
            form["key"] = key
            configuration.create_queue(key=key, actor=user, **{k: v for k, v in form.items() if k != "key"})
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, f"Queue {key} created.")
            return redirect("console:settings_queues")
    return render(request, "console/settings_queues.html", {
        "queues": review_read.configurable_queues(user).prefetch_related("teams", "vendors").order_by("tier", "key"),
        "error": error, "form": form, **_queue_choices()}, status=error.status if error else 200)


@console_page
def queue_edit(request, queue_key: str):
    user = _configurer(request)
    queue = review_read.get_queue_settings(user, queue_key)
    error = None
    if request.method == "POST":
        try:
            configuration.update_queue(key=queue.key, actor=user, **_queue_form(request))
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, f"Queue {queue.key} saved. A new SLA applies to cases opened from now on.")
            return redirect("console:settings_queues")
    return render(request, "console/settings_queue.html", {
        "queue": queue, "current": configuration.queue_settings(queue), "error": error,
        "sla_hours": f"{queue.sla_seconds / 3600:g}", **_queue_choices()}, status=error.status if error else 200)


def _rules_page(request, *, error=None, probe=None, probe_error=None, form=None, status=200):
    user = request.user
    return render(request, "console/settings_routing.html", {
        "rules": list(review_read.routing_rules(user)), "queues": review_read.configurable_queues(user)
        .order_by("key"), "error": error, "probe": probe, "probe_error": probe_error, "form": form or {},
        "subject_types": SUBJECT_TYPES, "sources": SOURCE_TRUST,
        "default_queue": review_read.default_queue_key()}, status=status)


@console_page
def routing(request):
    user = _configurer(request)
    if request.method != "POST":
        return _rules_page(request)
    form = {name: request.POST.get(name, "") for name in ("name", "queue", "policy_prefixes", "regions",
                                                          "languages", "min_severity", "min_reach")}
    form["subject_types"], form["sources"] = _words(request, "subject_types"), _words(request, "sources")
    try:
        configuration.create_rule(
            name=form["name"].strip(), queue=form["queue"], actor=user, subject_types=form["subject_types"],
            policy_prefixes=_words(request, "policy_prefixes"), regions=[r.upper() for r in
                                                                         _words(request, "regions")],
            languages=_words(request, "languages"), sources=form["sources"],
            min_severity=_number(request, "min_severity"), min_reach=_number(request, "min_reach"))
    except DomainError as refused:
        return _rules_page(request, error=refused, form=form, status=refused.status)
    messages.success(request, f"Routing rule “{form['name'].strip()}” added last.")
    return redirect("console:settings_routing")


@require_POST
@console_page
def rule_action(request, rule_id: int, action: str):
    user = _configurer(request)
    try:
        if action == "up":
            configuration.move_rule(rule_id=rule_id, by=-1, actor=user)
        elif action == "down":
            configuration.move_rule(rule_id=rule_id, by=1, actor=user)
        elif action == "toggle":
            rule = next((r for r in review_read.routing_rules(user) if r.pk == rule_id), None)
            configuration.update_rule(rule_id=rule_id, enabled=not (rule and rule.enabled), actor=user)
        elif action == "delete":
            configuration.delete_rule(rule_id=rule_id, actor=user)
    except DomainError as refused:
        return _rules_page(request, error=refused, status=refused.status)
    return redirect("console:settings_routing")


@require_POST
@console_page
def routing_test(request):
    _configurer(request)
    try:
        probe = configuration.which_rule(
            subject_type=request.POST.get("subject_type", ""), policy_code=request.POST.get("reason", "").strip(),
            region=request.POST.get("region", "").strip().upper() or settings.TRUSTOPS["DEFAULT_REGION"],
            language=request.POST.get("language", "").strip(), source=request.POST.get("source", "user"),
            reach=_number(request, "reach", blank=0))
    except DomainError as refused:
        return _rules_page(request, probe_error=refused, status=refused.status)
    return _rules_page(request, probe={**probe, "asked": request.POST})


@console_page
def webhooks(request):
    user = _configurer(request)
    error, created = None, None
    if request.method == "POST":
        try:
            endpoint, secret = outbox.create_endpoint(
                url=request.POST.get("url", "").strip(), event_kinds=request.POST.getlist("events"),
                name=request.POST.get("name", "").strip(), actor=user)
        except DomainError as refused:
            error = refused
        else:
            # Rendered, not redirected: the secret is shown in this answer only.
            created = {"endpoint": endpoint, "secret": secret}
    return render(request, "console/settings_webhooks.html", {
        "endpoints": outbox_read.endpoints_visible_to(user), "kinds": outbox.EVENT_KINDS, "error": error,
        "created": created}, status=error.status if error else (201 if created else 200))


@require_POST
@console_page
def webhook_action(request, endpoint_id: int, action: str):
    user = _configurer(request)
    endpoint = outbox_read.get_endpoint(user, endpoint_id)
    try:
        if action == "test":
            delivery = outbox.send_test(endpoint_id=endpoint.pk, actor=user)
            messages.success(request, f"Test event queued for {endpoint.name} (delivery {delivery.pk}).")
        elif action == "remove":
            outcome = outbox.remove_endpoint(endpoint_id=endpoint.pk, actor=user)
            messages.success(request, f"{endpoint.name} {outcome}.")
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("console:settings_webhooks")


@require_POST
@console_page
def redeliver(request, delivery_id: int):
    user = request.user
    if not outbox_read.may_redeliver(user):
        raise Forbidden("not_a_configurer", "Redelivering is for admins.")
    try:
        outbox.redeliver(delivery_id=delivery_id, actor=user)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Delivery {delivery_id} is being sent again.")
    return redirect("console:deliveries")
