"""Subjects are upserted in bulk from intake: one query finds them all, then one write per kind of change.

What the platform says about a known subject is followed, except the two facts that decide who may see it and
who answers for it: its data region, and an item's owner once known. Intake refuses changes to those (recorded
and handed back to the integrator, see `RefusedChange`); moving a subject to another region is an admin's act.
"""
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from trustops.identity.roles import Role
from trustops.kernel import bulk, clock
from trustops.kernel.database import is_postgres
from trustops.kernel.errors import Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.subjects.models import ACCOUNT_TYPES, Subject

Key = tuple[str, str]


@dataclass
class SubjectRef:
    type: str
    external_id: str
    owner: "SubjectRef | None" = None
    region: str | None = None
    language: str | None = None
    reach: int | None = None
    attributes: dict = field(default_factory=dict)
    # Where the subject lives if it is new and no region was given; never changes a known subject's region.
    region_if_new: str | None = None

    @property
    def key(self) -> Key:
        return (self.type, self.external_id)


def _merge(refs: list[SubjectRef]) -> dict[Key, SubjectRef]:
    """Several mentions of one subject in a batch: later values win, attributes merge."""
    merged: dict[Key, SubjectRef] = {}
    copied: set[Key] = set()
    for ref in refs:
        key = (ref.type, ref.external_id)
        seen = merged.get(key)
        if seen is None:
            merged[key] = ref  # most subjects are mentioned once: copy only when a second mention changes it
            continue
        if key not in copied:
            seen = merged[key] = SubjectRef(seen.type, seen.external_id, seen.owner, seen.region,
                                            seen.language, seen.reach, dict(seen.attributes), seen.region_if_new)
            copied.add(key)
        seen.region = ref.region or seen.region
        seen.region_if_new = ref.region_if_new or seen.region_if_new
        seen.language = ref.language or seen.language
        seen.reach = ref.reach if ref.reach is not None else seen.reach
        seen.owner = ref.owner or seen.owner
        seen.attributes.update(ref.attributes)
    return merged


@dataclass(frozen=True)
class RefusedChange:
    """A change the platform sent for a known subject that intake did not apply.

    `region`: the data region decides which region-cleared reviewers see the subject and its cases. `owner`: an
    item's owner is the account its strikes and bans land on, the one a reviewer looked at when deciding.
    Owners are given as `type:external_id`."""
    subject: Key
    field: str
    current: str
    sent: str

    def as_body(self) -> dict:
        return {"subject": {"type": self.subject[0], "external_id": self.subject[1]}, "field": self.field,
                "current": self.current, "sent": self.sent}


class Upserted(dict):
    """The subjects by key, and the changes intake refused on known ones (in the order met)."""

    def __init__(self, rows: dict[Key, Subject], refused: list[RefusedChange]):
        super().__init__(rows)
        self.refused = refused


def _changes(subject: Subject, ref: SubjectRef, owner_id: int | None) -> tuple[dict, dict]:
    """(changes to apply, changes refused) for a known subject."""
    changes, refused = {}, {}
    if ref.region and ref.region != subject.region:
        refused["region"] = ref.region
    if ref.language and ref.language != subject.language:
        changes["language"] = ref.language
    if ref.reach is not None and ref.reach != subject.reach:
        changes["reach"] = ref.reach
    if owner_id and owner_id != subject.owner_id:
        # An unknown owner may be filled in; a known one is not swapped for another.
        if subject.owner_id is None:
            changes["owner_id"] = owner_id
        else:
            refused["owner_id"] = owner_id
    if ref.attributes and any(subject.attributes.get(k) != v for k, v in ref.attributes.items()):
        changes["attributes"] = {**subject.attributes, **ref.attributes}
    return changes, refused


def _matching(keys):
    """The subjects with these keys, or None for no keys."""
    by_type: dict[str, list[str]] = {}
    for subject_type, external_id in keys:
        by_type.setdefault(subject_type, []).append(external_id)
    if not by_type:
        return None
    # One query for every type: each branch of the OR is a lookup on the (type, external_id) unique index.
    match = Q()
    for subject_type, external_ids in sorted(by_type.items()):
        match |= Q(type=subject_type) & bulk.OneOf(F("external_id"), sorted(external_ids))
    return Subject.objects.filter(match)


def find(keys) -> dict[Key, Subject]:
    """The known subjects among these keys, by key, in one query."""
    rows = _matching(keys)
    return {} if rows is None else {(s.type, s.external_id): s for s in rows}


def ids_of(keys) -> dict[Key, int]:
    """The ids of the known subjects among these keys, by key, in one query (no model instances)."""
    rows = _matching(keys)
    return {} if rows is None else {(t, x): pk for t, x, pk in rows.values_list("type", "external_id", "pk")}


def _created(pk: int, subject_type: str, external_id: str, region: str, owner_id: int | None) -> ledger.Entry:
    return ledger.Entry("subject.created", {"type": subject_type, "external_id": external_id, "region": region,
                                            "owner_id": owner_id}, subject_id=pk)


