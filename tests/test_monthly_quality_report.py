"""The Monthly Quality Report for March 2025 (see `tests/quality_month.py` for what happened that month)."""
import csv
import io
from datetime import datetime, timezone

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests import quality_month
from tests.quality_month import MONTH, Clients
from trustops.insights import tasks
from trustops.kernel import clock
from trustops.quality.models import QualityReport

REPORT = "/api/v1/insights/monthly-quality-report"


@pytest.fixture
def march(world):
    month = quality_month.build(world)
    month.api = Clients(world)
    return month


def _json(client, **params):
    response = client.get(REPORT, month=MONTH, format="json", **params)
    assert response.status_code == 200, response.content
    return response.json()


def _csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="monthly-quality-report-{MONTH}.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _figure(rows, section, group, metric):
    matches = [r["value"] for r in rows if (r["section"], r["group"], r["metric"]) == (section, group, metric)]
    assert len(matches) == 1, (section, group, metric, matches)
    return matches[0]


def test_a_qa_lead_reads_the_months_figures(march):
    report = _json(march.api(march.people["lead"]))
    assert report["source"] == "fresh" and report["month"] == MONTH
    assert report["scope"]["label"] == "All vendors and regions"
    summary = report["summary"]
    # 34 March decisions audited; February 26 and April 2 are left out; the appeal outcome is not a decision here.
    assert (summary["decisions"], summary["audited"], summary["correct"]) == (34, 34, 24)
    assert summary["accuracy"] == 0.7059 and summary["wilson_low"] < 0.7059 < summary["wilson_high"]
    assert summary["errors"] == {"false_positive": 7, "false_negative": 1, "wrong_policy": 1, "wrong_action": 1}
    assert summary["population_estimate"]["audited"] == 34            # every audit was drawn through the sample

    assert [w["week"] for w in report["weekly"]] == ["2025-W09", "2025-W10", "2025-W11", "2025-W12", "2025-W13",
                                                     "2025-W14"]
    assert report["weekly"][0]["first_day"] == "2025-03-01" and report["weekly"][-1]["last_day"] == "2025-03-31"
    assert sum(w["audited"] for w in report["weekly"]) == 34

    vendors = {v["group"]: v for v in report["vendors"]}
    assert {k: (v["audited"], v["correct"]) for k, v in vendors.items()} == {
        "northwind-bpo": (16, 8), "in-house": (10, 10), "lumen-outsourcing": (8, 6)}
    assert vendors["northwind-bpo"]["flag"] == "below" and vendors["in-house"]["flag"] == "above"
    assert vendors["lumen-outsourcing"]["flag"] is None
    northwind = vendors["northwind-bpo"]
    assert northwind["vs_rest"] == round(8 / 16 - 16 / 18, 4)
    assert northwind["vs_rest_low"] < northwind["vs_rest"] < northwind["vs_rest_high"] < 0
    assert {q["group"]: q["audited"] for q in report["queues"]} == {"general-us": 26, "general-intl": 8}

    assert [(r["cause"], r["errors"]) for r in report["pareto"]["by_rca_category"]] == [
        ("human_training", 6), ("policy", 1), ("process", 1), ("product_tech", 1), ("uncategorised", 1)]
    assert report["pareto"]["by_error_type_and_policy"][0] == {
        "error_type": "false_positive", "policy": "harassment.bullying", "errors": 7, "share": 0.7,
        "cumulative_share": 0.7, "vital_few": True}

    rcas = report["rcas"]
    assert [r["title"] for r in rcas["overdue"]] == ["New Northwind agent removes banter"]
    assert rcas["overdue"][0]["days_overdue"] == 4 and rcas["overdue"][0]["audits_this_month"] == 6
    assert {r["rca_id"] for r in rcas["open"]} == {march.rcas["A"], march.rcas["D"]}
    by_category = {r["category"]: r for r in rcas["by_category"]}
    assert by_category["policy"]["closed"] == 1 and by_category["human_training"]["overdue"] == 1
    assert sum(r["active"] for r in rcas["by_category"]) == 3                 # the April RCA is not in March
    assert (summary["open_rcas"], summary["overdue_rcas"]) == (2, 1)

    [session] = report["calibrations"]
    assert session["calibration_id"] == march.calibration and session["units"] == 3 and session["raters"] == 3
    assert session["krippendorff_alpha"] is not None and session["ambiguous_items"] == 2
    appeals = report["appeals"]
    assert (appeals["decided"], appeals["overturned"], appeals["overturn_rate"]) == (1, 1, 1.0)
    assert 0 < appeals["wilson_low"] < 1 and appeals["wilson_high"] == 1.0


