"""Personal data is masked for vendor staff by a declared schema that walks every value, not by top-level names."""
import pytest
from django.test import override_settings

from tests.conftest import ApiClient
from tests.test_console_access import console
from trustops.simulation import platform as setup
from trustops.subjects.masking import MASK, AttributeSchema, is_personal, mask_attributes

MERCHANT = {
    "business_name": "Placeholder Bakery 0042",
    "contact": {"email": "owner@bakery.example", "phone": "+1-555-0142", "preferred_hours": "9-17"},
    "owners": [{"name": "Ada Example", "dateOfBirth": "1980-02-01", "share_percent": 60},
               {"fullName": "Bo Example", "nationalId": "X123", "share_percent": 40}],
    "payoutBank": {"iban": "GB00TEST0000000000", "holder": "Ada Example"},
    "devices": ["device-abc", "device-def"],
    "lastLoginIP": "203.0.113.7",
    "notes_from_sales": "Called Ada on her mobile, lives above the shop",
    "rating": 4.6,
    "verified": True,
}


def test_personal_data_is_masked_at_any_depth_whatever_its_spelling():
    masked = mask_attributes(MERCHANT, subject_type="merchant")
    assert masked["business_name"] == "Placeholder Bakery 0042"            # declared safe by default
    assert masked["contact"] == MASK                                        # a contact block, all of it
    assert masked["owners"][0] == {"name": MASK, "dateOfBirth": MASK, "share_percent": 60}
    assert masked["owners"][1] == {"fullName": MASK, "nationalId": MASK, "share_percent": 40}
    assert masked["payoutBank"] == MASK and masked["lastLoginIP"] == MASK
    assert masked["devices"] == MASK
    # Free text nobody declared safe may hold anything: masked. Numbers and flags are shown.
    assert masked["notes_from_sales"] == MASK
    assert masked["rating"] == 4.6 and masked["verified"] is True


@pytest.mark.parametrize("key", ["email", "contactEmail", "contact_email", "E-Mail", "phoneNumber", "home_address",
                                 "deviceId", "ip_address", "birth_date", "cardNumber", "legal_name", "tax_id"])
def test_keys_that_name_personal_data_are_recognised(key):
    assert is_personal(key)


@pytest.mark.parametrize("key", ["caption", "title", "rating", "share_percent", "business_category", "duration_seconds"])
def test_ordinary_keys_are_not_taken_for_personal_data(key):
    assert not is_personal(key)


def test_the_platform_declares_its_own_personal_and_safe_paths():
    schema = AttributeSchema.from_declaration({
        "*": {"safe": ["owners[].share_percent", "contact.preferred_hours", "notes_from_sales"],
              "personal": ["rating", "owners[].share_percent"]},
    })
    masked = mask_attributes(MERCHANT, subject_type="merchant", schema=schema)
    assert masked["rating"] == MASK                          # declared personal wins over everything
    assert masked["owners"][0]["share_percent"] == MASK
    assert masked["notes_from_sales"] == MERCHANT["notes_from_sales"]
    assert masked["contact"] == MASK                          # a safe leaf does not open a personal block


def test_a_poi_name_is_a_place_not_a_person():
    assert mask_attributes({"name": "Placeholder Salon #3"}, subject_type="poi") == {"name": "Placeholder Salon #3"}
    assert mask_attributes({"name": "Ada Example"}, subject_type="user") == {"name": MASK}


def test_vendor_agents_see_the_masked_subject_in_the_api_and_the_console(world):
    report = world.report(subject={"type": "merchant", "external_id": "merchant-nested", "region": "US",
                                   "attributes": MERCHANT}, reason="merchant.fraud")
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    shown = ApiClient(agent.token).get(f"/api/v1/cases/{report['case_id']}").json()["subject"]["attributes"]
    assert shown == mask_attributes(MERCHANT, subject_type="merchant")
    page = console(agent.user).get(f"/cases/{report['case_id']}/").content.decode()
    for secret in ("owner@bakery.example", "Ada Example", "GB00TEST", "203.0.113.7", "device-abc", "X123"):
        assert secret not in page and secret not in str(shown)
    assert "Placeholder Bakery 0042" in page
    # In-house reviewers cleared for the region see what the platform sent.
    full = ApiClient(world.moderator().token).get(f"/api/v1/cases/{report['case_id']}").json()
    assert full["subject"]["attributes"]["owners"][0]["name"] == "Ada Example"


@override_settings(TRUSTOPS={**__import__("django.conf").conf.settings.TRUSTOPS,
                             "ATTRIBUTE_SCHEMA": {"merchant": {"safe": ["notes_from_sales"], "personal": []}}})
def test_the_configured_schema_applies_to_every_surface(world):
    report = world.report(subject={"type": "merchant", "external_id": "merchant-declared", "region": "US",
                                   "attributes": MERCHANT}, reason="merchant.fraud")
    agent = world.vendor_agent(vendor=setup.VENDOR_A)
    shown = ApiClient(agent.token).get(f"/api/v1/cases/{report['case_id']}").json()["subject"]["attributes"]
    assert shown["notes_from_sales"] == MERCHANT["notes_from_sales"] and shown["contact"] == MASK
