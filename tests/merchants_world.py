"""Merchant scenario helpers: a category tree, a merchant specialist, and merchants taken through onboarding."""
import base64
from datetime import date, timedelta

import pytest

from tests.conftest import ApiClient
from trustops.kernel import clock
from trustops.simulation import platform as setup

PDF = b"%PDF-1.4 registration extract"
CATEGORIES = [
    {"code": "beauty", "name": "Beauty", "documents": ["business_registration"]},
    {"code": "beauty.salon", "name": "Hair and beauty salons", "parent": "beauty",
     "requirements": {"*": ["cosmetology_licence"]}, "prohibited_services": ["botox injections"],
     "misleading_phrases": ["guaranteed results"]},
    {"code": "retail", "name": "Retail", "documents": ["business_registration"]},
    {"code": "food", "name": "Food and drink", "documents": ["business_registration"]},
    {"code": "food.restaurant", "name": "Restaurants", "parent": "food", "requirements": {"US": ["health_permit"]}},
]


class Merchants:
    def __init__(self, world):
        self.world = world
        self.specialist = self.specialist_named("merchant-specialist")
        self.api = ApiClient(self.specialist.token)
        self.platform = ApiClient(world.integration.token)
        for body in CATEGORIES:
            response = self.api.post("/api/v1/merchant-categories", body)
            assert response.status_code == 200, response.content

    def specialist_named(self, username):
        """A merchant specialist of the team that works the merchants queue (appeals included)."""
        return self.world.person(username, "merchant_specialist", team=setup.MERCHANT_TEAM)

    def apply(self, external_id, category="beauty.salon", region="US", **identity):
        body = {"external_id": external_id, "legal_name": f"{external_id} Ltd", "category": category,
                "region": region, "registration_number": "79927398713", "phone": "+1 555 0100",
                "owners": [{"name": f"Owner of {external_id}", "date_of_birth": "1980-01-01",
                            "share_percent": 100}], **identity}
        response = self.platform.post("/api/v1/merchants", body)
        assert response.status_code == 201, response.content
        return response.json()

    def document(self, external_id, kind="business_registration", content=PDF, content_type="application/pdf"):
        return self.platform.post(f"/api/v1/merchants/{external_id}/documents", {
            "kind": kind, "filename": "extract.pdf", "content_type": content_type,
            "content_base64": base64.b64encode(content).decode()})

    def move(self, external_id, to, reason="checked", client=None):
        return (client or self.api).post(f"/api/v1/merchants/{external_id}/transition", {"to": to, "reason": reason})

    def licence(self, external_id, kind="cosmetology_licence", days_left=365, approve=True):
        today = clock.now().date()
        response = self.platform.post(f"/api/v1/merchants/{external_id}/qualifications", {
            "kind": kind, "number": "CL-1", "issued_on": str(today - timedelta(days=30)),
            "expires_on": str(today + timedelta(days=days_left))})
        assert response.status_code == 201, response.content
        q = response.json()
        if approve:
            review = self.api.post(f"/api/v1/merchants/{external_id}/qualifications/{q['id']}/review",
                                   {"outcome": "approved", "reason": "matches the register"})
            assert review.status_code == 200, review.content
        return q

    def active(self, external_id, category="beauty.salon", region="US", licence_days=365, **identity):
        """Applied, documented, licensed, approved and active."""
        self.apply(external_id, category=category, region=region, **identity)
        doc = self.document(external_id).json()
        assert self.api.post(f"/api/v1/merchants/{external_id}/documents/{doc['id']}/review",
                             {"outcome": "approved", "reason": "legible"}).status_code == 200
        if category == "beauty.salon":
            self.licence(external_id, days_left=licence_days)
        for to in ("in_review", "approved", "active"):
            response = self.move(external_id, to)
            assert response.status_code == 200, response.content
        return self.get(external_id)

    def get(self, external_id, client=None):
        response = (client or self.api).get(f"/api/v1/merchants/{external_id}")
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture(name="merchants")
def merchants_fixture(world):
    return Merchants(world)


def today() -> date:
    return clock.now().date()
