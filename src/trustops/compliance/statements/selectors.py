"""Reading statements of reasons, always through `identity.access.statement_filter`."""
from django.db.models import Count, QuerySet

from trustops.compliance.models import DsaMapping, Statement, StatementKind, SubmissionBatch
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.review.models import Decision


def statements_visible_to(viewer) -> QuerySet[Statement]:
    return Statement.objects.filter(access.statement_filter(viewer))


def for_decision(viewer, decision_id: int) -> tuple[Statement, Statement | None]:
    """The decision's statement and its correction, if any; 404 when hidden or when there is none."""
    decision_visible = Decision.objects.filter(pk=decision_id).filter(access.case_filter(viewer, "case__")).exists()
    rows = {s.kind: s for s in statements_visible_to(viewer).filter(decision_id=decision_id)} if decision_visible else {}
    original = rows.get(StatementKind.ORIGINAL)
    if original is None:
        raise NotFound("statement_not_found", f"No statement of reasons for decision {decision_id}: it restricted "
                                              "nothing on an EU/EEA subject, or it is not visible to you.")
    return original, rows.get(StatementKind.CORRECTION)


def counts_by_status(viewer) -> dict[str, int]:
    return dict(statements_visible_to(viewer).values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def recent_batches(viewer, limit: int = 20) -> list[SubmissionBatch]:
    if not access.works_compliance(viewer):
        return []
    return list(SubmissionBatch.objects.order_by("-id")[:limit])


def mappings(viewer) -> list[DsaMapping]:
    if not access.works_compliance(viewer):
        return []
    return list(DsaMapping.objects.all())
