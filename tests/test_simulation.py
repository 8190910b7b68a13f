"""The synthetic world: reproducible from its seed, fills the queues through real intake, seeds only once."""
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from trustops.enforcement.models import EnforcementAction
from trustops.identity.models import User
from trustops.intake.models import Report, Signal
from trustops.policies import selectors as policy_selectors
from trustops.policies.selectors import active_catalogue
from trustops.quality.errors import derive_error_type
from trustops.quality.models import (
    Audit,
    CalibrationLabel,
    CalibrationSession,
    Dispute,
    Experiment,
    GoldenItem,
    Sample,
)
from trustops.review import routing
from trustops.review.models import Appeal, Case, CaseStatus, Decision
from trustops.simulation import platform as setup
from trustops.simulation import workforce
from trustops.simulation.models import GroundTruth, Seeding
from trustops.simulation.seed import INTEGRATION, seed_world, token_path
from trustops.simulation.stream import PlatformStream
from trustops.simulation.world import generate
from trustops.subjects.masking import MASK, mask_attributes
from trustops.subjects.models import Subject


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    # The demo token file goes to a temporary var directory, never to a developer's real one.
    settings.VAR_DIR = tmp_path
    # Eight demo passwords through argon2 would take most of a tiny seeding's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tiny_world(db):
    return seed_world(seed=7, size="tiny")


def _severities():
    return {code: policy.severity for code, policy in active_catalogue().items()}


def _fingerprint(world):
    return ([(s.external_id, s.region, s.reach, s.violation, s.owner and s.owner.external_id)
             for s in world.subjects],
            [(r.key, r.subject.external_id, r.reason, r.source, r.age) for r in world.reports],
            [(s.key, s.subject.external_id, s.policy, s.score, s.age) for s in world.signals])


def test_the_same_seed_gives_the_same_world(platform):
    first = generate(seed=7, size="tiny", severities=_severities())
    again = generate(seed=7, size="tiny", severities=_severities())
    other = generate(seed=8, size="tiny", severities=_severities())

    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)
    assert {r.reason for r in first.reports} <= set(active_catalogue())


def test_a_tiny_world_fills_vendor_and_in_house_queues_with_true_and_false_reports(tiny_world):
    open_by_queue = dict(Case.objects.filter(status=CaseStatus.OPEN).values_list("queue__key")
                         .annotate(n=Count("id")))
    assert {"general-us", "general-intl", "integrity"} <= set(open_by_queue)
    assert len(open_by_queue) >= 5

    truth = dict(GroundTruth.objects.values_list("subject_id", "policy_code"))
    reported = list(Report.objects.values_list("subject_id", flat=True))
    assert any(truth[s] for s in reported) and any(truth[s] is None for s in reported)
    assert Signal.objects.exists() and Signal.objects.filter(case__isnull=False).exists()
    # Popular subjects draw several reports, which attach to one case.
    assert Case.objects.filter(report_count__gt=1).exists()

    # History spans days, so some cases are past their SLA and some are not.
    ages = Case.objects.order_by("opened_at").values_list("opened_at", flat=True)
    assert (ages.last() - ages.first()).total_seconds() > 24 * 3600
    assert tiny_world["reports"] == Report.objects.count() and tiny_world.get("reports_refused", 0) == 0


def test_the_database_holds_exactly_the_generated_history_and_merchants_appeals_waiting(tiny_world):
    planned = generate(seed=7, size="tiny", severities=_severities(), history_seconds=tiny_world["history_seconds"])
    stored = dict(Report.objects.values_list("idempotency_key", "policy__code"))
    assert stored == {r.key: r.reason for r in planned.reports}
    assert Subject.objects.filter(external_id__in=[s.external_id for s in planned.subjects]).count() == len(
        planned.subjects)
    # Merchants' appeals wait for a merchant specialist: of a payout hold, a suspension, a rules-set reserve.
    waiting = Appeal.objects.filter(case__queue__key="merchants", status="pending").select_related("decision")
    by_merchant = {a.case.subject.external_id: a.decision for a in waiting}
    assert set(by_merchant) == {"fixit-bros", "serene-spa", "taco-norte"}
    assert by_merchant["fixit-bros"].reviewer.username == "merchants"
    assert by_merchant["taco-norte"].reviewer.username == "merchant-rules"
    assert "suspended" in by_merchant["serene-spa"].rationale


