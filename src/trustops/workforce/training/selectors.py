"""Reading SOPs, quizzes, attempts and certifications; and whether a person may work a queue (review's hook)."""
from django.db.models import F, Q

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.workforce.training.models import Certification, CertificationStatus, Quiz, QuizAttempt, Sop

# A certification counts while it is valid and the policy it was tested on has not moved to a new version.
CURRENT = Q(status=CertificationStatus.VALID) & (
    Q(policy_version__isnull=True) | Q(policy_version__policy__current_version=F("policy_version")))


class Qualifications:
    """review.hooks.QueueQualifications: one indexed query, asked only of queues that require certification."""

    def may_work(self, user_id: int, queue_id: int) -> bool:
        return Certification.objects.filter(CURRENT, user_id=user_id, queue_id=queue_id).exists()


def is_current(certification: Certification) -> bool:
    if certification.status != CertificationStatus.VALID:
        return False
    version = certification.policy_version
    return version is None or version.policy.current_version_id == version.pk


def sops_visible_to(viewer):
    return Sop.objects.filter(queue__in=Quiz.objects.filter(access.quiz_filter(viewer)).values("queue")) \
        if not (access.plans_all(viewer) or access.manages_training(viewer)) else Sop.objects.all()


def quizzes_visible_to(viewer):
    return (Quiz.objects.filter(pk__in=Quiz.objects.filter(access.quiz_filter(viewer)).values("pk"))
            .select_related("queue", "sop", "sop__policy").order_by("queue__key", "-created_at"))


def get_quiz(viewer, quiz_id: int) -> Quiz:
    quiz = quizzes_visible_to(viewer).filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound("quiz_not_found", f"No quiz {quiz_id}.")
    return quiz


def certifications_visible_to(viewer):
    return (Certification.objects.filter(access.people_filter(viewer, "user__"))
            .select_related("user", "user__vendor", "queue", "quiz", "policy_version", "policy_version__policy")
            .order_by("queue__key", "user__username"))


def attempts_visible_to(viewer):
    return (QuizAttempt.objects.filter(access.people_filter(viewer, "user__"))
            .select_related("user", "quiz", "quiz__queue").order_by("-submitted_at", "-pk"))
