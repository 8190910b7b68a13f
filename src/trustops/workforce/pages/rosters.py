"""The vendor's people and roster page: a week's roster per agent, adherence, utilisation and occupancy, and
(for those who roster) shift templates, a shift for an agent's day and a roster's CSV."""
from datetime import date, time, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.identity.models import User
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid
from trustops.workforce.pages.common import errors_of, page, require
from trustops.workforce.rosters import selectors, services
from trustops.workforce.vendors.selectors import vendor_for

MAX_UPLOAD_BYTES = 2_000_000
FAILURES = (Invalid, Conflict, Forbidden)


def _week(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else clock.now().date()
    except ValueError:
        day = clock.now().date()
    day = min(max(day, date(2000, 1, 3)), date(2100, 12, 20))
    return day - timedelta(days=day.weekday())


def _back(vendor_id: int, week) -> str:
    return f"{reverse('workforce:roster', args=[vendor_id])}?week={week}"


def _flash(request, exc) -> None:
    for problem in (errors_of(exc) if isinstance(exc, Invalid) else [exc.message])[:30]:
        messages.error(request, problem)


@page
def roster(request, vendor_id: int):
    require(access.reads_vendors(request.user))
    vendor = vendor_for(request.user, vendor_id)
    monday = _week(request.GET.get("week"))
    days = [monday + timedelta(days=i) for i in range(7)]
    entries = selectors.roster_visible_to(request.user, vendor.pk, days[0], days[-1])
    agents = list(User.objects.filter(vendor=vendor, is_active=True).order_by("username"))
    grid = {(e.agent_id, e.day): e for e in entries}
    measured = selectors.adherence_of(request.user, vendor.pk, days[0], days[-1]).as_dict()
    by_agent = {row["agent"]: row for row in measured["agents"]}
    rows = [{"agent": a, "cells": [grid.get((a.pk, d)) for d in days], "figures": by_agent.get(a.username)}
            for a in agents]
    return render(request, "workforce/roster.html", {
        "vendor": vendor, "days": days, "rows": rows, "figures": measured,
        "templates": selectors.templates_visible_to(request.user, vendor.pk),
        "queues": vendor.queues.order_by("key"), "agents": agents, "week": monday,
        "previous": monday - timedelta(days=7), "following": monday + timedelta(days=7),
        "rosters": access.manages_roster(request.user, vendor.pk)})


def _time(value: str) -> time:
    return time.fromisoformat(value)


@require_POST
@page
def add_template(request, vendor_id: int):
    vendor_for(request.user, vendor_id)
    p = request.POST
    try:
        services.create_template(actor=request.user, vendor_id=vendor_id, data=services.TemplateInput(
            key=p.get("key", "")[:64], name=p.get("name", "")[:200], site=p.get("site", "")[:100],
            time_zone=p.get("time_zone", "")[:64], starts_at=_time(p.get("starts_at", "")),
            ends_at=_time(p.get("ends_at", "")),
            unpaid_break_minutes=max(0, min(1440, int(p.get("unpaid_break_minutes") or 0)))))
        messages.success(request, "Shift template added.")
    except ValueError:
        messages.error(request, "Times are HH:MM and the break is whole minutes.")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(_back(vendor_id, _week(p.get("week"))))


@require_POST
@page
def add_shift(request, vendor_id: int):
    vendor_for(request.user, vendor_id)
    p = request.POST
    try:
        line = services.RosterLine(agent=p.get("agent", "")[:150], day=date.fromisoformat(p.get("day", "")),
                                   shift=p.get("shift", "")[:64], queue=p.get("queue", "")[:64], where="shift")
        services.set_roster(actor=request.user, vendor_id=vendor_id, lines=[line])
        messages.success(request, f"{line.agent} rostered on {line.day}.")
    except ValueError:
        messages.error(request, "day: not a date (YYYY-MM-DD)")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(_back(vendor_id, _week(p.get("week") or p.get("day"))))


@require_POST
@page
def import_roster(request, vendor_id: int):
    vendor_for(request.user, vendor_id)
    week = _week(request.POST.get("week"))
    upload = request.FILES.get("roster")
    if upload is None or upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, "Choose the roster's CSV (up to 2 MB).")
        return redirect(_back(vendor_id, week))
    try:
        entries = services.import_roster_csv(actor=request.user, vendor_id=vendor_id,
                                             text=upload.read().decode("utf-8-sig"))
        messages.success(request, f"Roster imported: {len(entries)} agent days.")
        week = _week(min(e.day for e in entries).isoformat())
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text.")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(_back(vendor_id, week))


