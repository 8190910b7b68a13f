"""Workforce API: staffing an interval (Erlang C, or Erlang A with abandonment)."""
from ninja import Router

from trustops.identity.auth import scope
from trustops.workforce import planning
from trustops.workforce.schemas import StaffingIn, StaffingOut

router = Router(tags=["workforce"])


@router.post("/workforce/staffing", response=StaffingOut, auth=scope("workforce:read"),
             summary="Agents needed for one interval of one queue to meet a service level, a probability of "
                     "waiting or an average speed of answer, under an occupancy cap; scheduled agents after "
                     "shrinkage. With patience_seconds the model is Erlang A (callers abandon), else Erlang C. "
                     "With agents, the measures that number achieves")
def post_staffing(request, body: StaffingIn):
    return planning.staff_interval(body)
