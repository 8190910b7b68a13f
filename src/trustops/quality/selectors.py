"""Reading quality data. One function decides whose decisions a person may see quality data about."""
from django.db.models import Q, QuerySet

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.quality.models import Audit, AuditTask, CalibrationSession, Dispute
from trustops.review.models import Decision


def decisions_in_quality_scope(user) -> QuerySet[Decision]:
    """QA and leads: decisions on cases they may see. Vendor managers: their vendor's people's decisions in their
    regions. Reviewers: their own decisions. Everyone else: none (identity/access.py `decision_filter`)."""
    return Decision.objects.filter(access.decision_filter(user))


def audits_visible_to(user) -> QuerySet[Audit]:
    return Audit.objects.filter(decision__in=decisions_in_quality_scope(user))


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


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return Dispute.objects.filter(audit__in=audits_visible_to(user))


def get_dispute(user, dispute_id: int) -> Dispute:
    dispute = disputes_visible_to(user).select_related("audit__decision").filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("dispute_not_found", f"No dispute {dispute_id}.")
    return dispute


def calibrations_visible_to(user) -> QuerySet[CalibrationSession]:
    if access.reads_quality(user):
        return CalibrationSession.objects.all()
    return CalibrationSession.objects.filter(participants=user)


def get_calibration(user, session_id: int) -> CalibrationSession:
    session = calibrations_visible_to(user).filter(pk=session_id).first()
    if session is None:
        raise NotFound("calibration_not_found", f"No calibration session {session_id}.")
    return session
