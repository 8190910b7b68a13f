"""Claiming takes cases in exactly the order and under exactly the rules stated here with the ORM.

`claim_next` runs a hand-written statement (the hot path, `selectors.next_claimable_sql`); these tests hold it to
the readable rules: gravest first, then oldest; only the reviewer's regions; never a case they skipped; never an
appeal of their own decision.
"""
from datetime import timedelta

from trustops.kernel import clock
from trustops.review import casework, selectors
from trustops.review.models import Case, CaseSkip, CaseStatus, Queue

REASONS = ["integrity.spam", "integrity.fake_engagement"]


def claimable(user, queue):
    """The rules, readably: waiting cases in the queue, in the reviewer's regions, not skipped by them, not an
    appeal of their own decision; gravest first, then oldest."""
    qs = Case.objects.filter(queue=queue, status=CaseStatus.OPEN)
    if user.region_codes() is not None:
        qs = qs.filter(subject__region__in=user.region_codes())
    return (qs.exclude(pk__in=CaseSkip.objects.filter(reviewer=user).values("case_id"))
            .exclude(excluded_reviewer=user).order_by("-priority", "opened_at"))
SOURCES = ["user", "trusted_flagger", "automated", "user", "internal"]


def _backlog(world, count=24):
    start = clock.now() - timedelta(hours=3)
    ids = []
    for n in range(count):
        region = ("US", "DE", "BR")[n % 3]
        with clock.frozen(start + timedelta(minutes=n)):
            body = world.report_body(subject=world.subject(region=region, reach=10 ** (n % 6)),
                                     reason=REASONS[n % 2], source=SOURCES[n % 5])
            ids.append(world.report(**body)["case_id"])
    return ids


def test_claims_follow_the_claimable_order_with_regions_skips_and_exclusions(world):
    ids = _backlog(world)
    queue = Queue.objects.get(key="integrity")
    assert Case.objects.filter(pk__in=ids, queue=queue).count() == len(ids)
    reviewer = world.moderator("us-de-mod", regions=["US", "DE"]).user
    other = world.moderator("other-mod").user
    skipped, excluded = ids[0], ids[4]
    CaseSkip.objects.create(case_id=skipped, reviewer=reviewer, skipped_at=clock.now())
    CaseSkip.objects.create(case_id=ids[3], reviewer=other, skipped_at=clock.now())     # someone else's skip
    Case.objects.filter(pk=excluded).update(excluded_reviewer=reviewer)

    expected = list(claimable(reviewer, queue).values_list("id", flat=True))
    assert skipped not in expected and excluded not in expected and ids[3] in expected
    assert all(Case.objects.get(pk=i).subject.region in {"US", "DE"} for i in expected)
    assert len(set(Case.objects.filter(pk__in=expected).values_list("priority", flat=True))) > 1

    taken = []
    while (case := casework.claim_next(actor=reviewer, queue_key="integrity")) is not None:
        assert case.status == CaseStatus.IN_REVIEW and case.assignee_id == reviewer.pk
        assert case.lease_expires_at > clock.now() and case.claimed_at is not None
        taken.append(case.pk)
    assert taken == expected


def test_the_claimed_case_is_returned_as_stored(world):
    _backlog(world, count=3)
    reviewer = world.moderator().user
    case = casework.claim_next(actor=reviewer, queue_key="integrity")
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(case, field.attname) == getattr(stored, field.attname), field.name


def test_a_reviewer_cleared_for_no_region_claims_nothing(world):
    _backlog(world, count=3)
    nobody = world.moderator("no-region-mod", regions=[]).user
    assert casework.claim_next(actor=nobody, queue_key="integrity") is None
    assert not Case.objects.filter(status=CaseStatus.IN_REVIEW).exists()


def test_the_queue_to_work_is_read_as_stored(world):
    reviewer = world.moderator().user
    queue = selectors.get_queue_to_work(reviewer, "general-us")
    stored = Queue.objects.get(key="general-us")
    for field in Queue._meta.concrete_fields:
        assert getattr(queue, field.attname) == getattr(stored, field.attname), field.name
    assert isinstance(queue.allowed_actions, list)
