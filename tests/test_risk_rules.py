"""Risk rules: events in, windowed features, enforce and shadow, the lifecycle, feedback."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.risk.events import services as ingestion
from trustops.risk.features import counters
from trustops.risk.models import Event, Label, RuleHit, RuleVersion
from trustops.risk.rules import live
from trustops.subjects.models import Subject

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_rules():
    live.clear_cache()
    yield
    live.clear_cache()


@pytest.fixture
def investigator(world):
    return world.person("ines", "investigator")


def failed_logins_rule(mode="enforce", **extra):
    return {"key": "login-bruteforce", "name": "Brute-force logins", "on": ["login_failed"],
            "features": [{"name": "fails_10m", "kind": "count", "event": "login_failed", "by": "actor",
                          "window_seconds": 600}],
            "when": "features.fails_10m >= 5", "outcome": {"open_case": {"queue": "integrity",
                                                                         "policy": "scams.phishing"}},
            "mode": mode, **extra}


def event(n, kind="login_failed", actor="u-1", at=None, **attributes):
    return {"id": f"ev-{kind}-{actor}-{n}", "kind": kind, "occurred_at": (at or T0 + timedelta(minutes=n)).isoformat(),
            "actor": {"type": "user", "external_id": actor}, "attributes": attributes}


def send(api, events):
    response = api.post("/api/v1/events/batch", {"events": events})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_five_failed_logins_in_ten_minutes_open_one_case_the_fourth_does_not(api, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        assert api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule()).status_code == 201
        four = send(api, [event(n) for n in range(4)])
        assert [r["status"] for r in four] == ["accepted"] * 4 and all(r["hits"] == [] for r in four)
        assert not RuleHit.objects.exists()
        fifth = send(api, [event(4)])[0]
        assert fifth["hits"] == [{"rule": "login-bruteforce", "version": 1, "mode": "enforce"}]
        sixth = send(api, [event(5)])[0]
        assert sixth["hits"]
        hits = list(RuleHit.objects.order_by("id"))
        assert len(hits) == 2 and hits[0].case_id and hits[0].case_id == hits[1].case_id
        assert hits[0].features == {"fails_10m": 5} and "case_opened" in hits[0].effect
        assert "deduplicated" in hits[1].effect
        case = api.as_(investigator).get(f"/api/v1/cases/{hits[0].case_id}").json()
        assert case["queue"]["key"] if isinstance(case.get("queue"), dict) else case["queue"] == "integrity"
        # Another actor's fails are counted apart; old fails leave the window.
        late = send(api, [event(30, actor="u-2")] + [event(n, actor="u-1") for n in range(40, 44)])
        assert all(r["hits"] == [] for r in late)


def test_the_same_event_replayed_counts_once(api, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule())
        batch = [event(n) for n in range(4)]
        send(api, batch)
        again = send(api, batch + [batch[0]])
        assert [r["status"] for r in again] == ["duplicate"] * 5
        assert Event.objects.count() == 4
        assert send(api, [event(4)])[0]["hits"]   # the fifth distinct event, not the eighth


def test_a_shadow_rule_records_hits_and_opens_nothing(api, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule(mode="shadow"))
        results = send(api, [event(n) for n in range(6)])
        assert results[4]["hits"] == [{"rule": "login-bruteforce", "version": 1, "mode": "shadow"}]
        hits = RuleHit.objects.all()
        assert hits.count() == 2 and not hits.filter(case__isnull=False).exists()
        assert not hits.filter(acted=True).exists()
        body = api.as_(investigator).get("/api/v1/risk/rules/login-bruteforce/hits").json()
        assert len(body["hits"]) == 2 and body["hits"][0]["features"] == {"fails_10m": 6}


def test_bad_events_fail_alone(api, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        good = event(1)
        no_id = {k: v for k, v in event(2).items() if k != "id"}
        no_kind = {k: v for k, v in event(3).items() if k != "kind"}
        future = event(4, at=T0 + timedelta(days=3))
        big = event(5, blob="x" * 9000)
        results = send(api, [good, no_id, no_kind, future, big])
        assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 4
        assert results[1]["error"]["field"] == "id" and results[2]["error"]["field"] == "kind"
        assert results[3]["error"]["code"] == "occurred_in_future"
        assert results[4]["error"]["code"] == "attributes_too_large"
        assert Event.objects.count() == 1
        too_many = api.post("/api/v1/events/batch", {"events": [event(n) for n in range(1001)]})
        assert too_many.status_code == 413


@pytest.mark.parametrize("change, field, words", [
    ({"when": "features.fails_10m >= "}, "when", "line 1, column"),
    ({"when": "features.fails_1h >= 5"}, "when", "features.fails_1h at line 1, column 1"),
    ({"when": "actor.shoe_size > 3"}, "when", "actor.shoe_size"),
    ({"when": "secrets.x"}, "when", "'secrets'"),
    ({"when": "[1,2].all(x, [3].exists(y, [4].map(z, z).all(w, [5].filter(v, v > 0).size() > 0)))"}, "when",
     "comprehensions"),
    ({"features": [{"name": "f", "kind": "count", "by": "actor", "window_seconds": 0}], "when": "features.f > 1"},
     "features.0.window_seconds", "window_seconds"),
    ({"outcome": {"action": {"name": "delete_account"}}}, "outcome.action", "not an automatic action"),
    ({"outcome": {"open_case": {"queue": "nowhere", "policy": "scams.phishing"}}}, "outcome.open_case.queue", ""),
])
def test_a_bad_rule_is_a_422_that_says_where(api, investigator, change, field, words):
    response = api.as_(investigator).post("/api/v1/risk/rules", {**failed_logins_rule(), **change})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]
    assert not RuleVersion.objects.exists()


def test_a_published_version_is_immutable_and_a_change_is_a_new_version(api, investigator):
    client = api.as_(investigator)
    client.post("/api/v1/risk/rules", failed_logins_rule())
    second = client.post("/api/v1/risk/rules", {**failed_logins_rule(), "when": "features.fails_10m >= 8"})
    assert second.status_code == 201 and second.json()["version"] == 2
    first = RuleVersion.objects.get(version=1)
    assert first.status == "retired" and first.when == "features.fails_10m >= 5"
    draft = client.post("/api/v1/risk/rules", {**failed_logins_rule(), "publish": False})
    assert draft.json()["status"] == "draft"
    assert client.post("/api/v1/risk/rules/login-bruteforce/versions/3/publish", {"mode": "shadow"}).status_code == 200
    again = client.post("/api/v1/risk/rules/login-bruteforce/versions/3/publish", {"mode": "enforce"})
    assert again.status_code == 409


def test_labels_are_read_by_later_rules(api, investigator):
    client = api.as_(investigator)
    with clock.frozen(T0 + timedelta(hours=1)):
        client.post("/api/v1/risk/rules", {**failed_logins_rule(), "key": "mark",
                                           "outcome": {"label": {"name": "suspected_ato", "ttl_seconds": 3600}}})
        client.post("/api/v1/risk/rules", {"key": "payout-after-ato", "name": "Payout change after takeover",
                                           "on": ["payout_changed"], "features": [],
                                           "when": "'suspected_ato' in actor.labels",
                                           "outcome": {"signal": {"score": 0.9}}, "mode": "enforce"})
        results = send(api, [event(n) for n in range(5)] + [event(6, kind="payout_changed")])
        assert results[-1]["hits"] == [{"rule": "payout-after-ato", "version": 1, "mode": "enforce"}]
        assert Label.objects.filter(name="suspected_ato").count() == 1


def test_validate_dry_runs_on_the_last_stored_events(api, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        send(api, [event(n) for n in range(7)])
        body = {k: failed_logins_rule()[k] for k in ("on", "features", "when", "outcome")}
        response = api.as_(investigator).post("/api/v1/risk/rules/validate", body)
        assert response.status_code == 200, response.content
        dry = response.json()["dry_run"]
        assert dry["events"] == 7 and dry["hits"] == 3 and dry["errors"] == 0


def test_the_circuit_breaker_stops_an_automatic_action_that_jumps_above_its_baseline(api, investigator):
    from trustops.identity.models import Notification
    from trustops.outbox.models import OutboxMessage
    from trustops.risk.models import BreakerTrip
    with clock.frozen(T0 + timedelta(hours=1)):
        created = api.as_(investigator).post("/api/v1/risk/rules", {
            "key": "hold-on-payout-change", "name": "Hold payouts on a payout change", "on": ["payout_changed"],
            "features": [], "when": "true", "outcome": {"action": {"name": "hold_payouts"}}, "mode": "enforce"})
        assert created.status_code == 201, created.content
        send(api, [event(n, kind="payout_changed", actor=f"m-{n}") for n in range(25)])
        effects = list(RuleHit.objects.order_by("occurred_at").values_list("effect", flat=True))
        assert effects == ["action_applied"] * 19 + ["action_stopped"] * 6
        assert OutboxMessage.objects.filter(kind="enforcement.applied").count() == 19
        assert BreakerTrip.objects.get().action == "hold_payouts"
        assert Notification.objects.filter(kind="risk.breaker", recipient_id=investigator.user.pk).exists()
        reset = api.as_(investigator).post("/api/v1/risk/breakers/reset", {"action": "hold_payouts"})
        assert reset.status_code == 200
        assert api.as_(investigator).post("/api/v1/risk/breakers/reset", {"action": "hold_payouts"}).status_code == 404


# ---- what a batch writes: its new subjects, its hits and the ledger entries of both, exactly -----------------

THREE = "features.fails_10m >= 3"


def failed_login(n, actor, target=None):
    body = {"id": f"ev-{n}", "kind": "login_failed", "occurred_at": (T0 + timedelta(seconds=n)).isoformat(),
            "actor": {"type": "user", "external_id": actor}, "attributes": {"n": n, "city": "Zürich"}}
    if target:
        body["target"] = {"type": "video", "external_id": target}
    return body


def publish(api, author, body):
    assert api.as_(author).post("/api/v1/risk/rules", body).status_code == 201


def written_after(mark: int) -> list[tuple]:
    return [(e.kind, e.actor_name, e.subject_id, e.case_id, e.payload)
            for e in LedgerEvent.objects.filter(pk__gt=mark).order_by("pk")]


def last_id() -> int:
    return LedgerEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def subject_id(subject_type, external_id) -> int:
    return Subject.objects.get(type=subject_type, external_id=external_id).pk


def created(subject_type, external_id, actor) -> tuple:
    return ("subject.created", actor, subject_id(subject_type, external_id), None,
            {"type": subject_type, "external_id": external_id, "region": "US", "owner_id": None})


def test_a_batch_writes_its_new_subjects_hits_and_receipt_to_the_ledger_in_that_order(api, world, investigator):
    integration = world.integration.get_username()
    with clock.frozen(T0 + timedelta(hours=1)):
        publish(api, investigator, failed_logins_rule(mode="shadow", when=THREE))
        send(api, [failed_login(0, "u-known")])
        mark = last_id()
        results = send(api, [failed_login(1, "u-b", target="v-2"), failed_login(2, "u-a"), failed_login(3, "u-known"),
                             failed_login(4, "u-known"), failed_login(5, "u-b", target="v-1"), failed_login(6, "u-b")])
    hit = {"rule": "login-bruteforce", "version": 1, "mode": "shadow"}
    assert [r["hits"] for r in results] == [[], [], [], [hit], [], [hit]]
    # New subjects in key order, as created; the known one not again.
    expected = [created("user", "u-a", integration), created("user", "u-b", integration),
                created("video", "v-1", integration), created("video", "v-2", integration)]
    for n, actor in ((4, "u-known"), (6, "u-b")):
        expected.append(("risk.rule_hit", integration, subject_id("user", actor), None, {
            "rule": "login-bruteforce", "version": 1, "mode": "shadow", "event_id": f"ev-{n}", "effect": "",
            "features": {"fails_10m": 3}}))
    expected.append(("risk.events_received", integration, None, None, {"count": 6, "source": "api", "hits": 2}))
    assert written_after(mark) == expected
    stored = {e.event_id: e for e in Event.objects.all()}
    assert stored["ev-5"].target_id == subject_id("video", "v-1")
    assert stored["ev-1"].attributes == {"n": 1, "city": "Zürich"}
    hits = list(RuleHit.objects.order_by("pk").values_list("event__event_id", "subject_id", "mode", "features",
                                                          "acted", "effect", "case_id"))
    assert hits == [("ev-4", subject_id("user", "u-known"), "shadow", {"fails_10m": 3}, False, "", None),
                    ("ev-6", subject_id("user", "u-b"), "shadow", {"fails_10m": 3}, False, "", None)]
    new = Subject.objects.get(type="user", external_id="u-a")
    assert (new.region, new.language, new.reach, new.attributes, new.owner_id, new.first_seen_at) == (
        "US", "", 0, {}, None, T0 + timedelta(hours=1))


def test_the_stream_records_new_subjects_as_the_system_and_the_rest_as_risk(api, world, investigator):
    with clock.frozen(T0 + timedelta(hours=1)):
        publish(api, investigator, failed_logins_rule(mode="shadow", when=THREE))
        mark = last_id()
        results = ingestion.ingest([failed_login(n, "u-s") for n in range(3)], source="stream",
                                   store=counters.DatabaseCounters())
    assert [r.status for r in results] == ["accepted"] * 3
    assert written_after(mark) == [
        created("user", "u-s", "system"),
        ("risk.rule_hit", "risk", subject_id("user", "u-s"), None, {
            "rule": "login-bruteforce", "version": 1, "mode": "shadow", "event_id": "ev-2", "effect": "",
            "features": {"fails_10m": 3}}),
        ("risk.events_received", "risk", None, None, {"count": 3, "source": "stream", "hits": 1})]


def test_an_enforce_hit_records_its_subjects_first_then_what_it_did_then_the_hit(api, world, investigator):
    integration = world.integration.get_username()
    with clock.frozen(T0 + timedelta(hours=1)):
        publish(api, investigator, failed_logins_rule(when=THREE))
        mark = last_id()
        send(api, [failed_login(n, "u-e") for n in range(3)])
    written = written_after(mark)
    assert written[0] == created("user", "u-e", integration)
    hit = RuleHit.objects.get()
    assert hit.case_id and "case_opened" in hit.effect and hit.acted
    assert written[-2] == ("risk.rule_hit", integration, subject_id("user", "u-e"), hit.case_id, {
        "rule": "login-bruteforce", "version": 1, "mode": "enforce", "event_id": "ev-2", "effect": hit.effect,
        "features": {"fails_10m": 3}})
    assert written[-1] == ("risk.events_received", integration, None, None,
                           {"count": 3, "source": "api", "hits": 1})
    # What opening the case recorded lies between the two.
    assert len(written) > 3 and all(kind not in ("subject.created", "risk.rule_hit") for kind, *_ in written[1:-2])


def test_in_a_batch_of_events_unstorable_ones_fail_alone_and_the_good_ones_are_stored(api):
    good = [failed_login(n, "u-1") for n in range(2)]
    nul = dict(failed_login(2, "u-1"), attributes={"city": "bad\x00"})
    big = dict(failed_login(3, "u-1"), attributes={"n": 2 ** 70})
    items = ",".join(json.dumps(item) for item in (good[0], nul, big, good[1]))
    nan = ('{"id": "ev-nan", "kind": "login_failed", "occurred_at": "2026-11-20T12:00:05+00:00", '
           '"actor": {"type": "user", "external_id": "u-1"}, "attributes": {"x": NaN}}')
    with clock.frozen(T0 + timedelta(hours=1)):
        response = api.post("/api/v1/events/batch", raw=f'{{"events": [{items}, {nan}]}}')
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["status"], r.get("error", {}).get("field")) for r in results] == [
        ("accepted", None), ("rejected", "attributes.city"), ("rejected", "attributes.n"), ("accepted", None),
        ("rejected", "attributes.x")]
    assert sorted(Event.objects.values_list("event_id", flat=True)) == ["ev-0", "ev-1"]
