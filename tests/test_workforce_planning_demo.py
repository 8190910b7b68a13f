"""The demo world shows workforce planning: a forecast and a week's plan, an approved requirement with its
addendum, a quiz from golden items with certified agents, and an improvement plan from an RCA."""
from trustops.simulation.seed import seed_world
from trustops.workforce.models import (
    Addendum,
    Certification,
    ForecastRun,
    ImprovementPlan,
    Quiz,
    Requirement,
    StaffingPlan,
)


def test_the_tiny_demo_world_has_planning_to_show(db):
    summary = seed_world(seed=7, size="tiny")
    assert summary["planning"]["forecasts"] == 1 and summary["planning"]["staffing_plans"] == 1
    run = ForecastRun.objects.get()
    assert run.queue.key == "general-us" and len(run.mean) == 336 and run.history_volume > 0
    plan = StaffingPlan.objects.get()
    assert len(plan.intervals) == 336 and plan.vendor_headcount
    assert Requirement.objects.get().status == "approved" and Addendum.objects.exists()
    assert Quiz.objects.count() == 1 and Certification.objects.count() == summary["planning"]["certifications"] >= 1
    assert ImprovementPlan.objects.get().owner.username == "vendor.manager"
