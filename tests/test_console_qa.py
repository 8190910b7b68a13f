"""The QA workspace in the console: a QA auditor's whole job without an API token.

Sampling, the audit task queue, the blind audit page and its comparison, disputes and arbitration, calibration,
root-cause analyses and golden items, each through Django's test client, with who-sees-what tested alongside.
"""
import re
from datetime import timedelta

import pytest
from django.test import Client

from trustops.kernel import clock
from trustops.quality.models import Audit, AuditTask, CalibrationSession, GoldenItem, RootCauseAnalysis
from trustops.review.models import Case

RATIONALE = "Slur aimed at a classmate, zz-rationale-7731."


def console(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def html(response) -> str:
    return response.content.decode()


def without_forms(page: str) -> str:
    """The page without its forms: the audit form lists every policy and action to choose from."""
    return re.sub(r"<form.*?</form>", "", page, flags=re.DOTALL)


@pytest.fixture
def qa(world):
    """Decisions to audit: one reported as bullying but decided as hate (so the decided policy is not also the
    reported one), eleven more in general-us by an in-house moderator and a Northwind agent, two in Brazil."""
    reviewer = world.moderator("reviewer-zed")
    northwind = world.vendor_agent("nw-agent-q", vendor="Northwind BPO", regions=["US"])
    world.report(subject=world.subject(region="US"), reason="harassment.bullying",
                 text="They keep posting about a classmate.")
    target = world.violation(reviewer, "general-us", "hate.slurs", actions=["remove"], rationale=RATIONALE)
    for i in range(11):
        world.report(subject=world.subject(region="US"), reason="harassment.bullying")
        world.violation(northwind if i % 2 else reviewer, "general-us", "harassment.bullying", actions=["remove"])
    lumen = world.vendor_agent("lumen-agent-q", vendor="Lumen Outsourcing")
    for _ in range(2):
        world.report(subject=world.subject(region="BR"), reason="hate.slurs")
        world.violation(lumen, "general-intl", "hate.slurs", actions=["remove"])
    return {"reviewer": reviewer, "northwind": northwind, "lumen": lumen, "target": target,
            "auditor": world.person("auditor-q", "qa_auditor"), "lead": world.person("qa-lead-q", "qa_lead")}


def _period() -> dict:
    today = clock.now().date()
    return {"period_start": (today - timedelta(days=1)).isoformat(), "period_end": today.isoformat()}


def draw(client, **fields) -> int:
    body = {**_period(), "design": "size", "size": "20", "seed": "3", "blind": "on", "oversample_factor": "2",
            "confidence": "0.95", "expected_accuracy": "0.9", "action": "draw", **fields}
    response = client.post("/qa/samples/", body)
    assert response.status_code == 302, html(response)
    return int(response.url.rstrip("/").split("/")[-1])


def test_an_auditor_sees_the_strata_before_drawing_then_the_drawn_sample(qa):
    auditor = console(qa["auditor"])
    page = html(auditor.get("/qa/samples/"))
    assert "Draw a sample" in page and 'name="strata" value="vendor"' in page

    preview = auditor.post("/qa/samples/", {**_period(), "strata": ["vendor"], "design": "size", "size": "9",
                                            "seed": "3", "blind": "on", "action": "preview"})
    assert preview.status_code == 200
    page = html(preview)
    assert "9 of 14 decisions would be drawn" in page
    for stratum in ("vendor=in-house", "vendor=northwind-bpo", "vendor=lumen-outsourcing"):
        assert stratum in page
    assert page.count("Too small to estimate") == 3             # every stratum holds fewer than 30 audits
    assert not AuditTask.objects.exists()                       # showing strata draws nothing

    refused = auditor.post("/qa/samples/", {**_period(), "design": "size", "size": "", "action": "draw"})
    assert refused.status_code == 422 and "Give the number of decisions to draw." in html(refused)
    refused = auditor.post("/qa/samples/", {"period_start": "yesterday", "period_end": "", "action": "draw"})
    assert refused.status_code == 422 and "YYYY-MM-DD" in html(refused)
    refused = auditor.post("/qa/samples/", {**_period(), "design": "margin", "margin": "0.7", "action": "draw"})
    assert refused.status_code == 422 and "margin must be within" in html(refused)

    for bad in ({"oversample_factor": "inf"}, {"confidence": "nan"}, {"oversample_new_agents_days": "10" * 12},
                {"seed": "9" * 30}, {"size": "ten"}):
        refused = auditor.post("/qa/samples/", {**_period(), "design": "size", "size": "5", "action": "draw", **bad})
        assert refused.status_code == 422, bad
    assert not AuditTask.objects.exists()

    sample_id = draw(auditor, strata=["vendor"], size="9", auditors="auditor-q")
    page = html(auditor.get(f"/qa/samples/{sample_id}/"))
    assert "Drawn decisions <span class=\"count\">9</span>" in page
    assert "Too small to estimate" in page
    assert "reviewer-zed" not in page and "nw-agent-q" not in page            # the drawn tasks stay blind
    assert AuditTask.objects.filter(sample_id=sample_id, assignee=qa["auditor"].user).count() == 9


def test_the_audit_page_never_shows_the_original_decision_until_the_audit_is_submitted(qa):
    auditor = console(qa["auditor"])
    draw(auditor)
    task = AuditTask.objects.get(decision_id=qa["target"]["decision_id"])
    assert task.assignee is None

    queue = html(auditor.get("/qa/tasks/", {"show": "unassigned"}))
    assert f"/qa/tasks/{task.pk}/" in queue and "reviewer-zed" not in queue
    # The ordinary case page sends the auditor to the audit page while the task waits for them.
    case_id = qa["target"]["case"]["id"]
    assert auditor.get(f"/cases/{case_id}/").url == f"/qa/tasks/{task.pk}/"

    response = auditor.get(f"/qa/tasks/{task.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert "Blind audit" in page and "They keep posting about a classmate." in page       # the report
    assert "harassment.bullying" in page                                                  # as reported
    shown = without_forms(page)
    for leak in ("reviewer-zed", RATIONALE, "hate.slurs", "Remove", "remove", "verdict-violation",
                 "Decision made", "Enforcement", "Strike", "Reports resolved", "Case claimed"):
        assert leak not in shown, leak
    form = re.search(r"<form[^>]*data-audit-form.*?</form>", page, flags=re.DOTALL).group(0)
    assert " checked" not in form and " selected" not in form        # nothing in the form is the original's
    assert "reviewer-zed" not in page and RATIONALE not in page

    refused = auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "violation"})
    assert refused.status_code == 422 and "A violation names the correct policy." in html(refused)
    assert "reviewer-zed" not in html(refused) and RATIONALE not in html(refused)

    done = auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "violation",
                                                        "correct_policy": "harassment.bullying",
                                                        "rca_category": "policy", "notes": "Bullying, not a slur."})
    audit = Audit.objects.get(decision_id=qa["target"]["decision_id"])
    assert done.url == f"/qa/audits/{audit.pk}/" and audit.error_type == "wrong_policy"
    page = html(auditor.get(done.url))
    for shown in ("reviewer-zed", RATIONALE, "hate.slurs", "Remove", "verdict-violation", "Decision made",
                  "Wrong policy", "Enforcement applied"):
        assert shown in page, shown
    assert auditor.get(f"/qa/tasks/{task.pk}/").url == f"/qa/audits/{audit.pk}/"
    assert auditor.get(f"/cases/{case_id}/").status_code == 200               # audited: the case page is back

    # Submitting twice is refused calmly.
    again = auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "no_violation"})
    assert again.status_code == 409


