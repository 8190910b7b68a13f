"""A case as the reviewer saw it when deciding, for blind audits and calibration: nothing of the outcome.

An auditor who sees the original verdict anchors on it, and the audit measures agreement instead of accuracy.
So what is shown is built from an allow-list, not by hiding parts of the ordinary case page: the subject, the
reports and signals received before the decision, the owner's earlier decisions (without reviewers), and the
intake and routing events of the case, without who did them. No decision, enforcement, strike, resolution,
appeal or QA event, and no reviewer's name, can reach the page, whatever the ledger holds.
"""
from dataclasses import dataclass
from datetime import datetime

from trustops.enforcement.services.penalties import account_of
from trustops.identity.roles import AUDITOR_ROLES
from trustops.ledger.selectors import case_timeline
from trustops.quality.audits.selectors import tasks_for
from trustops.quality.models import AuditTask, TaskStatus
from trustops.review import selectors as review
from trustops.review.models import Case
from trustops.review.schemas import case_detail

# Events that tell how a case came to be and where it went, and which payload fields of each may be shown.
SHOWN_EVENTS = {
    "case.opened": ("queue", "priority", "kind"),
    "report.received": ("reason", "source"),
    "signal.received": ("detector", "policy", "score"),
    "case.rerouted": ("from_queue", "to_queue"),
    "case.escalated": ("from_queue", "to_queue"),
}


@dataclass
class ShownEvent:
    kind: str
    occurred_at: datetime
    facts: list[tuple[str, object]]


def _before(moment: datetime | None):
    return (lambda when: when <= moment) if moment else (lambda when: True)


def blind_case(user, case: Case, *, as_of: datetime | None) -> dict:
    """What the blind pages show of a case the caller may see, as it stood at `as_of` (the decision's moment).

    The caller has the case from a scoped selector (`review.get_case`, an audit task in their scope)."""
    seen = _before(as_of)
    reports, signals = review.notices_shown_with(case, limit=200)
    reports = [r for r in reports if seen(r.received_at)]
    signals = [s for s in signals if seen(s.received_at)]
    account = account_of(case.subject)
    earlier = []
    if account is not None:
        earlier = [d for d in review.decisions_about_account(user, account, exclude_case_ids=[case.pk], limit=200)
                   if d.appeal_of_id is None and seen(d.decided_at)]
    events = [ShownEvent(e.kind, e.occurred_at, [(k, e.payload.get(k)) for k in SHOWN_EVENTS[e.kind]
                                                 if e.payload.get(k) not in (None, "")])
              for e in case_timeline(case) if e.kind in SHOWN_EVENTS and seen(e.occurred_at)]
    return {"case": case, "subject": case.subject, "account": account,
            "detail": case_detail(case, user, reports=reports, signals=signals),
            "earlier_decisions": [{"decided_at": d.decided_at, "subject": d.case.subject, "verdict": d.verdict,
                                   "policy": d.policy.code if d.policy_id else None} for d in earlier],
            "timeline": events}


def open_blind_task_for_case(user, case_id: int) -> AuditTask | None:
    """The caller's open blind audit task on a decision of this case (assigned to them or still unassigned).

    While there is one, the ordinary case page would show the decision the auditor is about to judge, so the
    console sends them to the audit page instead."""
    if getattr(user, "role", None) not in AUDITOR_ROLES:
        return None
    return (tasks_for(user).filter(decision__case_id=case_id, sample__blind=True).order_by("id").first())


def hidden_decision_ids(user) -> set[int]:
    """Decisions the caller is about to audit blind: pages listing decisions leave these out for them."""
    if getattr(user, "role", None) not in AUDITOR_ROLES:
        return set()
    return set(tasks_for(user).filter(sample__blind=True).values_list("decision_id", flat=True))


def blind_for(task: AuditTask) -> bool:
    """Whether the task's page must still keep the original decision out of sight."""
    return task.sample.blind and task.status == TaskStatus.OPEN

