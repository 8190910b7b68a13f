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


def status_of(kinds: set[str]) -> str:
    """An account's standing from the kinds of action in force on it."""
    return ("banned" if "ban" in kinds else "suspended" if "suspend" in kinds
            else "restricted" if kinds & RESTRICTIONS else "active")


def standing(account, now=None) -> dict:
    now = now or clock.now()
    strikes = list(active_strikes(account, now).select_related("policy_version__policy"))
    actions = [a for a in active_account_actions(account, now) if a.action not in {"warn", "strike"}]
    kinds = {a.action for a in actions}
    status = status_of(kinds)
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



class StandingHistory:
    """Standing as it was at any moment, for replays: strikes and account actions with when each was in force
    (reversed or ended ones included, until they were), loaded once for many accounts."""

    def __init__(self, account_ids):
        ids = list(account_ids)
        self.strikes: dict[int, list] = {}
        self.actions: dict[int, list] = {}
        for account_id, points, issued, expires, reversed_at in Strike.objects.filter(account_id__in=ids).values_list(
                "account_id", "points", "issued_at", "expires_at", "reversed_at"):
            ends = min(expires, reversed_at) if reversed_at else expires
            self.strikes.setdefault(account_id, []).append((points, issued.timestamp(), ends.timestamp()))
        for target_id, action, starts, ends_at, closed in (EnforcementAction.objects.filter(
                target_id__in=ids, action__in=ACCOUNT_ACTIONS).exclude(action__in=["warn", "strike"])
                .values_list("target_id", "action", "starts_at", "ends_at", "closed_at")):
            ends = min(t for t in (ends_at, closed) if t) if (ends_at or closed) else None
            self.actions.setdefault(target_id, []).append((action, starts.timestamp(),
                                                           ends.timestamp() if ends else float("inf")))

    def at(self, account_id: int, ts: float) -> tuple[str, int]:
        """(status, strike points) of the account at `ts` (seconds since the epoch)."""
        points = sum(p for p, start, end in self.strikes.get(account_id, ()) if start <= ts < end)
        kinds = {a for a, start, end in self.actions.get(account_id, ()) if start <= ts < end}
        return status_of(kinds), points
