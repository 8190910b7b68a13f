"""The contract editor: a new version drafted from the contract's latest (its terms field by field: pricing per
queue or tier, SLA terms per queue, the quality target, credits, bonus or malus, agent caps), every validation
problem shown at once and beside its field with the draft kept as typed, and published as the next version."""
from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid
from trustops.workforce.contracts import selectors, services
from trustops.workforce.measurement import periods
from trustops.workforce.pages import contract_form
from trustops.workforce.pages.common import page, require
from trustops.workforce.vendors.selectors import vendor_for

MAX_FIELDS = 2_000      # a version's terms have at most a few hundred inputs


def _day(value: str, field: str, problems: list[dict]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append({"field": field, "message": f"not a date (YYYY-MM-DD): {value[:40]!r}"})
        return None


@page
def draft_version(request, vendor_id: int, contract_id: int):
    require(access.manages_vendors(request.user))
    vendor = vendor_for(request.user, vendor_id)
    contract = selectors.contract_for(request.user, contract_id, vendor_id=vendor.pk)
    latest = contract.versions.order_by("-number").first()
    problems: list[dict] = []
    dates = {"effective_from": periods.following(clock.now().date().replace(day=1)).isoformat(),
             "effective_to": "", "note": ""}
    terms_form = contract_form.from_terms(latest.terms if latest else {})
    if request.method == "POST":
        if len(request.POST) > MAX_FIELDS:
            problems.append({"field": "terms", "message": f"more than {MAX_FIELDS:,} fields"})
        dates = {name: request.POST.get(name, "")[:4000] for name in dates}
        posted = {k: v for k, v in request.POST.items() if k not in dates}
        terms_form, terms, where = contract_form.from_post(posted)
        effective_from = _day(dates["effective_from"], "effective_from", problems)
        if effective_from is None and not any(p["field"] == "effective_from" for p in problems):
            problems.append({"field": "effective_from", "message": "a start date is needed"})
        effective_to = _day(dates["effective_to"], "effective_to", problems)
        if not problems:
            try:
                version = services.add_version(actor=request.user, vendor_id=vendor.pk, contract_id=contract.pk,
                                               effective_from=effective_from, effective_to=effective_to,
                                               terms=terms, note=dates["note"])
                messages.success(request, f"{contract.reference} version {version.number} published, in force "
                                          f"from {version.effective_from.isoformat()}.")
                return redirect("workforce:vendor", vendor_id=vendor.pk)
            except (Invalid, Conflict) as error:
                problems = (error.details or {}).get("problems") or [
                    {"field": error.field or "", "message": error.message}]
        contract_form.attach(terms_form, problems, where)
    return render(request, "workforce/contract_draft.html", {
        "vendor": vendor, "contract": contract, "latest": latest, "dates": dates, "terms": terms_form.sections(),
        "problems": problems, "versions": contract.versions.order_by("number")}, status=422 if problems else 200)