def test_the_report_warns_about_data_it_cannot_trust(march):
    warnings = {w["code"]: w for w in _json(march.api(march.people["lead"]))["warnings"]}
    assert set(warnings) == {"errors_without_rca_category", "auditor_is_reviewer", "agent_below_overall",
                             "too_few_audits", "open_disputes"}
    uncategorised_audit = march.audits[march.decisions["mqr-nw"][9]]
    assert warnings["errors_without_rca_category"]["count"] == 1
    assert warnings["errors_without_rca_category"]["examples"] == [f"audit {uncategorised_audit}"]
    assert warnings["auditor_is_reviewer"]["count"] == 1 and warnings["auditor_is_reviewer"]["severity"] == "error"
    assert warnings["auditor_is_reviewer"]["examples"] == [f"audit {march.self_audit}"]
    # mqr-nw-weak: 0 of 6 correct, interval 0–39%, wholly below the overall 70.6%; mqr-nw (8 of 10) is not.
    assert warnings["agent_below_overall"]["count"] == 1
    assert warnings["agent_below_overall"]["examples"][0].startswith("mqr-nw-weak: 0/6 correct")
    assert "vendor Lumen Outsourcing: 8 audits" in warnings["too_few_audits"]["examples"]
    assert warnings["open_disputes"]["count"] == 1


def test_the_report_downloads_as_csv_xlsx_and_html(march):
    lead = march.api(march.people["lead"])
    # Text people type reaches the files; it must never run as a spreadsheet formula.
    with clock.frozen(datetime(2025, 3, 20, tzinfo=timezone.utc)):
        formula = march.api(march.people["auditor"]).post("/api/v1/qa/rcas", {
            "title": '=HYPERLINK("http://example.invalid","click")', "category": "process",
            "root_cause": "x", "corrective_action": "y", "owner": "mqr-lead", "due_date": "2025-12-31"})
        assert formula.status_code == 201, formula.content
    rows = _csv_rows(lead.get(REPORT, month=MONTH, format="csv"))
    assert list(rows[0]) == ["section", "group", "metric", "value"]
    assert _figure(rows, "summary", "all", "accuracy") == "0.7059"
    assert _figure(rows, "vendor", "northwind-bpo", "audited") == "16"
    assert _figure(rows, "weekly", "2025-W10", "audited") == "9"
    assert _figure(rows, "pareto_rca_category", "human_training", "cumulative_share") == "0.6"
    assert _figure(rows, "rca_open", f"RCA-{march.rcas['A']}", "overdue") == "true"
    assert _figure(rows, "warning", "auditor_is_reviewer", "count") == "1"
    assert _figure(rows, "calibration", f"Bullying or banter, March (#{march.calibration})", "raters") == "3"
    assert _figure(rows, "appeals", "all", "overturn_rate") == "1.0"
    title = _figure(rows, "rca_open", f"RCA-{formula.json()['rca_id']}", "title")
    assert title == "'" + '=HYPERLINK("http://example.invalid","click")'
    assert _figure(rows, "vendor", "northwind-bpo", "vs_rest").startswith("-0.")      # numbers stay numbers

    xlsx = lead.get(REPORT, month=MONTH, format="xlsx")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert workbook.sheetnames == ["Summary", "Accuracy trend", "Vendors", "Queues", "Error Pareto",
                                   "Errors by policy", "RCA by category", "RCAs open", "Calibration", "Appeals",
                                   "Data validation", "Reviewers below"]
    vendors = list(workbook["Vendors"].iter_rows(min_row=3, values_only=True))
    header, body = vendors[0], vendors[1:]
    assert header[:5] == ("group", "label", "audited", "correct", "accuracy")
    assert {row[0]: row[2] for row in body} == {"northwind-bpo": 16, "in-house": 10, "lumen-outsourcing": 8}
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["Accuracy"] == 0.7059 and summary["Overdue RCAs"] == 1
    codes = [row[0] for row in workbook["Data validation"].iter_rows(min_row=2, values_only=True)]
    assert "auditor_is_reviewer" in codes
    titles = [row[1] for row in workbook["RCAs open"].iter_rows(min_row=4, values_only=True)]
    assert "'" + '=HYPERLINK("http://example.invalid","click")' in titles

    page = lead.get(REPORT, month=MONTH)
    assert page["Content-Type"] == "text/html; charset=utf-8"
    html = page.content.decode()
    for heading in ("Summary", "Accuracy trend", "Vendor comparison", "Queue comparison", "Error Pareto",
                    "Root-cause analyses", "Calibration", "Data validation"):
        assert f">{heading}</h2>" in html, heading
    assert html.count("<svg") == 5 and 'role="img"' in html
    # Self-contained: no scripts, no stylesheets or images fetched from anywhere.
    assert "<script" not in html and "<link" not in html and 'src="' not in html and "@import" not in html


