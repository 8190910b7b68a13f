"""Webhook endpoints over the API: admins and policy managers register, remove and test them."""
from datetime import datetime

from ninja import Field, Router, Schema
from ninja.responses import Status

from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Forbidden
from trustops.kernel.inputs import Id
from trustops.outbox import selectors, services

router = Router(tags=["webhooks"])


class EndpointIn(Schema):
    url: str = Field(max_length=500, description="HTTPS (plain HTTP only on loopback)")
    events: list[str] = Field(default_factory=list, max_length=20,
                              description="Event kinds to receive; empty means every kind")
    name: str = Field(default="", max_length=100, description="Defaults to the URL's host")


class EndpointOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class CreatedEndpointOut(EndpointOut):
    secret: str = Field(description="The signing secret, shown only in this answer")


class RemovedOut(Schema):
    id: int
    outcome: str = Field(description="deleted, or deactivated when deliveries were already made to it")


class TestDeliveryOut(Schema):
    delivery_id: int
    status: str


def _out(endpoint) -> dict:
    return {"id": endpoint.pk, "name": endpoint.name, "url": endpoint.url, "events": endpoint.event_kinds,
            "active": endpoint.active, "created_at": endpoint.created_at}


def _configurer(request):
    if not access.configures_platform(request.auth):
        raise Forbidden("not_a_configurer", "Only admins and policy managers configure webhook endpoints.")
    return request.auth


@router.get("/webhooks", response=list[EndpointOut], auth=scope("config:write"),
            summary="Webhook endpoints (their secrets are never shown again)")
def list_endpoints(request):
    return [_out(e) for e in selectors.endpoints_visible_to(_configurer(request))]


@router.post("/webhooks", response={201: CreatedEndpointOut}, auth=scope("config:write"),
             summary="Register an endpoint; the answer holds its signing secret, shown once")
def create_endpoint(request, body: EndpointIn):
    endpoint, secret = services.create_endpoint(url=body.url, event_kinds=body.events, name=body.name,
                                                actor=_configurer(request))
    return Status(201, {**_out(endpoint), "secret": secret})


@router.delete("/webhooks/{endpoint_id}", response=RemovedOut, auth=scope("config:write"),
               summary="Delete an endpoint, or deactivate it when deliveries were made to it")
def remove_endpoint(request, endpoint_id: Id):
    endpoint = selectors.get_endpoint(_configurer(request), endpoint_id)
    return {"id": endpoint.pk, "outcome": services.remove_endpoint(endpoint_id=endpoint.pk, actor=request.auth)}


@router.post("/webhooks/{endpoint_id}/test", response={202: TestDeliveryOut}, auth=scope("config:write"),
             summary="Send a webhook.test event to this endpoint only")
def test_endpoint(request, endpoint_id: Id):
    endpoint = selectors.get_endpoint(_configurer(request), endpoint_id)
    delivery = services.send_test(endpoint_id=endpoint.pk, actor=request.auth)
    delivery.refresh_from_db(fields=["status"])
    return Status(202, {"delivery_id": delivery.pk, "status": delivery.status})
