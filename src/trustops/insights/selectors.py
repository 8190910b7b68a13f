"""Reading the Monthly Quality Report: the kept version when the reader may have it, else built for them now."""
from dataclasses import dataclass, field
from datetime import date

from trustops.insights import monthly_quality, rendering
from trustops.kernel.errors import NotFound
from trustops.quality.reports import selectors as report_selectors
from trustops.quality.selectors import reads_quality_reports


@dataclass
class MonthlyReport:
    month: date
    data: dict
    source: str                      # "kept" (as generated on schedule or on request) or "fresh" (built now)
    report_id: int | None = None
    _html: str | None = field(default=None, repr=False)

    @property
    def html(self) -> str:
        """The report body with its charts; drawn on first use, since CSV and XLSX do not need it."""
        if self._html is None:
            self._html = rendering.fragment(self.data)
        return self._html

    @property
    def generated_at(self) -> str:
        return self.data["generated_at"]


def monthly_quality_report(viewer, month: date, *, fresh: bool = False) -> MonthlyReport:
    """Kept reports cover the whole organisation; only readers whose scope is the whole organisation get one.
    Everyone else (vendor managers, readers cleared for some regions) gets a report of their own scope."""
    if not reads_quality_reports(viewer):
        raise NotFound("report_not_found", "There is no quality report for you to read.")
    if not fresh:
        kept = report_selectors.kept_report(viewer, month)
        if kept is not None:
            return MonthlyReport(month=month, data=kept.data, source="kept", report_id=kept.pk, _html=kept.html)
    return MonthlyReport(month=month, data=monthly_quality.build(viewer, month), source="fresh")


def kept_months(viewer) -> list[date]:
    return report_selectors.kept_months(viewer)
