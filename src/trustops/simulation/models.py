from django.db import models


class GroundTruth(models.Model):
    """What the synthetic platform knows a subject to be. Hidden from reviewers; used to score decisions."""
    subject = models.OneToOneField("subjects.Subject", on_delete=models.CASCADE, related_name="+")
    policy_code = models.CharField(max_length=120, null=True, blank=True,
                                   help_text="The policy the subject really violates; empty when it is clean.")
    created_at = models.DateTimeField()

    def __str__(self):
        return f"{self.subject_id}: {self.policy_code or 'clean'}"


class Seeding(models.Model):
    """A synthetic world applied to this database, so a second demo start does not seed it again."""
    seed = models.IntegerField()
    size = models.CharField(max_length=32)
    applied_at = models.DateTimeField()
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-applied_at"]

    def __str__(self):
        return f"seed {self.seed} ({self.size})"
