"""The vendor manager's workspace in the console: vendors compared, a vendor's page (scorecard, contract
versions, invoices, people), an invoice's page (lines, reconciliation upload, disputes, approvals).

Thin: each view calls one selector, builder or service. Who sees what is `access.vendor_filter`: a vendor's own
managers see their vendor alone; anything hidden is the not-found page.
"""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.identity.models import User
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.workforce.billing import exports as invoice_exports
from trustops.workforce.billing import selectors as invoices
from trustops.workforce.billing import services as billing
from trustops.workforce.contracts import selectors as contracts
from trustops.workforce.measurement import periods
from trustops.workforce.scorecards import build, charts
from trustops.workforce.scorecards import exports as scorecard_exports
from trustops.workforce.vendors import selectors as vendors
from trustops.workforce.vendors import services as vendor_services
from trustops.workforce.vendors.models import TRANSITIONS, VendorStatus

MAX_UPLOAD_BYTES = 5_000_000
FILE_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def workspace_page(view):
    """Signed in, and for people the vendor pages answer; NotFound and Forbidden become calm pages."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if not access.reads_vendors(request.user):
                raise NotFound("not_found", "No such page.")
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return login_required(wrapper)


def _month(request):
    value = request.GET.get("month") or request.POST.get("month")
    if value:
        try:
            return periods.parse_month(value)
        except Invalid:
            pass
    return periods.following(clock.now().date().replace(day=1), -1)


def _months_around(month):
    return {"previous": periods.label(periods.following(month, -1)),
            "following": periods.label(periods.following(month, 1))
            if periods.following(month, 1) <= clock.now().date() else None}


def _refusal(request, error) -> None:
    problems = (error.details or {}).get("problems") if getattr(error, "details", None) else None
    if problems:
        for problem in problems[:20]:
            messages.error(request, f"{problem['field']}: {problem['message']}")
    else:
        messages.error(request, error.message)


@workspace_page
def vendor_list(request):
    month = _month(request)
    visible = list(vendors.vendors_visible_to(request.user))
    rows = build.compare(visible, month)
    statuses = {v.pk: vendors.describe(v)["status"] for v in visible}
    for row in rows:
        row["status"] = statuses[row["vendor_id"]]
    return render(request, "workforce/vendors.html", {
        "rows": rows, "month": periods.label(month), **_months_around(month),
        "manages": access.manages_vendors(request.user)})


@workspace_page
def vendor_page(request, vendor_id: int):
    vendor = vendors.vendor_for(request.user, vendor_id)
    month = _month(request)
    card = build.scorecard(vendor, month)
    sla_targets = [s["target_share"] for s in card["sla"].values()]
    profile = vendors.describe(vendor)
    people = (User.objects.filter(vendor=vendor).select_related("team").order_by("-is_active", "role", "username"))
    return render(request, "workforce/vendor.html", {
        "vendor": vendor, "profile": profile, "card": card, "month": periods.label(month), **_months_around(month),
        "chart": charts.trend(card["trend"], sla_target=min(sla_targets) if sla_targets else None),
        "contracts": [contracts.describe(c) for c in contracts.contracts_visible_to(request.user).filter(vendor=vendor)],
        "invoices": invoices.invoices_visible_to(request.user).filter(vendor=vendor),
        "people": people, "manages": access.manages_vendors(request.user),
        "next_statuses": sorted(TRANSITIONS[VendorStatus(profile["status"])]),
        "status_names": dict(VendorStatus.choices)})


@workspace_page
def scorecard_file(request, vendor_id: int, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise NotFound("not_found", "No such file.")
    vendor = vendors.vendor_for(request.user, vendor_id)
    card = build.scorecard(vendor, _month(request))
    response = HttpResponse(scorecard_exports.render(card, fmt), content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{scorecard_exports.file_name(card, fmt)}"'
    return response


@require_POST
@workspace_page
def change_status(request, vendor_id: int):
    try:
        vendor_services.change_status(actor=request.user, vendor_id=vendor_id,
                                      status=request.POST.get("status", ""), reason=request.POST.get("reason", ""))
        messages.success(request, "Status changed.")
    except (Invalid, Conflict) as error:
        _refusal(request, error)
    return redirect("workforce:vendor", vendor_id=vendor_id)


@require_POST
@workspace_page
def compute_invoice(request, vendor_id: int):
    month = _month(request)
    try:
        invoice = billing.compute_invoice(actor=request.user, vendor_id=vendor_id, month=month)
    except (Invalid, Conflict) as error:
        _refusal(request, error)
        return redirect("workforce:vendor", vendor_id=vendor_id)
    messages.success(request, f"Invoice for {periods.label(month)} computed.")
    return redirect("workforce:invoice", invoice_id=invoice.pk)


@workspace_page
def invoice_page(request, invoice_id: int):
    invoice = invoices.invoice_for(request.user, invoice_id)
    described = invoices.describe(invoice)
    return render(request, "workforce/invoice.html", {
        "invoice": invoice, "described": described, "reconciliation": invoices.reconciliation(invoice),
        "manages": access.manages_vendors(request.user),
        "speaks": access.speaks_for_vendor(request.user, invoice.vendor_id),
        "finance": access.approves_as_finance(request.user),
        "open_disputes": [d for d in described["disputes"] if d["status"] == "open"]})


@workspace_page
def invoice_file(request, invoice_id: int, fmt: str):
    if fmt not in FILE_TYPES:
        raise NotFound("not_found", "No such file.")
    invoice = invoices.invoice_for(request.user, invoice_id)
    response = HttpResponse(invoice_exports.render(invoice, fmt), content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{invoice_exports.file_name(invoice, fmt)}"'
    return response


def _invoice_action(request, invoice_id: int, action, success: str):
    try:
        action()
        messages.success(request, success)
    except (Invalid, Conflict, Forbidden) as error:
        if isinstance(error, Forbidden):
            raise
        _refusal(request, error)
    return redirect("workforce:invoice", invoice_id=invoice_id)


@require_POST
@workspace_page
def upload_vendor_count(request, invoice_id: int):
    invoices.invoice_for(request.user, invoice_id)
    upload = request.FILES.get("counts")
    if upload is None or upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, "Choose the vendor's CSV (up to 5 MB).")
        return redirect("workforce:invoice", invoice_id=invoice_id)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text.")
        return redirect("workforce:invoice", invoice_id=invoice_id)
    return _invoice_action(request, invoice_id, lambda: billing.import_vendor_counts(
        actor=request.user, invoice_id=invoice_id, text=text), "The vendor's count is imported and reconciled.")


@require_POST
@workspace_page
def dispute(request, invoice_id: int):
    invoices.invoice_for(request.user, invoice_id)
    return _invoice_action(request, invoice_id, lambda: billing.raise_dispute(
        actor=request.user, invoice_id=invoice_id, reason=request.POST.get("reason", "")[:4000]), "Dispute raised.")


@require_POST
@workspace_page
def resolve(request, invoice_id: int, dispute_id: int):
    invoices.invoice_for(request.user, invoice_id)
    return _invoice_action(request, invoice_id, lambda: billing.resolve_dispute(
        actor=request.user, invoice_id=invoice_id, dispute_id=dispute_id,
        resolution=request.POST.get("resolution", "")[:4000]), "Dispute resolved.")


@require_POST
@workspace_page
def approve(request, invoice_id: int):
    invoices.invoice_for(request.user, invoice_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    return _invoice_action(request, invoice_id, lambda: billing.approve(
        actor=request.user, invoice_id=invoice_id, version=version), "Approved.")
