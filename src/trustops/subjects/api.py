from ninja import Router

from trustops.identity.auth import scope
from trustops.kernel.errors import NotFound
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


