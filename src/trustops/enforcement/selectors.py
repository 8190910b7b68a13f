"""Reading standing and enforcement history. Callers have proven the viewer may see the account."""
from django.db.models import Q

from trustops.enforcement.models import ActionStatus, EnforcementAction, Strike
from trustops.kernel import clock
from trustops.policies.actions import ACCOUNT_ACTIONS

RESTRICTIONS = {"restrict_live", "restrict_commenting", "restrict_selling", "revoke_benefits", "hold_payouts"}


def active_strikes(account, now=None):
    now = now or clock.now()
    return Strike.objects.filter(account=account, reversed_at__isnull=True, expires_at__gt=now).order_by("issued_at")


def family_points(account, family: str, now=None) -> int:
    return sum(s.points for s in active_strikes(account, now).filter(policy_family=family))


def active_account_actions(account, now=None):
    """Actions in force now. An action past its end counts as ended even before the expiry job has run."""
    now = now or clock.now()
    return (EnforcementAction.objects.filter(target=account, status=ActionStatus.ACTIVE, action__in=ACCOUNT_ACTIONS)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).order_by("starts_at"))


def standing(account, now=None) -> dict:
    now = now or clock.now()
    strikes = list(active_strikes(account, now).select_related("policy_version__policy"))
    actions = [a for a in active_account_actions(account, now) if a.action not in {"warn", "strike"}]
    kinds = {a.action for a in actions}
    status = ("banned" if "ban" in kinds else "suspended" if "suspend" in kinds
              else "restricted" if kinds & RESTRICTIONS else "active")
    return {
        "account": {"type": account.type, "external_id": account.external_id},
        "status": status,
        "strike_points": sum(s.points for s in strikes),
        "active_strikes": [{"policy": s.policy_version.policy.code, "family": s.policy_family, "points": s.points,
                            "issued_at": s.issued_at, "expires_at": s.expires_at, "decision_id": s.decision_id}
                           for s in strikes],
        "restrictions": [{"action": a.action, "cause": a.cause, "starts_at": a.starts_at, "ends_at": a.ends_at,
                          "decision_id": a.decision_id} for a in actions],
    }


def actions_for_decision(decision):
    return EnforcementAction.objects.filter(decision=decision).select_related("target").order_by("id")


def appeal_for_case(case):
    """The appeal behind an appeal case, with the decision under appeal. Callers have the case from get_case."""
    from trustops.enforcement.models import Appeal

    return (Appeal.objects.select_related("decision__policy", "decision__reviewer", "decision__case__queue",
                                          "outcome__reviewer").filter(case=case).first())


def pending_appeals_visible_to(user, *, limit: int = 200):
    """Appeals waiting for their re-review, in appeal cases the user may see; oldest first."""
    from trustops.enforcement.models import Appeal, AppealStatus
    from trustops.review.selectors import cases_visible_to

    return list(Appeal.objects.filter(status=AppealStatus.PENDING, case__in=cases_visible_to(user))
                .select_related("case__subject", "case__queue", "case__assignee", "decision__policy")
                .order_by("received_at", "id")[:limit])


# Who reads the outbound webhook delivery log (endpoints, errors): operations leads.
DELIVERY_LOG_ROLES = {"admin", "team_lead"}


def may_see_deliveries(user) -> bool:
    return user.is_authenticated and user.role in DELIVERY_LOG_ROLES and not user.is_vendor_staff


def deliveries_visible_to(user, *, status: str | None = None, limit: int = 200):
    """Newest first; nothing for people outside `DELIVERY_LOG_ROLES`."""
    from trustops.enforcement.models import Delivery

    if not may_see_deliveries(user):
        return []
    qs = Delivery.objects.select_related("message", "endpoint").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])
