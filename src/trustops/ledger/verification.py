"""Checking the ledger: every event against its own hash, every block against its events and its parent, and
optionally the whole against a head saved outside the database. Every problem is reported, not the first."""
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from trustops.kernel.canonical import stored_json
from trustops.ledger import hashing
from trustops.ledger.models import LedgerBlock, LedgerEvent, PersonalPart

CHUNK = 5000
# Findings kept in a report; beyond that they are only counted (a mass deletion would otherwise fill memory).
MAX_FINDINGS = 1000


@dataclass
class Finding:
    event_id: int | None
    block: int | None
    problem: str
    kind: str | None = None

    def __str__(self):
        if self.event_id is None:
            where = f"block {self.block}"
        else:
            where = f"event {self.event_id}" + (f" ({self.kind})" if self.kind else "")
            if self.block is not None:
                where += f" in block {self.block}"
        return f"{where}: {self.problem}"


@dataclass
class Report:
    events_checked: int = 0
    blocks_checked: int = 0
    unsealed: int = 0
    findings: list[Finding] = field(default_factory=list)
    problems: int = 0          # every finding, also those beyond MAX_FINDINGS

    @property
    def ok(self) -> bool:
        return self.problems == 0

    @property
    def finding(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def add(self, finding: Finding) -> None:
        self.problems += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)


class Head(BaseModel):
    """The ledger's tip, saved outside the database: the last sealed block and the last event."""
    model_config = ConfigDict(extra="forbid")

    block: int = Field(ge=0)
    block_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    event_id: int = Field(ge=0)
    event_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


def _check_events(report: Report) -> set[int]:
    """Every event against its hash; gives back the block numbers events claim."""
    claimed: set[int] = set()
    last_id = 0
    while True:
        chunk = list(LedgerEvent.objects.filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            return claimed
        for event in chunk:
            expected = hashing.content_hash(
                occurred_at=event.occurred_at, kind=event.kind, actor_id=event.actor_id,
                actor_name=event.actor_name, subject_id=event.subject_id, case_id=event.case_id,
                payload=event.payload)
            if expected != event.content_hash:
                report.add(Finding(event.id, event.block, "content does not match its hash (edited)", event.kind))
            report.events_checked += 1
            if event.block is None:
                report.unsealed += 1
            else:
                claimed.add(event.block)
        _check_personal_parts(report, chunk)
        last_id = chunk[-1].id


def _check_personal_parts(report: Report, events: list[LedgerEvent]) -> None:
    """An event's personal part is either there and matching its digest, or purged (digest kept); never gone."""
    wanted = {e.payload[hashing.PERSONAL_KEY]: e for e in events
              if isinstance(e.payload, dict) and isinstance(e.payload.get(hashing.PERSONAL_KEY), str)}
    if not wanted:
        return
    parts = {p.digest: p for p in PersonalPart.objects.filter(digest__in=list(wanted))}
    for digest, event in wanted.items():
        part = parts.get(digest)
        if part is None:
            report.add(Finding(event.id, event.block, "personal part is missing (deleted without a purge)",
                               event.kind))
        elif part.purged_at is None and hashing.personal_digest(part.salt, stored_json(part.content)) != digest:
            report.add(Finding(event.id, event.block, "personal part does not match its digest (edited)",
                               event.kind))


def _check_blocks(report: Report, claimed: set[int]) -> None:
    previous: str | None = hashing.GENESIS
    expected_number = 1
    for block in LedgerBlock.objects.order_by("number").iterator(chunk_size=200):
        if block.number != expected_number:
            gap = (str(expected_number) if block.number == expected_number + 1
                   else f"{expected_number}-{block.number - 1}")
            report.add(Finding(None, expected_number, f"blocks {gap} missing from the chain"))
            previous = None      # unknown: the missing block is not there to say
        if previous is not None and block.previous_hash != previous:
            report.add(Finding(None, block.number, "does not link to the previous block"))
        recomputed = hashing.block_hash(number=block.number, previous_hash=block.previous_hash,
                                        merkle_root_hex=block.merkle_root, event_count=block.event_count,
                                        event_ranges=block.event_ranges, sealed_at=block.sealed_at)
        if recomputed != block.block_hash:
            report.add(Finding(None, block.number, "block record altered"))
        _check_members(report, block)
        claimed.discard(block.number)
        previous = block.block_hash
        expected_number = block.number + 1
        report.blocks_checked += 1
    for number in sorted(claimed):
        if number >= expected_number:
            # Past the chain's end: the last blocks were deleted, and their events stayed.
            report.add(Finding(None, number, "events claim this block, which is gone (the chain was truncated)"))


def _check_members(report: Report, block: LedgerBlock) -> None:
    sealed_ids = hashing.ranges_to_ids(block.event_ranges)
    present = {event_id: (content_hash, kind) for event_id, content_hash, kind in
               LedgerEvent.objects.filter(block=block.number).order_by("id")
               .values_list("id", "content_hash", "kind")}
    for event_id in sealed_ids:
        if event_id not in present:
            report.add(Finding(event_id, block.number, "sealed event is missing (deleted or moved)"))
    for event_id in sorted(set(present) - set(sealed_ids)):
        report.add(Finding(event_id, block.number, "event claims a block that did not seal it", present[event_id][1]))
    root = hashing.merkle_root([hashing.leaf(i, present[i][0]) for i in sealed_ids if i in present])
    if all(i in present for i in sealed_ids) and root != block.merkle_root:
        report.add(Finding(None, block.number, "Merkle root does not match the sealed events (an event and its "
                                               "hash were rewritten)"))


def _check_head(report: Report, saved: Head) -> None:
    if saved.block:
        block = LedgerBlock.objects.filter(number=saved.block).first()
        if block is None:
            report.add(Finding(None, saved.block, "block of the saved head is gone (sealed history truncated)"))
        elif block.block_hash != saved.block_hash:
            report.add(Finding(None, saved.block, "block differs from the saved head (sealed history rewritten)"))
    if saved.event_id:
        event = LedgerEvent.objects.filter(id=saved.event_id).only("id", "kind", "block", "content_hash").first()
        if event is None:
            report.add(Finding(saved.event_id, None, "last event of the saved head is gone (ledger truncated)"))
        elif event.content_hash != saved.event_hash:
            report.add(Finding(event.id, event.block, "event differs from the saved head (rewritten)", event.kind))


def verify(*, head: Head | None = None) -> Report:
    """Check the ledger; with a saved `head`, also that it still holds that head (nothing cut off or redone)."""
    report = Report()
    claimed = _check_events(report)
    _check_blocks(report, claimed)
    if head is not None:
        _check_head(report, head)
    return report


def head() -> Head:
    block = LedgerBlock.objects.order_by("-number").first()
    event = LedgerEvent.objects.order_by("-id").only("id", "content_hash").first()
    return Head(block=block.number if block else 0, block_hash=block.block_hash if block else hashing.GENESIS,
                event_id=event.id if event else 0, event_hash=event.content_hash if event else None)
