"""The console's case work without a browser: claims, decisions, refusals shown inline, the lease, TOTP."""
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.console import code_from_setup_key, current_code
from tests.conftest import ApiClient
from tests.test_console_access import console
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Case, Decision
from trustops.simulation import platform as setup

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def moderator(world):
    return world.moderator("mod")


def claimed(client, queue="general-us") -> Case:
    response = client.post(f"/queues/{queue}/next/")
    assert response.status_code == 302 and "/cases/" in response["Location"], response
    return Case.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_next_case_opens_the_claimed_case_and_records_the_view(world, moderator):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    client = console(moderator.user)

    case = claimed(client)
    page = client.get(f"/cases/{case.pk}/")

    assert case.status == "in_review" and case.assignee_id == moderator.user.pk
    assert page.status_code == 200 and b"Your lease" in page.content and b"Submit decision" in page.content
    viewed = LedgerEvent.objects.get(kind="case.viewed", case_id=case.pk)
    assert viewed.actor_name == "mod"


def test_nothing_waiting_is_said_in_the_queue_s_own_words(world, moderator):
    client = console(moderator.user)
    response = client.post("/queues/general-us/next/", follow=True)
    assert response.redirect_chain[-1][0] == "/queues/"
    assert "Nothing waiting in General review — US" in response.content.decode()


def test_a_queue_one_may_not_work_offers_no_next_case(world):
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    client = console(agent.user)
    overview = client.get("/queues/").content.decode()
    assert overview.count("Next case in") == 3
    response = client.post("/queues/child-safety/next/", follow=True)
    assert "No queue" in response.content.decode()


def test_a_decision_shows_the_enforcement_and_the_owner_s_new_standing(world, moderator):
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    client = console(moderator.user)
    case = claimed(client)

    response = client.post(f"/cases/{case.pk}/decision/", {
        "version": case.version, "verdict": "violation", "policy": "harassment.bullying",
        "actions": ["remove", "strike"], "rationale": "Mockery of a classmate."}, **HTMX)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Decision recorded" in text and "Removed" in text and "Strike added" in text
    assert 'id="owner-standing" class="standing" hx-swap-oob="true"' in text and "2</strong> strike points" in text
    assert "Next case in General review — US" in text
    decision = Decision.objects.get()
    assert decision.actions == ["remove", "strike"] and decision.rationale == "Mockery of a classmate."


@pytest.mark.parametrize("body, status, shown", [
    ({"verdict": "violation", "policy": "harassment.bullying", "rationale": "  "}, 422,
     "Say why: the rationale is required."),
    ({"verdict": "violation", "rationale": "x"}, 422, "A violation names the policy it breaks."),
    ({"verdict": "violation", "policy": "harassment.bullying", "actions": ["ban"], "rationale": "x"}, 422,
     "does not allow ban"),
    ({"rationale": "x"}, 422, "Choose a verdict first."),
    ({"verdict": "no_violation", "rationale": "x", "version": "0"}, 409, "The case changed while you had it open"),
])
def test_refusals_are_shown_inline_in_the_form_and_nothing_is_written(world, moderator, body, status, shown):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)

    response = client.post(f"/cases/{case.pk}/decision/", {"version": case.version, **body}, **HTMX)

    text = response.content.decode()
    assert response.status_code == status and shown in text and 'role="alert"' in text
    assert 'id="work-panel"' in text and "<html" not in text, "the work panel, not a page"
    if body.get("rationale", "").strip():
        assert f">{body['rationale']}</textarea>" in text, "what was typed is kept"
    assert not Decision.objects.exists() and Case.objects.get(pk=case.pk).status == "in_review"


def test_without_scripts_a_refusal_is_the_whole_page_with_the_message(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)
    response = client.post(f"/cases/{case.pk}/decision/", {"version": case.version, "verdict": "no_violation"})
    assert response.status_code == 422
    assert b"<html" in response.content and b"Say why: the rationale is required." in response.content


