"""Subjects are upserted in bulk from intake: one query to find, one to create, one to update."""
from dataclasses import dataclass, field

from django.conf import settings

from trustops.kernel import clock
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

    @property
    def key(self) -> Key:
        return (self.type, self.external_id)


def _merge(refs: list[SubjectRef]) -> dict[Key, SubjectRef]:
    """Several mentions of one subject in a batch: later values win, attributes merge."""
    merged: dict[Key, SubjectRef] = {}
    for ref in refs:
        seen = merged.get(ref.key)
        if seen is None:
            merged[ref.key] = SubjectRef(ref.type, ref.external_id, ref.owner, ref.region, ref.language,
                                         ref.reach, dict(ref.attributes))
            continue
        seen.region = ref.region or seen.region
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


def _upsert_level(refs: dict[Key, SubjectRef], owner_ids: dict[Key, int], actor) -> dict[Key, Subject]:
    if not refs:
        return {}
    now = clock.now()
    found: dict[Key, Subject] = {}
    by_type: dict[str, list[str]] = {}
    for subject_type, external_id in refs:
        by_type.setdefault(subject_type, []).append(external_id)
    for subject_type, external_ids in by_type.items():
        for subject in Subject.objects.filter(type=subject_type, external_id__in=external_ids):
            found[(subject.type, subject.external_id)] = subject

    default_region = settings.TRUSTOPS.get("DEFAULT_REGION", "US")
    to_create, to_update, entries = [], [], []
    for key, ref in refs.items():
        owner_id = owner_ids.get(ref.owner.key) if ref.owner else None
        subject = found.get(key)
        if subject is None:
            to_create.append(Subject(
                type=ref.type, external_id=ref.external_id, owner_id=owner_id,
                region=ref.region or default_region, language=ref.language or "", reach=ref.reach or 0,
                attributes=ref.attributes, first_seen_at=now, updated_at=now))
            continue
        changes = _changes(subject, ref, owner_id)
        if changes:
            for name, value in changes.items():
                setattr(subject, name, value)
            subject.updated_at = now
            to_update.append(subject)
            entries.append(ledger.Entry("subject.updated", {"changed": sorted(changes)}, subject_id=subject.pk))
    if to_create:
        Subject.objects.bulk_create(to_create, batch_size=1000)
        for subject in to_create:
            found[(subject.type, subject.external_id)] = subject
            entries.append(ledger.Entry("subject.created", {
                "type": subject.type, "external_id": subject.external_id, "region": subject.region,
                "owner_id": subject.owner_id}, subject_id=subject.pk))
    if to_update:
        Subject.objects.bulk_update(to_update, ["region", "language", "reach", "owner_id", "attributes",
                                                "updated_at"], batch_size=1000)
    ledger.record_many(entries, actor=actor)
    return found


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
    owner_rows = _upsert_level(owners, {}, actor)
    item_rows = _upsert_level(subjects, {k: s.pk for k, s in owner_rows.items()}, actor)
    return {**owner_rows, **item_rows}
