from datetime import datetime
from typing import Any

from ninja import Schema

from trustops.identity import access
from trustops.subjects.masking import mask_attributes


class SubjectRefOut(Schema):
    type: str
    external_id: str


class SubjectOut(Schema):
    type: str
    external_id: str
    owner: SubjectRefOut | None
    region: str
    language: str
    reach: int
    attributes: dict[str, Any]
    first_seen_at: datetime
    updated_at: datetime


def subject_out(subject, viewer) -> dict:
    """Vendor staff never see personal data, whatever the region (subjects/masking.py decides what that is)."""
    attributes = (mask_attributes(subject.attributes, subject_type=subject.type)
                  if access.viewer(viewer).is_vendor_staff else subject.attributes)
    owner = subject.owner
    return {"type": subject.type, "external_id": subject.external_id,
            "owner": {"type": owner.type, "external_id": owner.external_id} if owner else None,
            "region": subject.region, "language": subject.language, "reach": subject.reach,
            "attributes": attributes, "first_seen_at": subject.first_seen_at, "updated_at": subject.updated_at}
