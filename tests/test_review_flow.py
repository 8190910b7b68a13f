"""The reviewer's loop: a report arrives, a reviewer claims it, decides, and the owner's standing changes."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.review import casework
from trustops.review.models import Case, Decision


@pytest.fixture
def mod(world):
    return world.moderator("mod")


def test_report_claim_decide_standing(api, world, mod):
    subject = world.subject(region="US")
    world.report(subject=subject, reason="harassment.bullying")

    claimed = ApiClient(mod.token).post("/api/v1/queues/general-us/claim")
    assert claimed.status_code == 200
    case = claimed.json()["case"]
    assert case["status"] == "in_review" and case["assignee"] == "mod"
    assert claimed.json()["lease_expires_at"]

    decided = world.decide(mod, case, verdict="violation", policy="harassment.bullying")
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert {a["action"] for a in body["enforcement"]} >= {"remove", "strike"}
    owner = subject["owner"]
    assert body["standing"]["strike_points"] == 2 and body["standing"]["status"] == "active"
    standing = api.get(f"/api/v1/accounts/creator/{owner['external_id']}/standing").json()
    assert standing["strike_points"] == 2 and len(standing["active_strikes"]) == 1
    assert api.get(f"/api/v1/cases/{case['id']}").json()["status"] == "resolved"
    assert Report.objects.get().resolved_at is not None


def test_claim_gives_highest_priority_first_then_oldest(world, mod):
    low = world.report(subject=world.subject(region="US"), reason="integrity.impersonation")
    high = world.report(subject=world.subject(region="US", reach=500_000), reason="hate.dehumanisation",
                        source="trusted_flagger")
    low_again = world.report(subject=world.subject(region="US"), reason="integrity.impersonation")
    assert Case.objects.get(pk=low["case_id"]).priority == Case.objects.get(pk=low_again["case_id"]).priority
    claimed = [world.claim(mod, "general-us")["id"] for _ in range(3)]
    assert claimed == [high["case_id"], low["case_id"], low_again["case_id"]]


def test_nothing_to_claim_is_204(world, mod):
    assert ApiClient(mod.token).post("/api/v1/queues/general-us/claim").status_code == 204


def test_a_skipped_case_is_not_offered_again_to_the_same_reviewer(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    assert ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/release", {"skip": True}).status_code == 200
    assert ApiClient(mod.token).post("/api/v1/queues/general-us/claim").status_code == 204
    other = world.moderator("mod2")
    assert world.claim(other, "general-us")["id"] == case["id"]


def test_a_released_case_goes_back_to_the_queue(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/release")
    assert world.claim(mod, "general-us")["id"] == case["id"]


def test_a_stale_version_is_refused_with_409(world, mod):
    subject = world.subject(region="US")
    world.report(subject=subject)
    case = world.claim(mod, "general-us")
    world.report(subject=subject)                       # a new report changes the case meanwhile
    response = world.decide(mod, case, verdict="violation", policy="harassment.bullying")
    assert response.status_code == 409 and response.json()["error"]["code"] == "stale_case"
    assert not Decision.objects.exists()


def test_only_the_lease_holder_may_decide(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    intruder = world.moderator("intruder")
    response = world.decide(intruder, case, verdict="no_violation")
    assert response.status_code == 409 and response.json()["error"]["code"] == "lease_lost"


def test_lease_expiry_returns_the_case_to_its_queue(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    with clock.frozen(clock.now() + timedelta(minutes=11)):
        assert casework.expire_leases() == 1
        late = world.decide(mod, case, verdict="no_violation")
        assert late.status_code == 409 and late.json()["error"]["code"] == "lease_lost"
    assert Case.objects.get(pk=case["id"]).status == "open"
    assert world.claim(world.moderator("next"), "general-us")["id"] == case["id"]


def test_renewing_extends_the_lease(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    before = Case.objects.get(pk=case["id"]).lease_expires_at
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        assert ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/renew").status_code == 200
    assert Case.objects.get(pk=case["id"]).lease_expires_at > before


@pytest.mark.parametrize("body, code", [
    ({"verdict": "violation", "policy": "harassment.bullying", "actions": ["ban"]}, "action_not_allowed"),
    ({"verdict": "violation", "policy": "no.such"}, "unknown_policy"),
    ({"verdict": "violation"}, "missing_policy"),
    ({"verdict": "violation", "policy": "harassment.bullying", "rationale": "  "}, "missing_rationale"),
    ({"verdict": "no_violation", "actions": ["remove"]}, "actions_without_violation"),
    ({"verdict": "upheld"}, "invalid_verdict"),
])
def test_invalid_decisions_are_422_and_change_nothing(world, mod, body, code):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    response = world.decide(mod, case, **body)
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert not Decision.objects.exists() and Case.objects.get(pk=case["id"]).status == "in_review"


def test_a_decision_without_rationale_field_is_422(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    response = ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/decision",
                                         {"version": case["version"], "verdict": "no_violation"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "rationale"


def test_no_violation_resolves_without_enforcement(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    body = world.decide(mod, case, verdict="no_violation", rationale="Banter between friends.").json()
    assert body["enforcement"] == [] and body["standing"]["status"] == "active"


def test_three_violations_cross_the_threshold_to_a_suspension(api, world, mod):
    owner = {"type": "creator", "external_id": "repeat-offender"}
    for _ in range(3):
        world.report(subject={**world.subject(region="US"), "owner": owner}, reason="harassment.bullying")
    outcomes = [world.violation(mod, "general-us", "harassment.bullying") for _ in range(3)]
    assert [o["standing"]["status"] for o in outcomes] == ["active", "restricted", "suspended"]
    ladder = [a for a in outcomes[2]["enforcement"] if a["cause"] == "ladder"]
    assert [a["action"] for a in ladder] == ["suspend"] and ladder[0]["ends_at"]
    standing = api.get("/api/v1/accounts/creator/repeat-offender/standing").json()
    assert standing["status"] == "suspended" and standing["strike_points"] == 6


def test_zero_tolerance_bans_at_once(api, world):
    subject = world.subject(region="US")
    world.report(subject=subject, reason="minor_safety.grooming")
    specialist = world.moderator("cs-specialist")
    outcome = world.violation(specialist, "child-safety", "minor_safety.grooming", actions=["remove"])
    assert outcome["standing"]["status"] == "banned"
    assert any(a["action"] == "ban" and a["cause"] == "zero_tolerance" for a in outcome["enforcement"])


def test_timed_restrictions_end_by_themselves(api, world, mod):
    from trustops.enforcement.services import penalties
    owner = {"type": "creator", "external_id": "short-lived"}
    for _ in range(2):
        world.report(subject={**world.subject(region="US"), "owner": owner}, reason="harassment.doxxing")
    world.violation(mod, "general-us", "harassment.doxxing")
    world.violation(mod, "general-us", "harassment.doxxing")      # 6 points: suspended for 7 days
    assert api.get("/api/v1/accounts/creator/short-lived/standing").json()["status"] == "suspended"
    with clock.frozen(clock.now() + timedelta(days=8)):
        assert penalties.end_expired_actions() >= 1
        assert api.get("/api/v1/accounts/creator/short-lived/standing").json()["status"] == "active"


def test_escalation_moves_the_case_to_a_higher_tier(api, world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    response = ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/escalate",
                                         {"to_queue": "policy-specialists", "reason": "Satire or not?"})
    assert response.status_code == 200
    moved = api.get(f"/api/v1/cases/{case['id']}").json()
    assert moved["queue"] == "policy-specialists" and moved["status"] == "open" and moved["assignee"] is None
    sideways = world.claim(mod, "policy-specialists")
    bad = ApiClient(mod.token).post(f"/api/v1/cases/{sideways['id']}/escalate",
                                    {"to_queue": "general-intl", "reason": "wrong way"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "not_higher_tier"


def test_bulk_decision_previews_then_applies_each_case(api, world):
    lead = world.person("lead", "team_lead", team="Trust Ops In-house")
    owner = {"type": "creator", "external_id": "spam-ring"}
    for _ in range(4):
        world.report(subject={**world.subject(region="US"), "owner": owner}, reason="integrity.spam")
    world.report(subject=world.subject(region="US"), reason="integrity.spam")      # someone else
    body = {"selection": {"owner": owner}, "verdict": "violation", "policy": "integrity.spam",
            "actions": ["remove"], "rationale": "Coordinated spam campaign.", "max_cases": 10}

    preview = ApiClient(lead.token).post("/api/v1/bulk-decisions", body).json()
    assert preview["dry_run"] is True and preview["matched"] == 4 and not Decision.objects.exists()
    applied = ApiClient(lead.token).post("/api/v1/bulk-decisions", {**body, "dry_run": False}).json()
    assert len(applied["decisions"]) == 4
    assert Decision.objects.filter(bulk_operation=applied["operation"]).count() == 4
    assert Case.objects.filter(status="open").count() == 1


def test_bulk_decision_refuses_moderators_and_overflowing_selections(world, mod):
    for _ in range(3):
        world.report(subject=world.subject(region="US"), reason="integrity.spam")
    body = {"selection": {"queue": "integrity"}, "verdict": "violation", "policy": "integrity.spam",
            "rationale": "spam", "max_cases": 2}
    assert ApiClient(mod.token).post("/api/v1/bulk-decisions", body).status_code == 403
    lead = world.person("lead", "team_lead", team="Trust Ops In-house")
    response = ApiClient(lead.token).post("/api/v1/bulk-decisions", body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_many_cases"


def test_renewing_does_not_make_the_reviewers_form_stale(world, mod):
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    ApiClient(mod.token).post(f"/api/v1/cases/{case['id']}/renew")
    assert world.decide(mod, case, verdict="no_violation").status_code == 200
