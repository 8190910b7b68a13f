"""Statements of reasons: prepared in the decision's transaction, restated when a mapping is fixed, corrected
when an appeal overturns the decision. The only writers of `Statement` and `DsaMapping` (with `submission`)."""
from django.conf import settings
from django.db import transaction

from trustops.compliance.models import DecisionGround, DsaMapping, Statement, StatementKind, StatementStatus
from trustops.compliance.statements import catalogue, validation
from trustops.compliance.statements.building import (
    DecisionFacts,
    Gap,
    Mapping,
    Restriction,
    build,
    puid_for,
    restricts,
)
from trustops.enforcement.models import EnforcementAction
from trustops.identity.roles import Role
from trustops.intake.models import Report, Signal
from trustops.kernel import clock
from trustops.kernel.errors import Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies.models import Policy, PolicyVersion
from trustops.review.models import Decision, Verdict


def _mapping_row(code: str, rows: dict[str, DsaMapping] | None = None) -> DsaMapping | None:
    """The mapping of the policy or of its nearest ancestor (`privacy` covers `privacy.non_consensual_imagery`)."""
    parts = code.split(".")
    candidates = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if rows is None:
        rows = {m.policy_code: m for m in DsaMapping.objects.filter(policy_code__in=candidates)}
    return next((rows[c] for c in candidates if c in rows), None)


def mapping_for(version: PolicyVersion | None) -> Mapping | None:
    if version is None or not version.dsa_category:
        return None
    row = _mapping_row(version.policy.code)
    if row is None:
        return Mapping(category=version.dsa_category)
    return Mapping(category=version.dsa_category, ground=row.decision_ground, legal_ground=row.legal_ground,
                   keywords=tuple(row.keywords), reference_url=row.terms_reference_url)


def facts_for(decision: Decision) -> DecisionFacts:
    case = decision.case
    subject = case.subject
    version = decision.policy_version
    rows = EnforcementAction.objects.filter(decision=decision).values_list("action", "ends_at")
    sources = frozenset(Report.objects.filter(case_id=case.pk).values_list("source", flat=True).distinct())
    signalled = Signal.objects.filter(case_id=case.pk).exists()
    owner = subject.owner if subject.owner_id else None
    return DecisionFacts(
        decision_id=decision.pk, decided_at=decision.decided_at, rationale=decision.rationale,
        policy_code=version.policy.code if version else "", policy_title=version.title if version else "",
        policy_guidance=version.guidance if version else "", mapping=mapping_for(version),
        subject_type=subject.type, region=subject.region, language=subject.language,
        content_first_seen=subject.first_seen_at, owner_type=owner.type if owner else None,
        restrictions=tuple(Restriction(a, e) for a, e in rows),
        report_sources=sources, automated_detection=signalled or "automated" in sources,
        fully_automated=decision.reviewer.role == Role.INTEGRATION)


def in_scope(region: str) -> bool:
    return region in catalogue.EEA_COUNTRIES


def _state(body: dict | None, gap: Gap | None) -> tuple[str, list]:
    if gap is not None:
        return StatementStatus.GAP, [{"field": "policy", "code": gap.code, "message": gap.message}]
    problems = validation.validate(body)
    return (StatementStatus.GAP if problems else StatementStatus.PENDING), problems


def _prepare(decision: Decision, *, kind: str, correction: int = 0, ended_on=None) -> Statement:
    facts = facts_for(decision)
    body, gap = {}, None
    try:
        body = build(facts, correction=correction, ended_on=ended_on)
    except Gap as refused:
        gap = refused
    status, problems = _state(body, gap)
    now = clock.now()
    statement = Statement.objects.create(
        decision=decision, kind=kind, puid=body.get("puid") or puid_for(decision.pk, correction=correction), region=facts.region,
        body=body, status=status, problems=problems, next_attempt_at=now if status == StatementStatus.PENDING else None,
        created_at=now, updated_at=now)
    ledger.record("statement.prepared" if status == StatementStatus.PENDING else "statement.gap",
                  subject_id=decision.case.subject_id, case_id=decision.case_id,
                  payload={"decision_id": decision.pk, "puid": statement.puid, "kind": kind, "status": status,
                           "problems": [p.get("code") or p["field"] for p in problems]})
    if status == StatementStatus.PENDING:
        transaction.on_commit(_schedule)
    return statement


def _schedule() -> None:
    if settings.TRUSTOPS["DSA_ENDPOINT"]:
        from trustops.compliance import tasks  # the jobs module imports the services
        tasks.submit_statements()


