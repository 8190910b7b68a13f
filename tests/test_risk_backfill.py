"""Counter backfill: a rule published with a windowed feature nobody counted yet sees the stored history of its
window from its first event, and a feature another live rule already counts is not counted twice."""
from datetime import timedelta

import pytest

from tests.test_risk_rules import T0, event, failed_logins_rule, send
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.risk.models import RuleHit
from trustops.risk.rules import live

NOW = T0 + timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _fresh_rules():
    live.clear_cache()
    yield
    live.clear_cache()


@pytest.fixture
def investigator(world):
    return world.person("ines", "investigator")


def test_a_new_rule_counts_the_stored_events_of_its_window_from_its_first_event(api, investigator):
    with clock.frozen(NOW):
        # Three failures long before the window, four inside it, all stored before the rule exists.
        send(api, [event(n, at=NOW - timedelta(minutes=40 + n)) for n in range(3)])
        send(api, [event(10 + n, at=NOW - timedelta(minutes=4 - n)) for n in range(4)])
        assert api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule()).status_code == 201
        backfilled = LedgerEvent.objects.get(kind="risk.counters_backfilled").payload
        assert backfilled["events"] == 4 and backfilled["keys"] == {"fails_10m": 1}
        fifth = send(api, [event(20, at=NOW)])[0]
    assert fifth["hits"] == [{"rule": "login-bruteforce", "version": 1, "mode": "enforce"}]
    assert RuleHit.objects.get().features == {"fails_10m": 5}     # four remembered, the old three not


def test_a_feature_another_live_rule_counts_is_not_counted_twice(api, investigator):
    client = api.as_(investigator)
    with clock.frozen(NOW):
        assert client.post("/api/v1/risk/rules", failed_logins_rule(mode="shadow")).status_code == 201
        send(api, [event(n, at=NOW - timedelta(minutes=4 - n)) for n in range(4)])
        twin = {**failed_logins_rule(), "key": "login-bruteforce-enforced"}
        assert client.post("/api/v1/risk/rules", twin).status_code == 201
        assert LedgerEvent.objects.filter(kind="risk.counters_backfilled").count() == 0
        send(api, [event(9, at=NOW)])
    assert sorted(RuleHit.objects.values_list("rule_version__rule__key", "features")) == [
        ("login-bruteforce", {"fails_10m": 5}), ("login-bruteforce-enforced", {"fails_10m": 5})]


def test_a_rule_re_enabled_after_being_disabled_counts_what_it_missed(api, investigator):
    from trustops.risk.rules import services as rules
    with clock.frozen(NOW - timedelta(minutes=9)):
        assert api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule()).status_code == 201
        send(api, [event(n, at=NOW - timedelta(minutes=9 - n)) for n in range(2)])
    with clock.frozen(NOW - timedelta(minutes=6)):
        rules.set_mode(actor=investigator.user, key="login-bruteforce", mode="disabled", reason="noisy")
        live.clear_cache()
        # Two more failures while the rule is off: stored, counted by nobody.
        send(api, [event(10 + n, at=NOW - timedelta(minutes=5 - n)) for n in range(2)])
    with clock.frozen(NOW - timedelta(minutes=1)):
        rules.set_mode(actor=investigator.user, key="login-bruteforce", mode="enforce", reason="tuned")
        rebuilt = LedgerEvent.objects.filter(kind="risk.counters_backfilled").latest("id").payload
        assert rebuilt["reason"] == "re-enabled" and rebuilt["events"] == 4 and rebuilt["keys"] == {"fails_10m": 1}
    with clock.frozen(NOW):
        fifth = send(api, [event(20, at=NOW)])[0]
    assert fifth["hits"] == [{"rule": "login-bruteforce", "version": 1, "mode": "enforce"}]
    assert RuleHit.objects.get().features == {"fails_10m": 5}
