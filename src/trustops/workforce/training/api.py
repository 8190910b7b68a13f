"""The training API: SOP versions, quizzes from golden items, attempts, certifications, gating a queue."""
from datetime import datetime
from typing import Annotated, Literal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.training import selectors, services

router = Router(tags=["workforce training"])


class SopIn(Schema):
    queue: str = Field(max_length=64)
    title: str = Field(max_length=200)
    body: str = Field(max_length=100_000)
    policy: str | None = Field(default=None, max_length=120,
                               description="The policy whose new versions expire the queue's certifications")


class SopOut(Schema):
    id: int
    queue: str
    version: int
    title: str
    policy: str | None
    created_at: datetime


@router.post("/workforce/sops", response={201: SopOut}, auth=scope("workforce:write"))
def post_sop(request, body: SopIn):
    sop = services.publish_sop(actor=request.auth, queue_key=body.queue, title=body.title, body=body.body,
                               policy_code=body.policy)
    return Status(201, {"id": sop.pk, "queue": sop.queue.key, "version": sop.version, "title": sop.title,
                        "policy": sop.policy.code if sop.policy else None, "created_at": sop.created_at})


class QuizIn(Schema):
    sop_id: Id
    title: str = Field(default="", max_length=200)
    pass_mark: float = Field(gt=0, le=1)
    golden_item_ids: list[Id] | None = Field(default=None, max_length=services.MAX_QUESTIONS)
    questions: int = Field(default=10, ge=1, le=services.MAX_QUESTIONS)


class QuestionOut(Schema):
    position: int
    subject_type: str
    external_id: str
    attributes: dict


class QuizOut(Schema):
    id: int
    queue: str
    sop_version: int
    title: str
    pass_mark: float
    active: bool
    questions: list[QuestionOut]


def quiz_out(quiz) -> dict:
    return {"id": quiz.pk, "queue": quiz.queue.key, "sop_version": quiz.sop.version, "title": quiz.title,
            "pass_mark": quiz.pass_mark, "active": quiz.active, "questions": services.questions_of(quiz)}


@router.post("/workforce/quizzes", response={201: QuizOut}, auth=scope("workforce:write"))
def post_quiz(request, body: QuizIn):
    quiz = services.create_quiz(actor=request.auth, sop_id=body.sop_id, title=body.title, pass_mark=body.pass_mark,
                                golden_item_ids=body.golden_item_ids, questions=body.questions)
    return Status(201, quiz_out(quiz))


@router.get("/workforce/quizzes/{quiz_id}", response=QuizOut, auth=scope("queues:read"),
            summary="A quiz as its taker sees it (no answers)")
def get_quiz(request, quiz_id: Id):
    return quiz_out(selectors.get_quiz(request.auth, quiz_id))


class AnswerIn(Schema):
    position: int = Field(ge=1, le=services.MAX_QUESTIONS)
    verdict: Literal["violation", "no_violation"]
    policy: str | None = Field(default=None, max_length=120)


class AttemptIn(Schema):
    answers: list[AnswerIn] = Field(min_length=1, max_length=services.MAX_QUESTIONS)


class AttemptOut(Schema):
    id: int
    quiz_id: int
    correct: int
    score: float
    passed: bool
    submitted_at: datetime


@router.post("/workforce/quizzes/{quiz_id}/attempts", response={201: AttemptOut}, auth=scope("cases:write"),
             summary="Take a quiz; a pass certifies the taker on the quiz's queue")
def post_attempt(request, quiz_id: Id, body: AttemptIn):
    attempt = services.submit_attempt(actor=request.auth, quiz_id=quiz_id, answers=[
        services.Answer(position=a.position, verdict=a.verdict, policy=a.policy) for a in body.answers])
    return Status(201, {"id": attempt.pk, "quiz_id": attempt.quiz_id, "correct": attempt.correct,
                        "score": attempt.score, "passed": attempt.passed, "submitted_at": attempt.submitted_at})


class CertificationOut(Schema):
    user: str
    vendor: str | None
    queue: str
    status: str
    current: bool
    certified_at: datetime
    policy_version: int | None
    expiry_reason: str


def certification_out(c) -> dict:
    return {"user": c.user.username, "vendor": c.user.vendor.name if c.user.vendor else None, "queue": c.queue.key,
            "status": c.status if selectors.is_current(c) or c.status != "valid" else "expired",
            "current": selectors.is_current(c), "certified_at": c.certified_at,
            "policy_version": c.policy_version.number if c.policy_version else None,
            "expiry_reason": c.expiry_reason or ("" if selectors.is_current(c) else "the policy changed version")}


@router.get("/workforce/certifications", response=list[CertificationOut], auth=scope("queues:read"),
            summary="Certifications the caller may see: their own; their vendor's people's for its managers")
def list_certifications(request, queue: Annotated[str | None, Field(max_length=64)] = None):
    rows = selectors.certifications_visible_to(request.auth)
    if queue:
        rows = rows.filter(queue__key=queue)
    return [certification_out(c) for c in rows[:500]]


class GateIn(Schema):
    requires_certification: bool


@router.post("/workforce/queues/{queue_key}/certification", auth=scope("workforce:write"),
             response={200: dict}, summary="Require (or stop requiring) certification to claim from a queue")
def post_gate(request, queue_key: Annotated[str, Field(max_length=64)], body: GateIn):
    queue = services.set_requires_certification(actor=request.auth, queue_key=queue_key,
                                                required=body.requires_certification)
    return {"queue": queue.key, "requires_certification": queue.requires_certification}
