"""Invoices: compute a month, read it line by line, import the vendor's count, dispute, approve, download."""
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.billing import exports, selectors, services
from trustops.workforce.inputs import Month, Text
from trustops.workforce.measurement import periods
from trustops.workforce.vendors import selectors as vendor_selectors

router = Router(tags=["vendors"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSE = {"responses": {200: {"description": "The file", "content": {
    "text/csv": BINARY, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY,
    "application/pdf": BINARY}}}}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_CSV_CHARACTERS = 5_000_000


class LineOut(Schema):
    id: int
    position: int
    kind: str
    queue: str
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    reason: str


class InvoiceDisputeOut(Schema):
    id: int
    line_id: int | None
    reason: str
    status: str
    raised_by: str
    raised_at: datetime
    resolution: str


class InvoiceOut(Schema):
    id: int
    vendor_id: int
    vendor: str
    month: str
    status: str
    currency: str
    contract_version_id: int
    charges: Decimal
    credits: Decimal
    adjustments: Decimal
    total: Decimal
    computed_at: datetime
    version: int
    locked: bool
    manager_approved_by: str | None
    finance_approved_by: str | None
    lines: list[LineOut]
    disputes: list[InvoiceDisputeOut]
    sla: dict[str, Any]
    quality: dict[str, Any] | None


class InvoiceSummary(Schema):
    id: int
    vendor_id: int
    month: str
    status: str
    currency: str
    total: Decimal


class ComputeIn(Schema):
    month: Month


class VendorCountIn(Schema):
    csv: str = Field(max_length=MAX_CSV_CHARACTERS, description="queue,day,decisions — one row per queue and day")


class DifferenceOut(Schema):
    queue: str
    day: str
    ours: int
    theirs: int
    difference: int


class QueueDifferenceOut(Schema):
    queue: str
    ours: int
    theirs: int
    difference: int


class ReconciliationOut(Schema):
    imported: bool
    matches: bool
    ours: int
    theirs: int | None
    differences: list[DifferenceOut]
    queues: list[QueueDifferenceOut]


class InvoiceDisputeIn(Schema):
    reason: Text = Field(min_length=1)
    line_id: Id | None = None


class ResolveIn(Schema):
    resolution: Text = Field(min_length=1)


class ApproveIn(Schema):
    version: int | None = Field(default=None, ge=1, le=2_000_000_000)


@router.get("/vendors/{vendor_id}/invoices", response=list[InvoiceSummary], auth=scope("workforce:read"),
            summary="A vendor's invoices, newest month first")
def list_invoices(request, vendor_id: Id):
    vendor = vendor_selectors.vendor_for(request.auth, vendor_id)
    return [{"id": i.pk, "vendor_id": i.vendor_id, "month": periods.label(i.month), "status": i.status,
             "currency": i.currency, "total": i.total}
            for i in selectors.invoices_visible_to(request.auth).filter(vendor=vendor)]


@router.post("/vendors/{vendor_id}/invoices", response={201: InvoiceOut}, auth=scope("workforce:write"),
             summary="Compute (or recompute) the vendor's invoice for a month from trustops' records, under the "
                     "contract version in force on the month's first day")
def post_invoice(request, vendor_id: Id, body: ComputeIn):
    invoice = services.compute_invoice(actor=request.auth, vendor_id=vendor_id,
                                       month=periods.parse_month(body.month))
    return Status(201, selectors.describe(invoice))


@router.get("/invoices/{invoice_id}", response=InvoiceOut, auth=scope("workforce:read"),
            summary="An invoice line by line, with the reason for each credit and adjustment")
def get_invoice(request, invoice_id: Id):
    return selectors.describe(selectors.invoice_for(request.auth, invoice_id))


@router.post("/invoices/{invoice_id}/vendor-count", response=ReconciliationOut, auth=scope("workforce:write"),
             summary="Import the vendor's own count (CSV) and reconcile it with trustops' per queue and day; a CSV "
                     "with unknown queues, duplicate rows or bad values is refused with every problem listed")
def post_vendor_count(request, invoice_id: Id, body: VendorCountIn):
    return services.import_vendor_counts(actor=request.auth, invoice_id=invoice_id, text=body.csv)


@router.get("/invoices/{invoice_id}/reconciliation", response=ReconciliationOut, auth=scope("workforce:read"),
            summary="Differences between trustops' count and the vendor's, per queue and day")
def get_reconciliation(request, invoice_id: Id):
    return selectors.reconciliation(selectors.invoice_for(request.auth, invoice_id))


@router.post("/invoices/{invoice_id}/disputes", response={201: InvoiceDisputeOut}, auth=scope("workforce:write"),
             summary="Dispute an invoice (or one of its lines): approval waits until it is resolved")
def post_dispute(request, invoice_id: Id, body: InvoiceDisputeIn):
    dispute = services.raise_dispute(actor=request.auth, invoice_id=invoice_id, reason=body.reason,
                                     line_id=body.line_id)
    return Status(201, {"id": dispute.pk, "line_id": dispute.line_id, "reason": dispute.reason,
                        "status": dispute.status, "raised_by": dispute.raised_by.username,
                        "raised_at": dispute.raised_at, "resolution": dispute.resolution})


@router.post("/invoices/{invoice_id}/disputes/{dispute_id}/resolve", response=InvoiceOut,
             auth=scope("workforce:write"), summary="Resolve a dispute (in-house vendor managers)")
def post_resolve(request, invoice_id: Id, dispute_id: Id, body: ResolveIn):
    services.resolve_dispute(actor=request.auth, invoice_id=invoice_id, dispute_id=dispute_id,
                             resolution=body.resolution)
    return selectors.describe(selectors.invoice_for(request.auth, invoice_id))


@router.post("/invoices/{invoice_id}/approve", response=InvoiceOut, auth=scope("workforce:write"),
             summary="The next approval: an in-house vendor manager, then finance (an admin, another person); "
                     "finance's approval locks the invoice")
def post_approve(request, invoice_id: Id, body: ApproveIn):
    invoice = services.approve(actor=request.auth, invoice_id=invoice_id, version=body.version)
    return selectors.describe(invoice)


@router.get("/invoices/{invoice_id}/file/{fmt}", auth=scope("workforce:read"),
            response={200: Any}, openapi_extra=FILE_RESPONSE, summary="The invoice as a CSV, XLSX or PDF file")
def get_invoice_file(request, invoice_id: Id, fmt: Literal["csv", "xlsx", "pdf"]):
    invoice = selectors.invoice_for(request.auth, invoice_id)
    return file_response(invoice, fmt)


def file_response(invoice, fmt: str) -> HttpResponse:
    response = HttpResponse(exports.render(invoice, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(invoice, fmt)}"'
    return response
