"""Writes of the simulation: the synthetic platform publishing its accounts and items, and seeding records."""
from django.db import transaction

from trustops.kernel import clock
from trustops.simulation.models import GroundTruth, Seeding
from trustops.simulation.world import SubjectPlan
from trustops.subjects import services as subjects
from trustops.subjects.models import Subject
from trustops.subjects.services import SubjectRef


def _ref(plan: SubjectPlan) -> SubjectRef:
    owner = SubjectRef(plan.owner.type, plan.owner.external_id) if plan.owner else None
    return SubjectRef(plan.type, plan.external_id, owner, plan.region, plan.language or None, plan.reach,
                      dict(plan.attributes))


@transaction.atomic
def publish(*, plans: list[SubjectPlan], actor) -> dict[tuple[str, str], Subject]:
    """The platform shares new accounts and items: trustops learns them, the simulation keeps their truth.

    Owners must be published before (or with) their items.
    """
    if not plans:
        return {}
    found = subjects.upsert_many([_ref(plan) for plan in plans], actor=actor)
    now = clock.now()
    # A re-run after an interrupted seeding finds the truth already there.
    GroundTruth.objects.bulk_create(
        [GroundTruth(subject=found[plan.key], policy_code=plan.violation, created_at=now) for plan in plans],
        batch_size=1000, ignore_conflicts=True)
    return found


@transaction.atomic
def record_seeding(*, seed: int, size: str, summary: dict) -> Seeding:
    return Seeding.objects.create(seed=seed, size=size, applied_at=clock.now(), summary=summary)
