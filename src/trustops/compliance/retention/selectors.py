"""Holds, retention and data subject requests as compliance staff see them (region-scoped)."""
from django.db.models import QuerySet

from trustops.compliance.models import DataSubjectRequest, LegalHold, PurgeRun
from trustops.compliance.retention.services import retention_days
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.subjects.models import Subject


def holds_visible_to(viewer) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(access.compliance_subject_filter(viewer, "subject__"))


def requests_visible_to(viewer) -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.filter(access.compliance_subject_filter(viewer, "subject__"))


def request(viewer, request_id: int) -> DataSubjectRequest:
    found = requests_visible_to(viewer).select_related("subject").filter(pk=request_id).first()
    if found is None:
        raise NotFound("request_not_found", f"No data subject request {request_id}.")
    return found


def subject_for(viewer, subject_type: str, external_id: str) -> Subject:
    """A subject compliance staff may act on (their regions); 404 otherwise."""
    found = Subject.objects.filter(access.compliance_subject_filter(viewer)).filter(
        type=subject_type, external_id=external_id).first()
    if found is None:
        raise NotFound("subject_not_found", f"No {subject_type} {external_id!r}.")
    return found


def retention(viewer) -> dict[str, int]:
    return retention_days() if access.works_compliance(viewer) else {}


def purge_runs(viewer, limit: int = 20) -> list[PurgeRun]:
    if not access.works_compliance(viewer):
        return []
    return list(PurgeRun.objects.order_by("-id")[:limit])
