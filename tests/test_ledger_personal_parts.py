"""Personal data in ledger events is committed by a salted digest and kept beside the event: a purge erases it
and the ledger still verifies; editing or deleting it without a purge is found."""
from trustops.ledger import services as ledger
from trustops.ledger import verification
from trustops.ledger.hashing import PERSONAL_KEY
from trustops.ledger.models import LedgerEvent, PersonalPart


def _event(personal):
    ledger.record("legal_request.received", payload={"reference": "R-1"}, personal=personal)
    return LedgerEvent.objects.order_by("-id").first()


def test_a_purged_personal_part_still_verifies(db):
    event = _event({"name": "A. Person", "contact": "a@example.org"})
    ledger.record_many([ledger.Entry("note", {"n": 1}, personal={"email": "b@example.org"})])
    ledger.seal_all(horizon_seconds=0)
    assert "a@example.org" not in str(event.payload) and PERSONAL_KEY in event.payload
    assert verification.verify().ok
    assert ledger.purge_personal([event.payload[PERSONAL_KEY]], reason="retention") == 1
    assert ledger.purge_personal([event.payload[PERSONAL_KEY]], reason="retention") == 0     # once
    ledger.seal_all(horizon_seconds=0)
    report = verification.verify()
    assert report.ok, [str(f) for f in report.findings]


def test_editing_or_deleting_a_personal_part_is_found(db):
    edited = _event({"contact": "a@example.org"})
    deleted = _event({"contact": "c@example.org"})
    PersonalPart.objects.filter(digest=edited.payload[PERSONAL_KEY]).update(content={"contact": "x@example.org"})
    PersonalPart.objects.filter(digest=deleted.payload[PERSONAL_KEY]).delete()
    problems = {f.event_id: f.problem for f in verification.verify().findings}
    assert "edited" in problems[edited.pk] and "missing" in problems[deleted.pk]


def test_events_without_personal_data_are_unchanged(db):
    ledger.record("case.viewed", payload={"queue": "q"})
    assert LedgerEvent.objects.get().payload == {"queue": "q"} and not PersonalPart.objects.exists()
