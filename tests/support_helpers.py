"""Shared helpers for the support desk's tests."""
from datetime import datetime, timezone

from tests.conftest import ApiClient

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)   # a Monday morning
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Desk:
    """People of the desk and their requesters, with API clients."""

    def __init__(self, world):
        self.world = world
        self.agent = world.person("desk-agent", "support_specialist")
        self.requester = world.person("asker", "moderator")
        self.other = world.person("someone-else", "moderator")
        self.engineer = world.person("eng", "engineer")

    def api(self, person) -> ApiClient:
        return ApiClient(person.token)

    def ticket(self, person=None, **body) -> dict:
        body = {"subject": "Queue page will not load", "body": "The review queue shows a blank page.",
                "category": "tool_malfunction", "priority": "normal", **body}
        response = self.api(person or self.requester).post("/api/v1/tickets", body)
        assert response.status_code == 201, response.content
        return response.json()

    def status(self, ticket_id, status, person=None):
        return self.api(person or self.agent).post(f"/api/v1/tickets/{ticket_id}/status", {"status": status})

    def reply(self, ticket_id, body="Thanks, looking into it.", person=None, internal=False):
        return self.api(person or self.agent).post(f"/api/v1/tickets/{ticket_id}/replies",
                                                   {"body": body, "internal": internal})

    def read(self, ticket_id, person=None):
        return self.api(person or self.agent).get(f"/api/v1/tickets/{ticket_id}")