def test_a_vendor_manager_never_sees_another_vendors_rows(march):
    manager = march.api(march.people["nw_manager"])
    report = _json(manager)
    assert report["scope"] == {"label": "Northwind BPO only", "vendor": "northwind-bpo", "regions": None}
    assert [v["group"] for v in report["vendors"]] == ["northwind-bpo"]
    assert [q["group"] for q in report["queues"]] == ["general-us"]
    assert (report["summary"]["decisions"], report["summary"]["audited"]) == (16, 16)
    assert [r["rca_id"] for r in report["rcas"]["open"]] == [march.rcas["A"]]
    assert report["calibrations"] == [] and report["appeals"]["decided"] == 1
    assert {w["code"] for w in report["warnings"]} >= {"errors_without_rca_category", "agent_below_overall"}

    others = ("lumen", "Lumen", "in-house", "In-house", "mqr-mod", "general-intl", "hate.slurs", "Slur")
    rows = _csv_rows(manager.get(REPORT, month=MONTH, format="csv"))
    leaked = [r for r in rows if any(word in " ".join(r.values()) for word in others)]
    assert leaked == []
    workbook = load_workbook(io.BytesIO(manager.get(REPORT, month=MONTH, format="xlsx").content), read_only=True)
    cells = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert not [word for word in others if word in cells]
    html = manager.get(REPORT, month=MONTH).content.decode()
    assert not [word for word in others if word in html]

    # The kept report covers everyone: a vendor manager still gets their own, built fresh.
    call_command("mqr", month=MONTH, stdout=io.StringIO())
    again = manager.get(REPORT, month=MONTH, format="csv")
    assert again["X-Report-Source"] == "fresh"
    assert not [r for r in _csv_rows(again) if any(word in " ".join(r.values()) for word in others)]
    lumen = _json(march.api(march.people["lumen_manager"]))
    assert [v["group"] for v in lumen["vendors"]] == ["lumen-outsourcing"] and "northwind" not in str(lumen)


