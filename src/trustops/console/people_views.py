"""Settings › Users, for admins: find people, open an account, change its role, regions, vendor, team and
clearances, deactivate and reactivate it, and see or revoke its API tokens. Writes go through identity's services
(the ledger keeps each change, before and after)."""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.console.views import console_page
from trustops.identity import access
from trustops.identity import selectors as people
from trustops.identity import services as identity
from trustops.identity.access import CLEARANCES
from trustops.identity.models import Team, Vendor
from trustops.identity.roles import Role
from trustops.kernel.errors import DomainError, Forbidden, Invalid

PAGE_SIZE = 100


def _administrator(request):
    if not access.administers_people(request.user):
        raise Forbidden("not_an_admin", "Accounts are managed by admins.")
    return request.user


def _regions(request) -> list[str]:
    words = request.POST.get("regions", "").replace(",", " ").split()
    return [w if w == "*" else w.upper() for w in words]


def _clearances(request) -> list[str]:
    chosen = request.POST.getlist("clearances")
    unknown = sorted(set(chosen) - set(CLEARANCES))
    if unknown:
        raise Invalid("unknown_clearance", f"Unknown clearances {', '.join(unknown)}.", field="clearances")
    return chosen


def _posted_fields(request) -> dict:
    return {"role": request.POST.get("role", ""), "email": request.POST.get("email", ""),
            "regions": request.POST.get("regions", ""), "vendor": request.POST.get("vendor", ""),
            "team": request.POST.get("team", ""), "clearances": request.POST.getlist("clearances")}


def _account_fields(person) -> dict:
    return {"role": person.role, "email": person.email, "regions": ", ".join(person.cleared_regions),
            "vendor": person.vendor.key if person.vendor else "", "team": person.team.key if person.team else "",
            "clearances": person.clearances}


def _choices() -> dict:
    return {"roles": Role.choices, "clearances": CLEARANCES, "vendors": Vendor.objects.order_by("name"),
            "teams": Team.objects.select_related("vendor").order_by("name")}


@console_page
def users(request):
    admin = _administrator(request)
    error = None
    if request.method == "POST":
        try:
            created = identity.enrol_person(
                username=request.POST.get("username", ""), role=request.POST.get("role", ""),
                password=request.POST.get("password", ""), email=request.POST.get("email", "").strip()[:254],
                vendor=request.POST.get("vendor", "").strip() or None,
                team=request.POST.get("team", "").strip() or None, regions=_regions(request),
                clearances=_clearances(request), actor=admin)
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, f"{created.username} can sign in now.")
            return redirect("console:settings_user", user_id=created.pk)
    query, role, active = (request.GET.get("q", "")[:100], request.GET.get("role", ""),
                           request.GET.get("active", ""))
    found = people.people_visible_to(admin, query=query, role=role if role in Role.values else "", active=active)
    return render(request, "console/settings_users.html", {
        "people": found[:PAGE_SIZE], "total": found.count(), "query": query, "role": role, "active": active,
        "error": error, "form": request.POST if error else {},
        "fields": _posted_fields(request) if error else {"role": Role.MODERATOR, "regions": "*"}, **_choices()}, status=error.status if error else 200)


def _changes(request, person) -> dict:
    vendor_key, team_key = request.POST.get("vendor", ""), request.POST.get("team", "")
    vendor = Vendor.objects.filter(key=vendor_key).first() if vendor_key else None
    team = Team.objects.filter(key=team_key).first() if team_key else None
    if vendor_key and vendor is None:
        raise Invalid("unknown_vendor", f"No vendor {vendor_key!r}.", field="vendor")
    if team_key and team is None:
        raise Invalid("unknown_team", f"No team {team_key!r}.", field="team")
    return {"role": request.POST.get("role", ""), "cleared_regions": _regions(request),
            "clearances": _clearances(request), "vendor": vendor, "team": team,
            "email": request.POST.get("email", "").strip()[:254]}


def _user_page(request, person, *, error=None, status=200):
    return render(request, "console/settings_user.html", {
        "person": person, "tokens": people.tokens_visible_to(request.user, owner_id=person.pk),
        "error": error, "fields": _posted_fields(request) if error and request.POST.get("role") else
        _account_fields(person), **_choices()}, status=status)


@console_page
def user_page(request, user_id: int):
    admin = _administrator(request)
    person = people.get_person(admin, user_id)
    if request.method != "POST":
        return _user_page(request, person)
    try:
        with transaction.atomic():   # a refused password leaves the other changes unsaved too
            identity.change_user(user_id=person.pk, changes=_changes(request, person), actor=admin)
            if request.POST.get("password"):
                identity.reset_password(user_id=person.pk, password=request.POST["password"], actor=admin)
    except DomainError as refused:
        return _user_page(request, people.get_person(admin, user_id), error=refused, status=refused.status)
    if person.pk == admin.pk:
        access.forget(request.user)
    messages.success(request, f"{person.username} saved.")
    return redirect("console:settings_user", user_id=person.pk)


@require_POST
@console_page
def user_active(request, user_id: int):
    admin = _administrator(request)
    person = people.get_person(admin, user_id)
    activate = request.POST.get("active") == "yes"
    try:
        identity.change_user(user_id=person.pk, changes={"is_active": activate}, actor=admin)
    except DomainError as refused:
        return _user_page(request, person, error=refused, status=refused.status)
    messages.success(request, f"{person.username} {'reactivated' if activate else 'deactivated'}.")
    return redirect("console:settings_user", user_id=person.pk)
