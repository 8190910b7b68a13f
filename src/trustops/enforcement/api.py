from ninja import Router, Schema

from trustops.enforcement.selectors import standing
from trustops.identity.auth import scope
from trustops.kernel.errors import NotFound
from trustops.subjects.models import ACCOUNT_TYPES
from trustops.subjects.selectors import get_subject

router = Router(tags=["enforcement"])


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
