"""How ledger content, Merkle roots and blocks are hashed. Pure functions, shared by writer and verifier."""
import hashlib
from datetime import datetime

from trustops.kernel.canonical import digest, stored_json, utc_iso

GENESIS = "0" * 64
# The payload key under which an event commits to its personal part (models.PersonalPart).
PERSONAL_KEY = "personal_digest"


def content_hash(*, occurred_at: datetime, kind: str, actor_id, actor_name: str, subject_id, case_id,
                 payload: dict) -> str:
    """SHA-256 of the canonical JSON of {at, kind, actor, actor_name, subject, case, payload}, as stored.

    The payload is taken as the database gives it back, not normalised again: the writer stored it normalised,
    so the two agree, and an event written before a normalisation rule existed still verifies.
    """
    hash_event = content_hasher(occurred_at, actor_id, actor_name)
    return hash_event(kind, subject_id, case_id, stored_json(payload))


def content_hasher(occurred_at: datetime, actor_id, actor_name: str):
    """`content_hash` for events sharing a time and an actor, given each payload's canonical JSON.

    The envelope is spelled out in canonical key order (actor, actor_name, at, case, kind, payload, subject),
    so the text is exactly what `stored_json` would serialise; but the shared head is written once per batch,
    and each payload once in all (the writer stores that same text). Kind and actor are column values the
    database keeps as they are, so they are spelled as given, like the payload text.
    """
    head = stored_json({"actor": actor_id, "actor_name": actor_name, "at": utc_iso(occurred_at)})[:-1]

    def hash_event(kind: str, subject_id, case_id, payload_json: str) -> str:
        text = (f'{head},"case":{_scalar(case_id)},"kind":{stored_json(kind)},"payload":{payload_json},'
                f'"subject":{_scalar(subject_id)}}}')
        return hashlib.sha256(text.encode()).hexdigest()

    return hash_event


def _scalar(value) -> str:
    if value is None:
        return "null"
    return str(value) if type(value) is int else stored_json(value)


def personal_digest(salt: str, content_json: str) -> str:
    """What an event's payload keeps of its personal part: the salted digest of the part's canonical JSON."""
    return hashlib.sha256(f"{salt}:{content_json}".encode()).hexdigest()


def leaf(event_id: int, event_content_hash: str) -> bytes:
    return hashlib.sha256(f"{event_id}:{event_content_hash}".encode()).digest()


def merkle_root(leaves: list[bytes]) -> str:
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = leaves
    while len(level) > 1:
        if len(level) % 2:
            level = level + [level[-1]]
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0].hex()


def block_hash(*, number: int, previous_hash: str, merkle_root_hex: str, event_count: int, event_ranges: str,
               sealed_at: datetime) -> str:
    return digest({"number": number, "previous": previous_hash, "root": merkle_root_hex, "count": event_count,
                   "ranges": event_ranges, "sealed_at": utc_iso(sealed_at)})


def ids_to_ranges(ids: list[int]) -> str:
    parts, start, prev = [], None, None
    for i in ids:
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = i
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ",".join(parts)


def ranges_to_ids(ranges: str) -> list[int]:
    ids: list[int] = []
    for part in filter(None, ranges.split(",")):
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids
