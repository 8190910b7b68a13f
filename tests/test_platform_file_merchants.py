"""A bare install configures merchant categories and their qualifications per region from the platform file:
applied once, applied again to no effect, exported as it was given, refused by line and field when wrong; and
its merchants' appeals find the queue that `trustops init` made for them."""
import textwrap

import pytest
import yaml
from django.core.management import call_command

from trustops.config import platform_file
from trustops.config.document import Refused
from trustops.identity import services as identity
from trustops.ledger.models import LedgerEvent
from trustops.merchants.models import Category, Merchant
from trustops.merchants.services import decisions, onboarding
from trustops.merchants.services.common import required_kinds
from trustops.review import casework
from trustops.review import configuration as review

CATEGORIES = textwrap.dedent("""\
    merchant_categories:
    - code: beauty
      name: Beauty
      requirements:
        '*': [business_licence]
    - code: beauty.salon
      name: Hair and nail salons
      parent: beauty
      requirements:
        US: [cosmetology_licence]
        BR: [alvara_sanitario, cosmetology_licence]
      documents: [business_registration]
      prohibited_services: [botox injections]
    - code: retail
      name: Retail
    """)


@pytest.fixture
def bare(db):
    call_command("init", verbosity=0)


def test_a_bare_install_takes_its_categories_and_licences_per_region_from_the_file(bare):
    changes = platform_file.apply(CATEGORIES)
    assert [str(c) for c in changes] == ["+ merchant category beauty", "+ merchant category beauty.salon",
                                         "+ merchant category retail"]
    salon = Category.objects.get(code="beauty.salon")
    assert salon.parent.code == "beauty" and salon.documents == ["business_registration"]
    assert required_kinds(salon, "US") == ["business_licence", "cosmetology_licence"]
    assert required_kinds(salon, "BR") == ["alvara_sanitario", "business_licence", "cosmetology_licence"]
    assert LedgerEvent.objects.filter(kind="merchant.category_created", actor_name="config").count() == 3

    events = LedgerEvent.objects.count()
    assert platform_file.apply(CATEGORIES) == []
    assert LedgerEvent.objects.count() == events
    exported = platform_file.export_yaml()
    assert platform_file.apply(exported) == []
    assert yaml.safe_load(exported)["merchant_categories"] == yaml.safe_load(CATEGORIES)["merchant_categories"]


def test_a_changed_requirement_is_a_change_and_a_category_left_out_is_closed(bare):
    platform_file.apply(CATEGORIES)
    text = CATEGORIES.replace("US: [cosmetology_licence]", "US: [cosmetology_licence, health_permit]")
    text = text[:text.index("- code: retail")]
    changes = {str(c) for c in platform_file.apply(text)}
    assert changes == {"~ merchant category beauty.salon: requirements {'BR': ['alvara_sanitario', "
                       "'cosmetology_licence'], 'US': ['cosmetology_licence']} → {'BR': ['alvara_sanitario', "
                       "'cosmetology_licence'], 'US': ['cosmetology_licence', 'health_permit']}",
                       "- merchant category retail"}
    assert not Category.objects.get(code="retail").active
    assert "health_permit" in required_kinds(Category.objects.get(code="beauty.salon"), "US")


def test_a_wrong_category_section_is_refused_whole_by_line_and_field(bare):
    text = textwrap.dedent("""\
        merchant_categories:
        - code: beauty
          name: Beauty
          requirements:
            Mars: [licence]
        - code: beauty.salon
          name: Salons
          parent: nails
        - code: beauty
          name: Beauty again
        - code: loop.a
          name: A
          parent: loop.b
        - code: loop.b
          name: B
          parent: loop.a
        - code: Bad Code
          name: Bad
        """)
    with pytest.raises(Refused) as refused:
        platform_file.apply(text)
    found = {(p.line, p.field) for p in refused.value.problems}
    assert found == {(5, "merchant_categories[0].requirements"), (17, "merchant_categories[5].code")}, found
    assert not Category.objects.exists()
    text = text.replace("Mars", "US").replace("- code: Bad Code\n  name: Bad\n", "")
    with pytest.raises(Refused) as refused:
        platform_file.apply(text)
    assert {(p.line, p.field) for p in refused.value.problems} == {
        (8, "merchant_categories[1].parent"), (9, "merchant_categories[2].code"),
        (13, "merchant_categories[3].parent"), (16, "merchant_categories[4].parent")}
    assert not Category.objects.exists()


def test_on_a_bare_install_a_merchants_payout_hold_is_appealed_and_overturned(bare):
    platform_file.apply(CATEGORIES)
    specialist, second = (identity.create_user(username=name, role="merchant_specialist", regions=["*"],
                                               team="Merchant ops") for name in ("ops", "ops-2"))
    platform = identity.create_user(username="platform", role="integration", regions=["*"])
    review.update_queue(key="merchants", teams=[specialist.team.key])      # an admin assigns the team
    onboarding.apply(actor=platform, external_id="shop-1", legal_name="Shop One", category_code="retail",
                     region="US")
    decisions.decide_funds(actor=specialist, external_id="shop-1", payout="held", reason="chargebacks")
    status, appeal = decisions.appeal(actor=platform, external_id="shop-1", about="payout", statement="a mistake")
    assert status == 201 and appeal["queue"] == "merchants"      # the queue `trustops init` created
    assert casework.claim_next(actor=specialist, queue_key="merchants") is None      # the one who decided
    case = casework.claim_next(actor=second, queue_key="merchants")
    casework.decide(actor=second, case_id=case.pk, version=case.version,
                    decision=casework.DecisionInput(verdict="overturned", rationale="processor error"))
    assert Merchant.objects.get(external_id="shop-1").funds["payout"] == "normal"
