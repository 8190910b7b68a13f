"""Risk outcomes reach the rest of trustops: a signal outcome is an intake signal that routes like any other;
an automatic action goes through enforcement, recorded with the rule version, and can be undone."""
from datetime import timedelta

import pytest

from tests.test_risk_rules import T0, event, send
from trustops.enforcement.models import ActionCause, ActionStatus, EnforcementAction
from trustops.intake.models import Signal
from trustops.kernel import clock
from trustops.outbox.models import OutboxMessage
from trustops.risk.models import RuleHit
from trustops.risk.rules import live


@pytest.fixture(autouse=True)
def _fresh_rules():
    live.clear_cache()
    yield
    live.clear_cache()


@pytest.fixture
def investigator(world):
    return world.person("ines", "investigator")


def rule(key, outcome, mode="enforce", on="payout_changed"):
    return {"key": key, "name": key, "on": [on], "features": [], "when": "true", "outcome": outcome, "mode": mode}


def test_a_signal_outcome_is_an_intake_signal_that_opens_a_case_above_its_threshold(api, investigator):
    client = api.as_(investigator)
    with clock.frozen(T0 + timedelta(hours=1)):
        assert client.post("/api/v1/risk/rules", rule("payout-watch", {"signal": {
            "score": 0.99, "policy": "scams.phishing"}})).status_code == 201
        assert client.post("/api/v1/risk/rules", rule("payout-shadow", {"signal": {
            "score": 0.99, "policy": "scams.phishing"}}, mode="shadow")).status_code == 201
        send(api, [event(1, kind="payout_changed", actor="u-7")])
        send(api, [event(1, kind="payout_changed", actor="u-7")])            # replayed: no second signal
    signal = Signal.objects.select_related("subject", "case").get()
    assert signal.detector == "risk:payout-watch:v1" and signal.score == 0.99
    assert signal.subject.external_id == "u-7" and signal.submitted_by_id == investigator.user.pk
    assert signal.case_id is not None                                       # 0.99 is above the policy's threshold
    hit = RuleHit.objects.get(rule_version__rule__key="payout-watch")
    assert hit.signal_id == signal.pk and hit.case_id == signal.case_id and hit.effect == "signalled"
    shadow = RuleHit.objects.get(rule_version__rule__key="payout-shadow")
    assert shadow.signal_id is None and not shadow.acted                     # shadow: recorded, nothing filed
    case = client.get(f"/api/v1/cases/{signal.case_id}")
    assert case.status_code == 200


def test_a_low_score_signal_is_stored_without_a_case_and_a_signal_without_policy_stays_unrouted(api, investigator):
    client = api.as_(investigator)
    with clock.frozen(T0 + timedelta(hours=1)):
        client.post("/api/v1/risk/rules", rule("low", {"signal": {"score": 0.01, "policy": "scams.phishing"}}))
        client.post("/api/v1/risk/rules", rule("nowhere", {"signal": {"score": 0.5}}))
        send(api, [event(1, kind="payout_changed", actor="u-8")])
    signal = Signal.objects.get()
    assert signal.case_id is None and signal.detector == "risk:low:v1"
    assert RuleHit.objects.get(rule_version__rule__key="low").case_id is None
    assert RuleHit.objects.get(rule_version__rule__key="nowhere").effect == "signal_unrouted"
    assert OutboxMessage.objects.filter(kind="risk.signal").count() == 2


def test_an_automatic_action_goes_through_enforcement_and_can_be_reversed(api, investigator, world):
    client = api.as_(investigator)
    with clock.frozen(T0 + timedelta(hours=1)):
        assert client.post("/api/v1/risk/rules", rule("restrict-on-payout", {"action": {
            "name": "restrict_live"}})).status_code == 201
        send(api, [event(1, kind="payout_changed", actor="u-9")])
        hit = RuleHit.objects.get()
        action = EnforcementAction.objects.get()
        assert hit.enforcement_action_id == action.pk and hit.effect == "action_applied"
        assert action.cause == ActionCause.AUTOMATIC and action.decision_id is None
        assert action.origin == "risk:restrict-on-payout:v1" and action.origin_ref == "ev-payout_changed-u-9-1"
        assert action.target.external_id == "u-9" and action.ends_at == clock.now() + timedelta(days=7)
        standing = client.get("/api/v1/accounts/user/u-9/standing").json()
        assert standing["status"] == "restricted"
        applied = OutboxMessage.objects.get(kind="enforcement.applied").payload
        assert applied["origin"] == "risk:restrict-on-payout:v1" and applied["actions"][0]["action"] == "restrict_live"

        reversed_ = client.post(f"/api/v1/risk/hits/{hit.pk}/reverse-action", {"reason": "false positive"})
        assert reversed_.status_code == 200, reversed_.content
        assert reversed_.json()["status"] == "reversed" and reversed_.json()["version"] == 1
        action.refresh_from_db()
        assert action.status == ActionStatus.REVERSED and action.close_reason == "false positive"
        assert client.get("/api/v1/accounts/user/u-9/standing").json()["status"] == "active"
        assert OutboxMessage.objects.filter(kind="enforcement.reversed").count() == 1
        again = client.post(f"/api/v1/risk/hits/{hit.pk}/reverse-action", {"reason": "twice"})
        assert again.status_code == 409
        assert client.post("/api/v1/risk/hits/999999/reverse-action", {"reason": "x"}).status_code == 404


def test_an_automatic_action_on_an_ownerless_item_is_refused_alone(api, investigator):
    client = api.as_(investigator)
    with clock.frozen(T0 + timedelta(hours=1)):
        client.post("/api/v1/risk/rules", rule("hold-on-upload", {"action": {"name": "hold_payouts"}}, on="upload"))
        results = send(api, [{**event(1, kind="upload"), "actor": {"type": "video", "external_id": "v-1"}},
                             event(2, kind="upload", actor="u-10")])
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    effects = dict(RuleHit.objects.values_list("subject__external_id", "effect"))
    assert effects == {"v-1": "action_refused", "u-10": "action_applied"}
    assert EnforcementAction.objects.get().target.external_id == "u-10"
