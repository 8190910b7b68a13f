"""Who sees what in the console: the same scoping as the API, proven by the negative cases."""
import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tests.conftest import ApiClient
from trustops.identity import services as identity
from trustops.ledger.models import LedgerEvent
from trustops.outbox import services as outbox
from trustops.review.models import Case
from trustops.simulation import platform as setup

EMAIL = "owner-7@merchant.example"
PHONE = "+1-555-0107"


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def verified_console(user) -> Client:
    """A privileged person who has also passed the TOTP step."""
    client = console(user)
    device = identity.start_totp_enrolment(user=user)
    device.confirmed = True
    device.save()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def foreign_case(world) -> int:
    """A child-safety case: in-house only, US."""
    return world.report(subject=world.subject(region="US"), reason="minor_safety.grooming")["case_id"]


def test_a_case_outside_ones_queues_or_regions_is_the_not_found_page(world, foreign_case):
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    elsewhere = world.moderator("br-only", regions=("BR",))
    for person in (agent, elsewhere):
        response = console(person.user).get(f"/cases/{foreign_case}/")
        assert response.status_code == 404
        assert b"Not found" in response.content and b"minor_safety.grooming" not in response.content
    assert not LedgerEvent.objects.filter(kind="case.viewed").exists()
    assert console(world.moderator("us-mod").user).get(f"/cases/{foreign_case}/").status_code == 200


@pytest.mark.parametrize("action", ["decision", "renew", "reveal", "release", "skip", "escalate"])
def test_actions_on_an_invisible_case_are_not_found_and_change_nothing(world, foreign_case, action):
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    version = Case.objects.get(pk=foreign_case).version
    response = console(agent.user).post(f"/cases/{foreign_case}/{action}/", {
        "version": version, "verdict": "no_violation", "rationale": "x", "to_queue": "policy-specialists",
        "reason": "x"})
    assert response.status_code == 404
    assert Case.objects.get(pk=foreign_case).version == version
    assert console(agent.user).get(f"/cases/{foreign_case}/guidance/", {"policy": "hate.slurs"}).status_code == 404


def test_media_and_accounts_of_subjects_one_may_not_see_are_not_found(world):
    subject = world.subject(region="US")
    world.report(subject=subject, reason="minor_safety.grooming")
    media = f"/subjects/video/{subject['external_id']}/media.svg"
    account = f"/accounts/creator/{subject['owner']['external_id']}/"
    for person in (world.vendor_agent(vendor=setup.VENDOR_A), world.moderator("br-only", regions=("BR",))):
        assert console(person.user).get(media).status_code == 404
        assert console(person.user).get(account).status_code == 404
    moderator = console(world.moderator("us-mod").user)
    shown = moderator.get(media)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in shown["Content-Security-Policy"]
    assert moderator.get(media).content == shown.content, "drawn the same way every time"
    assert moderator.get(account).status_code == 200


def test_an_account_page_for_an_item_type_is_not_found(world):
    subject = world.subject(region="US")
    world.report(subject=subject)
    moderator = console(world.moderator().user)
    assert moderator.get(f"/accounts/video/{subject['external_id']}/").status_code == 404
    assert moderator.get("/subjects/creator/nobody/media.svg").status_code == 404


def test_the_delivery_log_is_closed_to_moderators_and_vendor_staff(world):
    assert console(world.moderator().user).get("/deliveries/").status_code == 403
    assert console(world.vendor_agent().user).get("/deliveries/").status_code == 403
    assert b"Deliveries" not in console(world.moderator("other").user).get("/queues/").content


