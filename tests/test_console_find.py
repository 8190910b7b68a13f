"""Finding work in the console: the search box, the per-queue case list and its filters, the account lookup,
and bulk decisions from a list. What a person may not see is "nothing found", never a hint."""
import re
from datetime import timedelta

import pytest

from tests.conftest import ALL_CLEARANCES
from tests.test_console_access import console, verified_console
from trustops.kernel import clock
from trustops.review.models import Case, Decision
from trustops.simulation import platform as setup


@pytest.fixture
def lead(world):
    return world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM, clearances=ALL_CLEARANCES)


def search(client, text):
    return client.get("/search/", {"q": text})


def test_the_search_box_goes_straight_to_the_case_by_id_subject_reporter_or_report_key(world):
    subject = world.subject(region="US")
    case_id = world.report(subject=subject, reporter_external_id="user-31877", key="report-abc-1")["case_id"]
    client = console(world.moderator("mod").user)

    for text in (str(case_id), subject["external_id"], "user-31877", "report-abc-1"):
        response = search(client, text)
        assert response.status_code == 302 and response["Location"] == f"/cases/{case_id}/", text
    assert 'role="search"' in client.get("/queues/").content.decode()


def test_an_account_id_opens_the_account_and_several_matches_list_them(world):
    owner = {"type": "creator", "external_id": "creator-lumen042"}
    world.report(subject=world.subject(region="US", owner=False) | {"owner": owner})
    client = console(world.moderator("mod").user)
    assert search(client, "creator-lumen042")["Location"] == "/accounts/creator/creator-lumen042/"

    # One reporter behind two cases: a results page.
    first = world.report(subject=world.subject(region="US"), reporter_external_id="serial-flagger")["case_id"]
    second = world.report(subject=world.subject(region="US"), reporter_external_id="serial-flagger")["case_id"]
    page = search(client, "serial-flagger")
    text = page.content.decode()
    assert page.status_code == 200 and f"Case {first}" in text and f"Case {second}" in text


@pytest.mark.parametrize("who", ["other_vendor", "other_region", "uncleared"])
def test_what_one_may_not_see_is_nothing_found(world, who):
    if who == "uncleared":
        subject, reason = world.subject(region="US"), "minor_safety.grooming"        # child-safety, restricted
        person = world.moderator("plain", clearances=())
    elif who == "other_region":
        subject, reason = world.subject(region="BR"), "hate.slurs"
        person = world.moderator("us-only", regions=("US",))
    else:
        subject, reason = world.subject(region="US"), "harassment.bullying"          # general-us: Northwind
        person = world.vendor_agent("lumen-agent", vendor=setup.VENDOR_B)
    case_id = world.report(subject=subject, reason=reason, reporter_external_id="rep-9", key="key-9")["case_id"]
    client = console(person.user)

    for text in (str(case_id), subject["external_id"], "rep-9", "key-9", subject["owner"]["external_id"]):
        response = search(client, text)
        if who == "other_vendor" and text == subject["owner"]["external_id"]:
            assert response.status_code == 200 and "Nothing found" in response.content.decode()
            continue
        if who == "uncleared" and text == subject["owner"]["external_id"]:
            continue   # accounts stay visible; only their restricted cases are hidden
        assert response.status_code == 200, text
        assert "Nothing found" in response.content.decode() and f"Case {case_id}" not in response.content.decode()


def test_the_queue_overview_links_each_queue_to_its_case_list(world):
    client = console(world.moderator("mod").user)
    assert 'href="/queues/general-us/cases/"' in client.get("/queues/").content.decode()


