"""Reading the taxonomy. The active catalogue is cached per process and refreshed when a version is added."""
from dataclasses import dataclass

from django.db.models import Count, F, Max

from trustops.policies.models import PenaltyLadder, PolicyVersion


@dataclass(frozen=True)
class ActivePolicy:
    policy_id: int
    version_id: int
    code: str
    version: int
    title: str
    severity: int
    allowed_actions: tuple[str, ...]
    strike_weight: int
    zero_tolerance: bool
    dsa_category: str
    signal_threshold: float
    guidance: str


_cache: dict = {"stamp": None, "catalogue": {}}


def active_catalogue() -> dict[str, ActivePolicy]:
    """code → current active version. One cheap query decides whether the cache is still good."""
    row = PolicyVersion.objects.aggregate(m=Max("id"), n=Count("id"))
    stamp = (row["m"], row["n"])
    if stamp != _cache["stamp"]:
        versions = (PolicyVersion.objects.select_related("policy")
                    .filter(policy__current_version_id=F("id"), active=True))
        _cache["catalogue"] = {
            v.policy.code: ActivePolicy(v.policy_id, v.id, v.policy.code, v.number, v.title, v.severity,
                                        tuple(v.allowed_actions), v.strike_weight, v.zero_tolerance, v.dsa_category,
                                        v.signal_threshold, v.guidance)
            for v in versions
        }
        _cache["stamp"] = stamp
    return _cache["catalogue"]


def clear_cache() -> None:
    _cache.update(stamp=None, catalogue={})


def get_active(code: str) -> ActivePolicy | None:
    return active_catalogue().get(code)


def versions_of(code: str):
    return PolicyVersion.objects.filter(policy__code=code).order_by("-number")


def ladder_for(code: str) -> PenaltyLadder:
    """The family's own ladder, else the default one; a built-in default if none is configured."""
    family = code.split(".", 1)[0]
    ladders = {ladder.family: ladder for ladder in PenaltyLadder.objects.filter(family__in=[family, "*"])}
    return ladders.get(family) or ladders.get("*") or PenaltyLadder(
        family="*", strike_expiry_days=90, severity_points={"1": 1, "2": 1, "3": 2, "4": 3, "5": 4},
        steps=[{"at": 1, "action": "warn"}, {"at": 4, "action": "restrict_commenting", "days": 7},
               {"at": 6, "action": "suspend", "days": 7}, {"at": 12, "action": "ban"}])
