"""The console's quality pages, through the same quality scope as the API (the browser test shows them in use)."""
import csv
import io
from datetime import datetime, timezone

import pytest
from django.test import Client

from tests import quality_month
from trustops.kernel import clock

AS_OF = datetime(2025, 4, 8, 12, tzinfo=timezone.utc)       # the dashboard's last weeks then cover March 2025


def console(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def march(world):
    return quality_month.build(world)


def test_a_qa_lead_sees_the_dashboard_the_report_and_downloads_it(march):
    lead = console(march.people["lead"])
    with clock.frozen(AS_OF):
        dashboard = lead.get("/quality/")
        assert dashboard.status_code == 200
        page = dashboard.content.decode()
        for heading in ("Accuracy by week", "Vendor comparison", "Error causes", "Open RCAs", "Recent calibration",
                        "Monthly Quality Reports"):
            assert f">{heading}</h2>" in page, heading
        assert page.count("<svg") == 3 and "New Northwind agent removes banter" in page and "overdue" in page
        assert lead.get("/quality/", {"weeks": "4"}).status_code == 200
        assert lead.get("/quality/", {"weeks": "lots"}).status_code == 200          # falls back to 12 weeks

        report = lead.get("/quality/reports/2025-03/")
        assert report.status_code == 200
        page = report.content.decode()
        assert "Built just now from today's data" in page
        for link in ("/quality/reports/2025-03/report.csv", "/quality/reports/2025-03/report.xlsx"):
            assert link in page
        download = lead.get("/quality/reports/2025-03/report.csv")
        assert download["Content-Disposition"] == 'attachment; filename="monthly-quality-report-2025-03.csv"'
        rows = list(csv.DictReader(io.StringIO(download.content.decode())))
        assert {"section": "summary", "group": "all", "metric": "audited", "value": "34"} in rows
        assert lead.get("/quality/reports/2025-03/report.xlsx")["Content-Type"].startswith("application/vnd.openxml")
        assert lead.get("/quality/reports/").url.endswith("/quality/reports/2025-03/")      # last month


def test_a_vendor_manager_sees_their_vendor_only_and_others_nothing(march, world):
    manager = console(march.people["nw_manager"])
    with clock.frozen(AS_OF):
        page = manager.get("/quality/reports/2025-03/").content.decode()
        assert "Northwind BPO only" in page and "Lumen" not in page and "In-house" not in page
        rows = list(csv.DictReader(io.StringIO(manager.get("/quality/reports/2025-03/report.csv").content.decode())))
        assert {r["group"] for r in rows if r["section"] == "vendor"} == {"northwind-bpo"}
        dashboard = manager.get("/quality/").content.decode()
        assert "Slur detector" not in dashboard and "New Northwind agent removes banter" in dashboard

        for person in (march.people["mod"], march.people["nw"], world.person("mqr-support", "support_specialist")):
            nobody = console(person)
            assert 'href="/quality/"' not in nobody.get("/queues/").content.decode()
            for path in ("/quality/", "/quality/reports/", "/quality/reports/2025-03/",
                         "/quality/reports/2025-03/report.csv"):
                assert nobody.get(path).status_code == 404, (person.username, path)

        lead = console(march.people["lead"])
        assert 'href="/quality/"' in lead.get("/queues/").content.decode()
        for month in ("2025-13", "2999-01"):
            assert lead.get(f"/quality/reports/{month}/").status_code == 404
    assert Client().get("/quality/").status_code == 302                              # sign in first
