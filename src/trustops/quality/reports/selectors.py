"""Reading kept quality reports. A kept report covers the whole organisation (every vendor and region), so
only quality readers whose own scope is the whole organisation may read it; everyone else gets a report built
fresh from their own scope."""
from datetime import date

from trustops.identity import access
from trustops.quality.models import QualityReport
from trustops.quality.reports.services import MONTHLY_QUALITY
from trustops.quality.selectors import reads_all_quality


def reads_kept_reports(user) -> bool:
    return reads_all_quality(user) and access.viewer(user).regions is None


def kept_report(user, month: date, kind: str = MONTHLY_QUALITY) -> QualityReport | None:
    """The latest kept version for the month, or None (also when this reader may not read kept reports)."""
    if not reads_kept_reports(user):
        return None
    return QualityReport.objects.filter(kind=kind, month=month).order_by("-generated_at", "-pk").first()


def kept_months(user, kind: str = MONTHLY_QUALITY, limit: int = 24) -> list[date]:
    if not reads_kept_reports(user):
        return []
    return list(QualityReport.objects.filter(kind=kind).order_by("-month").values_list("month", flat=True)
                .distinct()[:limit])
