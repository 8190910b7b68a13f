from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

ACCOUNT_TYPES = ("user", "creator", "merchant")
ITEM_TYPES = ("video", "comment", "livestream", "listing", "poi", "message")
SUBJECT_TYPES = ACCOUNT_TYPES + ITEM_TYPES
# Attributes that tie accounts to one person or operation (selectors.linked_accounts), each indexed for accounts.
ACCOUNT_LINK_KEYS = ("device_id", "payout_account", "contact_phone", "contact_email")


class Subject(models.Model):
    """An account or an item on the integrating platform, keyed by the platform's own id."""
    type = models.CharField(max_length=16, choices=[(t, t) for t in SUBJECT_TYPES])
    external_id = models.CharField(max_length=200)
    owner = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="items",
                              db_index=False)  # indexed by `subject_owner`
    region = models.CharField(max_length=8, db_index=True)
    language = models.CharField(max_length=16, blank=True, default="")
    reach = models.BigIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "external_id"], name="subject_identity")]
        indexes = [
            models.Index(fields=["owner"], name="subject_owner"),
            # Finding linked accounts must not scan every subject: one small index per key, over accounts only.
            *(models.Index(KeyTransform(key, "attributes"), condition=Q(type__in=ACCOUNT_TYPES),
                           name=f"account_link_{key}") for key in ACCOUNT_LINK_KEYS),
        ]

    def __str__(self):
        return f"{self.type}:{self.external_id}"

    @property
    def is_account(self) -> bool:
        return self.type in ACCOUNT_TYPES