def create_bare(keys: list[Key], *, entries: list) -> dict[Key, int]:
    """Create subjects known by nothing but their key (an event's actor or target), as `upsert_many` creates a
    bare mention, and return their ids by key. Their `subject.created` entries are added to `entries` for the
    caller to record with its own. A key another sender created meanwhile is read back, and not recorded again.
    Call inside the caller's transaction, with keys that were not found in it.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    now = clock.now()
    region = settings.TRUSTOPS.get("DEFAULT_REGION", "US")
    if is_postgres():
        # One statement without model instances; rows go in key order (byte order, as the COPY of
        # `upsert_many` sends them), so two writers of some of the same keys wait on each other, not deadlock.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Subject._meta.db_table} (type, external_id, owner_id, region, language, reach, "
                "attributes, first_seen_at, updated_at) SELECT r->>0, r->>1, NULL, %s, '', 0, '{}'::jsonb, %s, %s "
                'FROM jsonb_array_elements(%s::jsonb) AS r ORDER BY (r->>0) COLLATE "C", (r->>1) COLLATE "C" '
                "ON CONFLICT (type, external_id) DO NOTHING RETURNING type, external_id, id",
                [region, now, now, json.dumps(keys)])
            created = {(t, x): pk for t, x, pk in cursor.fetchall()}
        skipped = [key for key in keys if key not in created]
        ids = {**created, **(ids_of(skipped) if skipped else {})}
    else:
        # SQLite lets one writer in at a time: no concurrent insert to skip.
        rows = [Subject(type=t, external_id=x, region=region, first_seen_at=now, updated_at=now) for t, x in keys]
        Subject.objects.bulk_create(rows, batch_size=bulk.CHUNK)
        created = ids = {(s.type, s.external_id): s.pk for s in rows}
    entries.extend(_created(created[key], *key, region, None) for key in keys if key in created)
    return ids


def _refresh(subject: Subject, ref: SubjectRef, owner_id: int | None, now, entries: list,
             refused: list) -> bool:
    """Apply what the platform now says about a known subject; True when something changed."""
    changes, refusals = _changes(subject, ref, owner_id)
    if "region" in refusals:
        entries.append(ledger.Entry("subject.region_change_refused", {
            "region": subject.region, "requested_region": refusals["region"]}, subject_id=subject.pk))
        refused.append(RefusedChange(ref.key, "region", subject.region, refusals["region"]))
    if "owner_id" in refusals:
        entries.append(ledger.Entry("subject.owner_change_refused", {
            "owner_id": subject.owner_id, "requested_owner_id": refusals["owner_id"]}, subject_id=subject.pk))
        # The owners' keys are filled in by `_name_owners`, once for the whole batch.
        refused.append(RefusedChange(ref.key, "owner", subject.owner_id, refusals["owner_id"]))
    if not changes:
        return False
    for name, value in changes.items():
        setattr(subject, name, value)
    subject.updated_at = now
    entries.append(ledger.Entry("subject.updated", {"changed": sorted(changes)}, subject_id=subject.pk))
    return True


def _name_owners(refused: list[RefusedChange]) -> list[RefusedChange]:
    """Owner refusals carry account ids until here; the integrator knows its accounts by their own ids."""
    ids = {r.current for r in refused if r.field == "owner"} | {r.sent for r in refused if r.field == "owner"}
    if not ids:
        return refused
    names = {pk: f"{t}:{x}" for pk, t, x in Subject.objects.filter(pk__in=ids).values_list("pk", "type", "external_id")}
    return [RefusedChange(r.subject, r.field, names[r.current], names[r.sent]) if r.field == "owner" else r
            for r in refused]


def _upsert_level(refs: dict[Key, SubjectRef], found: dict[Key, Subject], owner_ids: dict[Key, int],
                  entries: list, refused: list, now) -> dict[Key, Subject]:
    default_region = settings.TRUSTOPS.get("DEFAULT_REGION", "US")

    def owner_of(ref: SubjectRef) -> int | None:
        return owner_ids.get((ref.owner.type, ref.owner.external_id)) if ref.owner else None

    rows: dict[Key, Subject] = {}
    to_create, to_update = [], []
    for key, ref in refs.items():
        subject = found.get(key)
        if subject is None:
            subject = Subject(
                type=ref.type, external_id=ref.external_id, owner_id=owner_of(ref),
                region=ref.region or ref.region_if_new or default_region, language=ref.language or "", reach=ref.reach or 0,
                attributes=dict(ref.attributes), first_seen_at=now, updated_at=now)
            to_create.append(subject)
        elif _refresh(subject, ref, owner_of(ref), now, entries, refused):
            to_update.append(subject)
        rows[key] = subject
    # Another sender may have created some of these meanwhile: they are read back and refreshed instead.
    skipped = bulk.create(Subject, to_create, skip_conflicts_on=["type", "external_id"])
    if skipped:
        for key, subject in find([(s.type, s.external_id) for s in skipped]).items():
            rows[key] = subject
            if _refresh(subject, refs[key], owner_of(refs[key]), now, entries, refused):
                to_update.append(subject)
    entries.extend(_created(subject.pk, subject.type, subject.external_id, subject.region, subject.owner_id)
                   for subject in to_create if subject.pk is not None)  # those skipped have no id
    bulk.update(Subject, to_update, ["language", "reach", "owner_id", "attributes", "updated_at"])
    return rows


def upsert_many(refs: list[SubjectRef], *, actor=None) -> Upserted:
    """Create or refresh the subjects (and their owner accounts). Call inside the caller's transaction."""
    owners = _merge([r.owner for r in refs if r.owner])
    for owner in owners.values():
        if owner.type not in ACCOUNT_TYPES:
            raise ValueError("owners must be accounts")  # the API schema prevents this
    subjects = _merge(refs)
    # An account can be both a subject and an owner in one batch: upsert it once, with the owners.
    for key in list(subjects):
        if key in owners:
            owners[key] = _merge([owners[key], subjects.pop(key)])[key]
    now = clock.now()
    found = find([*owners, *subjects])
    entries: list[ledger.Entry] = []
    refused: list[RefusedChange] = []
    owner_rows = _upsert_level(owners, found, {}, entries, refused, now)
    item_rows = _upsert_level(subjects, found, {k: s.pk for k, s in owner_rows.items()}, entries, refused, now)
    ledger.record_many(entries, actor=actor)
    return Upserted({**owner_rows, **item_rows}, _name_owners(refused))


