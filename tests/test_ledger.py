"""Every state change is in the ledger, and `trustops ledger verify` catches any edit or deletion."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

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

    with pytest.raises(CommandError, match=f"event {victim.id}: content does not match"):
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
