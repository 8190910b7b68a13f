"""Measuring quality beyond audits: controlled experiments, golden items, and the sample-size calculator."""
from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment
from trustops.quality import experiments, golden
from trustops.quality.services import experiments as experiment_services
from trustops.quality.services import golden as golden_services

router = Router(tags=["quality"])


# ---- experiments ----

class ArmIn(Schema):
    key: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=2000)


class ExperimentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(default="", max_length=5000)
    unit: Literal["reviewer", "item"]
    arms: list[ArmIn] = Field(min_length=2, max_length=experiment_services.MAX_ARMS)
    seed: int = Field(default=1, ge=0, le=2 ** 62)
    queue: str | None = None


class StartIn(Schema):
    reviewers: list[str] | None = Field(default=None, max_length=experiment_services.MAX_UNITS)
    items: list[int] | None = Field(default=None, max_length=experiment_services.MAX_UNITS)


class ArmOut(Schema):
    key: str
    description: str
    assigned: list[str] | list[int]


class ExperimentOut(Schema):
    experiment_id: int
    name: str
    hypothesis: str
    unit: str
    seed: int
    queue: str | None
    status: str
    arms: list[ArmOut]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


def _experiment_out(experiment) -> dict:
    assigned = experiments.assignments(experiment)
    return {"experiment_id": experiment.pk, "name": experiment.name, "hypothesis": experiment.hypothesis,
            "unit": experiment.unit, "seed": experiment.seed, "queue": experiment.queue.key if experiment.queue_id
            else None, "status": experiment.status,
            "arms": [{**arm, "assigned": assigned.get(arm["key"], [])} for arm in experiment.arms],
            "created_by": experiment.created_by.username, "created_at": experiment.created_at,
            "started_at": experiment.started_at, "ended_at": experiment.ended_at}


@router.post("/qa/experiments", response={201: ExperimentOut}, auth=scope("quality:write"),
             summary="Define an experiment: arms (the first is the control) compared by reviewer or by item")
def post_experiment(request, body: ExperimentIn):
    experiment = experiment_services.create_experiment(
        actor=request.auth, name=body.name, unit=body.unit, arms=[arm.dict() for arm in body.arms],
        hypothesis=body.hypothesis, seed=body.seed, queue_key=body.queue)
    return Status(201, _experiment_out(experiments.get_experiment(request.auth, experiment.pk)))


@router.get("/qa/experiments/{experiment_id}", response=ExperimentOut, auth=scope("quality:read"))
def read_experiment(request, experiment_id: Id):
    return _experiment_out(experiments.get_experiment(request.auth, experiment_id))


@router.post("/qa/experiments/{experiment_id}/start", response=ExperimentOut, auth=scope("quality:write"),
             summary="Start: assign the given reviewers (usernames) or items (case ids) to arms, balanced and "
                     "reproducible by the experiment's seed")
def start_experiment(request, experiment_id: Id, body: StartIn):
    experiment_services.start_experiment(actor=request.auth, experiment_id=experiment_id,
                                         reviewers=body.reviewers, case_ids=body.items)
    return _experiment_out(experiments.get_experiment(request.auth, experiment_id))


@router.post("/qa/experiments/{experiment_id}/finish", response=ExperimentOut, auth=scope("quality:write"))
def finish_experiment(request, experiment_id: Id):
    experiment_services.finish_experiment(actor=request.auth, experiment_id=experiment_id)
    return _experiment_out(experiments.get_experiment(request.auth, experiment_id))


class AnalysisQuery(Schema):
    confidence: float = Field(default=0.95, gt=0.5, lt=1)


@router.get("/qa/experiments/{experiment_id}/analysis", auth=scope("quality:read"),
            summary="Per arm: accuracy (audits and golden items) with Wilson intervals and handle time; against "
                    "the control: two-proportion test, Newcombe interval, Welch and bootstrap for handle time, "
                    "McNemar on items both arms judged. Undefined figures are null with the reason")
def read_analysis(request, experiment_id: Id, q: Query[AnalysisQuery]):
    return experiments.analysis(request.auth, experiment_id, confidence=q.confidence)


