from ninja import Field, Router, Schema

from trustops.identity.auth import scope
from trustops.kernel.errors import NotFound
from trustops.subjects import services
from trustops.subjects.models import SUBJECT_TYPES
from trustops.subjects.schemas import SubjectOut, subject_out
from trustops.subjects.selectors import get_subject

router = Router(tags=["subjects"])


def _type(subject_type: str) -> str:
    if subject_type not in SUBJECT_TYPES:
        raise NotFound("unknown_subject_type", f"No subject type {subject_type!r}.", field="type")
    return subject_type


@router.get("/subjects/{subject_type}/{external_id}", response=SubjectOut, auth=scope("subjects:read"))
def read_subject(request, subject_type: str, external_id: str):
    return subject_out(get_subject(request.auth, _type(subject_type), external_id), request.auth)


class RegionMoveIn(Schema):
    region: str = Field(pattern=r"^[A-Z]{2,3}$", description="The data region to move to, e.g. US, EU, GB.")
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/subjects/{subject_type}/{external_id}/region", response=SubjectOut, auth=scope("admin"),
             summary="Move a subject to another data region (admins; integrations cannot)")
def move_subject_region(request, subject_type: str, external_id: str, body: RegionMoveIn):
    subject = get_subject(request.auth, _type(subject_type), external_id)
    moved = services.move_region(subject_id=subject.pk, region=body.region, actor=request.auth, reason=body.reason)
    return subject_out(moved, request.auth)   # not read back: it may now be outside the admin's own regions
