"""The merchant specialist's workspace in the console: search, the merchant page, the onboarding review queue,
licences expiring soon, and the category tree and rules. Thin: each view calls one selector or service."""
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.kernel.errors import DomainError, Forbidden, Invalid, NotFound
from trustops.merchants import lifecycle, selectors
from trustops.merchants.models import Status
from trustops.merchants.services import configuration, decisions, listings, onboarding, qualifications
from trustops.merchants.services.common import current_rules

BAND_LABELS = {"healthy": "Healthy", "at_risk": "At risk", "critical": "Critical"}


def workspace_page(view):
    """Signed in, and a person of the merchant workspace; anything hidden is the not-found page."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if not access.uses_merchant_workspace(request.user) and not access.masks_merchant(request.user):
                raise NotFound("not_found", "Nothing here.")
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return login_required(wrapper)


@workspace_page
def workspace(request):
    if not access.uses_merchant_workspace(request.user):
        raise NotFound("not_found", "Nothing here.")
    q = request.GET.get("q", "")[:200]
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    return render(request, "merchants/workspace.html", {
        "q": q, "status": status, "statuses": Status.values,
        "found": selectors.search(request.user, q, status=status) if (q or status) else [],
        "onboarding": selectors.onboarding_queue(request.user),
        "expiring": selectors.expiring_licences(request.user),
        "appeals": selectors.waiting_appeals(request.user),
        "configures": access.configures_merchants(request.user)})


def _bars(contributions: list[dict]) -> list[dict]:
    """Each factor's lost points as a share of its weight, in steps of 5% (CSS classes, no inline style)."""
    out = []
    for c in contributions:
        share = 0 if not c["weight"] else min(100, round(-c["points"] / c["weight"] * 100))
        out.append({**c, "share": share, "step": 5 * round(share / 5)})
    return out


@workspace_page
def merchant_page(request, external_id: str):
    merchant = selectors.get_merchant(request.user, external_id)
    detail = selectors.detail(request.user, merchant)
    return render(request, "merchants/merchant.html", {
        "m": detail, "bars": _bars(detail["health"]["contributions"]),
        "band_label": BAND_LABELS.get(detail["health"]["band"]),
        "governs": access.governs_merchants(request.user), "masked": access.masks_merchant(request.user),
        "history": selectors.history(request.user, merchant),
        "appealable": selectors.appealable(merchant) if access.onboards_merchants(request.user) else [],
        "onboarding": merchant.status in lifecycle.ONBOARDING})


def _date(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("invalid_field", f"{field} is a date (YYYY-MM-DD).", field=field) from None


def _number(text: str, field: str):
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid("invalid_field", f"{field} is a number.", field=field) from None
    if not value.is_finite():
        raise Invalid("invalid_field", f"{field} is a number.", field=field)
    return value


def _id(text: str, field: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise Invalid("invalid_field", f"{field} is an id.", field=field)
    return int(text)


def _act(request, external_id: str, action: str) -> str:
    p, actor = request.POST, request.user
    reason = p.get("reason", "")[:500]
    if action == "transition":
        onboarding.transition(actor=actor, external_id=external_id, to=p.get("to", "")[:32], reason=reason)
        return "Moved."
    if action == "document":
        onboarding.review_document(actor=actor, external_id=external_id, document_id=_id(p.get("id", ""), "id"),
                                   outcome=p.get("outcome", ""), reason=reason)
        return "Document reviewed."
    if action == "qualification":
        qualifications.review(actor=actor, external_id=external_id, qualification_id=_id(p.get("id", ""), "id"),
                              outcome=p.get("outcome", ""), reason=reason)
        return "Qualification reviewed."
    if action in ("delist", "relist"):
        listings.set_listed(actor=actor, external_id=external_id, listing_id=p.get("listing", "")[:200],
                            listed=action == "relist", reason=reason)
        return "Listing delisted." if action == "delist" else "Listing relisted."
    if action == "funds":
        percent, days = _number(p.get("reserve_percent", ""), "reserve_percent"), _number(
            p.get("reserve_days", ""), "reserve_days")
        decisions.decide_funds(
            actor=actor, external_id=external_id, reason=reason, payout=p.get("payout") or None,
            reserve_percent=None if percent is None else float(percent),
            reserve_days=None if days is None else int(days), revoke_benefits=p.getlist("revoke"),
            until=_date(p.get("until", ""), "until"))
        return "Decision recorded."
    if action == "reverse":
        decisions.reverse_decision(actor=actor, external_id=external_id, what=p.get("what", ""), reason=reason)
        return "Decision reversed."
    if action == "evasion":
        onboarding.clear_evasion(actor=actor, external_id=external_id, reason=reason)
        return "Ban-evasion flag cleared."
    if action == "appeal":
        status, found = decisions.appeal(actor=actor, external_id=external_id, about=p.get("about", "")[:16],
                                         statement=p.get("statement", "")[:4000])
        return f"Appeal {found['appeal_id']} recorded: case {found['case_id']} in the {found['queue']} queue." if (
            status == 201) else f"This appeal was already recorded (appeal {found['appeal_id']})."
    raise NotFound("not_found", "No such action.")


@require_POST
@workspace_page
def merchant_action(request, external_id: str, action: str):
    selectors.get_merchant(request.user, external_id)   # hidden: 404 before anything else
    try:
        messages.success(request, _act(request, external_id, action))
    except (NotFound, Forbidden):
        raise
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("merchants:merchant", external_id=external_id)


def _requirements(text: str) -> dict:
    """"US: health_permit, food_handler" lines; "*" for every region."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        region, _, kinds = line.partition(":")
        out[region.strip()] = [k.strip() for k in kinds.split(",") if k.strip()]
    return out


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@workspace_page
def categories(request):
    if not access.configures_merchants(request.user) and not access.uses_merchant_workspace(request.user):
        raise NotFound("not_found", "Nothing here.")
    if request.method == "POST":
        if not access.configures_merchants(request.user):
            raise Forbidden("forbidden", "Your role may not configure merchant categories.")
        p = request.POST
        try:
            if p.get("form") == "rules":

                try:
                    body = json.loads(p.get("rules", "{}"))
                except ValueError:
                    raise Invalid("invalid_field", "The rules are JSON.", field="rules") from None
                configuration.save_rules(actor=request.user, body=body)
            else:
                configuration.save_category(
                    actor=request.user, code=p.get("code", "").strip()[:64], name=p.get("name", "").strip()[:120],
                    parent=p.get("parent") or None, requirements=_requirements(p.get("requirements", "")),
                    documents=_lines(p.get("documents", "")),
                    prohibited_services=_lines(p.get("prohibited_services", "")),
                    misleading_phrases=_lines(p.get("misleading_phrases", "")), active=p.get("active") == "on")
            messages.success(request, "Saved.")
        except (NotFound, Forbidden):
            raise
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("merchants:categories")

    return render(request, "merchants/categories.html", {
        "categories": selectors.categories(), "configures": access.configures_merchants(request.user),
        "rules": json.dumps(current_rules(), indent=2)})
