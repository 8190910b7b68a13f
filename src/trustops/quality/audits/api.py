"""API for audit samples, audit tasks, audits, disputes and arbitration."""
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment
from trustops.quality.audits import sampling, selectors, services

router = Router(tags=["quality"])

Stratum = Literal["vendor", "team", "agent", "queue", "policy"]


class SampleIn(Schema):
    period_start: Moment
    period_end: Moment
    strata: list[Stratum] = []
    size: int | None = Field(default=None, ge=1)
    margin: float | None = Field(default=None, gt=0, lt=0.5)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    expected_accuracy: float = Field(default=0.9, gt=0, lt=1)
    seed: int = 1
    queues: list[str] = []
    vendors: list[str] = []
    teams: list[str] = []
    agents: list[str] = []
    policies: list[str] = []
    oversample_new_agents_days: int | None = Field(default=None, ge=1, le=36_500)
    oversample_below_accuracy: float | None = Field(default=None, gt=0, lt=1)
    oversample_factor: float = Field(default=2.0, ge=1, le=10)
    auditors: list[str] = []
    blind: bool = True


class SampleOut(Schema):
    sample_id: Id
    population: int
    tasks: int
    allocation: list[dict]


@router.post("/qa/samples", response={201: SampleOut}, auth=scope("quality:write"),
             summary="Draw a reproducible, stratified audit sample; its decisions become audit tasks",
             operation_id="trustops_quality_api_post_sample")
def post_sample(request, body: SampleIn):
    sample = sampling.draw_sample(actor=request.auth, request=sampling.SampleRequest(**body.dict()))
    return Status(201, {"sample_id": sample.pk, "population": sample.population, "tasks": sample.tasks.count(),
                        "allocation": sample.allocation})


class TaskOut(Schema):
    task_id: Id
    sample_id: Id
    decision_id: int
    case_id: int
    queue: str
    subject_type: str
    subject_external_id: str
    stratum: str
    status: str
    original_decision: dict | None


def _task_out(task) -> dict:
    decision = task.decision
    hidden = task.sample.blind and task.status == "open"   # blind: the decision shows only once audited
    return {"task_id": task.pk, "sample_id": task.sample_id, "decision_id": decision.pk, "case_id": decision.case_id,
            "queue": decision.case.queue.key, "subject_type": decision.case.subject.type,
            "subject_external_id": decision.case.subject.external_id, "stratum": task.stratum,
            "status": task.status, "original_decision": None if hidden else {
                "verdict": decision.verdict, "policy": decision.policy.code if decision.policy_id else None,
                "actions": decision.actions, "rationale": decision.rationale,
                "reviewer": decision.reviewer.username}}


class TaskQuery(Schema):
    limit: int = Field(default=50, ge=1, le=500)


@router.get("/qa/tasks", response=list[TaskOut], auth=scope("quality:read"),
            summary="Open audit tasks for the caller (assigned to them or unassigned)",
            operation_id="trustops_quality_api_list_tasks")
def list_tasks(request, q: Query[TaskQuery]):
    return [_task_out(t) for t in selectors.tasks_for(request.auth)[:q.limit]]


@router.get("/qa/tasks/{task_id}", response=TaskOut, auth=scope("quality:read"),
            operation_id="trustops_quality_api_read_task")
def read_task(request, task_id: Id):
    return _task_out(selectors.get_task(request.auth, task_id))


class AuditIn(Schema):
    decision_id: int
    correct_verdict: Literal["violation", "no_violation"]
    correct_policy: str | None = None
    correct_actions: list[str] | None = None
    rca_category: Literal["product_tech", "process", "policy", "human_training"] | None = None
    notes: str = Field(default="", max_length=5000)


class AuditOut(Schema):
    audit_id: Id
    decision_id: int
    error_type: str
    status: str
    original_decision: dict


def _audit_out(audit) -> dict:
    decision = audit.decision
    return {"audit_id": audit.pk, "decision_id": decision.pk, "error_type": audit.error_type, "status": audit.status,
            "original_decision": {"verdict": decision.verdict,
                                  "policy": decision.policy.code if decision.policy_id else None,
                                  "actions": decision.actions, "reviewer": decision.reviewer.username}}


@router.post("/qa/audits", response={201: AuditOut}, auth=scope("quality:write"),
             summary="Audit a decision; the error type is derived",
             operation_id="trustops_quality_api_post_audit")
def post_audit(request, body: AuditIn):
    audit = services.submit_audit(
        actor=request.auth, decision_id=body.decision_id, rca_category=body.rca_category, notes=body.notes,
        judgement=services.Judgement(body.correct_verdict, body.correct_policy, body.correct_actions))
    return Status(201, _audit_out(selectors.get_audit(request.auth, audit.pk)))


class DisputeIn(Schema):
    reason: str = Field(min_length=1, max_length=5000)


class DisputeOut(Schema):
    dispute_id: Id
    audit_id: Id
    status: str
    audit_before: dict | None
    error_type: str


def _dispute_out(dispute) -> dict:
    return {"dispute_id": dispute.pk, "audit_id": dispute.audit_id, "status": dispute.status,
            "audit_before": dispute.audit_before, "error_type": dispute.audit.error_type}


@router.post("/qa/audits/{audit_id}/disputes", response={201: DisputeOut}, auth=scope("quality:write"),
             summary="The reviewer (or their vendor manager) disputes an audit",
             operation_id="trustops_quality_api_post_dispute")
def post_dispute(request, audit_id: Id, body: DisputeIn):
    return Status(201, _dispute_out(services.raise_dispute(actor=request.auth, audit_id=audit_id, reason=body.reason)))


class ArbitrationIn(Schema):
    outcome: Literal["upheld", "revised"]
    note: str = Field(min_length=1, max_length=5000)
    correct_verdict: Literal["violation", "no_violation"] | None = None
    correct_policy: str | None = None
    correct_actions: list[str] | None = None


@router.post("/qa/disputes/{dispute_id}/arbitration", response=DisputeOut, auth=scope("quality:write"),
             summary="A QA lead upholds or revises the disputed audit",
             operation_id="trustops_quality_api_post_arbitration")
def post_arbitration(request, dispute_id: Id, body: ArbitrationIn):
    judgement = (services.Judgement(body.correct_verdict, body.correct_policy, body.correct_actions)
                 if body.correct_verdict else None)
    return _dispute_out(services.arbitrate(actor=request.auth, dispute_id=dispute_id, outcome=body.outcome,
                                           note=body.note, judgement=judgement))
