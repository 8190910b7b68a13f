"""Actor-level investigation: one account, its standing, items, cases, decisions, links and ledger timeline."""
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from trustops.console.case_views import _without_blind
from trustops.console.views import console_page
from trustops.enforcement import selectors as enforcement
from trustops.kernel.errors import NotFound
from trustops.review import casework
from trustops.review import selectors as review
from trustops.subjects import selectors as subjects
from trustops.subjects.models import ACCOUNT_TYPES
from trustops.subjects.schemas import subject_out

TIMELINE_LENGTH = 100


@require_GET
@console_page
def account_lookup(request):
    """An account by its external id, the start of one, or its handle: straight to it when only one matches."""
    account_type = request.GET.get("type", "")
    account_type = account_type if account_type in ACCOUNT_TYPES else ""
    text = request.GET.get("external_id", "").strip()[:200]
    found = subjects.find_accounts(request.user, text, account_type=account_type or None) if text else []
    exact = [a for a in found if a.external_id == text]
    if len(found) == 1 or len(exact) == 1:
        account = exact[0] if exact else found[0]
        return redirect("console:account", account_type=account.type, external_id=account.external_id)
    return render(request, "console/account_lookup.html", {"types": ACCOUNT_TYPES, "type": account_type,
                                                           "external_id": text, "found": found,
                                                           "searched": bool(text)})


@require_GET
@console_page
def account_page(request, account_type: str, external_id: str):
    if account_type not in ACCOUNT_TYPES:
        raise NotFound("unknown_account_type", f"No account type {account_type!r}.")
    user = request.user
    account = casework.view_account(actor=user, account_type=account_type, external_id=external_id)
    events, _ = review.subject_events_shown(user, account, cursor=None, limit=TIMELINE_LENGTH)
    return render(request, "console/account.html", {
        "account": account, "detail": subject_out(account, user),
        "standing": enforcement.standing(account),
        "items": subjects.items_owned_by(user, account),
        "cases": review.cases_about_account(user, account),
        "decisions": _without_blind(user, review.decisions_about_account(user, account)),
        "linked": subjects.linked_accounts(user, account),
        "timeline": events,
    })
