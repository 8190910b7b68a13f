from datetime import datetime
from typing import Any

from ninja import Schema


class EventOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    actor_name: str
    case_id: int | None
    payload: dict[str, Any]
    sealed_in_block: int | None = None

    @staticmethod
    def resolve_sealed_in_block(obj):
        return obj.block


class TimelineOut(Schema):
    events: list[EventOut]
    next_cursor: str | None
