"""Reading audits, audit tasks and disputes, through the quality scope (hidden ones are 404)."""
from django.db.models import Q, QuerySet

from trustops.kernel.errors import NotFound
from trustops.quality.models import Audit, AuditTask, Dispute
from trustops.quality.selectors import audits_visible_to, decisions_in_quality_scope, disputes_visible_to


def get_audit(user, audit_id: int) -> Audit:
    audit = audits_visible_to(user).select_related("decision__reviewer", "decision__policy", "auditor",
                                                   "correct_policy").filter(pk=audit_id).first()
    if audit is None:
        raise NotFound("audit_not_found", f"No audit {audit_id}.")
    return audit


def tasks_for(user, *, status: str | None = "open", mine: bool = True) -> QuerySet[AuditTask]:
    qs = AuditTask.objects.filter(decision__in=decisions_in_quality_scope(user)).select_related(
        "decision__case__subject", "decision__case__queue", "decision__policy", "decision__reviewer", "sample")
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(Q(assignee=user) | Q(assignee__isnull=True)).exclude(decision__reviewer=user)
    return qs.order_by("id")


def get_task(user, task_id: int) -> AuditTask:
    task = tasks_for(user, status=None, mine=False).filter(pk=task_id).first()
    if task is None:
        raise NotFound("task_not_found", f"No audit task {task_id}.")
    return task


def get_dispute(user, dispute_id: int) -> Dispute:
    dispute = disputes_visible_to(user).select_related("audit__decision").filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("dispute_not_found", f"No dispute {dispute_id}.")
    return dispute
