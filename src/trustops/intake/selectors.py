"""Reading reports and signals; callers have already proven the viewer may see the case."""
from trustops.intake.models import Report, Signal


def reports_for_case(case, *, limit: int = 50) -> list[Report]:
    return list(Report.objects.filter(case_id=case.pk).select_related("policy").order_by("-id")[:limit])


def signals_for_case(case, *, limit: int = 50) -> list[Signal]:
    return list(Signal.objects.filter(case_id=case.pk).select_related("policy").order_by("-id")[:limit])

