"""The floor: a lead sees who holds which case, today's work per reviewer and the SLA burn, and takes a case back
or hands it to someone else. Vendor staff run their own vendor's floor only; regions and clearances hold."""
from datetime import timedelta

import pytest

from tests.conftest import ALL_CLEARANCES
from tests.test_console_access import console, verified_console
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger.models import LedgerEvent
from trustops.review import casework, selectors
from trustops.review.models import Case
from trustops.simulation import platform as setup


def lead(world, username="lead", **kwargs):
    kwargs.setdefault("clearances", ALL_CLEARANCES)
    return world.person(username, "team_lead", team=setup.IN_HOUSE_TEAM, **kwargs)


def held(world, reviewer, *, region="US", reason="harassment.bullying", queue="general-us") -> Case:
    world.report(subject=world.subject(region=region), reason=reason)
    return Case.objects.get(pk=world.claim(reviewer, queue)["id"])


def queue_floor(floors, key):
    return next(f for f in floors if f.queue.key == key)


def test_the_floor_shows_who_holds_what_and_today_s_work(world):
    boss, mod = lead(world), world.moderator("mod")
    world.report(subject=world.subject(region="US"))
    world.violation(mod, "general-us", "harassment.bullying", handle_seconds=120)
    case = held(world, mod)
    world.report(subject=world.subject(region="US"))
    skipped = world.claim(mod, "general-us")
    casework.release(actor=mod.user, case_id=skipped["id"], skip=True)

    general = queue_floor(selectors.floor(boss.user), "general-us")

    assert [c.pk for c in general.holds] == [case.pk] and general.holds[0].assignee.username == "mod"
    (day,) = general.reviewers
    assert (day.username, day.holding, day.decided, day.skipped) == ("mod", 1, 1, 1)
    assert day.average_handle_seconds == 120 and day.skip_rate == 0.5
    assert general.decided == 1 and general.skip_rate == 0.5


def test_sla_burn_counts_cases_due_within_the_hour_and_breached(world):
    boss = lead(world)
    now = clock.now()
    with clock.frozen(now - timedelta(hours=23, minutes=30)):   # general-us: 24 h SLA, due in 30 min
        world.report(subject=world.subject(region="US"))
    with clock.frozen(now - timedelta(hours=25)):
        world.report(subject=world.subject(region="US"))
    world.report(subject=world.subject(region="US"))

    general = queue_floor(selectors.floor(boss.user), "general-us")
    assert (general.waiting, general.due_soon, general.breached) == (3, 1, 1)


def test_a_lead_releases_a_held_case_with_a_reason_and_it_waits_again(world):
    boss, mod = lead(world), world.moderator("mod")
    case = held(world, mod)

    with pytest.raises(Invalid) as missing:
        casework.release_by_lead(actor=boss.user, case_id=case.pk, reason="  ")
    assert missing.value.code == "missing_reason"
    casework.release_by_lead(actor=boss.user, case_id=case.pk, reason="Stuck for an hour; back to the pool.")

    case.refresh_from_db()
    assert case.status == "open" and case.assignee_id is None
    event = LedgerEvent.objects.get(kind="case.released_by_lead", case_id=case.pk)
    assert event.actor_name == "lead" and event.payload["reviewer"] == "mod"
    assert event.payload["reason"] == "Stuck for an hour; back to the pool."
    refused = world.decide(mod, {"id": case.pk, "version": case.version}, verdict="no_violation")
    assert refused.status_code == 409
    with pytest.raises(Conflict):
        casework.release_by_lead(actor=boss.user, case_id=case.pk, reason="again")


def test_a_lead_reassigns_to_a_reviewer_of_the_queue_who_is_told(world):
    boss, mod, other = lead(world), world.moderator("mod"), world.moderator("other")
    case = held(world, mod)

    casework.reassign(actor=boss.user, case_id=case.pk, to_reviewer="other", reason="Mod's shift ends.")

    case.refresh_from_db()
    assert case.status == "in_review" and case.assignee_id == other.user.pk and case.lease_expires_at > clock.now()
    event = LedgerEvent.objects.get(kind="case.reassigned", case_id=case.pk)
    assert (event.payload["from_reviewer"], event.payload["to_reviewer"]) == ("mod", "other")
    assert Notification.objects.get(recipient=other.user).topic_id == case.pk
    # The new holder decides it as their own.
    assert world.decide(other, {"id": case.pk, "version": case.version}, verdict="no_violation").status_code == 200


