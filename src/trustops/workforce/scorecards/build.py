"""The Monthly Business Review scorecard of a vendor, and vendors compared.

Figures of the month come from the same measurement as the invoice (SLA per the contract in force, quality
with Wilson intervals, productivity, headcount); money from the month's invoice when there is one, else
computed on the fly under the contract (nothing is written). The trend is the last TREND_MONTHS months,
measured in one pass grouped by month (a month
already invoiced is read from the figures kept with its invoice).
"""
from datetime import date
from decimal import Decimal

from trustops.review.models import Queue
from trustops.workforce.billing import compute as arithmetic
from trustops.workforce.billing.models import Invoice
from trustops.workforce.contracts import selectors as contracts
from trustops.workforce.measurement import figures as measurement
from trustops.workforce.measurement import periods
from trustops.workforce.rosters import adherence

TREND_MONTHS = 6


def _within(terms) -> dict[str, float]:
    return {sla.queue: float(sla.within_hours) * 3600 for sla in terms.sla} if terms else {}


def _money(invoice: Invoice | None, computed: arithmetic.Computed | None) -> dict:
    if invoice is not None:
        return {"source": "invoice", "invoice_id": invoice.pk, "status": invoice.status,
                "currency": invoice.currency, "charges": invoice.charges, "credits": invoice.credits,
                "adjustments": invoice.adjustments, "total": invoice.total}
    if computed is not None:
        return {"source": "estimate", "invoice_id": None, "status": None, "currency": None,
                "charges": computed.charges, "credits": computed.credits, "adjustments": computed.adjustments,
                "total": computed.total}
    return {"source": "none", "invoice_id": None, "status": None, "currency": None, "charges": None,
            "credits": None, "adjustments": None, "total": None}


def scorecard(vendor, month: date, *, trend: bool = True) -> dict:
    version = contracts.in_force(vendor.pk, month)
    terms = contracts.terms_of(version) if version else None
    confidence = float(terms.quality.confidence) if terms and terms.quality else 0.95
    start, end = periods.bounds(month)
    measured = measurement.measure(vendor.pk, start, end, within=_within(terms), by="day")
    invoice = Invoice.objects.filter(vendor=vendor, month=month).first()
    computed = None
    if terms is not None:
        computed = arithmetic.compute(terms, measured, queue_tiers=dict(Queue.objects.values_list("key", "tier")))
    money = _money(invoice, computed)
    if computed is not None and money["currency"] is None:
        money["currency"] = terms.currency
    total = measurement.figures(measured.total, confidence)
    volume = total["volume"]
    money["cost_per_decision"] = (money["total"] / volume).quantize(Decimal("0.0001")) \
        if money["total"] is not None and volume else None
    sla_targets = {s.queue: s for s in terms.sla} if terms else {}
    queues = []
    for key, row in measured.queue_figures(confidence).items():
        target = sla_targets.get(key)
        queues.append({"queue": key, **row,
                       "sla_hours": float(target.within_hours) if target else None,
                       "sla_target": float(target.target_share) if target else None,
                       "sla_met": (row["sla_attainment"] is not None and target is not None
                                   and row["sla_attainment"] + 1e-12 >= float(target.target_share))
                       if target else None})
    card = {"vendor_id": vendor.pk, "vendor": vendor.name, "month": periods.label(month),
            "contract": {"reference": version.contract.reference, "version": version.number} if version else None,
            "total": total, "queues": queues, "money": money, "headcount": measured.headcount,
            "quality": computed.quality if computed else None, "sla": computed.sla if computed else {},
            "roster": adherence.month_summary(vendor.pk, month)}
    if trend:
        card["trend"] = trend_of(vendor, month, terms, confidence, current=total)
    return card


def trend_of(vendor, month: date, terms, confidence: float, current: dict | None = None) -> list[dict]:
    """The last TREND_MONTHS months. A month with an invoice reads the figures the invoice was computed from;
    the month shown is `current` (already measured); the others are measured in one pass grouped by month (a month
already invoiced is read from the figures kept with its invoice)."""
    first = periods.following(month, -(TREND_MONTHS - 1))
    invoices = {i.month: i for i in Invoice.objects.filter(vendor=vendor, month__gte=first, month__lte=month)}
    rows_by_month: dict[date, dict] = {}
    if current is not None:
        rows_by_month[month] = current
    for invoiced, invoice in invoices.items():
        if invoiced not in rows_by_month and invoice.figures.get("total"):
            rows_by_month[invoiced] = invoice.figures["total"]
    missing = [m for m in _months(first, month) if m not in rows_by_month]
    if missing:
        start, _ = periods.bounds(missing[0])
        _, end = periods.bounds(missing[-1])
        measured = measurement.measure(vendor.pk, start, end, within=_within(terms), by="month",
                                       with_histogram=False)
        by_month: dict[date, measurement.Counts] = {}
        for (_, period), counts in measured.cells.items():
            by_month.setdefault(period.replace(day=1), measurement.Counts()).add(counts)
        for step in missing:
            rows_by_month[step] = measurement.figures(by_month.get(step, measurement.Counts()), confidence)
    rows = []
    for step in _months(first, month):
        row = rows_by_month[step]
        invoice = invoices.get(step)
        rows.append({"month": periods.label(step), "volume": row["volume"], "sla_attainment": row["sla_attainment"],
                     "accuracy": row["accuracy"], "accuracy_low": row["accuracy_low"],
                     "accuracy_high": row["accuracy_high"], "aht_seconds": row["aht_seconds"],
                     "total": invoice.total if invoice else None,
                     "credits": invoice.credits if invoice else None,
                     "cost_per_decision": (invoice.total / row["volume"]).quantize(Decimal("0.0001"))
                     if invoice and row["volume"] else None})
    return rows


def _months(first: date, last: date) -> list[date]:
    out, step = [], first
    while step <= last:
        out.append(step)
        step = periods.following(step)
    return out


def compare(vendors, month: date) -> list[dict]:
    """One row per vendor for the month (no trend)."""
    rows = []
    for vendor in vendors:
        card = scorecard(vendor, month, trend=False)
        t = card["total"]
        rows.append({"vendor_id": vendor.pk, "vendor": vendor.name, "volume": t["volume"],
                     "sla_attainment": t["sla_attainment"], "accuracy": t["accuracy"],
                     "accuracy_low": t["accuracy_low"], "accuracy_high": t["accuracy_high"],
                     "aht_seconds": t["aht_seconds"],
                     "decisions_per_productive_hour": t["decisions_per_productive_hour"],
                     "overturn_rate": t["overturn_rate"], "cost_per_decision": card["money"]["cost_per_decision"],
                     "credits": card["money"]["credits"], "currency": card["money"]["currency"],
                     "headcount": card["headcount"]["rostered"], "working": card["headcount"]["working"]})
    return rows
