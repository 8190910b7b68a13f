"""API for experiments (define, start, finish, analyse) and the sample-size calculator."""
from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.quality.experiments import selectors, services

router = Router(tags=["quality"])


class ArmIn(Schema):
    key: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=2000)


class ExperimentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(default="", max_length=5000)
    unit: Literal["reviewer", "item"]
    arms: list[ArmIn] = Field(min_length=2, max_length=services.MAX_ARMS)
    seed: int = Field(default=1, ge=0, le=2 ** 62)
    queue: str | None = None


class StartIn(Schema):
    reviewers: list[str] | None = Field(default=None, max_length=services.MAX_UNITS)
    items: list[int] | None = Field(default=None, max_length=services.MAX_UNITS)


class ArmOut(Schema):
    key: str
    description: str
    assigned: list[str] | list[int]


class ExperimentOut(Schema):
    experiment_id: Id
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
    assigned = selectors.assignments(experiment)
    return {"experiment_id": experiment.pk, "name": experiment.name, "hypothesis": experiment.hypothesis,
            "unit": experiment.unit, "seed": experiment.seed, "queue": experiment.queue.key if experiment.queue_id
            else None, "status": experiment.status,
            "arms": [{**arm, "assigned": assigned.get(arm["key"], [])} for arm in experiment.arms],
            "created_by": experiment.created_by.username, "created_at": experiment.created_at,
            "started_at": experiment.started_at, "ended_at": experiment.ended_at}


@router.post("/qa/experiments", response={201: ExperimentOut}, auth=scope("quality:write"),
             summary="Define an experiment: arms (the first is the control) compared by reviewer or by item",
             operation_id="trustops_quality_measurement_api_post_experiment")
def post_experiment(request, body: ExperimentIn):
    experiment = services.create_experiment(
        actor=request.auth, name=body.name, unit=body.unit, arms=[arm.dict() for arm in body.arms],
        hypothesis=body.hypothesis, seed=body.seed, queue_key=body.queue)
    return Status(201, _experiment_out(selectors.get_experiment(request.auth, experiment.pk)))


@router.get("/qa/experiments/{experiment_id}", response=ExperimentOut, auth=scope("quality:read"),
            operation_id="trustops_quality_measurement_api_read_experiment")
def read_experiment(request, experiment_id: Id):
    return _experiment_out(selectors.get_experiment(request.auth, experiment_id))


@router.post("/qa/experiments/{experiment_id}/start", response=ExperimentOut, auth=scope("quality:write"),
             summary="Start: assign the given reviewers (usernames) or items (case ids) to arms, balanced and "
                     "reproducible by the experiment's seed",
             operation_id="trustops_quality_measurement_api_start_experiment")
def start_experiment(request, experiment_id: Id, body: StartIn):
    services.start_experiment(actor=request.auth, experiment_id=experiment_id,
                              reviewers=body.reviewers, case_ids=body.items)
    return _experiment_out(selectors.get_experiment(request.auth, experiment_id))


@router.post("/qa/experiments/{experiment_id}/finish", response=ExperimentOut, auth=scope("quality:write"),
             operation_id="trustops_quality_measurement_api_finish_experiment")
def finish_experiment(request, experiment_id: Id):
    services.finish_experiment(actor=request.auth, experiment_id=experiment_id)
    return _experiment_out(selectors.get_experiment(request.auth, experiment_id))


class AnalysisQuery(Schema):
    confidence: float = Field(default=0.95, gt=0.5, lt=1)


@router.get("/qa/experiments/{experiment_id}/analysis", auth=scope("quality:read"),
            summary="Per arm: accuracy (audits and golden items) with Wilson intervals and handle time; against "
                    "the control: two-proportion test, Newcombe interval, Welch and bootstrap for handle time, "
                    "McNemar on items both arms judged. Undefined figures are null with the reason",
            operation_id="trustops_quality_measurement_api_read_analysis")
def read_analysis(request, experiment_id: Id, q: Query[AnalysisQuery]):
    return selectors.analysis(request.auth, experiment_id, confidence=q.confidence)


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
                    "difference (kind=two_proportions), or the power of a planned comparison (kind=power)",
            operation_id="trustops_quality_measurement_api_read_sample_size")
def read_sample_size(request, q: Query[SampleSizeQuery]):
    params = q.dict()
    return selectors.sample_size(params.pop("kind"), params)
