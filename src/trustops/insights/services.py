"""Generating and keeping the Monthly Quality Report. The keeping itself is quality's service."""
from datetime import date

from trustops.identity.roles import QA_LEAD_ROLES
from trustops.insights import monthly_quality, rendering
from trustops.kernel.errors import Forbidden
from trustops.quality.models import QualityReport
from trustops.quality.reports import selectors as report_selectors
from trustops.quality.reports import services as reports


def keep_monthly_quality_report(*, month: date, actor=None, only_if_missing: bool = False) -> QualityReport:
    """Build the organisation-wide report for `month` and keep it as a new version.

    `actor` None is the schedule or an operator's command; a person must be a QA lead whose own scope is the
    whole organisation, since the kept report is. With `only_if_missing`, an existing version is returned
    instead (a retried scheduled run does not keep a second copy).
    """
    organisation = monthly_quality.ORGANISATION
    if actor is not None and not (actor.role in QA_LEAD_ROLES and report_selectors.reads_kept_reports(actor)):
        raise Forbidden("qa_leads_only", "Only a QA lead who sees every vendor and region keeps a monthly report.")
    if only_if_missing:
        existing = report_selectors.kept_report(organisation, month)
        if existing is not None:
            return existing
    data = monthly_quality.build(organisation, month)
    return reports.keep_report(month=month, data=data, html=rendering.fragment(data), generated_by=actor)
