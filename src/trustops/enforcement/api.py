from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.enforcement.selectors import standing
from trustops.enforcement.services import appeals
from trustops.identity.auth import scope
from trustops.kernel.errors import NotFound
from trustops.subjects.models import ACCOUNT_TYPES
from trustops.subjects.selectors import get_subject

router = Router(tags=["enforcement"])


class AppealIn(Schema):
    decision_id: int
    statement: str = Field(min_length=1, max_length=5000)
    idempotency_key: str = Field(min_length=1, max_length=200)


class AppealOut(Schema):
    appeal_id: int
    decision_id: int
    case_id: int
    status: str
    queue: str


@router.post("/appeals", response={200: AppealOut, 201: AppealOut}, auth=scope("reports:write"),
             summary="The owner contests a decision (sent by the integrating platform on their behalf)")
def post_appeal(request, body: AppealIn):
    status, result = appeals.submit_appeal(submitter=request.auth, decision_id=body.decision_id,
                                           statement=body.statement, idempotency_key=body.idempotency_key)
    return Status(status, result)


class StandingOut(Schema):
    account: dict
    status: str
    strike_points: int
    active_strikes: list[dict]
    restrictions: list[dict]


@router.get("/accounts/{account_type}/{external_id}/standing", response=StandingOut, auth=scope("subjects:read"),
            summary="An account's status, active strikes and restrictions")
def read_standing(request, account_type: str, external_id: str):
    if account_type not in ACCOUNT_TYPES:
        raise NotFound("unknown_account_type", f"No account type {account_type!r}.", field="type")
    return standing(get_subject(request.auth, account_type, external_id))
