"""An invoice as CSV, XLSX or PDF: its lines with their reasons, and the reconciliation with the vendor's count."""
from trustops.workforce import documents
from trustops.workforce.billing import selectors
from trustops.workforce.billing.models import Invoice

LINE_HEADER = ["position", "kind", "queue", "description", "quantity", "unit_price", "amount", "reason"]
RECONCILIATION_HEADER = ["queue", "day", "ours", "theirs", "difference"]


def _line_rows(described: dict) -> list[list]:
    return [[line["position"], line["kind"], line["queue"], line["description"], line["quantity"],
             line["unit_price"], line["amount"], line["reason"]] for line in described["lines"]]


def _summary(described: dict) -> list[str]:
    return [f"Vendor: {described['vendor']}  ·  Month: {described['month']}  ·  Status: {described['status']}",
            f"Charges {described['charges']}  ·  Credits {described['credits']}  ·  "
            f"Adjustments {described['adjustments']}  ·  Total {described['total']} {described['currency']}"]


def file_name(invoice: Invoice, fmt: str) -> str:
    return f"invoice-{invoice.vendor.key}-{invoice.month:%Y-%m}.{fmt}"


def render(invoice: Invoice, fmt: str) -> bytes | str:
    described = selectors.describe(invoice)
    lines = _line_rows(described)
    recon = selectors.reconciliation(invoice)
    recon_rows = [[r["queue"], r["day"], r["ours"], r["theirs"], r["difference"]] for r in recon["differences"]]
    if fmt == "csv":
        total = [["", "total", "", "Total", "", "", described["total"], described["currency"]]]
        return documents.to_csv(LINE_HEADER, lines + total)
    if fmt == "xlsx":
        summary = [["vendor", described["vendor"]], ["month", described["month"]], ["status", described["status"]],
                   ["currency", described["currency"]], ["charges", described["charges"]],
                   ["credits", described["credits"]], ["adjustments", described["adjustments"]],
                   ["total", described["total"]]]
        return documents.to_xlsx([("Invoice", ["item", "value"], summary), ("Lines", LINE_HEADER, lines),
                                  ("Reconciliation", RECONCILIATION_HEADER, recon_rows)])
    if fmt == "pdf":
        tables = [("Lines", LINE_HEADER[1:], [row[1:] for row in lines])]
        if recon["imported"]:
            tables.append(("Differences with the vendor's count", RECONCILIATION_HEADER, recon_rows))
        return documents.to_pdf(f"Invoice — {described['vendor']} — {described['month']}", _summary(described),
                                tables)
    raise ValueError(f"unknown format {fmt!r}")
