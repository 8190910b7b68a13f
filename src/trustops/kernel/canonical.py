"""Canonical JSON and digests: the same value always hashes the same, on every database."""
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# One encoder for every call: json.dumps with options builds a new one each time, which costs as much as a
# small payload's encoding (the ledger encodes a few per report).
_encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_json(value) -> str:
    return _encoder.encode(value)


def plain(value):
    """The JSON value as a database would give it back (dates as strings, tuples as lists)."""
    return json.loads(canonical_json(value))


def digest(value) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()
