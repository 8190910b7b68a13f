"""The nightly pass agrees with a merchant's own refresh: after it, refreshing one by one changes nothing; it
leaves one event with its counts, and a merchant's own events only for what changed for that merchant."""
from datetime import timedelta

from django.db import transaction

from tests.merchants_world import (
    merchants_fixture,  # noqa: F401
    today,
)
from trustops.kernel import clock
from trustops.kernel.database import is_postgres
from trustops.ledger.models import LedgerEvent
from trustops.merchants import nightly
from trustops.merchants.models import Merchant
from trustops.merchants.services import standing
from trustops.outbox.models import OutboxMessage


def _refresh_all():
    for merchant_id in Merchant.objects.values_list("pk", flat=True):
        with transaction.atomic():
            standing.refresh(Merchant.objects.select_for_update().get(pk=merchant_id), actor="check")


def test_the_nightly_pass_leaves_nothing_for_a_refresh_to_change(merchants):
    merchants.active("steady", category="retail")
    merchants.active("shaky", category="retail")
    bad = {"day": str(today() - timedelta(days=1)), "orders": 100, "gross_amount": "5000", "refunds": 30,
           "refund_amount": "1500", "chargebacks": 2, "chargeback_amount": "100"}
    assert merchants.platform.post("/api/v1/merchants/shaky/metrics", {"days": [bad]}).status_code == 200
    start = clock.now()
    told = OutboxMessage.objects.filter(kind="merchant.benefits_changed").count()
    runs = {}
    for days in (1, 32, 47):
        with clock.frozen(start + timedelta(days=days)):
            before = LedgerEvent.objects.latest("id").id
            nightly.run()
            mark = LedgerEvent.objects.latest("id").id
            tonight = LedgerEvent.objects.filter(id__gt=before, id__lte=mark)
            runs[days] = tonight.get(kind="merchant.nightly_recomputed").payload
            assert not tonight.filter(kind="merchant.health_scored").exists()
            _refresh_all()
            changes = list(LedgerEvent.objects.filter(id__gt=mark, kind__startswith="merchant.")
                           .exclude(kind="merchant.health_scored").values_list("kind", flat=True))
            assert changes == [], (days, changes)
    assert merchants.get("shaky")["health"]["band"] == "healthy"
    # The refunds took the shaky merchant to at risk when they came in; on day 32 they have left the 30-day
    # window, so its score recovers, but the cooldown keeps it at risk until day 47. The steady one never moves.
    assert [runs[d]["band_changes"] for d in (1, 32, 47)] == [{}, {}, {"at_risk->healthy": 1}]
    assert [runs[d]["scores_changed"] for d in (1, 32, 47)] == [0, 1, 0]
    assert [runs[d]["benefits_changed"] for d in (1, 32, 47)] == [0, 0, 1]
    assert runs[1]["merchants"] == 2
    bands = [(e.payload["before"], e.payload["after"]) for e in LedgerEvent.objects.filter(
        kind="merchant.band_changed").order_by("id")]
    assert bands == [("healthy", "at_risk"), ("at_risk", "healthy")]
    # Tonight's recovery reached the platform as a message, from either path: set-based on PostgreSQL (no decision
    # and no licence due), one merchant at a time on SQLite.
    message = OutboxMessage.objects.filter(kind="merchant.benefits_changed").order_by("id")[told:].get()
    assert message.payload["merchant"]["external_id"] == "shaky"
    assert message.payload["benefits"]["badges"] == ["trusted_merchant"]
    assert (runs[47]["applied_set_based"], runs[47]["refreshed"]) == ((1, 0) if is_postgres() else (0, 2))


def test_a_merchant_whose_licence_is_due_goes_through_its_own_refresh(merchants):
    """Tonight's bad refunds move both salons; the one whose licence lapses in ten days also gets its licence
    state and notices re-derived, which only a merchant's own refresh does."""
    merchants.active("lapsing", licence_days=10)
    merchants.active("licensed", licence_days=365)
    bad = {"day": str(today() - timedelta(days=1)), "orders": 100, "gross_amount": "5000", "refunds": 60,
           "refund_amount": "3000", "chargebacks": 5, "chargeback_amount": "250"}
    for name in ("lapsing", "licensed"):
        assert merchants.platform.post(f"/api/v1/merchants/{name}/metrics", {"days": [bad]}).status_code == 200
    with clock.frozen(clock.now() + timedelta(days=5)):
        Merchant.objects.update(health_band="healthy", recovering_since=None)   # as if last night missed them
        outcome = nightly.run()
        mark = LedgerEvent.objects.latest("id").id
        _refresh_all()
        assert not LedgerEvent.objects.filter(id__gt=mark, kind__startswith="merchant.").exclude(
            kind="merchant.health_scored").exists()
    assert outcome["band_changes"] == {"healthy->at_risk": 2}
    assert (outcome["applied_set_based"], outcome["refreshed"]) == ((1, 1) if is_postgres() else (0, 2))
    notices = LedgerEvent.objects.filter(kind="merchant.licence_notice", payload__merchant="lapsing")
    assert notices.filter(payload__days=7).exists()