def test_team_leads_read_the_delivery_log_with_errors_and_next_attempts(world):
    outbox.save_endpoint(name="platform-hooks", url="http://127.0.0.1:9/hooks", secret="s" * 32,
                         event_kinds=["enforcement.applied"])
    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    world.violation(world.moderator(), "general-us", "harassment.bullying")
    lead = world.person("lead", "team_lead", team=setup.IN_HOUSE_TEAM)

    page = verified_console(lead.user).get("/deliveries/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "enforcement.applied" in text and "platform-hooks" in text and "Pending" in text
    admin = verified_console(world.person("ops-admin", "admin").user)
    assert admin.get("/deliveries/?status=dead").status_code == 200


def test_vendor_staff_see_personal_data_masked_on_the_case_page_exactly_like_the_api(world):
    merchant = {"type": "merchant", "external_id": "merchant-7", "region": "US",
                "attributes": {"business_name": "Placeholder Cleaning 0007", "contact_email": EMAIL,
                               "contact_phone": PHONE}}
    case_id = world.report(subject=merchant, reason="merchant.fraud", reporter_external_id="user-442")["case_id"]
    agent = world.vendor_agent(vendor=setup.VENDOR_A)

    page = console(agent.user).get(f"/cases/{case_id}/").content.decode()
    api = ApiClient(agent.token).get(f"/api/v1/cases/{case_id}").json()

    assert EMAIL not in page and PHONE not in page and "user-442" not in page
    assert "Placeholder Cleaning 0007" in page and page.count("•••") >= 3
    assert api["subject"]["attributes"]["contact_email"] == "•••"
    assert api["reports"][0]["reporter_external_id"] == "•••"
    in_house = console(world.moderator().user).get(f"/cases/{case_id}/").content.decode()
    assert EMAIL in in_house and PHONE in in_house and "user-442" in in_house


def test_vendor_staff_are_not_linked_to_other_accounts_through_personal_data(world):
    shared = {"contact_phone": PHONE, "device_id": "device-abc"}
    for name in ("merchant-1", "merchant-2"):
        world.report(subject={"type": "merchant", "external_id": name, "region": "US", "attributes": shared},
                     reason="merchant.fraud")
    moderator = console(world.moderator().user).get("/accounts/merchant/merchant-1/").content.decode()
    assert "merchant-2" in moderator and "contact_phone" in moderator and "device_id" in moderator

    # Every linking key is personal data (a phone, a device id): vendor staff are linked through none of them.
    agent = console(world.vendor_agent(vendor=setup.VENDOR_A).user)
    page = agent.get("/accounts/merchant/merchant-1/").content.decode()
    assert "merchant-2" not in page and "device-abc" not in page
    assert PHONE not in page and "contact_phone <code>" not in page


def test_linked_accounts_outside_ones_regions_stay_hidden(world):
    for name, region in (("creator-us", "US"), ("creator-br", "BR"), ("creator-us-2", "US")):
        world.report(subject={"type": "creator", "external_id": name, "region": region,
                              "attributes": {"device_id": "device-shared"}}, reason="integrity.impersonation")
    page = console(world.moderator("us-only", regions=("US",)).user).get("/accounts/creator/creator-us/")
    text = page.content.decode()
    assert "creator-us-2" in text and "creator-br" not in text


def test_finding_linked_accounts_reads_the_link_indexes_not_every_subject(world):
    """On PostgreSQL the query matches the per-key indexes over accounts (checked in its plan)."""
    from django.db import connection, transaction

    from trustops.subjects import selectors as subjects
    from trustops.subjects.models import Subject

    if connection.vendor != "postgresql":
        pytest.skip("index use is checked on PostgreSQL")
    world.report(subject={"type": "creator", "external_id": "linked-1", "region": "US",
                          "attributes": {"device_id": "device-x", "contact_email": "a@example.org"}},
                 reason="integrity.impersonation")
    account = Subject.objects.get(external_id="linked-1")
    moderator = world.moderator().user
    captured = []

    def record(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)
    with connection.execute_wrapper(record):
        subjects.linked_accounts(moderator, account)
    sql, params = captured[-1]
    with transaction.atomic(), connection.cursor() as cursor:
        # A realistic share of accounts carrying the keys, so that the planner weighs the indexes as it would.
        cursor.execute("INSERT INTO subjects_subject (type, external_id, region, language, reach, attributes, "
                       "first_seen_at, updated_at) SELECT 'creator', 'filler-' || n, 'US', 'en', 0, "
                       "jsonb_build_object('device_id', 'device-' || n), now(), now() "
                       "FROM generate_series(1, 5000) AS n")
        cursor.execute("ANALYZE subjects_subject")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row for row, in cursor.fetchall())
    assert "account_link_device_id" in plan and "account_link_contact_email" in plan, plan
