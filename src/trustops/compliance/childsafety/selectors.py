"""What the child-safety reporting page reads: cleared compliance staff only, everyone else finds nothing."""
from django.db.models import Exists, OuterRef, QuerySet

from trustops.compliance.childsafety import services
from trustops.compliance.models import ChildSafetyReport
from trustops.identity import access
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Case


def cases_to_report(viewer) -> QuerySet:
    """Child-safety cases in the viewer's regions that have no report package yet."""
    if not services.may_report(viewer):
        return Case.objects.none()
    reported = ChildSafetyReport.objects.filter(case_id=OuterRef("pk"))
    return (Case.objects.filter(access.case_filter(viewer), queue__required_clearance=services.CLEARANCE)
            .filter(~Exists(reported)).select_related("subject", "policy"))


def report(viewer, report_id: int) -> ChildSafetyReport | None:
    return services.reports_visible_to(viewer).select_related("hold", "case", "subject", "created_by").filter(
        pk=report_id).first()


def evidence_accesses(viewer, report_id: int) -> list[LedgerEvent]:
    """Every opening of a report's preserved evidence, newest first (who, when and why)."""
    if report(viewer, report_id) is None:
        return []
    return list(LedgerEvent.objects.filter(kind="evidence.accessed", payload__report_id=report_id).order_by("-id"))
