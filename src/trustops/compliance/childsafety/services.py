"""The restricted child-safety reporting flow (US REPORT Act): only compliance staff holding the child-safety
clearance; the package is assembled from the case, its evidence preserved under a one-year hold that retention
never touches; submission goes through a pluggable submitter; every access to preserved evidence is a ledger
event (`evidence.accessed`), searchable in the access audit."""
from django.db import transaction

from trustops.compliance.childsafety import submitters
from trustops.compliance.models import ChildSafetyReport, ChildSafetyStatus, HoldKind
from trustops.compliance.retention import services as retention
from trustops.enforcement.models import EnforcementAction
from trustops.identity import access
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.review.models import Case, Decision

CLEARANCE = "restricted:child_safety"


def may_report(person) -> bool:
    v = access.viewer(person)
    return access.works_compliance(v) and CLEARANCE in v.clearances


def _require(person) -> None:
    if not may_report(person):
        raise NotFound("not_found", "No such resource.")


def _package(case: Case) -> dict:
    subject = case.subject
    owner = subject.owner
    return {
        "case": {"id": case.pk, "queue": case.queue.key, "opened_at": case.opened_at.isoformat()},
        "subject": {"type": subject.type, "external_id": subject.external_id, "region": subject.region,
                    "attributes": subject.attributes},
        "owner": {"type": owner.type, "external_id": owner.external_id, "region": owner.region,
                  "attributes": owner.attributes} if owner else None,
        "reports": [{"id": r.pk, "reason": r.policy.code, "source": r.source, "received_at": r.received_at.isoformat(),
                     "text": r.text} for r in Report.objects.filter(case_id=case.pk).select_related("policy")],
        "decisions": [{"id": d.pk, "verdict": d.verdict, "policy": d.policy.code if d.policy_id else None,
                       "rationale": d.rationale, "decided_at": d.decided_at.isoformat()}
                      for d in Decision.objects.filter(case_id=case.pk).select_related("policy")],
        "enforcement": list(EnforcementAction.objects.filter(decision__case_id=case.pk).values_list("action", flat=True)),
    }


@transaction.atomic
def assemble(*, case_id: int, actor) -> ChildSafetyReport:
    _require(actor)
    case = Case.objects.select_related("subject__owner", "queue").filter(pk=case_id).filter(
        access.case_filter(actor)).first()
    if case is None or case.queue.required_clearance != CLEARANCE:
        raise NotFound("case_not_found", f"No child-safety case {case_id}.")
    if ChildSafetyReport.objects.filter(case=case).exists():
        raise Conflict("already_reported", "This case already has a report.")
    hold = retention.place_hold(subject_id=(case.subject.owner_id or case.subject_id), kind=HoldKind.CHILD_SAFETY,
                                case_id=case.pk, reason=f"CyberTipline report evidence, case {case.pk}", actor=actor)
    if case.subject.owner_id:
        retention.place_hold(subject_id=case.subject_id, kind=HoldKind.CHILD_SAFETY, case_id=case.pk,
                             reason=f"CyberTipline report evidence, case {case.pk}", actor=actor)
    report = ChildSafetyReport.objects.create(case=case, subject=case.subject, hold=hold, package=_package(case),
                                              created_at=clock.now(), created_by=actor)
    ledger.record("child_safety_report.assembled", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"report_id": report.pk, "hold_id": hold.pk})
    return report


@transaction.atomic
def open_evidence(*, report_id: int, actor, why: str) -> ChildSafetyReport:
    """Read a package: every access to preserved evidence is recorded, with the reason given."""
    _require(actor)
    report = ChildSafetyReport.objects.filter(pk=report_id).filter(access.case_filter(actor, "case__")).first()
    if report is None:
        raise NotFound("report_not_found", f"No child-safety report {report_id}.")
    if not why or not why.strip():
        raise Invalid("missing_reason", "Say why you open preserved evidence.", field="why")
    ledger.record("evidence.accessed", actor=actor, subject_id=report.subject_id, case_id=report.case_id,
                  payload={"report_id": report.pk, "reason": why.strip()[:300]})
    return report


def submit(*, report_id: int, actor, submitter: submitters.Submitter | None = None) -> ChildSafetyReport:
    """Hand the package to the submitter (outside any transaction), then record the outcome."""
    if not may_report(actor):
        raise Forbidden("cleared_staff_only", "Only cleared compliance staff submit child-safety reports.")
    report = open_evidence(report_id=report_id, actor=actor, why="submission to the reporting authority")
    if report.status == ChildSafetyStatus.SUBMITTED:
        return report
    chosen = submitter or submitters.configured()
    reference, error = "", ""
    try:
        reference = chosen.submit(report.package)
    except submitters.SubmissionFailed as refused:
        error = str(refused)[:500] or "refused"
    with transaction.atomic():
        report = ChildSafetyReport.objects.select_for_update().get(pk=report.pk)
        report.attempts += 1
        report.submitter = chosen.name
        if error:
            report.status, report.last_error = ChildSafetyStatus.FAILED, error
        else:
            report.status, report.reference, report.submitted_at, report.last_error = (
                ChildSafetyStatus.SUBMITTED, reference, clock.now(), "")
        report.save()
        ledger.record("child_safety_report.submitted" if not error else "child_safety_report.failed", actor=actor,
                      subject_id=report.subject_id, case_id=report.case_id,
                      payload={"report_id": report.pk, "submitter": chosen.name, "reference": reference,
                               "error": error})
    return report


def reports_visible_to(viewer):
    if not may_report(viewer):
        return ChildSafetyReport.objects.none()
    return ChildSafetyReport.objects.filter(access.case_filter(viewer, "case__"))
