"""The circuit breaker on automatic actions: an action whose volume in the last hour jumps far above its
trailing baseline (the mean hourly volume of the week before) stops until a person resets it.

Trips when the hour holds at least `MIN_VOLUME` requests and more than `JUMP` times the baseline.
"""
from datetime import timedelta

from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.ledger import services as ledger
from trustops.risk.models import BreakerTrip, RuleHit

MIN_VOLUME = 20
JUMP = 5.0
BASELINE_HOURS = 7 * 24


def _requests(name: str, since, until):
    return RuleHit.objects.filter(rule_version__outcome__action__name=name, effect__contains="action_requested",
                                  occurred_at__gte=since, occurred_at__lt=until)


def tripped(name: str) -> BreakerTrip | None:
    return BreakerTrip.objects.filter(action=name, reset_at__isnull=True).order_by("-id").first()


def allows(name: str, now, *, pending: int = 0) -> bool:
    """True when the action may go out now; trips the breaker (ledger, notification) when it jumps."""
    if tripped(name):
        return False
    hour = _requests(name, now - timedelta(hours=1), now + timedelta(minutes=5)).count() + 1 + pending
    if hour < MIN_VOLUME:
        return True
    trailing = _requests(name, now - timedelta(hours=1 + BASELINE_HOURS), now - timedelta(hours=1)).count()
    baseline = trailing / BASELINE_HOURS
    if hour <= JUMP * max(baseline, 1.0):
        return True
    trip = BreakerTrip.objects.create(action=name, tripped_at=now, hourly_volume=hour, baseline=baseline)
    ledger.record("risk.breaker_tripped", actor="risk", payload={"action": name, "hourly_volume": hour,
                                                                 "baseline": round(baseline, 3)})
    identity.notify_many([identity.NotificationDraft(
        recipient_id=pk, kind="risk.breaker", title=f"Automatic action {name} stopped",
        body=f"{hour} requests in the last hour against a baseline of {baseline:.1f} per hour.",
        topic="risk_breaker", topic_id=trip.pk)
        for pk in User.objects.filter(role__in=[Role.ADMIN, Role.INVESTIGATOR], is_active=True,
                                      vendor__isnull=True).values_list("pk", flat=True)])
    return False


def reset(*, action: str, actor) -> BreakerTrip:
    trip = tripped(action)
    if trip is None:
        raise NotFound("no_trip", f"The breaker for {action!r} is not tripped.")
    trip.reset_at, trip.reset_by = clock.now(), actor
    trip.save(update_fields=["reset_at", "reset_by"])
    ledger.record("risk.breaker_reset", actor=actor, payload={"action": action})
    return trip
