"""Access audit: who viewed what sensitive content and personal data, when and why."""
from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from trustops.compliance.audit import selectors
from trustops.identity.auth import scope
from trustops.kernel.inputs import Moment

router = Router(tags=["compliance"])


class AccessFilter(Schema):
    actor: str = Field(default="", max_length=150)
    kind: str = Field(default="", max_length=64)
    subject_external_id: str = Field(default="", max_length=200)
    since: Moment | None = None
    until: Moment | None = None
    limit: int = Field(default=100, ge=1, le=500)


class AccessOut(Schema):
    event_id: int
    at: datetime
    who: str
    what: str
    kind: str
    subject: str | None
    why: str


@router.get("/compliance/access-log", response=list[AccessOut], auth=scope("compliance:read"),
            summary="Views of sensitive content and personal data, newest first")
def get_access_log(request, filters: Query[AccessFilter]):
    events = selectors.search(request.auth, selectors.AccessQuery(**filters.dict()))
    return [{"event_id": e.pk, "at": e.occurred_at, "who": e.actor_name, "what": selectors.VIEW_KINDS[e.kind],
             "kind": e.kind, "subject": f"{e.subject.type}:{e.subject.external_id}" if e.subject_id and e.subject else None,
             "why": selectors.why(e)} for e in events]
