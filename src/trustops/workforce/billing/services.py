"""Writing invoices: compute (or recompute) a vendor's month, import its own count, dispute, approve.

An invoice is computed from trustops' records under the contract version in force on the month's first day.
Approval has two steps: an in-house vendor manager, then finance (an admin, a different person); an open
dispute blocks approval, and once finance approved the invoice is locked: nothing recomputes or changes it.
"""
from datetime import date

from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.review.models import Queue
from trustops.workforce.billing import compute as arithmetic
from trustops.workforce.billing import selectors, vendor_counts
from trustops.workforce.billing.models import (
    DisputeStatus,
    Invoice,
    InvoiceDispute,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    VendorCount,
)
from trustops.workforce.contracts import selectors as contracts
from trustops.workforce.measurement import figures as measurement
from trustops.workforce.measurement import periods
from trustops.workforce.problems import refuse
from trustops.workforce.vendors import selectors as vendor_selectors


def _require_manager(actor) -> None:
    if not access.manages_vendors(actor):
        raise Forbidden("not_vendor_manager", "Only in-house vendor managers and admins settle invoices.")


def measure_month(vendor_id: int, month: date, terms) -> measurement.Measurement:
    start, end = periods.bounds(month)
    within = {sla.queue: float(sla.within_hours) * 3600 for sla in terms.sla}
    return measurement.measure(vendor_id, start, end, within=within, by="day")


def _earlier_credits(vendor_id: int, month: date, terms, outcomes: dict) -> list[arithmetic.EarlierCredit]:
    """Credits of the month `earn_back_months` ago, each with whether its SLA was met in every month since
    (the months between from their invoices, this month from this measurement)."""
    months = terms.credits.earn_back_months if terms.credits else 0
    if not months:
        return []
    origin = periods.following(month, -months)
    between = {inv.month: inv for inv in Invoice.objects.filter(
        vendor_id=vendor_id, month__gt=origin, month__lt=month)}
    earlier = Invoice.objects.filter(vendor_id=vendor_id, month=origin).first()
    if earlier is None:
        return []
    found = []
    for line in earlier.lines.filter(kind=LineKind.SLA_CREDIT):
        met = outcomes.get(line.queue_key, {}).get("met") is True
        step = periods.following(origin)
        while met and step < month:
            invoice = between.get(step)
            met = invoice is not None and invoice.figures.get("sla", {}).get(line.queue_key, {}).get("met") is True
            step = periods.following(step)
        found.append(arithmetic.EarlierCredit(periods.label(origin), line.queue_key, line.amount, met))
    return found


@transaction.atomic
def compute_invoice(*, actor, vendor_id: int, month: date) -> Invoice:
    """The vendor's invoice for the month, computed afresh; a manager's approval is withdrawn by a recompute,
    finance's approval locks the invoice."""
    vendor = vendor_selectors.vendor_for(actor, vendor_id)
    _require_manager(actor)
    if month > clock.now().date():
        raise Invalid("future_month", "month: a month that has not started cannot be billed", field="month")
    version = contracts.in_force(vendor.pk, month)
    if version is None:
        raise Invalid("no_contract", f"month: no contract of {vendor.name} is in force on {month.isoformat()}",
                      field="month")
    existing = Invoice.objects.select_for_update().filter(vendor=vendor, month=month).first()
    if existing is not None and existing.locked:
        raise Conflict("invoice_locked", "The invoice is approved by finance and locked.")
    terms = contracts.terms_of(version)
    measured = measure_month(vendor.pk, month, terms)
    outcomes = arithmetic.sla_outcomes(terms, measured)
    tiers = dict(Queue.objects.values_list("key", "tier"))
    result = arithmetic.compute(terms, measured, queue_tiers=tiers,
                                earlier=_earlier_credits(vendor.pk, month, terms, outcomes))
    snapshot = {**measured.as_dict(float(terms.quality.confidence) if terms.quality else 0.95),
                "sla": result.sla, "quality": result.quality}
    now = clock.now()
    fields = {"contract_version": version, "currency": terms.currency, "charges": result.charges,
              "credits": result.credits, "adjustments": result.adjustments, "total": result.total,
              "figures": snapshot, "computed_at": now, "status": InvoiceStatus.DRAFT,
              "manager_approved_by": None, "manager_approved_at": None}
    if existing is None:
        invoice = Invoice.objects.create(vendor=vendor, month=month, **fields)
    else:
        invoice = existing
        for name, value in fields.items():
            setattr(invoice, name, value)
        if selectors.open_disputes(invoice):
            invoice.status = InvoiceStatus.DISPUTED
        invoice.version += 1
        invoice.save()
        invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=i, kind=line.kind, queue_key=line.queue_key,
                    description=line.description[:300], quantity=line.quantity, unit_price=line.unit_price,
                    amount=line.amount, reason=line.reason) for i, line in enumerate(result.lines, start=1)])
    ledger.record("invoice.computed", actor=actor, payload={
        "invoice_id": invoice.pk, "vendor": vendor.key, "month": periods.label(month),
        "contract_version_id": version.pk, "charges": str(result.charges), "credits": str(result.credits),
        "adjustments": str(result.adjustments), "total": str(result.total), "version": invoice.version})
    return invoice


