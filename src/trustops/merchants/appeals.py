"""What merchants does when review decides an appeal of a merchant decision (review/hooks.py), inside that
transaction: an overturn reverses the payout, reserve or benefits decision, grants relief from what the rules
set (`decisions.grant_relief`), or moves the merchant back from the restrictive status it was put in. A move
the statechart does not allow back (out of off-boarding) is left to a specialist on a merchant review case
that says so."""
from django.conf import settings

from trustops.kernel.errors import Conflict, DomainError
from trustops.ledger import services as ledger
from trustops.merchants import lifecycle
from trustops.merchants.models import Merchant
from trustops.merchants.services import decisions, onboarding
from trustops.review.models import AppealStatus, CaseKind
from trustops.review.requests import open_review_case


class MerchantAppeals:
    def decision_recorded(self, decision, *, case, actor) -> None:
        """Merchant decisions are recorded by merchants itself; nothing to add to review's."""

    def appeal_decided(self, appeal, *, decision, actor) -> None:
        original = appeal.decision
        if appeal.status != AppealStatus.OVERTURNED or original.case.kind != CaseKind.MERCHANT_REVIEW:
            return
        merchant = Merchant.objects.select_for_update().filter(account_id=original.case.subject_id).first()
        if merchant is None:
            return
        why = f"appeal {appeal.pk} overturned decision {original.pk}: {decision.rationale}"
        for what, made in list((merchant.overrides or {}).items()):
            if made.get("decision_id") == original.pk:
                decisions.remove_decision(merchant, actor, what, why)
        for about, decision_id in list((merchant.rule_decisions or {}).items()):
            if decision_id == original.pk:
                decisions.grant_relief(merchant, actor, about, why, original.pk)
        if merchant.status_decision_id == original.pk:
            _move_back(merchant, actor, why)


def _move_back(merchant: Merchant, actor, why: str) -> None:
    back = merchant.status_decided_from
    try:
        if not lifecycle.may_move(merchant.status, back):
            raise Conflict("transition_forbidden", f"a merchant {merchant.status} cannot move back to {back}")
        onboarding.transition(actor=actor, external_id=merchant.external_id, to=back, reason=why)
    except DomainError as refused:
        case = open_review_case(subject=merchant.account, kind=CaseKind.MERCHANT_REVIEW, actor=actor,
                                queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"],
                                reason=f"{why}; moving it back to {back} needs a specialist: {refused.message}")
        ledger.record("merchant.overturn_pending", actor=actor, subject_id=merchant.account_id, case_id=case.pk,
                      payload={"merchant": merchant.external_id, "status": merchant.status, "back_to": back,
                               "reason": refused.message})
