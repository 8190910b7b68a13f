"""The policy taxonomy: versioned, hierarchical, loaded from a file, served by the API."""
import json

import pytest
from django.core.management import CommandError, call_command

from trustops.kernel.errors import Invalid
from trustops.policies import services
from trustops.policies.models import Policy, PolicyVersion


def test_the_default_taxonomy_covers_short_video_live_and_local_services(api):
    policies = {p["code"]: p for p in api.get("/api/v1/policies").json()}
    assert {"minor_safety.grooming", "live.gift_begging", "merchant.fraud.fake_listing"} <= set(policies)
    grooming = policies["minor_safety.grooming"]
    assert grooming["zero_tolerance"] is True and grooming["severity"] == 5
    assert grooming["dsa_category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    # children inherit what they do not set from their parent
    assert policies["merchant.fraud.fake_listing"]["dsa_category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"


def test_revising_a_policy_makes_a_new_version_and_keeps_the_old(api, world):
    report = world.report(reason="harassment.bullying")
    old = PolicyVersion.objects.get(policy__code="harassment.bullying")
    services.revise_policy(code="harassment.bullying", changes={"guidance": "Sharper guidance."}, note="clarity")

    versions = list(PolicyVersion.objects.filter(policy__code="harassment.bullying").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    served = {p["code"]: p for p in api.get("/api/v1/policies").json()}["harassment.bullying"]
    assert served["version"] == 2 and served["guidance"] == "Sharper guidance."
    from trustops.intake.models import Report
    assert Report.objects.get(pk=report["report_id"]).policy_version_id == old.pk


def test_reloading_the_same_file_changes_nothing(platform):
    result = services.load_taxonomy_file(services.DEFAULT_FILE)
    assert result["created"] == result["versioned"] == result["retired"] == 0


def test_loading_a_file_versions_changed_policies_and_retires_missing_ones(platform, tmp_path):
    document = json.loads(services.DEFAULT_FILE.read_text())
    document["policies"] = [p for p in document["policies"] if not p["code"].startswith("live")]
    document["ladders"] = [ladder for ladder in document["ladders"] if ladder["family"] != "live"]
    next(p for p in document["policies"] if p["code"] == "hate.slurs")["severity"] = 4
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(document))

    result = services.load_taxonomy_file(path)
    assert result["versioned"] == 1 and result["retired"] == 4
    assert Policy.objects.get(code="live.gift_begging").current_version.active is False


def test_retired_policies_cannot_be_reported(api, world, tmp_path):
    services.revise_policy(code="live.gift_begging", changes={"active": False})
    response = api.post("/api/v1/reports", world.report_body(reason="live.gift_begging"))
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_policy"


@pytest.mark.parametrize("bad, code", [
    ({"code": "Bad Code", "severity": 1, "dsa_category": "STATEMENT_CATEGORY_VIOLENCE"}, "invalid_policy_code"),
    ({"code": "x", "severity": 9, "dsa_category": "STATEMENT_CATEGORY_VIOLENCE"}, "invalid_severity"),
    ({"code": "x", "severity": 2, "dsa_category": "NOPE"}, "unknown_dsa_category"),
    ({"code": "x", "severity": 2, "dsa_category": "STATEMENT_CATEGORY_VIOLENCE", "allowed_actions": ["explode"]},
     "unknown_action"),
    ({"code": "orphan.child", "severity": 2, "dsa_category": "STATEMENT_CATEGORY_VIOLENCE"}, "missing_parent"),
])
def test_invalid_taxonomies_are_refused_whole(db, bad, code):
    with pytest.raises(Invalid) as caught:
        services.load_taxonomy({"policies": [{"code": "fine", "severity": 1,
                                              "dsa_category": "STATEMENT_CATEGORY_VIOLENCE"}, bad]})
    assert caught.value.code == code
    assert not Policy.objects.exists()


def test_the_loadpolicies_command(db, capsys, tmp_path):
    call_command("loadpolicies")
    assert "created 55" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    with pytest.raises(CommandError, match="unreadable_taxonomy"):
        call_command("loadpolicies", str(broken))


def test_the_default_file_ships_penalty_ladders(platform):
    from trustops.policies.selectors import ladder_for
    assert ladder_for("live.gift_begging").family == "live"
    assert ladder_for("hate.slurs").family == "*"
    steps = ladder_for("harassment.bullying").steps
    assert [s["action"] for s in steps] == ["warn", "restrict_commenting", "suspend", "ban"]


@pytest.mark.parametrize("ladder, code", [
    ({"family": "nope", "steps": []}, "unknown_family"),
    ({"family": "*", "steps": [{"at": 0, "action": "ban"}]}, "invalid_ladder"),
    ({"family": "*", "steps": [{"at": 2, "action": "remove"}]}, "invalid_ladder"),
    ({"family": "*", "severity_points": {"9": 1}, "steps": []}, "invalid_ladder"),
])
def test_invalid_ladders_are_refused(db, ladder, code):
    with pytest.raises(Invalid) as caught:
        services.load_taxonomy({"policies": [{"code": "fine", "severity": 1,
                                              "dsa_category": "STATEMENT_CATEGORY_VIOLENCE"}], "ladders": [ladder]})
    assert caught.value.code == code