@pytest.mark.parametrize("to, code", [
    ("agent-b", "reviewer_may_not_work_queue"),      # a vendor not contracted to general-us
    ("nobody", "unknown_reviewer"),
    ("us-only", "reviewer_not_cleared"),              # cleared for the US only; this case is Brazilian
    ("mod", "already_holds"),
])
def test_a_reassign_to_someone_who_may_not_take_the_case_is_refused(world, to, code):
    boss, mod = lead(world), world.moderator("mod")
    world.vendor_agent("agent-b", vendor=setup.VENDOR_B)
    world.moderator("us-only", regions=("US",))
    case = held(world, mod, region="BR", queue="general-intl") if code == "reviewer_not_cleared" else held(world, mod)
    if code == "reviewer_may_not_work_queue":
        assert not selectors.may_work(world.vendor_agent("agent-b").user, case.queue)

    with pytest.raises(Invalid) as refused:
        casework.reassign(actor=boss.user, case_id=case.pk, to_reviewer=to, reason="Rebalancing.")

    assert refused.value.code == code
    case.refresh_from_db()
    assert case.assignee_id == mod.user.pk and not LedgerEvent.objects.filter(kind="case.reassigned").exists()


def test_a_moderator_does_not_run_the_floor(world):
    mod, other = world.moderator("mod"), world.moderator("other")
    case = held(world, other)
    with pytest.raises(Forbidden):
        selectors.floor(mod.user)
    with pytest.raises(Forbidden):
        casework.release_by_lead(actor=mod.user, case_id=case.pk, reason="mine now")
    assert console(mod.user).get("/floor/").status_code == 403


def test_a_vendor_manager_sees_only_their_vendor_s_floor(world):
    manager = world.person("nw-manager", "vendor_manager", vendor=setup.VENDOR_A)
    agent, mod = world.vendor_agent("agent-a", vendor=setup.VENDOR_A), world.moderator("mod")
    agents_case, in_house_case = held(world, agent), held(world, mod)

    floors = selectors.floor(manager.user)
    assert {f.queue.key for f in floors} == {"merchants", "integrity", "general-us"}
    general = queue_floor(floors, "general-us")
    assert [c.pk for c in general.holds] == [agents_case.pk]
    assert [r.username for r in general.reviewers] == ["agent-a"]
    # The in-house moderator's hold is not theirs to take back, nor can they hand a case to in-house staff.
    with pytest.raises(Forbidden):
        casework.release_by_lead(actor=manager.user, case_id=in_house_case.pk, reason="x")
    with pytest.raises(Invalid):
        casework.reassign(actor=manager.user, case_id=agents_case.pk, to_reviewer="mod", reason="x")
    casework.release_by_lead(actor=manager.user, case_id=agents_case.pk, reason="Agent went home.")
    assert Case.objects.get(pk=agents_case.pk).status == "open"


def test_another_vendor_s_lead_finds_nothing_of_this_vendor_s_queue(world):
    other_lead = world.person("lumen-lead", "team_lead", vendor=setup.VENDOR_B)
    agent = world.vendor_agent("agent-a", vendor=setup.VENDOR_A)
    case = held(world, agent)

    assert "general-us" not in {f.queue.key for f in selectors.floor(other_lead.user)}
    with pytest.raises(NotFound):
        casework.release_by_lead(actor=other_lead.user, case_id=case.pk, reason="x")
    with pytest.raises(NotFound):
        casework.reassign(actor=other_lead.user, case_id=case.pk, to_reviewer="agent-a", reason="x")
    assert verified_console(other_lead.user).get(f"/floor/cases/{case.pk}/").status_code == 404


def test_a_lead_of_another_region_does_not_see_the_hold(world):
    us_lead, mod = lead(world, "us-lead", regions=("US",)), world.moderator("mod")
    case = held(world, mod, region="BR", queue="general-intl")

    assert queue_floor(selectors.floor(us_lead.user), "general-intl").holds == []
    with pytest.raises(NotFound):
        casework.release_by_lead(actor=us_lead.user, case_id=case.pk, reason="x")


def test_a_lead_without_the_clearance_does_not_see_restricted_holds(world):
    uncleared, mod = lead(world, "plain-lead", clearances=()), world.moderator("mod")
    case = held(world, mod, reason="minor_safety.grooming", queue="child-safety")

    assert "child-safety" not in {f.queue.key for f in selectors.floor(uncleared.user)}
    with pytest.raises(NotFound):
        casework.release_by_lead(actor=uncleared.user, case_id=case.pk, reason="x")


def test_the_console_floor_releases_and_reassigns(world):
    boss, mod = lead(world), world.moderator("mod")
    world.moderator("other")
    case = held(world, mod)
    client = verified_console(boss.user)

    page = client.get("/floor/").content.decode()
    assert f"Case {case.pk}" in page and "mod" in page and "Release or reassign" in page
    form = client.get(f"/floor/cases/{case.pk}/").content.decode()
    assert '<option value="other">' in form and '<option value="mod">' not in form
    refused = client.post(f"/floor/cases/{case.pk}/reassign/", {"reviewer": "other", "reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.content.decode()

    done = client.post(f"/floor/cases/{case.pk}/reassign/", {"reviewer": "other", "reason": "Rebalance"},
                       follow=True)
    assert "now belongs to other" in done.content.decode()
    done = client.post(f"/floor/cases/{case.pk}/release/", {"reason": "Back to the pool"}, follow=True)
    assert "is back in General review — US" in done.content.decode()
    assert Case.objects.get(pk=case.pk).status == "open"
    refresh = client.get("/floor/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in refresh and "General review — US" in refresh