class SampleSizeQuery(Schema):
    kind: Literal["proportion", "two_proportions", "power"]
    expected_accuracy: float | None = Field(default=None, ge=0, le=1)
    margin: float | None = Field(default=None, gt=0, lt=1)
    confidence: float | None = Field(default=None, gt=0, lt=1)
    population: int | None = Field(default=None, ge=1)
    p1: float | None = Field(default=None, ge=0, le=1)
    p2: float | None = Field(default=None, ge=0, le=1)
    alpha: float | None = Field(default=None, gt=0, lt=1)
    power: float | None = Field(default=None, gt=0, lt=1)
    ratio: float | None = Field(default=None, gt=0, le=100)
    n1: int | None = Field(default=None, ge=1)
    n2: int | None = Field(default=None, ge=1)


@router.get("/qa/sample-size", auth=scope("quality:read"),
            summary="How many audits for a margin of error (kind=proportion), how many per arm to detect a "
                    "difference (kind=two_proportions), or the power of a planned comparison (kind=power)")
def read_sample_size(request, q: Query[SampleSizeQuery]):
    params = q.dict()
    return experiments.sample_size(params.pop("kind"), params)


# ---- golden items ----

class GoldenItemIn(Schema):
    source_case_id: int
    queue: str = Field(min_length=1, max_length=64)
    expected_verdict: Literal["violation", "no_violation"]
    expected_policy: str | None = None


class GoldenItemOut(Schema):
    golden_item_id: int
    case_id: int
    source_case_id: int | None
    queue: str
    expected_verdict: str
    expected_policy: str | None
    created_by: str
    created_at: datetime
    status: str
    result: dict | None


def _golden_out(item, result: dict | None) -> dict:
    return {"golden_item_id": item.pk, "case_id": item.case_id, "source_case_id": item.source_case_id,
            "queue": item.case.queue.key, "expected_verdict": item.expected_verdict,
            "expected_policy": item.expected_policy.code if item.expected_policy_id else None,
            "created_by": item.created_by.username, "created_at": item.created_at, "status": item.case.status,
            "result": result}


def _golden_rows(user, items) -> list[dict]:
    decided = {row["case_id"]: row for row in golden.results(
        golden.golden_results_visible_to(user).filter(case_id__in=[i.case_id for i in items]))}
    return [_golden_out(item, None if item.case_id not in decided else {
        "decision_id": decided[item.case_id]["id"], "reviewer": decided[item.case_id]["reviewer__username"],
        "verdict": decided[item.case_id]["verdict"], "policy": decided[item.case_id]["policy__code"],
        "error_type": decided[item.case_id]["error_type"], "decided_at": decided[item.case_id]["decided_at"]})
        for item in items]


@router.post("/qa/golden-items", response={201: GoldenItemOut}, auth=scope("quality:write"),
             summary="Place a resolved case, whose answer is known, back into a live queue as an ordinary case")
def post_golden_item(request, body: GoldenItemIn):
    item = golden_services.create_golden_item(
        actor=request.auth, source_case_id=body.source_case_id, queue_key=body.queue,
        expected_verdict=body.expected_verdict, expected_policy=body.expected_policy)
    item = golden.golden_items_visible_to(request.auth).select_related(
        "case__queue", "expected_policy", "created_by").get(pk=item.pk)
    return Status(201, _golden_rows(request.auth, [item])[0])


class GoldenListQuery(Schema):
    status: Literal["open", "in_review", "resolved"] | None = None
    limit: int = Field(default=100, ge=1, le=500)


@router.get("/qa/golden-items", response=list[GoldenItemOut], auth=scope("quality:read"),
            summary="Golden items, newest first, with the decision each received (QA readers only)")
def list_golden_items(request, q: Query[GoldenListQuery]):
    items = golden.golden_items_visible_to(request.auth).select_related("case__queue", "expected_policy",
                                                                        "created_by")
    if q.status:
        items = items.filter(case__status=q.status)
    return _golden_rows(request.auth, list(items.order_by("-id")[:q.limit]))


class GoldenAccuracyQuery(Schema):
    group_by: Literal["agent", "vendor"] = "agent"
    date_from: Moment | None = Field(default=None, alias="from")
    date_to: Moment | None = Field(default=None, alias="to")


@router.get("/qa/golden-accuracy", auth=scope("quality:read"),
            summary="Accuracy on golden items per agent or vendor, with Wilson 95% intervals")
def read_golden_accuracy(request, q: Query[GoldenAccuracyQuery]):
    return golden.golden_accuracy(request.auth, date_from=q.date_from, date_to=q.date_to, group_by=q.group_by)
