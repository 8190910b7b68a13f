"""The demo's risk stream: the seeded patterns are found by rules in both modes, and the monitor alerts."""
import pytest

from trustops.risk.models import Label, MonitorAlert, RuleHit
from trustops.risk.rules import live
from trustops.simulation.seed import seed_world


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    live.clear_cache()
    yield
    live.clear_cache()


@pytest.mark.slow
def test_the_demo_hides_abuse_that_rules_in_both_modes_find(db):
    summary = seed_world(seed=7, size="tiny")
    assert summary["risk_events"] > 2000 and summary["risk_hits"] > 0
    takeover = RuleHit.objects.filter(rule_version__rule__key="login-bruteforce", subject__external_id="demo-merchant-0")
    assert takeover.filter(mode="enforce", case__isnull=False).exists()
    assert Label.objects.filter(name="suspected_takeover", subject__external_id="demo-merchant-0").exists()
    payout = RuleHit.objects.get(rule_version__rule__key="payout-change-after-takeover")
    assert payout.mode == "shadow" and payout.case_id is None and payout.subject.external_id == "demo-merchant-0"
    spray = RuleHit.objects.filter(rule_version__rule__key="gift-spray")
    assert spray.exists() and set(spray.values_list("subject__external_id", flat=True)) == {"demo-user-14"}
    assert not Label.objects.filter(name="gift_laundering_suspect").exists()   # shadow: nothing acted on
    assert MonitorAlert.objects.filter(monitor__key="refunds-cleaning").count() == 1