def test_a_lost_lease_is_explained_and_the_form_is_gone(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)
    ApiClient(lead.token).post(f"/api/v1/cases/{case.pk}/escalate",
                               {"to_queue": "policy-specialists", "reason": "Taking this over."})

    response = client.post(f"/cases/{case.pk}/decision/", {"version": case.version, "verdict": "no_violation",
                                                           "rationale": "Fine."}, **HTMX)

    assert response.status_code == 409
    assert "You no longer hold this case" in response.content.decode()
    renew = client.post(f"/cases/{case.pk}/renew/", {"version": case.version}, **HTMX)
    assert renew.status_code == 286, "polling stops"
    assert "Lease lost" in renew.content.decode()


def test_renewing_keeps_the_form_in_step_with_the_case_version(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)

    renewed = client.post(f"/cases/{case.pk}/renew/", {"version": case.version}, **HTMX).content.decode()

    assert "This case changed since you opened it" not in renewed
    decided = client.post(f"/cases/{case.pk}/decision/", {"version": case.version, "verdict": "no_violation",
                                                          "rationale": "Banter."}, **HTMX)
    assert decided.status_code == 200 and Decision.objects.count() == 1


def test_a_case_changed_by_a_new_report_stays_stale_after_renewing(world, moderator):
    subject = world.subject(region="US")
    world.report(subject=subject)
    client = console(moderator.user)
    case = claimed(client)
    world.report(subject=subject, text="A second report arrives while the case is open.")

    renewed = client.post(f"/cases/{case.pk}/renew/", {"version": case.version}, **HTMX).content.decode()

    assert "This case changed since you opened it" in renewed and "hx-swap-oob" not in renewed
    refused = client.post(f"/cases/{case.pk}/decision/", {"version": case.version, "verdict": "no_violation",
                                                          "rationale": "Banter."}, **HTMX)
    assert refused.status_code == 409 and not Decision.objects.exists()


def test_skip_moves_on_to_the_next_case_and_release_returns_to_the_queues(world, moderator):
    for _ in range(2):
        world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    first = claimed(client)

    skipped = client.post(f"/cases/{first.pk}/skip/")
    second = Case.objects.get(assignee=moderator.user)
    assert skipped["Location"] == f"/cases/{second.pk}/" and second.pk != first.pk
    released = client.post(f"/cases/{second.pk}/release/", follow=True)
    assert released.redirect_chain[-1][0] == "/queues/"
    assert f"Case {second.pk} went back to General review — US." in released.content.decode()
    assert not Case.objects.filter(assignee=moderator.user).exists()


def test_escalation_moves_the_case_and_an_empty_reason_is_refused_inline(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)

    refused = client.post(f"/cases/{case.pk}/escalate/", {"to_queue": "policy-specialists", "reason": " "}, **HTMX)
    assert refused.status_code == 422 and "Say why the case needs a higher tier." in refused.content.decode()
    assert 'id="escalation"' in refused.content.decode()

    moved = client.post(f"/cases/{case.pk}/escalate/", {"to_queue": "policy-specialists", "reason": "Satire?"},
                        **HTMX)
    assert moved.status_code == 204 and moved["HX-Redirect"] == "/queues/"
    assert Case.objects.get(pk=case.pk).queue.key == "policy-specialists"


def test_the_policy_select_brings_its_guidance_and_allowed_actions(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)

    text = client.get(f"/cases/{case.pk}/guidance/", {"policy": "minor_safety.grooming"}).content.decode()

    assert "An adult building trust with a minor" in text and "zero tolerance" in text
    assert re.findall(r'name="actions" value="(\w+)"', text) == ["remove", "ban"]


def test_reveal_is_recorded_and_the_preference_decides_how_media_opens(world, moderator):
    world.report(subject=world.subject(region="US"))
    client = console(moderator.user)
    case = claimed(client)
    assert b"is-hidden pref-blur" in client.get(f"/cases/{case.pk}/").content

    revealed = client.post(f"/cases/{case.pk}/reveal/", **HTMX)
    assert revealed.status_code == 200 and b"is-hidden" not in revealed.content
    event = LedgerEvent.objects.get(kind="content.revealed")
    assert event.case_id == case.pk and event.actor_name == "mod"

    assert client.post("/preferences/", {"media_preference": "greyscale"}).status_code == 302
    assert b"is-hidden pref-greyscale" in client.get(f"/cases/{case.pk}/").content
    client.post("/preferences/", {"media_preference": "clear"})
    assert b"is-hidden" not in client.get(f"/cases/{case.pk}/").content
    assert client.post("/preferences/", {"media_preference": "sepia"}).status_code == 422


