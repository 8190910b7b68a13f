"""Keyset (cursor) pagination: stable under inserts, O(page) on any backlog size."""
import base64
import json

from django.db.models import QuerySet

from trustops.kernel.errors import BadRequest

MAX_PAGE_SIZE = 200


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        before = json.loads(base64.urlsafe_b64decode(padded.encode()))["before"]
        if not isinstance(before, int) or before < 0:
            raise ValueError
        return before
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("invalid_cursor", "The cursor is not one this API gave out.", field="cursor")


def page_by_id(qs: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Newest first. Returns the page and the cursor of the next page (None at the end)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if cursor:
        qs = qs.filter(pk__lt=decode_cursor(cursor))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
