"""Monitors: an hour far above its hour-of-week baseline raises one alert, tells investigators, opens an
investigation case about the account behind it, and declares an incident when the support desk is there."""
from datetime import datetime, timedelta, timezone

from tests.test_risk_rules import send
from trustops.identity.models import Notification
from trustops.kernel import clock, ports
from trustops.risk.models import MonitorAlert
from trustops.risk.monitors import services as monitors
from trustops.risk.ports import INCIDENTS

NOW = datetime(2026, 11, 30, 15, 10, tzinfo=timezone.utc)
SPIKE_HOUR = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)


class Desk:
    def __init__(self):
        self.declared = []

    def declare(self, **incident):
        self.declared.append(incident)
        return len(self.declared)


def refund(n, at, actor):
    return {"id": f"refund-{n}", "kind": "refund", "occurred_at": at.isoformat(),
            "actor": {"type": "merchant", "external_id": actor}, "attributes": {"category": "cleaning"}}


def test_a_refund_spike_raises_an_alert_a_case_and_an_incident(api, world):
    investigator = world.person("ines", "investigator")
    events, n = [], 0
    for week in range(1, 5):   # the same hour of the week, four weeks running: 4 to 7 refunds
        for i in range(4 + week % 4):
            n += 1
            events.append(refund(n, SPIKE_HOUR - timedelta(weeks=week) + timedelta(minutes=i * 5), f"m-{i}"))
    for i in range(40):         # the spike, mostly one merchant
        n += 1
        events.append(refund(n, SPIKE_HOUR + timedelta(minutes=i), "m-spike" if i % 4 else f"m-{i}"))
    desk, installed = Desk(), ports.get(INCIDENTS)
    ports.provide(INCIDENTS, desk)
    try:
        with clock.frozen(NOW):
            send(api, events)
            created = api.as_(investigator).post("/api/v1/risk/monitors", {
                "key": "refunds-cleaning", "name": "Refunds in cleaning services", "event_kind": "refund",
                "attribute": "category", "attribute_value": "cleaning", "min_volume": 10,
                "queue_key": "merchants", "policy_code": "merchant.fraud"})
            assert created.status_code == 200, created.content
            raised = monitors.check_monitors()
            assert monitors.check_monitors() == []          # one alert per monitor and hour
    finally:
        ports.provide(INCIDENTS, installed) if installed else ports.withdraw(INCIDENTS)
    assert len(raised) == 1
    alert = MonitorAlert.objects.get()
    assert alert.hour == SPIKE_HOUR and alert.observed == 40 and 4 <= alert.expected <= 7
    case = api.as_(investigator).get(f"/api/v1/cases/{alert.case_id}").json()
    assert case["subject"]["external_id"] == "m-spike"
    assert Notification.objects.filter(kind="risk.monitor_alert", recipient_id=investigator.user.pk).exists()
    assert len(desk.declared) == 1 and desk.declared[0]["source"] == "risk.monitor"


def test_with_the_support_desk_installed_the_anomaly_is_a_real_incident(api, world):
    from trustops.support.models import Incident  # the desk beside risk, through its port

    assert ports.get(INCIDENTS) is not None
    world.person("ines", "investigator")
    with clock.frozen(NOW):
        send(api, [refund(i, SPIKE_HOUR + timedelta(minutes=i), "m-spike") for i in range(30)])
        api.as_(world.person("ivan", "investigator")).post("/api/v1/risk/monitors", {
            "key": "refunds-all", "name": "Refunds", "event_kind": "refund", "min_volume": 10,
            "queue_key": "merchants", "policy_code": "merchant.fraud"})
        assert len(monitors.check_monitors()) == 1
    incident = Incident.objects.get()
    assert incident.source == "risk.monitor" and incident.severity == "sev2"


def test_a_quiet_hour_below_the_minimum_volume_raises_nothing(api, world):
    investigator = world.person("ines", "investigator")
    with clock.frozen(NOW):
        send(api, [refund(i, SPIKE_HOUR + timedelta(minutes=i), "m-1") for i in range(5)])
        api.as_(investigator).post("/api/v1/risk/monitors", {"key": "refunds", "name": "Refunds",
                                                              "event_kind": "refund", "min_volume": 20})
        assert monitors.check_monitors() == []
