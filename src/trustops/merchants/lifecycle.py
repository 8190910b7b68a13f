"""The merchant's statechart: which status may follow which (pure; services guard and record the moves)."""
from trustops.merchants.models import Status

S = Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.APPLIED: (S.DOCUMENTS_REQUESTED, S.IN_REVIEW, S.REJECTED),
    S.DOCUMENTS_REQUESTED: (S.IN_REVIEW, S.REJECTED),
    S.IN_REVIEW: (S.APPROVED, S.REJECTED, S.REVISION_REQUESTED),
    S.REVISION_REQUESTED: (S.IN_REVIEW, S.REJECTED),
    S.APPROVED: (S.ACTIVE, S.OFFBOARDING),
    S.REJECTED: (S.CLOSED,),
    S.ACTIVE: (S.RESTRICTED, S.SUSPENDED, S.OFFBOARDING),
    S.RESTRICTED: (S.ACTIVE, S.SUSPENDED, S.OFFBOARDING),
    S.SUSPENDED: (S.ACTIVE, S.RESTRICTED, S.OFFBOARDING),
    S.OFFBOARDING: (S.CLOSED,),
    S.CLOSED: (),
}
# Statuses in which the merchant sells: its listings show and its health drives benefits and funds.
SELLING = (S.ACTIVE, S.RESTRICTED)
# Statuses of onboarding, shown in the onboarding review queue.
ONBOARDING = (S.APPLIED, S.DOCUMENTS_REQUESTED, S.IN_REVIEW, S.REVISION_REQUESTED)
# Moves that restrict a merchant: a person's such move is a decision the merchant may appeal.
RESTRICTIVE = (S.RESTRICTED, S.SUSPENDED, S.OFFBOARDING)
# A merchant that left: the one whose identity a newcomer must not share (ban evasion).
GONE = (S.OFFBOARDING, S.CLOSED)


def allowed(status: str) -> list[str]:
    return [str(s) for s in TRANSITIONS.get(status, ())]


def may_move(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, ())
