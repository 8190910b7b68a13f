"""Every state change is in the ledger, and `trustops ledger verify` catches any edit or deletion."""
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trustops import cli
from trustops.kernel.canonical import canonical_json, stored_json
from trustops.kernel.errors import Invalid
from trustops.ledger import hashing, services, verification
from trustops.ledger.models import LedgerBlock, LedgerEvent


def _seal():
    return services.seal_all(horizon_seconds=0)


def test_intake_writes_the_story_of_a_case(api, world):
    subject = world.subject(region="US")
    first = world.report(subject=subject)
    world.report(subject=subject)
    kinds = [e.kind for e in LedgerEvent.objects.filter(case_id=first["case_id"]).order_by("id")]
    assert kinds == ["case.opened", "report.received", "report.received"]
    assert LedgerEvent.objects.filter(kind="subject.created").count() == 2   # the video and its owner


def test_the_subject_timeline_is_served_newest_first_with_paging(api, world):
    subject = world.subject(region="US")
    for _ in range(3):
        world.report(subject=subject)
    page = api.get(f"/api/v1/subjects/video/{subject['external_id']}/events", limit=2).json()
    assert [e["kind"] for e in page["events"]] == ["report.received", "report.received"]
    rest = api.get(f"/api/v1/subjects/video/{subject['external_id']}/events", cursor=page["next_cursor"]).json()
    assert [e["kind"] for e in rest["events"]] == ["report.received", "case.opened", "subject.created"]
    assert rest["next_cursor"] is None


def test_an_untouched_ledger_verifies(world):
    world.report()
    _seal()
    world.report()                     # one more, not yet sealed
    report = verification.verify()
    assert report.ok and report.blocks_checked == 1 and report.unsealed > 0


def test_sealing_chains_blocks(world):
    world.report()
    _seal()
    world.report()
    _seal()
    first, second = LedgerBlock.objects.order_by("number")
    assert second.previous_hash == first.block_hash
    assert first.previous_hash == hashing.GENESIS


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_an_edited_event(world):
    world.report()
    _seal()
    victim = LedgerEvent.objects.filter(kind="report.received").get()
    _execute("UPDATE ledger_ledgerevent SET payload = %s WHERE id = %s", ['{"reason": "forged"}', victim.id])

    named = rf"event {victim.id} \(report.received\) in block 1: content does not match its hash"
    with pytest.raises(CommandError, match=named):
        call_command("ledger", "verify")


def test_verify_names_an_edited_unsealed_event(world):
    world.report()
    victim = LedgerEvent.objects.filter(kind="case.opened").get()
    _execute("UPDATE ledger_ledgerevent SET actor_name = %s WHERE id = %s", ["someone-else", victim.id])
    report = verification.verify()
    assert not report.ok and report.finding.event_id == victim.id


def test_verify_names_a_deleted_event(world):
    world.report()
    world.report()
    _seal()
    victim = LedgerEvent.objects.order_by("id")[2]
    _execute("DELETE FROM ledger_ledgerevent WHERE id = %s", [victim.id])

    report = verification.verify()
    assert not report.ok
    assert report.finding.event_id == victim.id and "missing" in report.finding.problem


def test_verify_catches_an_edit_that_also_rewrote_the_hash(world):
    world.report()
    _seal()
    victim = LedgerEvent.objects.filter(kind="report.received").get()
    forged_payload = {**victim.payload, "source": "authority"}
    forged_hash = hashing.content_hash(occurred_at=victim.occurred_at, kind=victim.kind, actor_id=victim.actor_id,
                                       actor_name=victim.actor_name, subject_id=victim.subject_id,
                                       case_id=victim.case_id, payload=forged_payload)
    LedgerEvent.objects.filter(pk=victim.pk).update(payload=forged_payload, content_hash=forged_hash)

    report = verification.verify()
    assert not report.ok and "Merkle root" in report.finding.problem


def test_verify_catches_a_rewritten_block(world):
    world.report()
    _seal()
    LedgerBlock.objects.update(event_count=1)
    assert not verification.verify().ok


def test_verify_command_succeeds_on_a_clean_ledger(world, capsys):
    world.report()
    call_command("ledger", "seal", "--horizon", "0")
    call_command("ledger", "verify")
    assert "ledger OK" in capsys.readouterr().out


