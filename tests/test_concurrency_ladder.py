"""The penalty ladder under real concurrency on PostgreSQL: decisions on different items of one creator, made
at the same moment, add up exactly as if they had been made one after the other."""
import pytest

from tests import test_concurrency_review as concurrency
from trustops.enforcement import selectors as enforcement
from trustops.enforcement.models import EnforcementAction, Strike
from trustops.intake import services as intake
from trustops.review import appeals, casework
from trustops.review.models import Case
from trustops.subjects.models import Subject

pytestmark = pytest.mark.postgres_only
pg_world = concurrency.pg_world          # the platform on PostgreSQL, committed for real (TransactionTestCase)
_in_threads = concurrency._in_threads

POLICY = "harassment.bullying"   # severity 3: 2 points a strike on the harassment ladder (1 warn, 4 restrict
                                 # commenting, 6 suspend, 10 ban; policies/data/short_video_taxonomy.json)


def _report_items_of(world, creator: str, count: int, queue_region="US"):
    owner = {"type": "creator", "external_id": creator}
    reports = [world.report_body(subject={**world.subject(region=queue_region), "owner": owner}, reason=POLICY)
               for _ in range(count)]
    intake.submit_reports(submitter=world.integration.user, items=reports)


def _decide_next(reviewer, rationale="Targeted insults, again."):
    case = casework.claim_next(actor=reviewer, queue_key="general-us")
    assert case is not None
    return casework.decide(actor=reviewer, case_id=case.pk, version=case.version, decision=casework.DecisionInput(
        verdict="violation", policy=POLICY, rationale=rationale))


def _outcome(creator: str) -> dict:
    account = Subject.objects.get(type="creator", external_id=creator)
    standing = enforcement.standing(account)
    return {
        "status": standing["status"],
        "strike_points": standing["strike_points"],
        "strikes": Strike.objects.filter(account=account, reversed_at__isnull=True).count(),
        "restrictions": sorted(r["action"] for r in standing["restrictions"]),
        "account_actions": sorted(EnforcementAction.objects.filter(target=account, status="active")
                                  .values_list("action", "cause", "ladder_threshold")),
    }


def test_twelve_concurrent_decisions_on_one_creator_climb_the_ladder_as_sequential_ones_do(pg_world):
    # The same twelve violations, decided one after another for one creator ...
    _report_items_of(pg_world, "sequential-creator", 12)
    alone = pg_world.moderator("one-by-one").user
    for _ in range(12):
        _decide_next(alone)
    sequential = _outcome("sequential-creator")
    # ... which is the ladder's own answer: 24 points, each step once, one ban, and no step after the ban.
    assert sequential == {
        "status": "banned", "strike_points": 24, "strikes": 12,
        "restrictions": ["ban", "restrict_commenting", "suspend"],
        "account_actions": [("ban", "ladder", 10), ("restrict_commenting", "ladder", 4), ("suspend", "ladder", 6)],
    }

    # ... and by twelve reviewers at the same moment, each on another item of the same creator.
    _report_items_of(pg_world, "concurrent-creator", 12)
    reviewers = [pg_world.moderator(f"racer-{i}").user for i in range(12)]
    assert _in_threads(12, lambda i: _decide_next(reviewers[i])) == []

    assert Case.objects.filter(subject__owner__external_id="concurrent-creator", status="resolved").count() == 12
    assert _outcome("concurrent-creator") == sequential
    warnings = EnforcementAction.objects.filter(target__external_id="concurrent-creator", cause="ladder",
                                                action="warn").count()
    assert warnings == 1   # the first step, crossed once


def test_an_overturn_racing_a_new_decision_ends_as_one_of_the_two_orders(pg_world):
    """Each creator: two strikes (4 points, commenting restricted), the second under appeal, and a third item
    reported. Overturning the second and deciding the third at once must end as one order or the other:
    overturn first, 4 points and a fresh commenting restriction; decide first, 4 points and the suspension the
    third crossed gone again with the overturn. Never 4 points and a suspension that no threshold holds up."""
    creators = [f"appellant-{n}" for n in range(4)]
    first_mod = pg_world.moderator("first-decider").user
    new_cases, appeal_cases = {}, {}
    for creator in creators:
        _report_items_of(pg_world, creator, 2)
        _decide_next(first_mod)
        second = _decide_next(first_mod)
        _, body = appeals.submit_appeal(submitter=pg_world.integration.user, decision_id=second["decision_id"],
                                        statement="It was a joke.", idempotency_key=f"appeal-{creator}")
        appeal_cases[creator] = body["case_id"]
        assert _outcome(creator)["restrictions"] == ["restrict_commenting"]
    for creator in creators:
        _report_items_of(pg_world, creator, 1)
        new_cases[creator] = Case.objects.get(subject__owner__external_id=creator, status="open",
                                              kind="report_review").pk

    # Claims are made beforehand, one per reviewer, so only the decisions race.
    claimed = []
    for n, creator in enumerate(creators):
        appeals_reviewer = pg_world.moderator(f"appeals-{n}").user
        deciding = pg_world.moderator(f"decider-{n}").user
        case = casework.claim_next(actor=deciding, queue_key="general-us")
        claimed.append(("decide", deciding, case))
        appeal = casework.claim_next(actor=appeals_reviewer, queue_key="appeals")
        claimed.append(("overturn", appeals_reviewer, appeal))
    assert {c.pk for kind, _, c in claimed if kind == "decide"} == set(new_cases.values())
    assert {c.pk for kind, _, c in claimed if kind == "overturn"} == set(appeal_cases.values())

    def work(i):
        kind, reviewer, case = claimed[i]
        verdict = ("violation", POLICY) if kind == "decide" else ("overturned", None)
        casework.decide(actor=reviewer, case_id=case.pk, version=case.version, decision=casework.DecisionInput(
            verdict=verdict[0], policy=verdict[1], rationale="Decided at the same moment."))

    assert _in_threads(len(claimed), work) == []

    for creator in creators:
        outcome = _outcome(creator)
        assert outcome["strike_points"] == 4 and outcome["strikes"] == 2
        assert outcome["restrictions"] in (["restrict_commenting"], []), (creator, outcome)
