"""Training and certification: SOP versions per queue, quizzes built from golden items, attempts, and the
certification that gates an agent's access to a queue that requires it."""
from django.conf import settings
from django.db import models


class Sop(models.Model):
    """A version of a queue's standard operating procedure; it names the policy whose changes retire it."""
    queue = models.ForeignKey("review.Queue", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "version"], name="sop_queue_version")]


class Quiz(models.Model):
    queue = models.ForeignKey("review.Queue", on_delete=models.PROTECT, related_name="+")
    sop = models.ForeignKey(Sop, on_delete=models.PROTECT, related_name="quizzes")
    title = models.CharField(max_length=200)
    pass_mark = models.FloatField(help_text="Share of questions answered right to pass, 0..1.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()


class QuizQuestion(models.Model):
    """One golden item asked as a question: the right answer is the golden item's expected verdict and policy."""
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    golden_item = models.ForeignKey("quality.GoldenItem", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "golden_item"], name="quiz_question_once")]


class QuizAttempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=list)
    correct = models.PositiveSmallIntegerField()
    score = models.FloatField()
    passed = models.BooleanField()
    submitted_at = models.DateTimeField()


class CertificationStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"


class Certification(models.Model):
    """An agent's certification on a queue, against the version of the queue's policy they were tested on."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("review.Queue", on_delete=models.PROTECT, related_name="+")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey("policies.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    status = models.CharField(max_length=8, choices=CertificationStatus.choices, default=CertificationStatus.VALID)
    certified_at = models.DateTimeField()
    expired_at = models.DateTimeField(null=True, blank=True)
    expiry_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "queue"], name="certification_per_queue")]
