"""SLA alerts are pushed, not only counted: a case newly at risk or newly breached is alerted once (a ledger
event, a webhook message, a console notification for the queue's leads), however often the job runs."""
from datetime import timedelta

from tests.conftest import ALL_CLEARANCES
from tests.test_console_access import console, verified_console
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.outbox import services as outbox
from trustops.outbox.models import Delivery, OutboxMessage
from trustops.review import services, tasks
from trustops.review.models import SlaAlert
from trustops.simulation import platform as setup

HOUR = timedelta(hours=1)


def opened(world, hours_ago: float, *, region="US", reason="harassment.bullying") -> int:
    """A case opened that long ago (general-us has a 24 h SLA: at risk from 18 h, breached after 24 h)."""
    with clock.frozen(clock.now() - hours_ago * HOUR):
        return world.report(subject=world.subject(region=region), reason=reason)["case_id"]


def test_each_case_is_alerted_once_per_state_across_runs(world):
    fresh, at_risk, breached = opened(world, 1), opened(world, 20), opened(world, 30)

    assert services.raise_sla_alerts() == {"breached": 1, "at_risk": 1}
    assert services.raise_sla_alerts() == {"breached": 0, "at_risk": 0}
    tasks.alert_sla.call_local()

    assert set(SlaAlert.objects.values_list("case_id", "kind")) == {(at_risk, "at_risk"), (breached, "breached")}
    assert list(LedgerEvent.objects.filter(kind="case.sla_at_risk").values_list("case_id", flat=True)) == [at_risk]
    assert list(LedgerEvent.objects.filter(kind="case.sla_breached").values_list("case_id", flat=True)) == [breached]
    # Later the at-risk case breaches too, and the fresh one comes at risk: each is told once more, no more.
    with clock.frozen(clock.now() + 5 * HOUR):
        assert services.raise_sla_alerts() == {"breached": 1, "at_risk": 0}
    with clock.frozen(clock.now() + 18 * HOUR):
        assert services.raise_sla_alerts() == {"breached": 0, "at_risk": 1}
        assert services.raise_sla_alerts() == {"breached": 0, "at_risk": 0}
    assert SlaAlert.objects.filter(case_id=fresh).count() == 1
    assert SlaAlert.objects.count() == 4


def test_decided_cases_are_not_alerted(world):
    mod = world.moderator()
    opened(world, 30)
    world.violation(mod, "general-us", "harassment.bullying")
    assert services.raise_sla_alerts() == {"breached": 0, "at_risk": 0}


def test_the_webhook_message_is_written_for_the_platform(world):
    outbox.save_endpoint(name="platform", url="https://platform.example/hooks", secret="a-shared-signing-secret",
                         event_kinds=["sla.breached", "sla.at_risk"])
    case_id = opened(world, 30)

    services.raise_sla_alerts()

    message = OutboxMessage.objects.get(kind="sla.breached")
    assert message.payload["case_id"] == case_id and message.payload["queue"] == "general-us"
    assert message.payload["subject"]["type"] == "video"
    assert Delivery.objects.filter(message=message).count() == 1


def test_the_queue_s_leads_and_admins_are_notified_and_nobody_else(world):
    in_house_lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM, clearances=ALL_CLEARANCES)
    admin = world.person("admin", "admin", clearances=ALL_CLEARANCES)
    vendor_lead = world.person("nw-lead", "team_lead", vendor=setup.VENDOR_A)     # Northwind works general-us
    other_vendor_lead = world.person("lumen-lead", "team_lead", vendor=setup.VENDOR_B)
    agent = world.vendor_agent("agent", vendor=setup.VENDOR_A)
    br_only = world.person("br-lead", "team_lead", team=setup.IN_HOUSE_TEAM, regions=("BR",))
    moderator = world.moderator("mod")
    case_id = opened(world, 30)

    services.raise_sla_alerts()

    told = set(Notification.objects.filter(topic="case", topic_id=case_id).values_list("recipient__username",
                                                                                       flat=True))
    assert told == {"lead", "admin", "nw-lead"}
    for quiet in (other_vendor_lead, agent, br_only, moderator):
        assert not Notification.objects.filter(recipient=quiet.user).exists()
    assert admin and in_house_lead and vendor_lead


def test_restricted_cases_reach_only_cleared_leads(world):
    world.person("cleared", "team_lead", team=setup.IN_HOUSE_TEAM, clearances=ALL_CLEARANCES)
    world.person("plain", "team_lead", team=setup.IN_HOUSE_TEAM)
    with clock.frozen(clock.now() - 2 * HOUR):                     # child safety: 1 h SLA
        world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")

    services.raise_sla_alerts()

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"cleared"}


def test_leads_see_the_bell_and_the_notifications_page_a_vendor_agent_does_not(world):
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM, clearances=ALL_CLEARANCES)
    agent = world.vendor_agent("agent", vendor=setup.VENDOR_A)
    case_id = opened(world, 30)
    services.raise_sla_alerts()
    client = verified_console(lead.user)

    page = client.get("/queues/").content.decode()
    assert "Notifications, 1 unread" in page
    listed = client.get("/notifications/").content.decode()
    assert f"Case {case_id} breached its SLA in General review — US" in listed and f"/cases/{case_id}/" in listed
    agents = console(agent.user)
    assert "Notifications, 0 unread" in agents.get("/queues/").content.decode()
    assert "breached its SLA" not in agents.get("/notifications/").content.decode()
    # Marking another person's notification read does nothing; one's own, it is read.
    notification = Notification.objects.get(recipient=lead.user)
    agents.post("/notifications/read/", {"notification": notification.pk})
    notification.refresh_from_db()
    assert notification.read_at is None
    client.post("/notifications/read/", {"notification": notification.pk})
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Notifications, 0 unread" in client.get("/notifications/bell/").content.decode()
