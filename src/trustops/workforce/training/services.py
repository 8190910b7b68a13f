"""Training: SOP versions, quizzes built from golden items, attempts, certification and its expiry when the
policy a certification was tested on changes version."""
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies.models import Policy
from trustops.quality.models import GoldenItem
from trustops.review import services as review
from trustops.review.models import Queue
from trustops.workforce.training import selectors
from trustops.workforce.training.models import (
    Certification,
    CertificationStatus,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    Sop,
)

MAX_QUESTIONS = 50
VERDICTS = ("violation", "no_violation")


def _require_manager(actor) -> None:
    if not access.manages_training(actor):
        raise Forbidden("not_a_training_manager", "Only vendor managers, QA leads and admins manage training.")


def _queue(key: str) -> Queue:
    queue = Queue.objects.filter(key=key, active=True).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {key!r}.", field="queue")
    return queue


@transaction.atomic
def publish_sop(*, actor, queue_key: str, title: str, body: str, policy_code: str | None = None) -> Sop:
    _require_manager(actor)
    queue = _queue(queue_key)
    if not title.strip() or not body.strip():
        raise Invalid("invalid_field", "title and body: both are needed", field="title" if not title.strip()
                      else "body")
    policy = None
    if policy_code:
        policy = Policy.objects.filter(code=policy_code).first()
        if policy is None:
            raise Invalid("unknown_policy", f"No policy {policy_code!r}.", field="policy")
    version = (Sop.objects.select_for_update().filter(queue=queue).aggregate(v=Max("version"))["v"] or 0) + 1
    sop = Sop.objects.create(queue=queue, policy=policy, version=version, title=title.strip()[:200], body=body,
                             created_by=actor, created_at=clock.now())
    ledger.record("workforce.sop_published", actor=actor, payload={
        "sop": sop.pk, "queue": queue.key, "version": version, "policy": policy.code if policy else None})
    return sop


@transaction.atomic
def create_quiz(*, actor, sop_id: int, title: str, pass_mark: float, golden_item_ids: list[int] | None = None,
                questions: int = 10) -> Quiz:
    """A quiz on the SOP's queue from golden items placed in that queue (the given ones, or the latest)."""
    _require_manager(actor)
    sop = Sop.objects.select_related("queue").filter(pk=sop_id).first()
    if sop is None:
        raise NotFound("sop_not_found", f"No SOP {sop_id}.", field="sop_id")
    if not 0 < pass_mark <= 1:
        raise Invalid("invalid_field", "pass_mark: above 0, at most 1", field="pass_mark")
    if not 1 <= questions <= MAX_QUESTIONS:
        raise Invalid("invalid_field", f"questions: 1 to {MAX_QUESTIONS}", field="questions")
    items = GoldenItem.objects.filter(case__queue=sop.queue).order_by("-created_at", "-pk")
    if golden_item_ids is not None:
        chosen = list(items.filter(pk__in=golden_item_ids))
        missing = sorted(set(golden_item_ids) - {i.pk for i in chosen})
        if missing:
            raise Invalid("unknown_golden_items", f"Not golden items of {sop.queue.key!r}: {missing}",
                          field="golden_item_ids")
    else:
        chosen = list(items[:questions])
    if not chosen:
        raise Invalid("no_golden_items", f"No golden item in {sop.queue.key!r} to ask: QA places them first.",
                      field="golden_item_ids")
    quiz = Quiz.objects.create(queue=sop.queue, sop=sop, title=title.strip()[:200] or f"{sop.queue.name} quiz",
                               pass_mark=pass_mark, created_by=actor, created_at=clock.now())
    QuizQuestion.objects.bulk_create([QuizQuestion(quiz=quiz, golden_item=item, position=n)
                                      for n, item in enumerate(chosen, start=1)])
    ledger.record("workforce.quiz_created", actor=actor, payload={
        "quiz": quiz.pk, "queue": sop.queue.key, "sop_version": sop.version, "questions": len(chosen),
        "pass_mark": pass_mark})
    return quiz


def questions_of(quiz: Quiz) -> list[dict]:
    """What a taker sees: the item under review, never the expected answer."""
    rows = quiz.questions.select_related("golden_item__case__subject").order_by("position")
    return [{"position": q.position, "subject_type": q.golden_item.case.subject.type,
             "external_id": q.golden_item.case.subject.external_id,
             "attributes": q.golden_item.case.subject.attributes} for q in rows]


