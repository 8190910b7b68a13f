"""What compliance does when review records a decision or an appeal outcome (review/hooks.py), in that
transaction: statements of reasons, and legal clocks that the decision handles."""
from trustops.compliance.clocks import services as clocks
from trustops.compliance.statements import services as statements
from trustops.review.models import AppealStatus


class ComplianceListener:
    def decision_recorded(self, decision, *, case, actor) -> None:
        statements.on_decision(decision, case=case)
        clocks.on_decision(decision, case=case)

    def appeal_decided(self, appeal, *, decision, actor) -> None:
        if appeal.status == AppealStatus.OVERTURNED:
            statements.on_overturn(appeal.decision)