def test_ranges_round_trip():
    ids = [1, 2, 3, 5, 8, 9, 10, 42]
    assert hashing.ids_to_ranges(ids) == "1-3,5,8-10,42"
    assert hashing.ranges_to_ids("1-3,5,8-10,42") == ids


def test_merkle_root_depends_on_every_leaf_and_its_order():
    leaves = [hashing.leaf(i, "a" * 64) for i in range(1, 6)]
    root = hashing.merkle_root(leaves)
    assert hashing.merkle_root(leaves[:4]) != root
    assert hashing.merkle_root(list(reversed(leaves))) != root
    assert hashing.merkle_root(leaves) == root


# One value cannot break the ledger: what is hashed is what is stored is what is read back.

def test_a_signal_scored_minus_zero_keeps_the_ledger_verifiable(api, world):
    # A valid score (-0.0 >= 0); PostgreSQL gives it back as 0.0, which once hashed differently from "-0.0".
    body = {"detector": "spam-classifier-v3", "score": -0.0, "policy": "integrity.spam", "subject": world.subject()}
    assert api.post("/api/v1/signals", body).status_code == 201
    event = LedgerEvent.objects.get(kind="signal.received")
    assert stored_json(event.payload["score"]) == "0"
    _seal()
    report = verification.verify()
    assert report.ok, report.findings


