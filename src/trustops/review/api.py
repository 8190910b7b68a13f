from typing import Literal

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from trustops.identity.auth import scope
from trustops.kernel.errors import Invalid, NotFound
from trustops.kernel.inputs import Id
from trustops.ledger.schemas import TimelineOut
from trustops.review import appeals, casework, configuration, selectors, services
from trustops.review.config_schemas import (
    QueueIn,
    QueuePatch,
    QueueSettingsOut,
    RouteProbeIn,
    RouteProbeOut,
    RuleIn,
    RuleOut,
    RulePatch,
)
from trustops.review.schemas import (
    AppealIn,
    AppealOut,
    BulkDecisionIn,
    CaseOut,
    CasePageOut,
    ClaimOut,
    DecisionIn,
    DecisionOut,
    EscalateIn,
    LeaseOut,
    QueueOut,
    ReleaseIn,
    case_detail,
    case_summary,
)
from trustops.subjects.models import SUBJECT_TYPES
from trustops.subjects.schemas import SubjectOut, subject_out
from trustops.subjects.selectors import get_subject

router = Router(tags=["review"])


@router.get("/queues", response=list[QueueOut], auth=scope("queues:read"),
            summary="Queues the caller may see, with depth, oldest age and SLA risk")
def list_queues(request):
    return selectors.queue_overview(request.auth)


# ---- configuration: queues and routing rules (admins and policy managers write) ----

@router.post("/queues", response={201: QueueSettingsOut}, auth=scope("config:write"), summary="Create a queue")
def create_queue(request, body: QueueIn):
    fields = body.dict()
    if fields["is_default"] is None:
        del fields["is_default"]
    queue = configuration.create_queue(actor=request.auth, **fields)
    return Status(201, configuration.queue_settings(queue))


@router.get("/queues/{queue_key}", response=QueueSettingsOut, auth=scope("queues:read"),
            summary="A queue's settings: SLA, tier, who works it, allowed actions")
def read_queue(request, queue_key: str):
    return configuration.queue_settings(selectors.get_queue_settings(request.auth, queue_key))


@router.patch("/queues/{queue_key}", response=QueueSettingsOut, auth=scope("config:write"),
              summary="Change a queue's settings (a new SLA applies to cases opened afterwards)")
def update_queue(request, queue_key: str, body: QueuePatch):
    queue = selectors.get_queue_settings(request.auth, queue_key)
    changes = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}  # null: left as it is
    return configuration.queue_settings(configuration.update_queue(key=queue.key, actor=request.auth, **changes))


@router.get("/routing-rules", response=list[RuleOut], auth=scope("config:write"),
            summary="The routing rules in order: the first enabled rule that matches takes the report")
def list_rules(request):
    return [configuration.rule_settings(r) for r in selectors.routing_rules(request.auth)]


def _conditions(fields: dict) -> dict:
    # A condition left out or null matches everything: stored as an empty list.
    return {k: ([] if v is None and k in configuration.RULE_CONDITIONS[:5] else v) for k, v in fields.items()}


@router.post("/routing-rules", response={201: RuleOut}, auth=scope("config:write"), summary="Add a routing rule")
def create_rule(request, body: RuleIn):
    selectors.routing_rules(request.auth)
    rule = configuration.create_rule(actor=request.auth, **_conditions(body.dict()))
    return Status(201, configuration.rule_settings(rule))


@router.post("/routing-rules/test", response=RouteProbeOut, auth=scope("config:write"),
             summary="Which rule would take this report, and into which queue (nothing is stored)")
def test_routing(request, body: RouteProbeIn):
    selectors.routing_rules(request.auth)
    return configuration.which_rule(
        subject_type=body.subject.type, policy_code=body.reason, source=body.source,
        region=body.subject.region or settings.TRUSTOPS["DEFAULT_REGION"], language=body.subject.language or "",
        reach=body.subject.reach or 0)


@router.patch("/routing-rules/{rule_id}", response=RuleOut, auth=scope("config:write"),
              summary="Change a rule: its conditions, its queue, or its position (reorder)")
def update_rule(request, rule_id: Id, body: RulePatch):
    selectors.routing_rules(request.auth)
    changes = body.dict(exclude_unset=True)
    for name in ("name", "queue", "position", "enabled"):
        if changes.get(name, 0) is None:
            raise Invalid("invalid_field", f"{name} cannot be null.", field=name)
    return configuration.rule_settings(configuration.update_rule(rule_id=rule_id, actor=request.auth,
                                                                 **_conditions(changes)))


@router.delete("/routing-rules/{rule_id}", response={204: None}, auth=scope("config:write"),
               summary="Delete a routing rule")
def delete_rule(request, rule_id: Id):
    selectors.routing_rules(request.auth)
    configuration.delete_rule(rule_id=rule_id, actor=request.auth)
    return Status(204, None)


class CaseQuery(Schema):
    queue: str | None = None
    status: Literal["open", "in_review", "resolved"] | None = None
    subject_type: str | None = None
    subject_external_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("/cases", response=CasePageOut, auth=scope("cases:read"), summary="Cases, newest first")
def list_cases(request, q: Query[CaseQuery]):
    cases, next_cursor = selectors.list_cases(request.auth, **q.dict())
    dues = selectors.shown_due_times(cases)
    return {"cases": [case_summary(c, dues.get(c.pk)) for c in cases], "next_cursor": next_cursor}


@router.get("/cases/{case_id}", response=CaseOut, auth=scope("cases:read"))
def read_case(request, case_id: Id):
    case = selectors.get_case(request.auth, case_id)
    return _shown(case, request.auth)


