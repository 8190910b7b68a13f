from django.contrib.auth.models import AbstractUser
from django.db import models

from trustops.identity.roles import IN_HOUSE_CASE_ROLES, Role

ALL_REGIONS = "*"


class Vendor(models.Model):
    """A BPO company: its people only ever see the queues contracted to it."""
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Team(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class MediaPreference(models.TextChoices):
    """How subject media is shown before a click reveals it (moderator wellbeing)."""
    BLUR = "blur", "Blurred and greyscale"
    GREYSCALE = "greyscale", "Greyscale"
    CLEAR = "clear", "As is"


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.MODERATOR)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    # Data regions whose content and personal data this person may see; "*" clears all.
    cleared_regions = models.JSONField(default=list, blank=True)
    media_preference = models.CharField(max_length=12, choices=MediaPreference.choices, default=MediaPreference.BLUR)
    # Restricted content this person may see and work (identity/access.py CLEARANCES), admins included.
    clearances = models.JSONField(default=list, blank=True)

    def region_codes(self) -> list[str] | None:
        """None means every region."""
        if ALL_REGIONS in self.cleared_regions:
            return None
        return list(self.cleared_regions)

    def is_cleared_for(self, region: str) -> bool:
        codes = self.region_codes()
        return codes is None or region in codes

    @property
    def is_vendor_staff(self) -> bool:
        return self.vendor_id is not None

    @property
    def reviews_in_house(self) -> bool:
        return self.vendor_id is None and self.role in IN_HOUSE_CASE_ROLES


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once when issued."""
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class Notification(models.Model):
    """Something the console tells one person (an SLA alert for a queue they lead), read or not yet read.

    It names what it is about by topic and id (`case` 42) rather than by a foreign key, so any app may notify
    without this one knowing its tables; the console turns the topic into a link.
    """
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    topic = models.CharField(max_length=24, blank=True, default="")
    topic_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
                   models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                                name="notification_unread")]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"