def _invoice_for_update(actor, invoice_id: int) -> Invoice:
    visible = selectors.invoice_for(actor, invoice_id)
    return Invoice.objects.select_for_update().select_related("vendor").get(pk=visible.pk)


@transaction.atomic
def import_vendor_counts(*, actor, invoice_id: int, text: str) -> dict:
    """Replace the vendor's own count on the invoice with the CSV's rows; refused whole with every problem."""
    invoice = _invoice_for_update(actor, invoice_id)
    if not access.speaks_for_vendor(actor, invoice.vendor_id):
        raise Forbidden("not_vendor_manager", "Only the vendor's managers and in-house vendor managers import counts.")
    if invoice.locked:
        raise Conflict("invoice_locked", "The invoice is approved by finance and locked.")
    rows, problems = vendor_counts.parse(text, month=invoice.month)
    refuse(problems, code="invalid_csv")
    invoice.vendor_counts.all().delete()
    VendorCount.objects.bulk_create([VendorCount(invoice=invoice, queue_key=q, day=d, decisions=n)
                                     for q, d, n in rows])
    result = selectors.reconciliation(invoice)
    ledger.record("invoice.vendor_count_imported", actor=actor, payload={
        "invoice_id": invoice.pk, "rows": len(rows), "theirs": result["theirs"], "ours": result["ours"],
        "differences": len(result["differences"])})
    return result


@transaction.atomic
def raise_dispute(*, actor, invoice_id: int, reason: str, line_id: int | None = None) -> InvoiceDispute:
    invoice = _invoice_for_update(actor, invoice_id)
    if not access.speaks_for_vendor(actor, invoice.vendor_id):
        raise Forbidden("not_vendor_manager", "Only the vendor's managers and in-house vendor managers dispute.")
    if invoice.locked:
        raise Conflict("invoice_locked", "The invoice is approved by finance and locked.")
    problems = []
    if not reason.strip():
        problems.append({"field": "reason", "message": "a dispute needs a reason"})
    line = None
    if line_id is not None:
        line = invoice.lines.filter(pk=line_id).first()
        if line is None:
            problems.append({"field": "line_id", "message": "no such line on this invoice"})
    refuse(problems)
    dispute = InvoiceDispute.objects.create(invoice=invoice, line=line, raised_by=actor, reason=reason.strip(),
                                            raised_at=clock.now())
    invoice.status, invoice.manager_approved_by, invoice.manager_approved_at = InvoiceStatus.DISPUTED, None, None
    invoice.version += 1
    invoice.save()
    ledger.record("invoice.disputed", actor=actor, payload={
        "invoice_id": invoice.pk, "dispute_id": dispute.pk, "line_id": line_id, "reason": dispute.reason})
    return dispute


@transaction.atomic
def resolve_dispute(*, actor, invoice_id: int, dispute_id: int, resolution: str) -> InvoiceDispute:
    invoice = _invoice_for_update(actor, invoice_id)
    _require_manager(actor)
    dispute = invoice.disputes.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("dispute_not_found", "No such dispute.")
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict("dispute_resolved", "The dispute is resolved already.")
    refuse([] if resolution.strip() else [{"field": "resolution", "message": "say how the dispute was resolved"}])
    dispute.status, dispute.resolution = DisputeStatus.RESOLVED, resolution.strip()
    dispute.resolved_by, dispute.resolved_at = actor, clock.now()
    dispute.save()
    if not selectors.open_disputes(invoice):
        invoice.status = InvoiceStatus.DRAFT
        invoice.version += 1
        invoice.save()
    ledger.record("invoice.dispute_resolved", actor=actor, payload={
        "invoice_id": invoice.pk, "dispute_id": dispute.pk, "resolution": dispute.resolution})
    return dispute


@transaction.atomic
def approve(*, actor, invoice_id: int, version: int | None = None) -> Invoice:
    """The next approval step: an in-house vendor manager first, then finance (an admin, another person)."""
    invoice = _invoice_for_update(actor, invoice_id)
    if version is not None and version != invoice.version:
        raise Conflict("stale_invoice", "The invoice changed since you opened it.")
    if invoice.status == InvoiceStatus.APPROVED:
        raise Conflict("invoice_locked", "The invoice is approved by finance and locked.")
    if invoice.status == InvoiceStatus.DISPUTED or selectors.open_disputes(invoice):
        raise Conflict("invoice_disputed", "Resolve the open disputes first.")
    now = clock.now()
    if invoice.status == InvoiceStatus.DRAFT:
        _require_manager(actor)
        invoice.status, invoice.manager_approved_by, invoice.manager_approved_at = (
            InvoiceStatus.MANAGER_APPROVED, actor, now)
        step = "manager"
    else:
        if not access.approves_as_finance(actor):
            raise Forbidden("not_finance", "Finance (an admin) gives the second approval.")
        if invoice.manager_approved_by_id == actor.pk:
            raise Conflict("same_approver", "The second approval must come from another person.")
        invoice.status, invoice.finance_approved_by, invoice.finance_approved_at = InvoiceStatus.APPROVED, actor, now
        step = "finance"
    invoice.version += 1
    invoice.save()
    ledger.record("invoice.approved", actor=actor, payload={
        "invoice_id": invoice.pk, "step": step, "total": str(invoice.total), "currency": invoice.currency})
    return invoice

