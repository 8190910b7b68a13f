"""The contract editor: a new version drafted from the contract's latest (its terms as an editable document:
pricing per queue or tier, SLA terms per queue, the quality target, credits, bonus or malus), every validation
problem shown at once with the draft kept, and published as the next version."""
import json
from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid
from trustops.workforce.contracts import selectors, services
from trustops.workforce.measurement import periods
from trustops.workforce.pages.common import page, require
from trustops.workforce.vendors.selectors import vendor_for

MAX_TERMS_CHARS = 100_000


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
    form = {"terms": json.dumps(latest.terms if latest else {}, indent=2, sort_keys=True),
            "effective_from": periods.following(clock.now().date().replace(day=1)).isoformat(),
            "effective_to": "", "note": ""}
    if request.method == "POST":
        form = {name: request.POST.get(name, "")[:MAX_TERMS_CHARS] for name in form}
        effective_from = _day(form["effective_from"], "effective_from", problems)
        if effective_from is None and not any(p["field"] == "effective_from" for p in problems):
            problems.append({"field": "effective_from", "message": "a start date is needed"})
        effective_to = _day(form["effective_to"], "effective_to", problems)
        try:
            terms = json.loads(form["terms"])
            if not isinstance(terms, dict):
                raise ValueError("the terms are an object ({...})")
        except ValueError as error:
            problems.append({"field": "terms", "message": f"not a terms document: {error}"})
            terms = None
        if not problems:
            try:
                version = services.add_version(actor=request.user, vendor_id=vendor.pk, contract_id=contract.pk,
                                               effective_from=effective_from, effective_to=effective_to,
                                               terms=terms, note=form["note"][:4000])
                messages.success(request, f"{contract.reference} version {version.number} published, in force "
                                          f"from {version.effective_from.isoformat()}.")
                return redirect("workforce:vendor", vendor_id=vendor.pk)
            except (Invalid, Conflict) as error:
                problems = (error.details or {}).get("problems") or [
                    {"field": error.field or "", "message": error.message}]
    return render(request, "workforce/contract_draft.html", {
        "vendor": vendor, "contract": contract, "latest": latest, "form": form, "problems": problems,
        "versions": contract.versions.order_by("number")}, status=422 if problems else 200)