def test_next_task_takes_mine_first_then_an_unassigned_one(qa, world):
    auditor = console(qa["auditor"])
    draw(auditor, size="2", auditors="auditor-q")
    draw(auditor, size="2", seed="9")
    mine = list(AuditTask.objects.filter(assignee=qa["auditor"].user).order_by("id"))
    assert auditor.post("/qa/tasks/next/").url == f"/qa/tasks/{mine[0].pk}/"
    for task in mine:
        auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "no_violation"})
    taken = auditor.post("/qa/tasks/next/")
    task = AuditTask.objects.get(pk=int(taken.url.rstrip("/").split("/")[-1]))
    assert task.assignee_id == qa["auditor"].pk and task.status == "open"
    assert "Audit tasks" in html(auditor.get("/qa/tasks/")) and "Mine (1)" in html(auditor.get("/qa/tasks/"))
    accuracy = html(auditor.get("/qa/"))
    assert "0.0%" in accuracy and "0 of 2 audits correct" in accuracy         # both audits found errors


def test_the_reviewer_disputes_and_a_qa_lead_arbitrates_with_the_history_kept(qa):
    auditor = console(qa["auditor"])
    draw(auditor)
    task = AuditTask.objects.get(decision_id=qa["target"]["decision_id"])
    auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "no_violation"})
    audit = Audit.objects.get(task=task)

    reviewer = console(qa["reviewer"])
    page = html(reviewer.get(f"/qa/audits/{audit.pk}/"))
    assert "False positive" in page and "Dispute this audit" in page
    assert reviewer.post(f"/qa/audits/{audit.pk}/dispute/", {"reason": "  "}).status_code == 422
    assert reviewer.post(f"/qa/audits/{audit.pk}/dispute/", {"reason": "The slur is in the caption."}).status_code == 302
    assert reviewer.post(f"/qa/audits/{audit.pk}/dispute/", {"reason": "Again."}).status_code == 409
    dispute = audit.disputes.get()

    assert auditor.post(f"/qa/disputes/{dispute.pk}/arbitration/",
                        {"outcome": "upheld", "note": "No."}).status_code == 403       # not a QA lead
    lead = console(qa["lead"])
    assert "disputed" in html(lead.get("/qa/audits/", {"status": "disputed"}))
    refused = lead.post(f"/qa/disputes/{dispute.pk}/arbitration/", {"outcome": "revised", "note": "Right."})
    assert refused.status_code == 422 and "A revision gives the corrected judgement." in html(refused)
    assert lead.post(f"/qa/disputes/{dispute.pk}/arbitration/", {
        "outcome": "revised", "note": "The caption carries the slur.", "correct_verdict": "violation",
        "correct_policy": "hate.slurs"}).status_code == 302
    audit.refresh_from_db()
    assert audit.error_type == "correct" and audit.status == "final"
    page = html(reviewer.get(f"/qa/audits/{audit.pk}/"))
    assert "The slur is in the caption." in page and "revised the audit" in page
    assert "Before: No violation" in page and "False positive" in page