def refused_changes(refs: list[SubjectRef]) -> list[RefusedChange]:
    """What `upsert_many` would refuse of these mentions now, without writing: the answer to a replayed report."""
    subjects = _merge(refs)
    owners = _merge([r.owner for r in refs if r.owner])
    found = find([*subjects, *owners])
    refused: list[RefusedChange] = []
    for key, ref in subjects.items():
        subject = found.get(key)
        if subject is None:
            continue
        owner = found.get(ref.owner.key) if ref.owner else None
        _, refusals = _changes(subject, ref, owner.pk if owner else None)
        if "region" in refusals:
            refused.append(RefusedChange(key, "region", subject.region, refusals["region"]))
        if "owner_id" in refusals:
            refused.append(RefusedChange(key, "owner", subject.owner_id, refusals["owner_id"]))
    return _name_owners(refused)


REGION = re.compile(r"^[A-Z]{2,3}$")   # as intake accepts it


@transaction.atomic
def move_region(*, subject_id: int, region: str, actor, reason: str) -> Subject:
    """An admin moves a subject to another data region: it leaves the view of reviewers cleared only for the old
    one and enters that of the new one's, with its cases. Integrations cannot do this (see the module's doc)."""
    if actor is None or actor.role != Role.ADMIN:
        raise Forbidden("admins_only", "Only an admin moves a subject to another data region.")
    if not isinstance(region, str) or not REGION.match(region):
        raise Invalid("invalid_region", "A data region is 2 or 3 capital letters, e.g. US, EU, GB.", field="region")
    if not reason or not reason.strip():
        raise Invalid("missing_reason", "Say why the subject moves region.", field="reason")
    subject = Subject.objects.select_for_update().filter(pk=subject_id).first()
    if subject is None:
        raise NotFound("subject_not_found", f"No subject {subject_id}.")
    if subject.region == region:
        return subject   # already there: a retried move changes nothing and records nothing
    before = subject.region
    subject.region, subject.updated_at = region, clock.now()
    subject.save(update_fields=["region", "updated_at"])
    ledger.record("subject.region_moved", actor=actor, subject_id=subject.pk, payload={
        "from_region": before, "to_region": region, "reason": reason.strip()})
    return subject


def erase_attributes(*, subject_ids, keys: tuple[str, ...] | None = None, actor, reason: str) -> int:
    """Erase attributes of subjects (`keys`, or all of them) for a retention purge or a data subject's erasure.
    Runs in the caller's transaction; the ledger says which subjects and keys, never the values."""
    erased = 0
    entries = []
    for subject in Subject.objects.select_for_update().filter(pk__in=list(subject_ids)).order_by("pk"):
        attributes = dict(subject.attributes or {})
        gone = sorted(attributes) if keys is None else sorted(k for k in keys if k in attributes)
        if not gone:
            continue
        for key in gone:
            attributes.pop(key)
        subject.attributes, subject.updated_at = attributes, clock.now()
        subject.save(update_fields=["attributes", "updated_at"])
        entries.append(ledger.Entry("subject.attributes_erased", {"keys": gone, "reason": reason[:200]},
                                    subject_id=subject.pk))
        erased += 1
    ledger.record_many(entries, actor=actor)
    return erased
