"""Deriving the error type of a decision from an audit: typed by nobody, so it is consistent."""
from trustops.quality.models import ErrorType


def derive_error_type(*, decided_verdict: str, decided_policy: str | None, decided_actions: list[str],
                      correct_verdict: str, correct_policy: str | None,
                      correct_actions: list[str] | None) -> str:
    if decided_verdict == "no_violation":
        return ErrorType.CORRECT if correct_verdict == "no_violation" else ErrorType.FALSE_NEGATIVE
    if correct_verdict == "no_violation":
        return ErrorType.FALSE_POSITIVE
    if correct_policy and correct_policy != decided_policy:
        return ErrorType.WRONG_POLICY
    if correct_actions is not None and set(correct_actions) != set(decided_actions):
        return ErrorType.WRONG_ACTION
    return ErrorType.CORRECT
