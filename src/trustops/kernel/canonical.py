"""Canonical JSON and digests: the same value always hashes the same, on every database.

`normalise` turns a value into the one JSON value that SQLite's JSON text and PostgreSQL's jsonb both give
back unchanged, so what is hashed, what is stored and what is read back are the same text:

- numbers by value, not by type: 1.0 and -0.0 are the integers 1 and 0 (jsonb keeps neither "1.0" nor the
  sign of zero); other floats keep Python's shortest round-trip spelling, which reads back as the same float
  whether the database returns "1e-07" or "0.0000001";
- integers beyond ±(2**53 - 1), and whole floats that large, are stored as their decimal string: readers that
  hold numbers as doubles (JavaScript, SQLite's JSON functions) would round them, and a float that large
  comes back from jsonb as an integer (RFC 7493, I-JSON, section 2.2, recommends strings for such numbers);
- NaN and ±Infinity are refused with `Invalid`: JSON has no such numbers and PostgreSQL refuses them;
- text in Unicode NFC, so the composed and decomposed spellings of "é" are one value; U+0000, which jsonb
  cannot hold, and lone surrogates, which are not text, become U+FFFD REPLACEMENT CHARACTER;
- datetimes in UTC as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" (always with microseconds); naive ones are
  refused; dates as "YYYY-MM-DD"; Decimals as the string of their exact value ("1.50" is "1.5"); UUIDs as text;
- object keys are text (integer keys become their digits) and are sorted; tuples are lists, sets are sorted
  lists.
"""
import hashlib
import json
import math
import re
import unicodedata
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

from trustops.kernel.errors import Invalid

# The largest integer every JSON reader holds exactly (Number.MAX_SAFE_INTEGER).
SAFE_INTEGER = 2**53 - 1
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def utc_iso(at: datetime) -> str:
    """The one spelling of an instant: UTC, microseconds always present."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid("naive_datetime", f"The time {at.isoformat()} has no time zone.")
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def normalise(value):
    """The plain JSON value that is stored and hashed for `value` (see the module's docstring)."""
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is int:
        return value if -SAFE_INTEGER <= value <= SAFE_INTEGER else str(value)
    if kind is bool or value is None:
        return value
    if kind is dict:
        return _mapping(value)
    if kind is list or kind is tuple:
        return [normalise(inner) for inner in value]
    if kind is float:
        return _float(value)
    return _other(value)


def _text(text: str) -> str:
    if text.isascii():
        return text.replace("\x00", REPLACEMENT) if "\x00" in text else text
    text = _SURROGATE.sub(REPLACEMENT, text.replace("\x00", REPLACEMENT))
    return unicodedata.normalize("NFC", text)


def _float(number: float):
    if not math.isfinite(number):
        raise Invalid("not_a_number", f"{number!r} cannot be recorded: JSON has no NaN or Infinity.")
    if number.is_integer():
        return normalise(int(number))
    return number


def _mapping(mapping: dict) -> dict:
    out = {}
    for key, inner in mapping.items():
        if type(key) is str:
            name = key if key.isascii() and "\x00" not in key else _text(key)
        elif isinstance(key, int) and not isinstance(key, bool):
            name = str(int(key))
        elif isinstance(key, str):
            name = _text(str.__str__(key))
        else:
            raise TypeError(f"not a JSON object key: {type(key).__name__}")
        if name in out:
            raise Invalid("duplicate_key", f"Two keys are both {name!r} once normalised.")
        # The everyday values inline: a ledger payload is a handful of codes, ids and flags.
        kind = type(inner)
        if kind is str and inner.isascii() and "\x00" not in inner:
            out[name] = inner
        elif kind is int and -SAFE_INTEGER <= inner <= SAFE_INTEGER or kind is bool or inner is None:
            out[name] = inner
        else:
            out[name] = normalise(inner)
    return out


def _other(value):
    # Subclasses first (enums, choices), then the values Python has and JSON has not.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return _text(str.__str__(value))
    if isinstance(value, int):
        return normalise(int(value))
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return _mapping(value)
    if isinstance(value, (list, tuple)):
        return [normalise(inner) for inner in value]
    if isinstance(value, (set, frozenset)):
        return sorted((normalise(inner) for inner in value), key=_stored.encode)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _decimal(number: Decimal) -> str:
    if not number.is_finite():
        raise Invalid("not_a_number", f"{number} cannot be recorded: JSON has no NaN or Infinity.")
    if number.is_zero():
        return "0"
    # Trailing zeros dropped by hand: Decimal.normalize rounds to the context's 28 digits.
    sign, digits, exponent = number.as_tuple()
    while digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    exact = Decimal((sign, digits, exponent))
    # Plain digits for everyday magnitudes; scientific beyond, so that 1E+1000000 stays short.
    return format(exact, "f") if -30 <= exact.adjusted() <= 30 else str(exact)


# One encoder for every call: json.dumps with options builds a new one each time, which costs as much as a
# small payload's encoding (the ledger encodes a few per report). NaN is allowed only so that `stored_json`
# spells whatever a database holds exactly as the writer once did; `normalise` never lets one through.
_stored = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value) -> str:
    """The canonical text of `value`, normalised."""
    return _stored.encode(normalise(value))


def stored_json(value) -> str:
    """The canonical text of a plain JSON value exactly as read back from the database, nothing normalised.

    What verification hashes: the ledger checks what is stored, and a stored value written by `canonical_json`
    is already normal, so both spell it the same.
    """
    return _stored.encode(value)


def plain(value):
    """The JSON value as a database gives it back (normalised, dates as strings, tuples as lists)."""
    return normalise(value)


def digest(value) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()
