"""Subjects are upserted in bulk from intake: one query finds them all, then one write per kind of change."""
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q

from trustops.kernel import bulk, clock
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


def _changes(subject: Subject, ref: SubjectRef, owner_id: int | None) -> dict:
    changes = {}
    if ref.region and ref.region != subject.region:
        changes["region"] = ref.region
    if ref.language and ref.language != subject.language:
        changes["language"] = ref.language
    if ref.reach is not None and ref.reach != subject.reach:
        changes["reach"] = ref.reach
    if owner_id and owner_id != subject.owner_id:
        changes["owner_id"] = owner_id
    if ref.attributes and any(subject.attributes.get(k) != v for k, v in ref.attributes.items()):
        changes["attributes"] = {**subject.attributes, **ref.attributes}
    return changes


def _find(keys) -> dict[Key, Subject]:
    by_type: dict[str, list[str]] = {}
    for subject_type, external_id in keys:
        by_type.setdefault(subject_type, []).append(external_id)
    if not by_type:
        return {}
    # One query for every type: each branch of the OR is a lookup on the (type, external_id) unique index.
    match = Q()
    for subject_type, external_ids in by_type.items():
        match |= Q(type=subject_type) & bulk.OneOf(F("external_id"), external_ids)
    return {(s.type, s.external_id): s for s in Subject.objects.filter(match)}


def _refresh(subject: Subject, ref: SubjectRef, owner_id: int | None, now, entries: list) -> bool:
    """Apply what the platform now says about a known subject; True when something changed."""
    changes = _changes(subject, ref, owner_id)
    if not changes:
        return False
    for name, value in changes.items():
        setattr(subject, name, value)
    subject.updated_at = now
    entries.append(ledger.Entry("subject.updated", {"changed": sorted(changes)}, subject_id=subject.pk))
    return True


def _upsert_level(refs: dict[Key, SubjectRef], found: dict[Key, Subject], owner_ids: dict[Key, int],
                  entries: list, now) -> dict[Key, Subject]:
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
        elif _refresh(subject, ref, owner_of(ref), now, entries):
            to_update.append(subject)
        rows[key] = subject
    # Another sender may have created some of these meanwhile: they are read back and refreshed instead.
    skipped = bulk.create(Subject, to_create, skip_conflicts_on=["type", "external_id"])
    if skipped:
        for key, subject in _find([(s.type, s.external_id) for s in skipped]).items():
            rows[key] = subject
            if _refresh(subject, refs[key], owner_of(refs[key]), now, entries):
                to_update.append(subject)
    entries.extend(ledger.Entry("subject.created", {
        "type": subject.type, "external_id": subject.external_id, "region": subject.region,
        "owner_id": subject.owner_id}, subject_id=subject.pk)
        for subject in to_create if subject.pk is not None)  # those skipped have no id
    bulk.update(Subject, to_update, ["region", "language", "reach", "owner_id", "attributes", "updated_at"])
    return rows


def upsert_many(refs: list[SubjectRef], *, actor=None) -> dict[Key, Subject]:
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
    found = _find([*owners, *subjects])
    entries: list[ledger.Entry] = []
    owner_rows = _upsert_level(owners, found, {}, entries, now)
    item_rows = _upsert_level(subjects, found, {k: s.pk for k, s in owner_rows.items()}, entries, now)
    ledger.record_many(entries, actor=actor)
    return {**owner_rows, **item_rows}
