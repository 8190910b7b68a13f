"""Keeping generated quality reports (the Monthly Quality Report) exactly as they were generated."""
from datetime import date

from django.db import transaction

from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.quality.models import QualityReport

MONTHLY_QUALITY = "monthly_quality"


@transaction.atomic
def keep_report(*, month: date, data: dict, html: str, generated_by=None,
                kind: str = MONTHLY_QUALITY) -> QualityReport:
    """Store one generated version. Earlier versions stay: a report once sent out can always be shown again.

    `generated_by` is None when the schedule (or an operator's command) generated it.
    """
    if month.day != 1:
        raise Invalid("invalid_month", "A monthly report is keyed by the first day of its month.", field="month")
    report = QualityReport.objects.create(kind=kind, month=month, generated_at=clock.now(),
                                          generated_by=generated_by, data=data, html=html)
    ledger.record("qa.report_kept", actor=generated_by, payload={
        "report_id": report.pk, "kind": kind, "month": month.isoformat()[:7],
        "audited": (data.get("summary") or {}).get("audited")})
    return report
