"""What review asks of a case's notices (review/hooks.py), registered by `IntakeConfig.ready`."""
from trustops.intake import selectors, services


class CaseNoticesProvider:
    def reports_for_case(self, case, *, limit: int) -> list:
        return selectors.reports_for_case(case, limit=limit)

    def signals_for_case(self, case, *, limit: int) -> list:
        return selectors.signals_for_case(case, limit=limit)

    def resolve_reports(self, *, case_id: int, decision_id: int, violation: bool, actor) -> None:
        services.resolve_reports(case_id=case_id, decision_id=decision_id, violation=violation, actor=actor)

    def case_ids_reported(self, *, reporter_external_id: str = "", idempotency_key: str = ""):
        return selectors.case_ids_reported(reporter_external_id=reporter_external_id,
                                           idempotency_key=idempotency_key)
