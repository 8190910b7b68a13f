"""The transparency report counts trustops' own records for a period, and every figure lists the rows it
counts: notices by category and source, actions by ground and basis, restrictions by type, authority orders,
complaints and their outcomes, suspensions; as CSV and XLSX too."""
import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.conftest import ApiClient
from trustops.compliance.statements import services as statements
from trustops.kernel import clock


def test_the_report_counts_the_period_and_each_figure_names_its_rows(world, api):
    officer = world.person("compliance-officer", "compliance_officer")
    moderator = world.moderator()
    statements.save_mapping(policy_code="hate", decision_ground="DECISION_GROUND_ILLEGAL_CONTENT",
                            legal_ground="Framework Decision 2008/913/JHA", actor="test")
    world.report(subject=world.subject(region="DE"), reason="hate.slurs", source="trusted_flagger")
    world.report(subject=world.subject(region="DE"), reason="harassment.bullying")
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")     # outside the DSA report
    world.report(subject=world.subject(region="FR"), reason="hate.slurs", source="authority")
    hate = world.violation(moderator, "general-intl", "hate.slurs", actions=["remove"])
    bullying = world.violation(moderator, "general-intl", "harassment.bullying", actions=["remove"])
    world.violation(moderator, "general-us", "harassment.bullying", actions=["remove"])
    api.post("/api/v1/appeals", {"decision_id": bullying["decision_id"], "statement": "No.",
                                 "idempotency_key": "a-1"})
    start, end = clock.now() - timedelta(days=1), clock.now() + timedelta(days=1)
    client = ApiClient(officer.token)
    body = client.get("/api/v1/compliance/transparency-report", start=start.isoformat(), end=end.isoformat())
    assert body.status_code == 200, body.content
    figures = body.json()["figures"]

    def figure(section, name, **group):
        return next(f for f in figures if f["section"] == section and f["name"] == name and f["group"] == group)

    received = figure("notices", "received", category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
                      source="trusted_flagger")
    assert received["value"] == 1
    rows = client.get("/api/v1/compliance/transparency-report/rows", start=start.isoformat(), end=end.isoformat(),
                      key=received["key"]).json()
    assert len(rows) == 1
    illegal = figure("notice_actions", "decisions", ground="illegal content")
    assert illegal["value"] == 1
    assert client.get("/api/v1/compliance/transparency-report/rows", start=start.isoformat(), end=end.isoformat(),
                      key=illegal["key"]).json() == [hate["decision_id"]]
    assert figure("notice_actions", "decisions", ground="terms and conditions")["value"] == 1
    assert figure("restrictions", "measures", type="DECISION_VISIBILITY_CONTENT_REMOVED")["value"] == 2
    assert figure("orders", "received", category="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
                  member_state="FR")["value"] == 1
    assert figure("complaints", "pending")["value"] == 1
    assert figure("notices", "median seconds to action")["value"] is not None
    assert figure("notices", "received", category="STATEMENT_CATEGORY_CYBER_VIOLENCE", source="user")["value"] == 1

    download = client.get("/api/v1/compliance/transparency-report", start=start.isoformat(), end=end.isoformat(),
                          format="csv")
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    assert lines[1] == ["section", "figure", "group", "value", "drill_down"] and len(lines) == len(figures) + 2
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/compliance/transparency-report", start=start.isoformat(),
                                                   end=end.isoformat(), format="xlsx").content))
    assert "notices" in workbook.sheetnames
    bad = client.get("/api/v1/compliance/transparency-report", start=end.isoformat(), end=start.isoformat())
    assert bad.status_code == 422
    analyst = world.person("analyst", "analyst")
    assert ApiClient(analyst.token).get("/api/v1/compliance/transparency-report", start=start.isoformat(),
                                        end=end.isoformat()).status_code == 403