def test_exposure_today_is_shown_on_severe_queues_only(world, moderator):
    world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    client = console(moderator.user)
    severe, general = claimed(client, "child-safety"), claimed(client, "general-us")
    assert b"Exposure today" in client.get(f"/cases/{severe.pk}/").content
    assert b"Exposure today" not in client.get(f"/cases/{general.pk}/").content


def test_the_account_page_gathers_the_investigation_and_records_the_view(world, moderator):
    owner = {"type": "creator", "external_id": "creator-under-review"}
    items = [{**world.subject(region="US"), "owner": owner} for _ in range(2)]
    for item in items:
        world.report(subject=item, reason="harassment.bullying")
    world.violation(moderator, "general-us", "harassment.bullying")

    page = console(moderator.user).get("/accounts/creator/creator-under-review/").content.decode()

    assert "Strike · <code>harassment.bullying</code>" in page
    assert page.count("/cases/") >= 3, "both cases and the decision link to their case pages"
    assert all(item["external_id"] in page for item in items)
    assert LedgerEvent.objects.filter(kind="subject.viewed", actor_name="mod").count() == 1


def test_a_lead_passes_the_second_factor_before_the_console_and_the_admin(world):
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)
    client = console(lead.user)

    assert client.get("/queues/")["Location"] == "/login/second-factor/?next=%2Fqueues%2F"
    assert client.get("/admin/")["Location"].startswith("/login/second-factor/")
    refresh = client.get("/queues/", **HTMX)
    assert refresh.status_code == 401 and refresh["HX-Redirect"].startswith("/login/second-factor/")
    assert ApiClient(lead.token).get("/api/v1/queues").status_code == 200, "API tokens are not sessions"

    enrol = client.get("/login/second-factor/").content.decode()
    setup_key = re.search(r'aria-label="Setup key">([A-Z2-7 ]+)<', enrol).group(1)
    device = TOTPDevice.objects.get(user=lead.user)
    wrong = client.post("/login/second-factor/", {"device": device.pk, "code": "12345"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.content
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    confirmed = client.post("/login/second-factor/?next=/appeals/", {"device": device.pk,
                                                                      "code": code_from_setup_key(setup_key)})
    assert confirmed["Location"] == "/appeals/"
    assert client.get("/queues/").status_code == 200

    events = LedgerEvent.objects.filter(kind__startswith="totp.").order_by("id")
    kinds = list(events.values_list("kind", flat=True))
    assert kinds == ["totp.enrolment_started", "totp.code_refused", "totp.device_confirmed"]
    device.refresh_from_db()
    secret_forms = {device.key, setup_key.replace(" ", "")}
    for event in LedgerEvent.objects.filter(kind__startswith="totp."):
        assert not any(secret in str(event.payload) for secret in secret_forms)


def test_a_wrong_code_at_sign_in_is_refused_and_then_throttled(world):
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)
    device = TOTPDevice.objects.create(user=lead.user, name="app", confirmed=True)
    client = console(lead.user)

    page = client.get("/login/second-factor/")
    assert b"Enter your code" in page.content
    wrong = client.post("/login/second-factor/", {"code": "000000" if current_code(device) != "000000" else "1"})
    assert wrong.status_code == 422 and b"That code is not right" in wrong.content
    throttled = client.post("/login/second-factor/", {"code": current_code(device)})
    assert throttled.status_code == 422 and b"Too many wrong codes" in throttled.content
    assert client.get("/queues/").status_code == 302


def test_the_lockout_page_says_when_to_try_again(db, settings):
    settings.AXES_FAILURE_LIMIT = 2
    setup.person("locked", "moderator", password="a long enough password")
    client = Client()
    for _ in range(2):
        response = client.post("/login/", {"username": "locked", "password": "wrong"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in locked for now" in text and re.search(r"Try again after <strong>\d\d:\d\d UTC</strong>", text)
