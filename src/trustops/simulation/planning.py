"""The demo's workforce planning: forecasts and staffing plans for demo queues, an approved staffing
requirement, a quiz built from QA's golden items with certifications, and an improvement plan from an RCA.

Written through workforce's services as of the anchor, by an in-house vendor manager (governance) and the QA
lead; deterministic (no randomness beyond the world already seeded). The queues stay open to everyone: the demo
does not gate a queue on certification, so its reviewers keep working.
"""
from datetime import timedelta

from trustops.identity.models import User
from trustops.kernel import clock
from trustops.kernel.errors import DomainError
from trustops.quality.models import GoldenItem, RootCauseAnalysis
from trustops.simulation import platform
from trustops.workforce.forecasts import services as forecasting
from trustops.workforce.improvement import services as improving
from trustops.workforce.plans import services as planning
from trustops.workforce.requirements import services as requiring
from trustops.workforce.training import services as training

PLANNER = "vendor.governance"
QA_LEAD = "qa.lead"
FORECAST_QUEUES = {"tiny": ("general-us",), "default": ("general-us", "integrity")}


def seed(*, anchor, size: str) -> dict:
    planner = platform.person(PLANNER, "vendor_manager")
    summary = {"forecasts": 0, "staffing_plans": 0, "requirements_approved": 0, "quizzes": 0,
               "certifications": 0, "improvement_plans": 0}
    with clock.frozen(anchor):
        for key in FORECAST_QUEUES.get(size, FORECAST_QUEUES["default"]):
            try:
                run = forecasting.run_forecast(actor=planner, queue_key=key, history_weeks=5)
                planning.build_plan(actor=planner, queue_key=key, forecast_id=run.pk, shrinkage=0.3,
                                    max_occupancy=0.85)
            except DomainError:
                continue          # a queue with too little history in a small world: no forecast to show
            summary["forecasts"] += 1
            summary["staffing_plans"] += 1
        requirement = requiring.file_requirement(actor=planner, data=requiring.RequirementInput(
            title="Holiday peak: spam and fake engagement", queues=["integrity"], daily_volume=2400,
            aht_seconds=150, sla_seconds=48 * 3600, service_level=0.9, shrinkage=0.3,
            starts_on=anchor.date() + timedelta(days=14), duration_days=45))
        requiring.approve(actor=planner, requirement_id=requirement.pk, note="Within budget for the peak.")
        summary["requirements_approved"] += 1
        summary.update(_quiz(planner))
        summary["improvement_plans"] += _improvement(anchor)
    return summary


def _quiz(planner) -> dict:
    """A quiz on the queue with the most golden items; its vendor's demo agent passes it."""
    item = GoldenItem.objects.select_related("case__queue", "expected_policy").order_by("pk").first()
    if item is None:
        return {}
    queue = item.case.queue
    sop = training.publish_sop(actor=planner, queue_key=queue.key, title=f"{queue.name}: how we review",
                               body="Read the report and the item; cite the policy that is broken, or none.",
                               policy_code=item.expected_policy.code if item.expected_policy else None)
    quiz = training.create_quiz(actor=planner, sop_id=sop.pk, title=f"{queue.name} certification",
                                pass_mark=0.8, questions=10)
    certified = 0
    agents = User.objects.filter(role="vendor_agent", vendor__in=queue.vendors.all()).order_by("username")
    for agent in agents[:3]:
        answers = [training.Answer(position=q.position, verdict=q.golden_item.expected_verdict,
                                   policy=q.golden_item.expected_policy.code if q.golden_item.expected_policy
                                   else None)
                   for q in quiz.questions.select_related("golden_item__expected_policy")]
        certified += training.submit_attempt(actor=agent, quiz_id=quiz.pk, answers=answers).passed
    return {"quizzes": 1, "certifications": certified}


def _improvement(anchor) -> int:
    lead = platform.person(QA_LEAD, "qa_lead")
    rca = RootCauseAnalysis.objects.order_by("pk").first()
    improving.open_plan(actor=lead, data=improving.PlanInput(
        title="Coach Northwind's new agents on bullying context", kind="human_error", owner="vendor.manager",
        due_on=anchor.date() + timedelta(days=21), metric="accuracy", vendor="northwind-bpo",
        rca_id=rca.pk if rca else None, baseline=0.86, target=0.93,
        description="Weekly calibration on indirect threats; re-audit a sample of 50 decisions at the end."))
    return 1
