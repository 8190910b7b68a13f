"""Writing the ledger. Call `record`/`record_many` inside the use case's transaction."""
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from trustops.kernel import bulk, clock
from trustops.kernel.canonical import canonical_json, normalise, stored_json
from trustops.kernel.database import fetch_one_hot, is_postgres
from trustops.ledger import hashing
from trustops.ledger.models import LedgerBlock, LedgerEvent, PersonalPart

SYSTEM = "system"


@dataclass
class Entry:
    kind: str
    payload: dict = field(default_factory=dict)
    subject_id: int | None = None
    case_id: int | None = None
    personal: dict | None = None


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, str):
        return None, actor
    return actor.pk, actor.get_username()


COPY_COLUMNS = ["occurred_at", "kind", "actor_id", "actor_name", "subject_id", "case_id", "payload",
                "content_hash"]


def _with_personal(payload: dict | None, personal: dict | None, at) -> dict:
    """The payload committing to `personal` by its salted digest; the part itself goes to its own row."""
    if not personal:
        return payload or {}
    if hashing.PERSONAL_KEY in (payload or {}):
        raise ValueError(f"{hashing.PERSONAL_KEY} is reserved for the personal part")
    salt = secrets.token_hex(16)
    content = normalise(personal)
    digest = hashing.personal_digest(salt, stored_json(content))
    PersonalPart.objects.create(digest=digest, salt=salt, content=content, recorded_at=at)
    return {**(payload or {}), hashing.PERSONAL_KEY: digest}


def record(kind: str, *, actor=None, subject_id: int | None = None, case_id: int | None = None,
           payload: dict | None = None, personal: dict | None = None) -> None:
    """Append one event. `actor` is a user, a label for a machine actor, or None for the system.

    The payload is normalised (`trustops.kernel.canonical.normalise`), so the text hashed is the text every
    database gives back; `Invalid` if it holds NaN or Infinity, and nothing is written. One plain INSERT of
    that canonical text: no model instance, no second encoding.

    `personal` is the event's personal data (a requester's contact details, a reporter's identity): kept in a
    `PersonalPart` that a retention purge may erase; the event commits to it only through its digest.
    """
    actor_id, actor_name = _actor_fields(actor)
    at = clock.now()
    payload_json = canonical_json(_with_personal(payload, personal, at))
    content_hash = hashing.content_hasher(at, actor_id, actor_name)(kind, subject_id, case_id, payload_json)
    cast = "::jsonb" if is_postgres() else ""
    fetch_one_hot(f"INSERT INTO {LedgerEvent._meta.db_table} ({', '.join(COPY_COLUMNS)}) "
                  f"VALUES (%s, %s, %s, %s, %s, %s, %s{cast}, %s)",
                  [connection.ops.adapt_datetimefield_value(at), kind, actor_id, actor_name, subject_id, case_id,
                   payload_json, content_hash])


def record_many(entries: list[Entry], *, actor=None) -> None:
    """Append many events that share an actor and a time (one use case's batch), normalised like `record`."""
    if not entries:
        return
    actor_id, actor_name = _actor_fields(actor)
    at = clock.now()
    hash_event = hashing.content_hasher(at, actor_id, actor_name)
    rows = []
    for entry in entries:
        payload = normalise(_with_personal(entry.payload, entry.personal, at))
        payload_json = stored_json(payload)
        content_hash = hash_event(entry.kind, entry.subject_id, entry.case_id, payload_json)
        rows.append((entry, payload, payload_json, content_hash))
    if is_postgres():
        # Intake writes a few events per report and needs none of their ids back: COPY takes the canonical
        # payload text that was hashed as it is, where bulk_create would build a model, encode the JSON again
        # and bind every field.
        bulk.copy_rows(LedgerEvent, COPY_COLUMNS, (
            (at, entry.kind, actor_id, actor_name, entry.subject_id, entry.case_id, payload_json,
             content_hash) for entry, _, payload_json, content_hash in rows))
        return
    # The normalised value, which the ORM encodes to the same JSON (spacing and escapes aside).
    LedgerEvent.objects.bulk_create([
        LedgerEvent(occurred_at=at, kind=entry.kind, actor_id=actor_id, actor_name=actor_name,
                    subject_id=entry.subject_id, case_id=entry.case_id, payload=payload,
                    content_hash=content_hash)
        for entry, payload, _, content_hash in rows], batch_size=2000)


@transaction.atomic
def purge_personal(digests, *, reason: str, actor=None) -> int:
    """Erase personal parts (their salt and content), keeping the digests the events hold: the ledger still
    verifies, and what was erased can no longer be read or confirmed. Returns how many were erased."""
    digests = sorted(set(digests))
    purged = 0
    for start in range(0, len(digests), 5000):
        purged += PersonalPart.objects.filter(digest__in=digests[start:start + 5000], purged_at__isnull=True).update(
            salt="", content=None, purged_at=clock.now(), purge_reason=reason[:200])
    if purged:
        record("ledger.personal_purged", actor=actor, payload={"count": purged, "reason": reason[:200]})
    return purged


def _take_sealer_lock() -> None:
    # One sealer at a time. SQLite already serialises writers; PostgreSQL takes a transaction lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7340001)")


@transaction.atomic
def seal_block(*, horizon_seconds: float | None = None, max_events: int | None = None) -> LedgerBlock | None:
    """Seal committed, unsealed events older than the horizon into the next block."""
    from datetime import timedelta

    _take_sealer_lock()
    horizon = settings.TRUSTOPS["LEDGER_SEAL_HORIZON_SECONDS"] if horizon_seconds is None else horizon_seconds
    limit = max_events or settings.TRUSTOPS["LEDGER_BLOCK_MAX_EVENTS"]
    sealed_at = clock.now()
    rows = list(LedgerEvent.objects.filter(block__isnull=True, occurred_at__lte=sealed_at - timedelta(seconds=horizon))
                .order_by("id").values_list("id", "content_hash")[:limit])
    if not rows:
        return None
    last = LedgerBlock.objects.order_by("-number").first()
    number = last.number + 1 if last else 1
    previous = last.block_hash if last else hashing.GENESIS
    ids = [event_id for event_id, _ in rows]
    root = hashing.merkle_root([hashing.leaf(event_id, h) for event_id, h in rows])
    ranges = hashing.ids_to_ranges(ids)
    block = LedgerBlock.objects.create(
        number=number, sealed_at=sealed_at, event_count=len(ids), event_ranges=ranges, merkle_root=root,
        previous_hash=previous,
        block_hash=hashing.block_hash(number=number, previous_hash=previous, merkle_root_hex=root,
                                      event_count=len(ids), event_ranges=ranges, sealed_at=sealed_at),
    )
    for start in range(0, len(ids), 5000):
        LedgerEvent.objects.filter(id__in=ids[start:start + 5000]).update(block=number)
    return block


def seal_all(*, horizon_seconds: float | None = None) -> int:
    """Seal until nothing old enough is left; each block is its own transaction."""
    sealed = 0
    while (block := seal_block(horizon_seconds=horizon_seconds)) is not None:
        sealed += block.event_count
    return sealed
