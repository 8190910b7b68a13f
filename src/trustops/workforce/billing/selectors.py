"""Reading invoices, scoped by their vendor (`access.vendor_filter`); hidden invoices do not exist."""
from collections import defaultdict

from django.db.models import QuerySet

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.workforce.billing.models import DisputeStatus, Invoice


def invoices_visible_to(person) -> QuerySet[Invoice]:
    return Invoice.objects.filter(access.vendor_filter(person, "vendor__")).select_related("vendor")


def invoice_for(person, invoice_id: int) -> Invoice:
    invoice = invoices_visible_to(person).filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound("invoice_not_found", "No such invoice.")
    return invoice


def describe(invoice: Invoice) -> dict:
    return {
        "id": invoice.pk, "vendor_id": invoice.vendor_id, "vendor": invoice.vendor.name,
        "month": invoice.month.isoformat()[:7], "status": invoice.status, "currency": invoice.currency,
        "contract_version_id": invoice.contract_version_id, "charges": invoice.charges, "credits": invoice.credits,
        "adjustments": invoice.adjustments, "total": invoice.total, "computed_at": invoice.computed_at,
        "version": invoice.version, "locked": invoice.locked,
        "manager_approved_by": invoice.manager_approved_by.username if invoice.manager_approved_by else None,
        "finance_approved_by": invoice.finance_approved_by.username if invoice.finance_approved_by else None,
        "lines": [{"id": line.pk, "position": line.position, "kind": line.kind, "queue": line.queue_key,
                   "description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                   "amount": line.amount, "reason": line.reason} for line in invoice.lines.all()],
        "disputes": [{"id": d.pk, "line_id": d.line_id, "reason": d.reason, "status": d.status,
                      "raised_by": d.raised_by.username, "raised_at": d.raised_at, "resolution": d.resolution}
                     for d in invoice.disputes.select_related("raised_by").order_by("raised_at")],
        "sla": invoice.figures.get("sla", {}), "quality": invoice.figures.get("quality"),
    }


def open_disputes(invoice: Invoice) -> int:
    return invoice.disputes.filter(status=DisputeStatus.OPEN).count()


def reconciliation(invoice: Invoice) -> dict:
    """Our count against the vendor's, per queue and day, and per queue: every cell where either side counted.
    Without an imported count there is nothing to reconcile (`imported` false)."""
    ours = {(p["queue"], p["period"]): p["volume"] for p in invoice.figures.get("periods", [])}
    theirs = {(c.queue_key, c.day.isoformat()): c.decisions for c in invoice.vendor_counts.all()}
    imported = bool(theirs)
    rows, per_queue = [], defaultdict(lambda: {"ours": 0, "theirs": 0})
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key, 0), theirs.get(key, 0)
        per_queue[key[0]]["ours"] += a
        per_queue[key[0]]["theirs"] += b
        if a != b:
            rows.append({"queue": key[0], "day": key[1], "ours": a, "theirs": b, "difference": b - a})
    queues = [{"queue": q, **v, "difference": v["theirs"] - v["ours"]} for q, v in sorted(per_queue.items())]
    return {"imported": imported, "differences": rows if imported else [], "queues": queues if imported else [],
            "ours": sum(ours.values()), "theirs": sum(theirs.values()) if imported else None,
            "matches": imported and not rows}
