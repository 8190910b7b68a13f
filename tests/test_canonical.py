"""One value, one canonical text: whatever Python value a writer hands over, and whatever spelling of it a
database gives back, hashes the same (see trustops.kernel.canonical for the rules and why)."""
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from trustops.kernel.canonical import canonical_json, digest, normalise, stored_json
from trustops.kernel.errors import Invalid


def test_numbers_are_encoded_by_value_not_by_type():
    assert canonical_json({"score": 1.0}) == canonical_json({"score": 1}) == '{"score":1}'
    # PostgreSQL's numeric has no negative zero: jsonb gives -0.0 back as 0.0.
    assert canonical_json(-0.0) == "0"
    assert canonical_json(0.25) == "0.25"


def test_small_and_odd_floats_keep_their_shortest_spelling():
    # jsonb gives 1e-07 back as 0.0000001: the same double, so the same text once read.
    assert canonical_json(1e-07) == "1e-07" == stored_json(json.loads("0.0000001"))
    assert canonical_json(5e-324) == "5e-324" == stored_json(json.loads("0." + "0" * 323 + "5"))
    assert canonical_json(0.1 + 0.2) == "0.30000000000000004"


def test_integers_past_the_safe_range_are_stored_as_their_digits():
    safe = 2**53 - 1                  # Number.MAX_SAFE_INTEGER
    assert canonical_json([safe, -safe]) == "[9007199254740991,-9007199254740991]"
    assert canonical_json(2**53) == '"9007199254740992"'
    assert canonical_json(2**64 + 1) == '"18446744073709551617"'          # beyond int64 as well
    assert canonical_json(-(2**70)) == '"-1180591620717411303424"'


def test_large_whole_floats_are_the_integer_they_equal():
    # jsonb gives 1e+16 back as 10000000000000000, an integer: the float is encoded as the integer it is.
    assert canonical_json(1e16) == canonical_json(10**16) == '"10000000000000000"'
    assert canonical_json(2.0**60) == canonical_json(2**60)
    assert canonical_json(1e300) == f'"{int(1e300)}"'


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_nan_and_infinity_are_refused(number):
    with pytest.raises(Invalid) as refused:
        canonical_json({"score": [number]})
    assert refused.value.code == "not_a_number"


def test_text_is_compared_in_nfc():
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert canonical_json({decomposed: decomposed}) == canonical_json({composed: composed})
    assert digest(decomposed) == digest(composed)


def test_nul_and_lone_surrogates_become_the_replacement_character():
    # PostgreSQL's jsonb refuses \u0000, and a lone surrogate is not text that UTF-8 can carry.
    assert canonical_json({"a\x00": "x\x00y"}) == '{"a\ufffd":"x\ufffdy"}'
    assert canonical_json("\ud800\u00e9") == '"\ufffd\u00e9"'
    canonical_json("\ud800").encode()          # hashable: no UnicodeEncodeError


def test_keys_that_become_the_same_text_are_refused():
    with pytest.raises(Invalid) as refused:
        canonical_json({1: "one", "1": "uno"})
    assert refused.value.code == "duplicate_key"
    with pytest.raises(Invalid):
        canonical_json({"caf\u00e9": 1, "cafe\u0301": 2})


def test_keys_are_sorted_and_integer_keys_are_text():
    assert canonical_json({"b": 1, "a": {"d": 1, "c": 2}, 3: None}) == '{"3":null,"a":{"c":2,"d":1},"b":1}'


def test_times_are_utc_with_microseconds():
    at = datetime(2025, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert canonical_json(at) == '"2025-03-01T12:00:00.000000+00:00"'
    assert canonical_json(at) == canonical_json(at.astimezone(timezone.utc))
    assert canonical_json(date(2025, 3, 1)) == '"2025-03-01"'
    with pytest.raises(Invalid) as refused:
        canonical_json(datetime(2025, 3, 1, 12, 0))
    assert refused.value.code == "naive_datetime"


def test_decimals_are_the_string_of_their_exact_value():
    assert canonical_json(Decimal("1.50")) == canonical_json(Decimal("1.5")) == '"1.5"'
    assert canonical_json(Decimal("-0.00")) == '"0"'
    assert canonical_json(Decimal("100")) == '"100"'
    # More digits than the default context's 28 are kept.
    assert canonical_json(Decimal("1.2345678901234567890123456789012345")) == '"1.2345678901234567890123456789012345"'
    assert canonical_json(Decimal("1E+1000000")) == '"1E+1000000"'


def test_containers_and_other_values():
    uuid = UUID("12345678-1234-5678-1234-567812345678")
    assert canonical_json({"ids": (1, 2), "tags": {"b", "a"}, "ref": uuid}) == (
        '{"ids":[1,2],"ref":"12345678-1234-5678-1234-567812345678","tags":["a","b"]}')
    assert canonical_json([True, False, None]) == "[true,false,null]"
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_normal_values_read_back_as_the_same_text():
    value = {"n": [1.0, -0.0, 1e-07, 2**60, 1e300, 0.5], "t": "cafe\u0301\x00", "at": datetime.now(timezone.utc),
             "d": Decimal("2.50"), "nested": [{"z": 1, "a": [[]]}, {}]}
    text = canonical_json(value)
    assert normalise(json.loads(text)) == json.loads(text)
    assert stored_json(json.loads(text)) == text
