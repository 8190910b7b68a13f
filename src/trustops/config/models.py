from django.db import models


class Initialisation(models.Model):
    """That `trustops init` gave this database its starting configuration (once; never again after)."""
    step = models.CharField(max_length=40, unique=True)
    ran_at = models.DateTimeField()
    created = models.JSONField(default=list, help_text="What it created; what existed already was left alone.")

    def __str__(self):
        return f"{self.step} at {self.ran_at:%Y-%m-%d %H:%M}"
