"""Reading reports and signals; callers have already proven the viewer may see the case."""
from trustops.intake.models import Report, Signal


def reports_for_case(case, *, limit: int = 50) -> list[Report]:
    return list(Report.objects.filter(case_id=case.pk).select_related("policy").order_by("-id")[:limit])


def signals_for_case(case, *, limit: int = 50) -> list[Signal]:
    return list(Signal.objects.filter(case_id=case.pk).select_related("policy").order_by("-id")[:limit])



def case_ids_reported(*, reporter_external_id: str = "", idempotency_key: str = ""):
    """A subquery of the cases that a reporter's reports, or the report with this key, went to (any sender's)."""
    if not reporter_external_id and not idempotency_key:
        return Report.objects.none().values("case_id")
    reports = Report.objects.all()
    if reporter_external_id:
        reports = reports.filter(reporter_external_id=reporter_external_id)
    if idempotency_key:
        reports = reports.filter(idempotency_key=idempotency_key)
    return reports.values("case_id")