def test_the_report_is_kept_on_schedule_and_served_as_kept(march, world):
    lead = march.api(march.people["lead"])
    schedule = tasks.keep_last_months_quality_report
    runs_at = schedule.task_class().validate_datetime          # huey's crontab, evaluated in UTC
    assert runs_at(datetime(2025, 4, 1, 2, 0))
    assert not runs_at(datetime(2025, 4, 1, 3, 0)) and not runs_at(datetime(2025, 4, 2, 2, 0))
    with clock.frozen(datetime(2025, 4, 1, 2, 0, tzinfo=timezone.utc)):
        schedule.call_local()
        schedule.call_local()                       # a retried run keeps no second copy
    kept = QualityReport.objects.get(month="2025-03-01")
    assert kept.generated_by is None and kept.data["summary"]["audited"] == 34 and "<svg" in kept.html

    served = lead.get(REPORT, month=MONTH, format="csv")
    assert served["X-Report-Source"] == "kept"
    assert served["X-Report-Generated-At"].startswith("2025-04-01T02:00")

    # Later, the disputed audit is settled and its error revised away: the kept report does not move,
    # a fresh one does, and a QA lead can keep the new version.
    dispute = march.api(march.people["lead"]).post(
        f"/api/v1/qa/disputes/{_open_dispute()}/arbitration",
        {"outcome": "revised", "note": "The agent was right.", "correct_verdict": "violation",
         "correct_policy": "harassment.bullying"})
    assert dispute.status_code == 200, dispute.content
    assert _json(lead)["summary"]["correct"] == 24
    assert _json(lead, fresh="true")["summary"]["correct"] == 25
    assert march.api(march.people["auditor"]).post("/api/v1/insights/monthly-quality-reports",
                                                   {"month": MONTH}).status_code == 403
    regional_lead = world.person("mqr-us-lead", "qa_lead", regions=["US"])
    assert march.api(regional_lead).post("/api/v1/insights/monthly-quality-reports", {"month": MONTH}).status_code == 403
    assert _json(march.api(regional_lead))["source"] == "fresh"            # a kept report shows every region
    regenerated = lead.post("/api/v1/insights/monthly-quality-reports", {"month": MONTH})
    assert regenerated.status_code == 201 and regenerated.json()["generated_by"] == "mqr-lead"
    assert _json(lead)["summary"]["correct"] == 25 and QualityReport.objects.count() == 2


def _open_dispute() -> int:
    from trustops.quality.models import Dispute
    return Dispute.objects.get(status="open").pk


def test_the_mqr_command_writes_files(march, tmp_path):
    out = io.StringIO()
    call_command("mqr", month=MONTH, output=tmp_path / "march.xlsx", stdout=out)
    assert "34 audits of 34 decisions, accuracy 70.6%" in out.getvalue()
    assert load_workbook(tmp_path / "march.xlsx").sheetnames[0] == "Summary"
    call_command("mqr", month=MONTH, output=tmp_path / "march.html", no_keep=True, stdout=io.StringIO())
    assert "Monthly Quality Report" in (tmp_path / "march.html").read_text()
    assert QualityReport.objects.count() == 1


@pytest.mark.parametrize("params, status, field", [
    ({"month": "2025-13"}, 422, "month"),
    ({"month": "March"}, 422, "month"),
    ({"month": "2025-3"}, 422, "month"),
    ({"month": "2999-01"}, 422, "month"),
    ({"month": "2025-03", "format": "pdf"}, 422, "format"),
    ({}, 422, "month"),
])
def test_bad_report_requests_are_refused(world, params, status, field):
    lead = Clients(world)(world.person("bad-lead", "qa_lead"))
    response = lead.get(REPORT, **params)
    assert response.status_code == status, response.content
    assert response.json()["error"]["field"] == field


def test_people_without_a_quality_role_get_no_report(world):
    clients = Clients(world)
    for person in (world.moderator("mqr-nobody"), world.vendor_agent("mqr-agent-nobody")):
        response = clients(person).get(REPORT, month=MONTH)
        assert response.status_code == 404 and response.json()["error"]["code"] == "report_not_found"
    support = world.person("mqr-support", "support_specialist")
    assert clients(support).get(REPORT, month=MONTH).status_code == 403        # no quality:read scope at all
