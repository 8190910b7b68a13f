"""Checking the ledger: every event against its own hash, every block against its events and its parent."""
from dataclasses import dataclass

from trustops.ledger import hashing
from trustops.ledger.models import LedgerBlock, LedgerEvent

CHUNK = 5000


@dataclass
class Finding:
    event_id: int | None
    block: int | None
    problem: str

    def __str__(self):
        where = f"event {self.event_id}" if self.event_id is not None else f"block {self.block}"
        return f"{where}: {self.problem}"


@dataclass
class Report:
    events_checked: int
    blocks_checked: int
    unsealed: int
    finding: Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def _check_events() -> tuple[int, int, Finding | None]:
    checked = unsealed = 0
    last_id = 0
    while True:
        chunk = list(LedgerEvent.objects.filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            return checked, unsealed, None
        for event in chunk:
            expected = hashing.content_hash(
                occurred_at=event.occurred_at, kind=event.kind, actor_id=event.actor_id,
                actor_name=event.actor_name, subject_id=event.subject_id, case_id=event.case_id,
                payload=event.payload)
            if expected != event.content_hash:
                return checked, unsealed, Finding(event.id, event.block, "content does not match its hash (edited)")
            checked += 1
            unsealed += event.block is None
        last_id = chunk[-1].id


def _check_blocks() -> tuple[int, Finding | None]:
    previous = hashing.GENESIS
    checked = 0
    expected_number = 1
    for block in LedgerBlock.objects.order_by("number").iterator(chunk_size=200):
        if block.number != expected_number:
            return checked, Finding(None, expected_number, "block missing from the chain")
        if block.previous_hash != previous:
            return checked, Finding(None, block.number, "does not link to the previous block")
        recomputed = hashing.block_hash(number=block.number, previous_hash=block.previous_hash,
                                        merkle_root_hex=block.merkle_root, event_count=block.event_count,
                                        event_ranges=block.event_ranges, sealed_at=block.sealed_at)
        if recomputed != block.block_hash:
            return checked, Finding(None, block.number, "block record altered")
        sealed_ids = hashing.ranges_to_ids(block.event_ranges)
        present = dict(LedgerEvent.objects.filter(block=block.number).order_by("id").values_list("id", "content_hash"))
        for event_id in sealed_ids:
            if event_id not in present:
                return checked, Finding(event_id, block.number, "sealed event is missing (deleted or moved)")
        extra = sorted(set(present) - set(sealed_ids))
        if extra:
            return checked, Finding(extra[0], block.number, "event claims a block that did not seal it")
        root = hashing.merkle_root([hashing.leaf(i, present[i]) for i in sealed_ids])
        if root != block.merkle_root:
            return checked, Finding(None, block.number, "Merkle root does not match the sealed events")
        previous = block.block_hash
        checked += 1
        expected_number += 1
    return checked, None


def verify() -> Report:
    events_checked, unsealed, finding = _check_events()
    blocks_checked, block_finding = _check_blocks()
    if finding is None or (block_finding and block_finding.event_id is not None
                           and block_finding.event_id < finding.event_id):
        finding = block_finding or finding
    return Report(events_checked, blocks_checked, unsealed, finding)


def head() -> dict:
    block = LedgerBlock.objects.order_by("-number").first()
    return {"block": block.number if block else 0, "block_hash": block.block_hash if block else hashing.GENESIS}