def test_a_calibration_is_labelled_blind_closed_and_its_agreement_shown(qa, world):
    lead = console(qa["lead"])
    others = world.moderator("calib-b")
    cases = list(Case.objects.filter(status="resolved", queue__key="general-us").order_by("id")
                 .values_list("pk", flat=True)[:3])
    assert lead.post("/qa/calibrations/", {"name": "Bullying or slur", "items": [str(c) for c in cases],
                                           "participants": "solo"}).status_code == 422
    created = lead.post("/qa/calibrations/", {"name": "Bullying or slur", "items": [str(c) for c in cases[:2]],
                                              "more_items": str(cases[2]), "participants": "reviewer-zed calib-b"})
    assert created.status_code == 302, html(created)
    session = CalibrationSession.objects.get()

    zed, b = console(qa["reviewer"]), console(others)
    item_page = html(zed.get(f"/qa/calibrations/{session.pk}/items/{cases[0]}/"))
    assert "Label case" in item_page and RATIONALE not in item_page and "Decision made" not in item_page
    for case_id in cases:
        assert zed.post(f"/qa/calibrations/{session.pk}/items/{case_id}/",
                        {"label": "harassment.bullying"}).status_code == 302
    overview = html(b.get(f"/qa/calibrations/{session.pk}/"))
    assert "harassment.bullying" not in without_forms(overview)                  # blind to zed's labels
    assert b.post(f"/qa/calibrations/{session.pk}/items/{cases[0]}/", {"label": "nonsense"}).status_code == 422
    for case_id in cases:
        b.post(f"/qa/calibrations/{session.pk}/items/{case_id}/", {"label": "harassment.bullying"})

    assert zed.post(f"/qa/calibrations/{session.pk}/close/").status_code == 403
    assert lead.post(f"/qa/calibrations/{session.pk}/close/").status_code == 302
    page = html(lead.get(f"/qa/calibrations/{session.pk}/"))
    assert "Krippendorff" in page and "Gwet" in page and "Cohen's kappa, calib-b and reviewer-zed" in page
    assert "Percent agreement</td><td class=\"num\">1.000" in page
    # Everyone chose the same category: Fleiss' kappa is 0/0, and the page says so.
    assert ("Fleiss&#x27; kappa</td><td class=\"num\">undefined</td><td>Undefined: every label is the same "
            "category, so chance agreement is 1") in page
    assert b.post(f"/qa/calibrations/{session.pk}/items/{cases[0]}/", {"label": "no_violation"}).status_code == 409