def rows(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-case="(\d+)"', response.content.decode())]


def test_the_case_list_filters_sorts_and_pages_in_the_url(world):
    with clock.frozen(clock.now().replace(hour=12, minute=0, second=0, microsecond=0)):
        filter_the_case_list(world)


def filter_the_case_list(world):
    """At noon: one case opened 30 h ago (breached), one 20 h ago (at risk), one now (ok), one held."""
    mod = world.moderator("mod")
    now = clock.now()
    with clock.frozen(now - timedelta(hours=30)):
        breached = world.report(subject=world.subject(region="US"), reason="harassment.bullying")["case_id"]
    with clock.frozen(now - timedelta(hours=20)):
        at_risk = world.report(subject=world.subject(region="US"), reason="hate.slurs")["case_id"]
    fresh = world.report(subject=world.subject(region="US"), reason="integrity.impersonation")["case_id"]
    held = world.claim(mod, "general-us")["id"]
    client = console(mod.user)

    def listed(**params):
        response = client.get("/queues/general-us/cases/", params)
        assert response.status_code == 200
        return rows(response)

    assert sorted(listed()) == sorted([breached, at_risk, fresh])
    assert listed(sla="breached") == [breached] and listed(sla="at_risk") == [at_risk]
    assert listed(sla="ok") == [fresh]
    assert listed(policy="hate") == [at_risk]
    assert listed(status="in_review") == [held] and listed(assignee="mod") == [held]
    assert listed(sort="oldest") == [breached, at_risk, fresh] and listed(sort="newest") == [fresh, at_risk, breached]
    assert listed(region="BR") == []
    today, yesterday = now.date(), (now - timedelta(days=1)).date()
    assert listed(opened_from=today.isoformat()) == [fresh]
    assert listed(opened_to=yesterday.isoformat(), sort="oldest") == [breached, at_risk]
    assert listed(opened_to=(now - timedelta(days=2)).date().isoformat()) == []
    priorities = {case.pk: case.priority for case in Case.objects.all()}
    low, high = min(priorities.values()), max(priorities.values())
    assert listed(priority_min=high + 1) == [] and listed(priority_max=low - 1) == []
    assert sorted(listed(priority_min=low, priority_max=high)) == sorted([breached, at_risk, fresh])
    # Nonsense in the URL is ignored, never a failure.
    assert len(listed(priority_min="lots", sla="maybe", opened_from="yesterday", sort="random", page="x")) == 3


def test_the_case_list_pages_keep_the_filters(world, monkeypatch):
    monkeypatch.setattr("trustops.console.find_views.PAGE_SIZE", 2)
    for _ in range(3):
        world.report(subject=world.subject(region="US"))
    client = console(world.moderator("mod").user)

    first = client.get("/queues/general-us/cases/", {"sort": "oldest"})
    assert len(rows(first)) == 2 and '?sort=oldest&amp;page=2" rel="next"' in first.content.decode()
    second = client.get("/queues/general-us/cases/", {"sort": "oldest", "page": 2})
    assert len(rows(second)) == 1 and "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("who", ["other_vendor", "uncleared"])
def test_a_queue_one_may_not_see_has_no_case_list(world, who):
    person = (world.vendor_agent("lumen-agent", vendor=setup.VENDOR_B) if who == "other_vendor"
              else world.moderator("plain", clearances=()))
    queue = "general-us" if who == "other_vendor" else "child-safety"
    assert console(person.user).get(f"/queues/{queue}/cases/").status_code == 404
    assert console(person.user).post(f"/queues/{queue}/bulk/", {"pick": "query"}).status_code == 404


def test_a_case_list_of_another_region_shows_none_of_its_cases(world):
    world.report(subject=world.subject(region="BR"), reason="hate.slurs")
    client = console(world.moderator("us-only", regions=("US",)).user)
    assert rows(client.get("/queues/general-intl/cases/")) == []


def test_the_account_lookup_finds_by_id_prefix_and_by_handle(world):
    from trustops.subjects.services import SubjectRef, upsert_many
    upsert_many([SubjectRef("creator", "creator-lumen042", region="US", attributes={"handle": "@lumen042"}),
                 SubjectRef("creator", "creator-lumen043", region="US", attributes={"handle": "@Lumen043"}),
                 SubjectRef("creator", "creator-hidden", region="BR", attributes={"handle": "@hidden"})],
                actor="platform")
    client = console(world.moderator("us-only", regions=("US",)).user)

    listed = client.get("/accounts/", {"external_id": "creator-lumen"}).content.decode()
    assert "creator-lumen042" in listed and "creator-lumen043" in listed
    assert client.get("/accounts/", {"external_id": "@lumen043"})["Location"] == "/accounts/creator/creator-lumen043/"
    assert client.get("/accounts/", {"external_id": "lumen042"})["Location"] == "/accounts/creator/creator-lumen042/"
    hidden = client.get("/accounts/", {"external_id": "@hidden"}).content.decode()
    assert "Nothing found" in hidden and "creator-hidden" not in hidden


# ---- bulk decisions from the case list ----

def test_a_lead_previews_then_confirms_a_bulk_decision_by_the_list_s_filters(world, lead):
    spam = [world.report(subject=world.subject(region="US"), reason="integrity.impersonation")["case_id"]
            for _ in range(3)]
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    client = verified_console(lead.user)
    form = {"pick": "query", "query": "policy=integrity.impersonation", "verdict": "no_violation",
            "rationale": "A fan account, clearly labelled.", "max_cases": 10}

    page = client.get("/queues/general-us/cases/", {"policy": "integrity.impersonation"}).content.decode()
    assert "Decide in bulk" in page
    preview = client.post("/queues/general-us/bulk/", form)
    text = preview.content.decode()
    assert preview.status_code == 200 and "3 cases would be decided" in text
    assert not Decision.objects.exists()

    done = client.post("/queues/general-us/bulk/", {**form, "pick": "", "case": spam, "step": "confirm"},
                       follow=True)
    assert "Decided 3 cases in General review — US as no violation" in done.content.decode()
    assert set(Decision.objects.values_list("case_id", flat=True)) == set(spam)


def test_a_bulk_decision_is_capped(world, lead):
    for _ in range(3):
        world.report(subject=world.subject(region="US"))
    client = verified_console(lead.user)
    refused = client.post("/queues/general-us/bulk/", {"pick": "query", "query": "", "verdict": "no_violation",
                                                       "rationale": "x", "max_cases": 2})
    assert refused.status_code == 422 and "More than 2 cases match" in refused.content.decode()


def test_picked_rows_only_are_decided(world, lead):
    ids = [world.report(subject=world.subject(region="US"))["case_id"] for _ in range(3)]
    client = verified_console(lead.user)
    form = {"pick": "rows", "case": ids[:2], "verdict": "no_violation", "rationale": "Satire.", "max_cases": 5}
    assert "2 cases would be decided" in client.post("/queues/general-us/bulk/", form).content.decode()
    client.post("/queues/general-us/bulk/", {**form, "step": "confirm"})
    assert set(Decision.objects.values_list("case_id", flat=True)) == set(ids[:2])


def test_restricted_bulk_decisions_need_a_totp_confirmed_sign_in(world):
    case_id = world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")["case_id"]
    form = {"pick": "rows", "case": [case_id], "verdict": "no_violation", "rationale": "A parenting forum.",
            "max_cases": 5}
    # A policy manager signs in to the console with a password alone; bulk work on restricted content asks more.
    manager = world.person("pm", "policy_manager", clearances=ALL_CLEARANCES)
    client = console(manager.user)
    assert "1 case would be decided" in client.post("/queues/child-safety/bulk/", form).content.decode()

    refused = client.post("/queues/child-safety/bulk/", {**form, "step": "confirm"})
    assert refused.status_code == 403 and "need a sign-in confirmed with a TOTP code" in refused.content.decode()
    assert not Decision.objects.exists()
    assert verified_console(manager.user).post("/queues/child-safety/bulk/", {**form, "step": "confirm"}).status_code == 302
    assert Decision.objects.filter(case_id=case_id).exists()


def test_a_moderator_gets_no_bulk_form_and_is_refused(world):
    case_id = world.report(subject=world.subject(region="US"))["case_id"]
    client = console(world.moderator("mod").user)
    assert "Decide in bulk" not in client.get("/queues/general-us/cases/").content.decode()
    refused = client.post("/queues/general-us/bulk/", {"pick": "rows", "case": [case_id], "verdict": "no_violation",
                                                      "rationale": "x", "max_cases": 5})
    assert refused.status_code == 403 and "Only team leads" in refused.content.decode()