def on_decision(decision: Decision, *, case) -> Statement | None:
    """In the decision's transaction: a statement for a restricting decision on an EU/EEA subject, else nothing
    (nothing about subjects elsewhere is ever written here, let alone sent)."""
    if decision.verdict != Verdict.VIOLATION or not in_scope(case.subject.region):
        return None
    actions = EnforcementAction.objects.filter(decision=decision).values_list("action", flat=True)
    if not restricts(actions):
        return None
    return _prepare(decision, kind=StatementKind.ORIGINAL)


def on_overturn(original: Decision) -> Statement | None:
    """An appeal overturned `original`: if its statement was (or will be) sent, send the correction."""
    stated = Statement.objects.filter(decision=original, kind=StatementKind.ORIGINAL).first()
    if stated is None or stated.status == StatementStatus.GAP:
        return None
    if Statement.objects.filter(decision=original, kind=StatementKind.CORRECTION).exists():
        return None
    return _prepare(original, kind=StatementKind.CORRECTION, correction=1, ended_on=clock.now().date())


@transaction.atomic
def restate_gaps(*, actor=None, decision_ids: list[int] | None = None) -> dict:
    """Build the gaps again (after their policy's mapping was fixed); those that now validate go out."""
    gaps = Statement.objects.select_for_update(of=("self",)).filter(status=StatementStatus.GAP).select_related(
        "decision__case__subject__owner", "decision__policy_version__policy", "decision__reviewer")
    if decision_ids is not None:
        gaps = gaps.filter(decision_id__in=decision_ids)
    fixed = still = 0
    for statement in gaps:
        decision = statement.decision
        correction = 1 if statement.kind == StatementKind.CORRECTION else 0
        body, gap = {}, None
        try:
            body = build(facts_for(decision), correction=correction,
                         ended_on=statement.created_at.date() if correction else None)
        except Gap as refused:
            gap = refused
        status, problems = _state(body, gap)
        statement.body, statement.status, statement.problems = body, status, problems
        statement.updated_at = clock.now()
        statement.next_attempt_at = statement.updated_at if status == StatementStatus.PENDING else None
        statement.save(update_fields=["body", "status", "problems", "updated_at", "next_attempt_at"])
        fixed += status == StatementStatus.PENDING
        still += status == StatementStatus.GAP
    ledger.record("statements.restated", actor=actor, payload={"fixed": fixed, "still_gaps": still})
    if fixed:
        transaction.on_commit(_schedule)
    return {"fixed": fixed, "still_gaps": still}


@transaction.atomic
def save_mapping(*, policy_code: str, decision_ground: str, legal_ground: str = "", keywords=(),
                 terms_reference_url: str = "", actor=None) -> DsaMapping:
    if not Policy.objects.filter(code=policy_code).exists():
        raise NotFound("policy_not_found", f"No policy {policy_code!r}.", field="policy_code")
    if decision_ground not in DecisionGround.values:
        raise Invalid("invalid_ground", f"decision_ground is one of {', '.join(DecisionGround.values)}.",
                      field="decision_ground")
    if decision_ground == DecisionGround.ILLEGAL and not legal_ground.strip():
        raise Invalid("missing_legal_ground", "Illegal content needs the law it breaks.", field="legal_ground")
    if len(legal_ground) > catalogue.TEXT_LIMIT:
        raise Invalid("too_long", f"legal_ground is at most {catalogue.TEXT_LIMIT} characters.", field="legal_ground")
    unknown = sorted(set(keywords) - catalogue.KEYWORDS)
    if unknown:
        raise Invalid("unknown_keyword", f"Unknown keywords: {', '.join(unknown)}.", field="keywords")
    if terms_reference_url and not validation.URL.match(terms_reference_url):
        raise Invalid("invalid_url", "terms_reference_url must be a URL.", field="terms_reference_url")
    mapping, created = DsaMapping.objects.update_or_create(policy_code=policy_code, defaults={
        "decision_ground": decision_ground, "legal_ground": legal_ground.strip(), "keywords": list(dict.fromkeys(keywords)),
        "terms_reference_url": terms_reference_url, "updated_at": clock.now()})
    ledger.record("dsa_mapping.saved", actor=actor, payload={
        "policy_code": policy_code, "decision_ground": decision_ground, "legal_ground": mapping.legal_ground,
        "keywords": mapping.keywords, "created": created})
    return mapping
