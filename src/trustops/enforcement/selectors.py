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