@dataclass(frozen=True)
class Answer:
    position: int
    verdict: str
    policy: str | None = None


def _right(item: GoldenItem, answer: Answer) -> bool:
    if answer.verdict != item.expected_verdict:
        return False
    return answer.verdict == "no_violation" or (item.expected_policy is not None
                                                and answer.policy == item.expected_policy.code)


@transaction.atomic
def submit_attempt(*, actor, quiz_id: int, answers: list[Answer]) -> QuizAttempt:
    """Score an attempt; a pass certifies the person on the quiz's queue against its policy's current version."""
    quiz = selectors.get_quiz(actor, quiz_id)
    if not quiz.active:
        raise Conflict("quiz_retired", "This quiz is no longer in use.")
    questions = {q.position: q for q in quiz.questions.select_related("golden_item__expected_policy")}
    given = {a.position: a for a in answers}
    problems = [f"position {p}: not a question" for p in sorted(set(given) - set(questions))]
    problems += [f"position {a.position}: verdict is violation or no_violation" for a in answers
                 if a.verdict not in VERDICTS]
    if len(given) != len(answers):
        problems.append("each question is answered once")
    if set(given) != set(questions) and not problems:
        problems.append(f"answer every question ({len(questions)})")
    if problems:
        raise Invalid("invalid_answers", "; ".join(problems), field="answers")
    correct = sum(_right(questions[p].golden_item, a) for p, a in given.items())
    score = correct / len(questions)
    now = clock.now()
    attempt = QuizAttempt.objects.create(
        quiz=quiz, user=actor, correct=correct, score=score, passed=score >= quiz.pass_mark - 1e-12,
        answers=[{"position": a.position, "verdict": a.verdict, "policy": a.policy} for a in answers],
        submitted_at=now)
    ledger.record("workforce.quiz_attempted", actor=actor, payload={
        "quiz": quiz.pk, "attempt": attempt.pk, "queue": quiz.queue.key, "score": round(score, 4),
        "passed": attempt.passed})
    if attempt.passed:
        version_id = quiz.sop.policy.current_version_id if quiz.sop.policy_id else None
        _certify(actor, quiz, version_id, now)
    return attempt


def _certify(actor, quiz: Quiz, version_id: int | None, now) -> None:
    fields = {"quiz": quiz, "policy_version_id": version_id, "status": CertificationStatus.VALID,
              "certified_at": now, "expired_at": None, "expiry_reason": ""}
    try:
        with transaction.atomic():
            Certification.objects.update_or_create(user=actor, queue=quiz.queue, defaults=fields)
    except IntegrityError:
        Certification.objects.filter(user=actor, queue=quiz.queue).update(**fields)
    ledger.record("workforce.certified", actor=actor, payload={
        "queue": quiz.queue.key, "quiz": quiz.pk, "policy_version": version_id})


@transaction.atomic
def expire_stale_certifications(*, actor=None) -> int:
    """Mark expired every valid certification whose policy has a newer version (the check at claim time
    already refuses them; this makes the roster say so)."""
    stale = list(Certification.objects.select_for_update(of=("self",))
                 .filter(status=CertificationStatus.VALID, policy_version__isnull=False)
                 .exclude(policy_version__policy__current_version=F("policy_version"))
                 .select_related("policy_version__policy__current_version", "queue", "user"))
    now = clock.now()
    for cert in stale:
        policy = cert.policy_version.policy
        cert.status, cert.expired_at = CertificationStatus.EXPIRED, now
        cert.expiry_reason = (f"{policy.code} moved from version {cert.policy_version.number} to "
                              f"{policy.current_version.number if policy.current_version else '—'}")[:300]
        cert.save(update_fields=["status", "expired_at", "expiry_reason"])
        ledger.record("workforce.certification_expired", actor=actor, payload={
            "user": cert.user.username, "queue": cert.queue.key, "reason": cert.expiry_reason})
    return len(stale)


@transaction.atomic
def set_requires_certification(*, actor, queue_key: str, required: bool) -> Queue:
    """Gate a queue on certification (through review's queue service, which records the change)."""
    _require_manager(actor)
    queue = _queue(queue_key)
    return review.save_queue(key=queue.key, actor=actor, requires_certification=bool(required))
