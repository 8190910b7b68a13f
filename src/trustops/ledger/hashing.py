"""How ledger content, Merkle roots and blocks are hashed. Pure functions, shared by writer and verifier."""
import hashlib
from datetime import datetime, timezone

from trustops.kernel.canonical import digest

GENESIS = "0" * 64


def utc_iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def content_hash(*, occurred_at: datetime, kind: str, actor_id, actor_name: str, subject_id, case_id,
                 payload: dict) -> str:
    return digest({
        "at": utc_iso(occurred_at), "kind": kind, "actor": actor_id, "actor_name": actor_name,
        "subject": subject_id, "case": case_id, "payload": payload,
    })


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
