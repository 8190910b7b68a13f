"""Workforce API: staffing an interval (Erlang C, or Erlang A with abandonment); vendors, contracts,
measurement, invoices and scorecards."""
from ninja import Router

from trustops.identity.auth import scope
from trustops.workforce import planning
from trustops.workforce.billing.api import router as billing_router
from trustops.workforce.contracts.api import router as contracts_router
from trustops.workforce.rosters.api import router as rosters_router
from trustops.workforce.schemas import StaffingIn, StaffingOut
from trustops.workforce.scorecards.api import router as scorecards_router
from trustops.workforce.vendors.api import router as vendors_router

router = Router(tags=["workforce"])
router.add_router("", scorecards_router)   # before the vendors' /vendors/{vendor_id}: /vendors/scorecards
router.add_router("", vendors_router)      # vendor profiles and their lifecycle
router.add_router("", contracts_router)    # contracts and their versions
router.add_router("", billing_router)      # invoices, the vendor's count, disputes, approvals
router.add_router("", rosters_router)      # shift templates, rosters, adherence


@router.post("/workforce/staffing", response=StaffingOut, auth=scope("workforce:read"),
             summary="Agents needed for one interval of one queue to meet a service level, a probability of "
                     "waiting or an average speed of answer, under an occupancy cap; scheduled agents after "
                     "shrinkage. With patience_seconds the model is Erlang A (callers abandon), else Erlang C. "
                     "With agents, the measures that number achieves")
def post_staffing(request, body: StaffingIn):
    return planning.staff_interval(body)
