from typing import Literal

from ninja import Query, Router, Schema

from trustops.identity.auth import scope
from trustops.intake.selectors import reports_for_case, signals_for_case
from trustops.review import selectors
from trustops.review.schemas import CaseOut, CasePageOut, QueueOut, case_detail, case_summary

router = Router(tags=["review"])


@router.get("/queues", response=list[QueueOut], auth=scope("queues:read"),
            summary="Queues the caller may see, with depth, oldest age and SLA risk")
def list_queues(request):
    return selectors.queue_overview(request.auth)


class CaseQuery(Schema):
    queue: str | None = None
    status: Literal["open", "in_review", "resolved"] | None = None
    subject_type: str | None = None
    subject_external_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("/cases", response=CasePageOut, auth=scope("cases:read"), summary="Cases, newest first")
def list_cases(request, q: Query[CaseQuery]):
    cases, next_cursor = selectors.list_cases(request.auth, **q.dict())
    return {"cases": [case_summary(c) for c in cases], "next_cursor": next_cursor}


@router.get("/cases/{case_id}", response=CaseOut, auth=scope("cases:read"))
def read_case(request, case_id: int):
    case = selectors.get_case(request.auth, case_id)
    return case_detail(case, request.auth, reports=reports_for_case(case), signals=signals_for_case(case))
