"""Any JSON-like payload, however odd its values, goes into the real database and comes back hashing the same:
the ledger still verifies. Run on SQLite and on PostgreSQL (jsonb), which give values back differently."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustops.kernel.canonical import canonical_json, stored_json
from trustops.ledger import hashing, services, verification
from trustops.ledger.models import LedgerEvent

NASTY_TEXT = ["", "\x00", "a\x00b", "cafe\u0301", "caf\u00e9", "\u212b", "\ud800", "x\udfffy", "\U0001f600",
              "\\u0000", '"', "\\", "\u2028", "\x7f\x01"]
NASTY_NUMBERS = [0.0, -0.0, 1.0, -1.0, 1e-07, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e16,
                 2.0**53, 0.1, 123456789012345.6, 2**53 - 1, 2**53, -(2**53), 2**63 - 1, 2**63, 2**64 + 1,
                 -(2**70), 10**40]

offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))
text = st.text() | st.sampled_from(NASTY_TEXT) | st.lists(st.sampled_from(NASTY_TEXT) | st.text(max_size=3),
                                                          max_size=4).map("".join)
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from(NASTY_NUMBERS) | text
           | st.decimals(allow_nan=False, allow_infinity=False)
           | st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=offsets))
# Keys are distinct once normalised (two spellings of one key are refused, see test_canonical).
keys = text | st.integers(min_value=-10**6, max_value=10**6)


def _objects(values):
    return st.lists(st.tuples(keys, values), max_size=5,
                    unique_by=lambda item: canonical_json({item[0]: None})).map(dict)


values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | _objects(inner), max_leaves=20)
payloads = _objects(values)


# The strategy's description, with the lists of nasty values, is long; hypothesis warns when it spells it out.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads, other=payloads)
def test_every_payload_reads_back_as_it_was_hashed_and_the_ledger_verifies(db, payload, other):
    services.record("test.round_trip", payload=payload)                       # one INSERT
    services.record_many([services.Entry("test.round_trip", payload),         # COPY on PostgreSQL
                          services.Entry("test.round_trip", other)])
    sent = [canonical_json(payload), canonical_json(payload), canonical_json(other)]
    events = list(LedgerEvent.objects.order_by("-id")[:3])[::-1]
    for event, text in zip(events, sent):
        assert stored_json(event.payload) == text
        assert hashing.content_hash(occurred_at=event.occurred_at, kind=event.kind, actor_id=event.actor_id,
                                    actor_name=event.actor_name, subject_id=event.subject_id,
                                    case_id=event.case_id, payload=event.payload) == event.content_hash
    services.seal_all(horizon_seconds=0)
    report = verification.verify()
    assert report.ok, [str(f) for f in report.findings]
