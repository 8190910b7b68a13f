"""The append-only, tamper-evident event log.

Writers only insert rows carrying the SHA-256 of their own content, so they never wait on each other.
A single sealer later groups committed events into blocks: each block keeps the Merkle root of its events
and the hash of the previous block, which makes any edit, deletion or reordering detectable.
"""
from django.conf import settings
from django.db import models


class LedgerEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    # Not indexed: ids grow with time, and an index on the time took every concurrent writer to its last page.
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=64)
    # Plain ids, not enforced foreign keys: the ledger outlives whatever it describes. Every event pays for every
    # index, so there are only the ones the timelines and the sealer read by (below).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, db_index=False, related_name="+")
    actor_name = models.CharField(max_length=150)
    subject = models.ForeignKey("subjects.Subject", null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, db_index=False, related_name="+")
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, db_index=False, related_name="+")
    payload = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    block = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject", "id"], name="ledger_subject_timeline"),
            models.Index(fields=["case", "id"], name="ledger_case_timeline"),
            models.Index(fields=["block", "id"], name="ledger_block_members"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind}"


class LedgerBlock(models.Model):
    number = models.BigIntegerField(primary_key=True)
    sealed_at = models.DateTimeField()
    event_count = models.IntegerField()
    # The sealed ids as ranges ("1-500,502-900"): names a deleted event exactly.
    event_ranges = models.TextField()
    merkle_root = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    block_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"block {self.number} ({self.event_count} events)"


class PersonalPart(models.Model):
    """The personal data an event refers to, kept beside it so that it can be erased when its time is up.

    The event's payload holds only `digest` (under `hashing.PERSONAL_KEY`), the SHA-256 of a random salt and the
    part's canonical JSON; the event's own hash covers that digest. A purge drops the salt and the content and
    keeps the digest, so the redacted event still verifies, and without the salt nobody can test a guess of
    what was erased against the digest.
    """
    digest = models.CharField(max_length=64, primary_key=True)
    salt = models.CharField(max_length=64, blank=True, default="")
    content = models.JSONField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    purged_at = models.DateTimeField(null=True, blank=True)
    purge_reason = models.CharField(max_length=200, blank=True, default="")

    def __str__(self):
        return f"personal part {self.digest[:12]}{' (purged)' if self.purged_at else ''}"