def _detail(request, case):
    return _shown(case, request.auth)


def _shown(case, viewer) -> dict:
    """The case as review shows it (a golden case looks like any other: `selectors.notices_shown_with`)."""
    reports, signals = selectors.notices_shown_with(case)
    return case_detail(case, viewer, reports=reports, signals=signals,
                       decision_ids=selectors.decision_ids_on_case(viewer, case),
                       due=selectors.shown_due_times([case]).get(case.pk))


def _lease(case) -> dict:
    return {"case_id": case.pk, "status": case.status, "version": case.version,
            "lease_expires_at": case.lease_expires_at}


@router.post("/queues/{queue_key}/claim", response={200: ClaimOut, 204: None}, auth=scope("cases:write"),
             summary="Claim the next case: highest priority first, then oldest; 204 when nothing is claimable")
def claim(request, queue_key: str):
    case = casework.claim_next(actor=request.auth, queue_key=queue_key)
    if case is None:
        return Status(204, None)
    case = selectors.get_case(request.auth, case.pk)
    return {"case": _detail(request, case), "lease_expires_at": case.lease_expires_at}


@router.post("/cases/{case_id}/renew", response=LeaseOut, auth=scope("cases:write"))
def renew(request, case_id: Id):
    return _lease(casework.renew(actor=request.auth, case_id=case_id))


@router.post("/cases/{case_id}/release", response=LeaseOut, auth=scope("cases:write"),
             summary="Give the case back to its queue; with skip, it is not offered to you again")
def release(request, case_id: Id, body: ReleaseIn | None = None):
    return _lease(casework.release(actor=request.auth, case_id=case_id, skip=bool(body and body.skip)))


@router.post("/cases/{case_id}/decision", response=DecisionOut, auth=scope("cases:write"),
             summary="Decide the case you hold (409 if the lease was lost or the version is stale)")
def decide(request, case_id: Id, body: DecisionIn):
    return casework.decide(actor=request.auth, case_id=case_id, version=body.version, decision=casework.DecisionInput(
        verdict=body.verdict, rationale=body.rationale, policy=body.policy, actions=body.actions,
        handle_seconds=body.handle_seconds))


@router.post("/cases/{case_id}/escalate", response=LeaseOut, auth=scope("cases:write"),
             summary="Move the case to a higher-tier queue")
def escalate(request, case_id: Id, body: EscalateIn):
    return _lease(casework.escalate(actor=request.auth, case_id=case_id, to_queue=body.to_queue, reason=body.reason))


@router.post("/bulk-decisions", auth=scope("cases:write"),
             summary="Team leads: preview (dry_run) or apply one decision to a selection of open cases")
def bulk_decision(request, body: BulkDecisionIn):
    owner = body.selection.owner or {}
    if owner and not (isinstance(owner.get("type"), str) and isinstance(owner.get("external_id"), str)):
        raise Invalid("invalid_field", "selection.owner needs `type` and `external_id`.", field="selection.owner")
    selection = casework.BulkSelection(case_ids=body.selection.case_ids, owner_type=owner.get("type"),
                                       owner_external_id=owner.get("external_id"), queue=body.selection.queue,
                                       policy_prefix=body.selection.policy)
    return casework.bulk_decide(actor=request.auth, selection=selection, dry_run=body.dry_run,
                                max_cases=body.max_cases, decision=casework.DecisionInput(
                                    verdict=body.verdict, rationale=body.rationale, policy=body.policy,
                                    actions=body.actions))


@router.post("/appeals", response={200: AppealOut, 201: AppealOut}, auth=scope("reports:write"),
             summary="The owner contests a decision (sent by the integrating platform on their behalf)")
def post_appeal(request, body: AppealIn):
    status, result = appeals.submit_appeal(submitter=request.auth, decision_id=body.decision_id,
                                           statement=body.statement, idempotency_key=body.idempotency_key)
    return Status(status, result)


class TimelineQuery(Schema):
    cursor: str | None = None
    limit: int = 100


@router.get("/subjects/{subject_type}/{external_id}/events", response=TimelineOut, auth=scope("ledger:read"),
            summary="The subject's ledger timeline, newest first")
def read_subject_events(request, subject_type: str, external_id: str, q: Query[TimelineQuery]):
    if subject_type not in SUBJECT_TYPES:
        raise NotFound("unknown_subject_type", f"No subject type {subject_type!r}.", field="type")
    subject = get_subject(request.auth, subject_type, external_id)
    events, next_cursor = selectors.subject_events_shown(request.auth, subject, cursor=q.cursor, limit=q.limit)
    return {"events": events, "next_cursor": next_cursor}


class RegionMoveIn(Schema):
    region: str = Field(pattern=r"^[A-Z]{2,3}$", description="The data region to move to, e.g. US, EU, GB.")
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/subjects/{subject_type}/{external_id}/region", response=SubjectOut, auth=scope("admin"),
             tags=["subjects"], summary="Move a subject to another data region (admins; integrations cannot); "
                                        "its waiting cases are routed again")
def move_subject_region(request, subject_type: str, external_id: str, body: RegionMoveIn):
    if subject_type not in SUBJECT_TYPES:
        raise NotFound("unknown_subject_type", f"No subject type {subject_type!r}.", field="type")
    subject = get_subject(request.auth, subject_type, external_id)
    moved = services.move_subject_region(subject_id=subject.pk, region=body.region, actor=request.auth,
                                         reason=body.reason)
    return subject_out(moved, request.auth)   # not read back: it may now be outside the admin's own regions