def test_the_payload_stored_is_the_normalised_one(db):
    at = datetime(2025, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    payload = {"whole": 1.0, "zero": -0.0, "tiny": 1e-07, "huge": 1e300, "big": 2**64, "name": "Rene\u0301",
               "nul": "a\x00b", "at": at, "amount": Decimal("12.50"), 7: (1, 2)}
    services.record("test.normalised", payload=payload)
    services.record_many([services.Entry("test.normalised", payload)])
    expected = {"whole": 1, "zero": 0, "tiny": 1e-07, "huge": str(int(1e300)), "big": str(2**64),
                "name": "Ren\u00e9", "nul": "a\ufffdb", "at": "2025-03-01T12:00:00.000000+00:00",
                "amount": "12.5", "7": [1, 2]}
    for event in LedgerEvent.objects.filter(kind="test.normalised"):
        # Compared as text: in Python 1 == 1.0, and the hash is of the text.
        assert stored_json(event.payload) == canonical_json(expected)
    _seal()
    assert verification.verify().ok


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_and_nothing_is_written(db, number):
    with pytest.raises(Invalid):
        services.record("test.refused", payload={"score": number})
    with pytest.raises(Invalid):
        services.record_many([services.Entry("test.fine", {"score": 0.5}), services.Entry("test.refused",
                                                                                          {"x": [number]})])
    assert not LedgerEvent.objects.exists()


def test_an_event_stored_before_normalisation_still_verifies(db):
    # Written by an earlier version, which hashed the payload as sent: {"score":1.0}.
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    old_hash = hashing.content_hasher(at, None, "system")("signal.received", None, None, '{"score":1.0}')
    LedgerEvent.objects.create(occurred_at=at, kind="signal.received", actor_name="system", payload={"score": 1.0},
                               content_hash=old_hash)
    _seal()
    assert verification.verify().ok


# Verification reports every problem, and can hold the ledger to a head saved elsewhere.

def test_verify_reports_every_tampered_event_and_exits_non_zero(world, capsys):
    world.report()
    world.report()
    _seal()
    world.report()                                   # these stay unsealed
    sealed = list(LedgerEvent.objects.filter(block__isnull=False, kind="report.received").order_by("id"))
    unsealed = LedgerEvent.objects.filter(block__isnull=True, kind="report.received").get()
    for victim in [*sealed, unsealed]:
        _execute("UPDATE ledger_ledgerevent SET payload = %s WHERE id = %s", ['{"reason": "forged"}', victim.id])

    report = verification.verify()
    assert [(f.event_id, f.kind) for f in report.findings] == [(e.id, "report.received") for e in [*sealed, unsealed]]
    with pytest.raises(SystemExit) as exit:
        cli.main(["ledger", "verify"])
    assert exit.value.code != 0
    printed = capsys.readouterr().err
    assert "3 problem(s)" in printed
    for victim in [*sealed, unsealed]:
        assert f"event {victim.id} (report.received)" in printed


def test_verify_caps_what_it_prints(world):
    for _ in range(3):
        world.report()
    events = list(LedgerEvent.objects.order_by("id"))
    _execute("UPDATE ledger_ledgerevent SET actor_name = %s", ["someone-else"])

    with pytest.raises(CommandError) as failed:
        call_command("ledger", "verify", "--limit", "2")
    lines = str(failed.value).splitlines()
    assert lines[0] == f"ledger verification FAILED: {len(events)} problem(s)"
    assert lines[1:] == [f"  event {e.id} ({e.kind}): content does not match its hash (edited)" for e in events[:2]]\
        + [f"  ... and {len(events) - 2} more"]


def _save_head(tmp_path, capsys):
    capsys.readouterr()
    call_command("ledger", "head")
    path = tmp_path / "head.json"
    path.write_text(capsys.readouterr().out)
    return path


def test_a_saved_head_that_the_ledger_still_holds_verifies(world, tmp_path, capsys):
    world.report()
    _seal()
    world.report()
    _seal()
    world.report()                                   # the head names an unsealed last event too
    path = _save_head(tmp_path, capsys)
    saved = json.loads(path.read_text())
    last = LedgerEvent.objects.latest("id")
    assert saved == {"block": 2, "block_hash": LedgerBlock.objects.get(number=2).block_hash,
                     "event_id": last.id, "event_hash": last.content_hash}
    world.report()                                   # the ledger grows past the head: still fine
    _seal()
    call_command("ledger", "verify", "--head", str(path))
    assert "holds the head at block 2" in capsys.readouterr().out


def test_a_truncated_ledger_fails_against_its_saved_head(world, tmp_path, capsys):
    world.report()
    _seal()
    world.report()
    _seal()
    path = _save_head(tmp_path, capsys)
    # The last block and its events deleted: what is left is a consistent, shorter chain.
    _execute("DELETE FROM ledger_ledgerevent WHERE block = %s", [2])
    _execute("DELETE FROM ledger_ledgerblock WHERE number = %s", [2])
    assert verification.verify().ok

    with pytest.raises(CommandError) as failed:
        call_command("ledger", "verify", "--head", str(path))
    assert "block 2: block of the saved head is gone (sealed history truncated)" in str(failed.value)
    assert "last event of the saved head is gone" in str(failed.value)


def test_deleting_the_last_block_but_not_its_events_is_caught(world):
    world.report()
    _seal()
    world.report()
    _seal()
    _execute("DELETE FROM ledger_ledgerblock WHERE number = %s", [2])
    report = verification.verify()
    assert [str(f) for f in report.findings] == [
        "block 2: events claim this block, which is gone (the chain was truncated)"]


def test_resealed_history_fails_against_its_saved_head(world, tmp_path, capsys):
    world.report()
    _seal()
    path = _save_head(tmp_path, capsys)
    # Someone rewrites an event with its hash and seals the chain again from scratch: consistent, but new.
    victim = LedgerEvent.objects.filter(kind="report.received").get()
    forged = hashing.content_hash(occurred_at=victim.occurred_at, kind=victim.kind, actor_id=victim.actor_id,
                                  actor_name=victim.actor_name, subject_id=victim.subject_id,
                                  case_id=victim.case_id, payload={"reason": "forged"})
    assert victim.id == LedgerEvent.objects.latest("id").id         # the head's last event
    LedgerEvent.objects.filter(pk=victim.pk).update(payload={"reason": "forged"}, content_hash=forged)
    LedgerEvent.objects.update(block=None)
    LedgerBlock.objects.all().delete()
    _seal()
    assert verification.verify().ok

    report = verification.verify(head=verification.Head.model_validate_json(path.read_text()))
    assert [str(f) for f in report.findings] == [
        "block 1: block differs from the saved head (sealed history rewritten)",
        f"event {victim.id} (report.received) in block 1: event differs from the saved head (rewritten)"]


def test_a_file_that_is_not_a_head_is_refused(db, tmp_path):
    path = tmp_path / "head.json"
    path.write_text('{"block": "three"}')
    with pytest.raises(CommandError, match="is not a ledger head"):
        call_command("ledger", "verify", "--head", str(path))
    with pytest.raises(CommandError, match="cannot read the head file"):
        call_command("ledger", "verify", "--head", str(tmp_path / "missing.json"))
