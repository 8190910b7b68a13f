"""Reading quality data. One function decides whose decisions a person may see quality data about."""
from django.db.models import Exists, OuterRef, QuerySet

from trustops.identity import access
from trustops.identity.roles import Role
from trustops.quality.models import Audit, CalibrationItem, CalibrationSession, Dispute
from trustops.review.models import Decision


def decisions_in_quality_scope(user) -> QuerySet[Decision]:
    """QA and leads: decisions on cases they may see. Vendor managers: their vendor's people's decisions in their
    regions. Reviewers: their own decisions. Everyone else: none (identity/access.py `decision_filter`)."""
    return Decision.objects.filter(access.decision_filter(user))


def audits_visible_to(user) -> QuerySet[Audit]:
    return Audit.objects.filter(decision__in=decisions_in_quality_scope(user))


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return Dispute.objects.filter(audit__in=audits_visible_to(user))


def calibrations_visible_to(user) -> QuerySet[CalibrationSession]:
    """Quality readers see the sessions whose every case they may see (a session over a BR or restricted case
    is hidden from someone cleared for US alone, or without the clearance); participants see their own."""
    if access.reads_quality(user):
        hidden_items = CalibrationItem.objects.exclude(access.case_filter(user, "case__"))
        return CalibrationSession.objects.exclude(Exists(hidden_items.filter(session=OuterRef("pk"))))
    return CalibrationSession.objects.filter(participants=user)


def reads_all_quality(user) -> bool:
    """QA, leads and analysts without a vendor: the people who read quality data beyond one vendor."""
    return access.reads_quality(user)


def reads_quality_reports(user) -> bool:
    """Quality readers and vendor managers: the people the dashboard and the monthly report are for."""
    viewer = access.viewer(user)
    return reads_all_quality(viewer) or (viewer.role == Role.VENDOR_MANAGER and viewer.vendor_id is not None)