def test_reviewers_never_see_the_ground_truth_and_vendors_see_no_contact_details(tiny_world):
    codes = set(active_catalogue())
    for attributes in Subject.objects.values_list("attributes", flat=True):
        assert not codes & {str(v) for v in attributes.values()}
    merchant = Subject.objects.filter(type="merchant").first()
    assert merchant.attributes["contact_email"].endswith(".example")
    masked = mask_attributes(merchant.attributes)
    assert masked["contact_email"] == masked["contact_phone"] == MASK
    assert masked["business_category"] == merchant.attributes["business_category"]


def test_demo_people_can_sign_in_and_the_integration_token_is_written(tiny_world, client):
    signed_in = client.post("/login/", {"username": "agent.northwind", "password": "trustops-demo"})
    assert signed_in.status_code == 302 and client.session.get("_auth_user_id")
    agent = User.objects.get(username="agent.northwind")
    assert agent.vendor.name == setup.VENDOR_A and agent.cleared_regions == ["US"]
    token = token_path().read_text().strip()
    response = client.get("/api/v1/queues", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and {q["key"] for q in response.json()} >= {"general-us", "integrity"}


def _counts():
    return tuple(model.objects.count() for model in (Subject, GroundTruth, Report, Signal, Case, User))


def test_seeding_twice_changes_nothing(db):
    call_command("seed", size="tiny")
    counts = _counts()
    call_command("seed", size="tiny", seed=99)

    assert _counts() == counts
    assert Seeding.objects.count() == 1 and Seeding.objects.get().seed == 7


def test_the_live_stream_sends_reports_that_land_as_cases(tiny_world):
    stream = PlatformStream(submitter=User.objects.get(username=INTEGRATION), seed=3, tag="t1-")
    totals = stream.tick(reports=6, signals=3)

    sent = Report.objects.filter(idempotency_key__startswith="stream-t1-")
    assert totals["reports"] == sent.count() == 6
    assert all(report.case.is_open for report in sent.select_related("case"))
    assert Signal.objects.filter(idempotency_key__startswith="stream-t1-").count() == totals["signals"] == 3
    # New items the stream invents carry ground truth like the seeded ones.
    assert GroundTruth.objects.filter(subject__external_id__contains="-t1-").exists()


def test_the_live_stream_starts_from_an_empty_platform(platform):
    integration = setup.person("stream-integration", "integration")
    totals = PlatformStream(submitter=integration, seed=5, tag="t2-").tick(reports=3, signals=0)
    assert totals["reports"] == 3 and Case.objects.count() >= 1


# ---- the simulated month: review, appeals and QA through the real services ----

MONTH_ANCHOR = datetime(2026, 3, 18, 15, 30, tzinfo=timezone.utc)
REVIEW_VERDICTS = ["violation", "no_violation"]


@pytest.fixture
def tiny_month(db):
    """A tiny world seeded at a fixed moment, so the month's work is the same on every run."""
    return seed_world(seed=7, size="tiny", anchor=MONTH_ANCHOR)


def _right(decision, truth: dict) -> bool:
    policy = truth[decision.case.subject_id]
    if decision.verdict == "no_violation":
        return policy is None
    return decision.policy.code == policy


def test_reviewers_work_a_month_of_queues_against_the_hidden_truth(tiny_month):
    # Queue work only: the merchant specialist's and the rules' decisions on merchants are taken on their pages.
    decisions = list(Decision.objects.filter(verdict__in=REVIEW_VERDICTS, appeal_of__isnull=True)
                     .exclude(case__kind="merchant_review", case__resolved_at=F("case__opened_at"))
                     .select_related("case", "reviewer", "policy"))
    profiles = {r.username: r for r in workforce.REVIEWERS}
    reviewers = {d.reviewer.username for d in decisions}
    assert len(reviewers) >= 4 and reviewers <= set(profiles)
    # In-house and vendor agents, each with their own accuracy.
    assert len({profiles[u].accuracy for u in reviewers}) >= 3
    assert None in {profiles[u].vendor for u in reviewers} and len({profiles[u].vendor for u in reviewers}) >= 2
    assert len({p.accuracy for p in profiles.values()}) >= 8 and profiles[workforce.NEW_AGENT].accuracy < 0.85

    # Spread over the month, each claimed after its case opened, with a handle time.
    times = sorted(d.decided_at for d in decisions)
    assert times[-1] - times[0] > timedelta(days=20) and times[-1] <= MONTH_ANCHOR
    assert all(d.decided_at >= d.case.opened_at and d.handle_seconds for d in decisions)
    truth = dict(GroundTruth.objects.values_list("subject_id", "policy_code"))
    share_right = sum(_right(d, truth) for d in decisions) / len(decisions)
    assert 0.5 <= share_right <= 1
    # The burst of the last days is left waiting: the demo opens on a live backlog.
    assert Case.objects.filter(status=CaseStatus.OPEN).count() >= 20
    assert tiny_month["decisions"] == len(decisions)


def test_appeals_audits_calibration_and_golden_items_fill_the_month(tiny_month):
    appeals = list(Appeal.objects.select_related("decision", "outcome"))
    assert appeals and any(a.status in ("upheld", "overturned") for a in appeals)
    for appeal in appeals:
        if appeal.outcome_id:
            assert appeal.outcome.reviewer_id != appeal.decision.reviewer_id

    audits = list(Audit.objects.select_related("decision__policy", "correct_policy"))
    assert len(audits) >= 5 and Sample.objects.count() >= 3
    for audit in audits:
        decision = audit.decision
        assert audit.error_type == derive_error_type(
            decided_verdict=decision.verdict, decided_policy=decision.policy.code if decision.policy_id else None,
            decided_actions=decision.actions, correct_verdict=audit.correct_verdict,
            correct_policy=audit.correct_policy.code if audit.correct_policy_id else None,
            correct_actions=audit.correct_actions)
        if audit.error_type != "correct":
            assert audit.rca_category                      # every error carries its root-cause category
    revised = Dispute.objects.get(status="revised")
    assert revised.audit_before["error_type"] != "correct" and revised.audit.error_type == "correct"

    sessions = list(CalibrationSession.objects.all())
    assert sessions and all(session.closed_at is not None for session in sessions)
    missing = []
    for session in sessions:
        items, participants = session.items.count(), session.participants.count()
        assert items >= 2 and participants >= 4
        assert all(item.benchmark_label for item in session.items.all())
        missing.append(items * participants - CalibrationLabel.objects.filter(item__session=session).count())
    assert 1 in missing and set(missing) <= {0, 1}        # one session closed with a label missing

    golden = list(GoldenItem.objects.select_related("case"))
    assert golden
    decided = Decision.objects.filter(case__in=[g.case for g in golden])
    assert decided.exists() and not EnforcementAction.objects.filter(decision__in=decided).exists()
    assert Experiment.objects.get().status == "finished"


def _month_fingerprint():
    """Seed the tiny month, read what happened in it, and roll it all back."""
    with transaction.atomic():
        seed_world(seed=7, size="tiny", anchor=MONTH_ANCHOR)
        fingerprint = (
            sorted(Decision.objects.values_list("case__subject__external_id", "reviewer__username", "verdict",
                                                "policy__code", "decided_at", "handle_seconds")),
            sorted(Audit.objects.values_list("decision__case__subject__external_id", "auditor__username",
                                             "error_type", "rca_category", "created_at")),
            sorted(Appeal.objects.values_list("decision__case__subject__external_id", "status")),
            sorted(GoldenItem.objects.values_list("case__subject__external_id", "expected_verdict")),
            sorted(CalibrationLabel.objects.values_list("participant__username", "label")),
        )
        transaction.set_rollback(True)
    policy_selectors.clear_cache()
    routing.clear_cache()
    return fingerprint


def test_the_simulated_month_is_reproducible_from_its_seed(db):
    first = _month_fingerprint()
    assert all(first)
    assert _month_fingerprint() == first
