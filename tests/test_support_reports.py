"""The daily report's figures equal counts over the same data; the handover is acknowledged by the next shift."""
import csv
import io
from datetime import timedelta

import pytest

from tests.support_helpers import T0, Desk
from trustops.kernel import clock
from trustops.support.kb import services as kb
from trustops.support.models import Category, StatusChange, Ticket
from trustops.support.reports import services as reports


@pytest.fixture
def desk(world):
    return Desk(world)


def test_the_daily_report_figures_equal_counts_over_the_same_data(desk):
    day = T0.date()
    with clock.frozen(T0 - timedelta(days=1)):
        desk.ticket(subject="yesterday")
    with clock.frozen(T0):
        made = [desk.ticket(category=c, priority=p)["id"] for c, p in
                [("bug", "high"), ("bug", "low"), ("access", "normal"), ("tool_malfunction", "urgent")]]
        desk.api(desk.agent).post(f"/api/v1/tickets/{made[0]}/tags", {"tags": ["queue-page"]})
        kb.record_gap(query="payout freeze")
    with clock.frozen(T0 + timedelta(minutes=20)):
        desk.reply(made[0])
        desk.status(made[0], "solved")
        desk.status(made[2], "solved")
        desk.api(desk.agent).post("/api/v1/incidents", {"title": "x", "severity": "sev3"})
    with clock.frozen(T0 + timedelta(days=1, hours=6)):
        report = desk.api(desk.agent).post(f"/api/v1/support/daily-reports/{day.isoformat()}")
    assert report.status_code == 200, report.content
    figures = report.json()["figures"]
    start, end = reports.day_bounds(day)
    today = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    assert figures["tickets_in"] == today.count() == 4
    assert figures["tickets_out"] == StatusChange.objects.filter(
        at__gte=start, at__lt=end, to_status__in=["solved", "closed"]).values("ticket_id").distinct().count() == 2
    assert figures["open"] == Ticket.objects.filter(status__in=["new", "open", "pending", "on_hold"]).count() == 3
    assert figures["by_category"] == {c: today.filter(category=c).count() for c in ("bug", "access", "tool_malfunction")}
    assert figures["malfunctions"] == today.filter(category__in=[Category.BUG, Category.TOOL_MALFUNCTION]).count()
    assert figures["top_tags"] == [["queue-page", 1]]
    assert figures["incidents_declared"] == 1 and figures["knowledge_gaps"] == [["payout freeze", 1]]
    assert figures["attainment"]["first_response"]["met"] == 1
    # Kept, shown, exported.
    assert desk.api(desk.agent).get(f"/api/v1/support/daily-reports/{day.isoformat()}").json()["figures"] == figures
    exported = desk.api(desk.agent).get(f"/api/v1/support/daily-reports/{day.isoformat()}/report.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert ["tickets_in", "", "4"] in rows
    assert desk.api(desk.requester).get(f"/api/v1/support/daily-reports/{day.isoformat()}").status_code == 403


def test_the_handover_lists_open_work_and_is_acknowledged_by_the_incoming_shift(desk, world):
    with clock.frozen(T0):
        urgent = desk.ticket(priority="urgent")["id"]
        desk.ticket(priority="low")
        handover = desk.api(desk.agent).post("/api/v1/support/handovers")
    assert handover.status_code == 200
    content = handover.json()["content"]
    assert content["open_count"] == 2
    assert urgent in [item["ticket_id"] for item in content["sla_at_risk"]]
    assert {item["next_step"] for item in content["open"]} == {"first response"}
    incoming = world.person("night-shift", "support_specialist")
    hid = handover.json()["id"]
    acked = desk.api(incoming).post(f"/api/v1/support/handovers/{hid}/acknowledgement")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "night-shift"
    assert desk.api(incoming).post(f"/api/v1/support/handovers/{hid}/acknowledgement").status_code == 409
    assert desk.api(desk.requester).post(f"/api/v1/support/handovers/{hid}/acknowledgement").status_code == 403
