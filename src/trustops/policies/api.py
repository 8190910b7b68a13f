from ninja import Router, Schema

from trustops.identity.auth import scope
from trustops.policies.actions import SEVERITIES
from trustops.policies.selectors import active_catalogue

router = Router(tags=["policies"])


class PolicyOut(Schema):
    code: str
    version: int
    title: str
    severity: int
    severity_name: str
    zero_tolerance: bool
    allowed_actions: list[str]
    strike_weight: int
    dsa_category: str
    signal_threshold: float
    guidance: str


@router.get("/policies", response=list[PolicyOut], auth=scope("policies:read"),
            summary="The active version of every policy in the taxonomy")
def list_policies(request):
    return [{**p.__dict__, "allowed_actions": list(p.allowed_actions), "severity_name": SEVERITIES[p.severity]}
            for p in sorted(active_catalogue().values(), key=lambda p: p.code)]