def test_rcas_and_golden_items_in_the_console(qa, world):
    auditor = console(qa["auditor"])
    draw(auditor)
    task = AuditTask.objects.get(decision_id=qa["target"]["decision_id"])
    auditor.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "no_violation"})
    audit = Audit.objects.get(task=task)
    due = (clock.now().date() + timedelta(days=14)).isoformat()
    created = auditor.post("/qa/rcas/", {"title": "Slur list too broad", "category": "policy",
                                         "root_cause": "Guideline lists reclaimed words.",
                                         "corrective_action": "Rewrite the list.", "owner": "qa-lead-q",
                                         "due_date": due, "audit_ids": str(audit.pk)})
    assert created.status_code == 302, html(created)
    rca = RootCauseAnalysis.objects.get()
    assert auditor.post("/qa/rcas/", {"title": "x", "category": "policy", "root_cause": "x",
                                      "corrective_action": "x", "owner": "nobody-here", "due_date": due}
                        ).status_code == 422
    page = html(auditor.get(f"/qa/rcas/{rca.pk}/"))
    assert "Rewrite the list." in page and f"/qa/audits/{audit.pk}/" in page
    assert auditor.post(f"/qa/rcas/{rca.pk}/", {"status": "in_progress"}).status_code == 302
    assert "Slur list too broad" in html(auditor.get("/qa/rcas/")) and "In progress" in html(auditor.get("/qa/rcas/"))
    assert console(qa["northwind"]).get(f"/qa/rcas/{rca.pk}/").status_code == 404

    source = qa["target"]["case"]["id"]
    placed = auditor.post("/qa/golden/", {"source_case_id": str(source), "queue": "general-us",
                                          "expected_verdict": "violation", "expected_policy": "hate.slurs"})
    assert placed.status_code == 302, html(placed)
    item = GoldenItem.objects.get()
    page = html(auditor.get("/qa/golden/"))
    assert f"Case {item.case_id}" in page and "hate.slurs" in page and "Accuracy on golden items" in page
    assert auditor.post("/qa/rcas/", {"title": "x", "category": "policy", "root_cause": "x",
                                      "corrective_action": "x", "owner": "qa-lead-q", "due_date": due,
                                      "audit_ids": "9" * 25}).status_code == 422
    assert auditor.post("/qa/golden/", {"source_case_id": "abc", "queue": "general-us",
                                        "expected_verdict": "no_violation"}).status_code == 422
    for nobody in (qa["reviewer"], qa["northwind"]):
        assert console(nobody).get("/qa/golden/").status_code == 404            # reviewers never learn


def test_who_may_open_the_qa_workspace(qa, world):
    auditor = console(qa["auditor"])
    draw(auditor)
    task = AuditTask.objects.get(decision_id=qa["target"]["decision_id"])
    nw_task = AuditTask.objects.filter(decision__reviewer=qa["northwind"].user).first()
    br_task = AuditTask.objects.filter(decision__case__subject__region="BR").first()

    moderator = console(qa["reviewer"])
    assert 'href="/qa/"' not in html(moderator.get("/queues/"))
    for path in ("/qa/", "/qa/samples/", "/qa/tasks/", f"/qa/tasks/{task.pk}/", f"/qa/samples/{task.sample_id}/"):
        assert moderator.get(path).status_code == 404, path
    assert moderator.post(f"/qa/tasks/{task.pk}/audit/", {"correct_verdict": "no_violation"}).status_code == 404
    assert moderator.post("/qa/tasks/next/").status_code == 403

    manager = console(world.person("nw-manager-q", "vendor_manager", vendor="Northwind BPO", regions=["US"]))
    assert 'href="/qa/"' in html(manager.get("/queues/"))
    assert manager.get(f"/qa/tasks/{nw_task.pk}/").status_code == 404         # audit work is QA's
    for done in AuditTask.objects.filter(status="open"):
        auditor.post(f"/qa/tasks/{done.pk}/audit/", {"correct_verdict": "no_violation"})
    audits = html(manager.get("/qa/audits/"))
    assert "nw-agent-q" in audits and "reviewer-zed" not in audits and "lumen-agent-q" not in audits
    assert manager.get(f"/qa/audits/{Audit.objects.get(task=task).pk}/").status_code == 404
    assert manager.get(f"/qa/audits/{Audit.objects.get(task=nw_task).pk}/").status_code == 200

    us_auditor = console(world.person("us-auditor-q", "qa_auditor", regions=["US"]))
    assert "BR" not in html(us_auditor.get(f"/qa/samples/{task.sample_id}/"))
    assert us_auditor.get(f"/qa/tasks/{br_task.pk}/").status_code == 404
    assert us_auditor.get(f"/qa/audits/{Audit.objects.get(task=br_task).pk}/").status_code == 404
    assert us_auditor.get("/qa/tasks/").status_code == 200
