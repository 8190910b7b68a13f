"""Reading quality data. One function decides whose decisions a person may see quality data about."""
from django.db.models import QuerySet

from trustops.identity.roles import QUALITY_READER_ROLES, Role
from trustops.quality.models import Audit, CalibrationSession, Dispute
from trustops.review.models import Decision


def decisions_in_quality_scope(user) -> QuerySet[Decision]:
    """QA and leads: decisions on cases they may see. Vendor managers: their vendor's people's decisions.
    Reviewers: their own decisions. Everyone else: none."""

    qs = Decision.objects.all()
    if user.role == Role.VENDOR_MANAGER and user.vendor_id:
        return qs.filter(reviewer__vendor_id=user.vendor_id)
    if user.role in QUALITY_READER_ROLES and not user.is_vendor_staff:
        regions = user.region_codes()
        return qs if regions is None else qs.filter(case__subject__region__in=regions)
    if user.role in {Role.MODERATOR, Role.VENDOR_AGENT, Role.MERCHANT_SPECIALIST}:
        return qs.filter(reviewer=user)
    return qs.none()


def audits_visible_to(user) -> QuerySet[Audit]:
    return Audit.objects.filter(decision__in=decisions_in_quality_scope(user))


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return Dispute.objects.filter(audit__in=audits_visible_to(user))


def calibrations_visible_to(user) -> QuerySet[CalibrationSession]:
    if user.role in QUALITY_READER_ROLES and not user.is_vendor_staff:
        return CalibrationSession.objects.all()
    return CalibrationSession.objects.filter(participants=user)


def reads_all_quality(user) -> bool:
    """QA, leads and analysts without a vendor: the people who read quality data beyond one vendor."""
    return user.role in QUALITY_READER_ROLES and not user.is_vendor_staff


def reads_quality_reports(user) -> bool:
    """Quality readers and vendor managers: the people the dashboard and the monthly report are for."""
    return reads_all_quality(user) or (user.role == Role.VENDOR_MANAGER and user.vendor_id is not None)
