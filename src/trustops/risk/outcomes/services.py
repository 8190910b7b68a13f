"""What an enforce-mode hit does, and undoing it: the only writer of outcomes.

An enforce hit opens or attaches a case (deduplicated per rule and subject over a window), adds a label with a
time to live, files a signal with intake (which routes it like any detector's signal: above its policy's
threshold it opens or enriches a case), or takes an automatic action from the allow-list through enforcement
(behind the circuit breaker), recorded with the rule version and reversible. Shadow hits are recorded and do
none of this. `act` runs inside the ingesting transaction.

The circuit breaker: an action whose volume in the last hour jumps far above its trailing baseline (the mean
hourly volume of the week before) stops until a person resets it. It trips when the hour holds at least
`MIN_VOLUME` actions and more than `JUMP` times the baseline.
"""
from datetime import timedelta

from django.db import transaction

from trustops.enforcement.services import automatic as enforcement
from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.intake import services as intake
from trustops.intake.schemas import SignalIn
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, DomainError, Forbidden, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.policies import selectors as policies
from trustops.review import services as review
from trustops.risk import selectors
from trustops.risk.models import BreakerTrip, Label, Mode, RuleHit

MIN_VOLUME = 20
JUMP = 5.0
BASELINE_HOURS = 7 * 24


def _subject_body(subject) -> dict:
    return {"type": subject.type, "external_id": subject.external_id}


def origin_of(hit: RuleHit) -> str:
    return f"risk:{hit.rule_version.rule.key}:v{hit.rule_version.version}"


def act(hits: list[RuleHit], subjects: dict, facts) -> None:
    """Carry out the outcomes of the enforce hits (already saved), and note on each what it did."""
    acting = [h for h in hits if h.mode == Mode.ENFORCE]
    if not acting:
        return
    catalogue = policies.active_catalogue()
    now = clock.now()
    notices, noticed, followers = [], [], []
    requested: dict[str, int] = {}
    changed = []
    for hit in acting:
        outcome = hit.rule_version.outcome
        effects = []
        subject = subjects[hit.subject_id]
        if "open_case" in outcome:
            since = hit.occurred_at - timedelta(seconds=hit.rule_version.dedupe_seconds)
            earlier = (RuleHit.objects.filter(rule_version__rule_id=hit.rule_version.rule_id, subject_id=hit.subject_id,
                                              occurred_at__gte=since, case__isnull=False, mode=Mode.ENFORCE)
                       .exclude(pk=hit.pk).order_by("-occurred_at").values_list("case_id", flat=True).first())
            leader = next((h for h in noticed if h.subject_id == hit.subject_id
                           and h.rule_version.rule_id == hit.rule_version.rule_id and h.occurred_at >= since), None)
            if leader is not None and not earlier:
                followers.append((hit, leader))
                effects.append("deduplicated")
            elif earlier:
                hit.case_id = earlier
                effects.append("deduplicated")
            else:
                body = outcome["open_case"]
                notices.append(review.Notice(subject=subject, policy=catalogue[body["policy"]], source="automated",
                                             is_signal=True, queue_key=body["queue"]))
                noticed.append(hit)
        if "label" in outcome:
            body = outcome["label"]
            expires = hit.occurred_at + timedelta(seconds=body["ttl_seconds"])
            live = Label.objects.filter(subject_id=hit.subject_id, name=body["name"], expires_at__gt=hit.occurred_at)
            if live.exists():
                live.update(expires_at=expires)
            else:
                Label.objects.create(subject_id=hit.subject_id, name=body["name"], applied_at=hit.occurred_at,
                                     expires_at=expires, rule_version=hit.rule_version, hit=hit)
            if facts is not None:
                facts.add_label(hit.subject_id, body["name"], hit.occurred_at.timestamp(), expires.timestamp())
            effects.append("labelled")
        if "signal" in outcome:
            effects.append(_signal(hit, subject, outcome))
        if "action" in outcome:
            name = outcome["action"]["name"]
            if _breaker_allows(name, now, pending=requested.get(name, 0)):
                requested[name] = requested.get(name, 0) + 1
                effects.append(_action(hit, subject, name))
            else:
                effects.append("action_stopped")
        hit.acted = True
        hit.effect = ",".join(effects)
        changed.append(hit)
    if notices:
        for hit, filed in zip(noticed, review.file_notices(notices, actor="risk")):
            hit.case_id = filed.case_id
            hit.effect = ",".join(["case_opened" if filed.created else "case_attached",
                                   *[e for e in hit.effect.split(",") if e]])
    for hit, leader in followers:
        hit.case_id = leader.case_id
    RuleHit.objects.bulk_update(changed, ["acted", "effect", "case", "signal", "enforcement_action"], batch_size=500)


def _signal_policy(outcome: dict) -> str | None:
    """The policy a signal is about: its own, else the case the rule opens; none means it cannot route."""
    return outcome["signal"].get("policy") or outcome.get("open_case", {}).get("policy")


def _signal(hit: RuleHit, subject, outcome: dict) -> str:
    """File the hit as an intake signal, by the rule (its owner submits it), with the rule's score."""
    body = {"rule": hit.rule_version.rule.key, "version": hit.rule_version.version,
            "score": outcome["signal"]["score"], "subject": _subject_body(subject),
            "event_id": hit.event.event_id, "policy": _signal_policy(outcome)}
    outbox.enqueue("risk.signal", body)
    submitter_id = hit.rule_version.rule.owner_id or hit.rule_version.created_by_id
    if body["policy"] is None or submitter_id is None:
        return "signal_unrouted"
    item = SignalIn(idempotency_key=f"risk:{hit.event.event_id}:{hit.rule_version.pk}", detector=origin_of(hit),
                    score=body["score"], policy=body["policy"],
                    subject={"type": subject.type, "external_id": subject.external_id})
    try:
        filed = intake.submit_signal(submitter=User.objects.get(pk=submitter_id), item=item)
    except DomainError:          # the policy was retired since the rule was published
        return "signal_unrouted"
    hit.signal_id = filed.body["signal_id"]
    if filed.body["case_id"] and not hit.case_id:
        hit.case_id = filed.body["case_id"]
    return "signalled"


def _action(hit: RuleHit, subject, name: str) -> str:
    try:
        taken = enforcement.apply_automatic([enforcement.Request(subject, name, origin_of(hit), hit.event.event_id)],
                                            actor="risk")[0]
    except DomainError:          # e.g. an owner action on an item without a known owner
        return "action_refused"
    hit.enforcement_action = taken
    return "action_applied"


@transaction.atomic
def reverse_action(*, actor, hit_id: int, reason: str) -> dict:
    """Undo the automatic action a hit took (a hit about a subject the actor may not see is a 404)."""
    hit = selectors.visible_hits(actor).select_related("rule_version__rule").filter(pk=hit_id).first()
    if hit is None:
        raise NotFound("no_hit", f"No hit {hit_id}.")
    if not access.writes_risk(actor):
        raise Forbidden("not_a_risk_writer", "Only investigators, policy managers and admins reverse actions.")
    if hit.enforcement_action_id is None:
        raise Conflict("no_action", f"Hit {hit_id} took no automatic action.")
    undone = enforcement.reverse_automatic(action_id=hit.enforcement_action_id, actor=actor, reason=reason)
    hit.effect = f"{hit.effect},action_reversed"
    hit.save(update_fields=["effect"])
    ledger.record("risk.action_reversed", actor=actor, subject_id=hit.subject_id, payload={
        "rule": hit.rule_version.rule.key, "version": hit.rule_version.version, "hit_id": hit.pk,
        "action": undone.action, "reason": reason})
    return {"hit_id": hit.pk, "action": undone.action, "status": undone.status, "closed_at": undone.closed_at,
            "rule": hit.rule_version.rule.key, "version": hit.rule_version.version}


def _taken(name: str, since, until):
    return RuleHit.objects.filter(rule_version__outcome__action__name=name, effect__contains="action_applied",
                                  occurred_at__gte=since, occurred_at__lt=until)


def tripped(name: str) -> BreakerTrip | None:
    return BreakerTrip.objects.filter(action=name, reset_at__isnull=True).order_by("-id").first()


def _breaker_allows(name: str, now, *, pending: int = 0) -> bool:
    """True when the action may go out now; trips the breaker (ledger, notification) when it jumps."""
    if tripped(name):
        return False
    hour = _taken(name, now - timedelta(hours=1), now + timedelta(minutes=5)).count() + 1 + pending
    if hour < MIN_VOLUME:
        return True
    trailing = _taken(name, now - timedelta(hours=1 + BASELINE_HOURS), now - timedelta(hours=1)).count()
    baseline = trailing / BASELINE_HOURS
    if hour <= JUMP * max(baseline, 1.0):
        return True
    trip = BreakerTrip.objects.create(action=name, tripped_at=now, hourly_volume=hour, baseline=baseline)
    ledger.record("risk.breaker_tripped", actor="risk", payload={"action": name, "hourly_volume": hour,
                                                                 "baseline": round(baseline, 3)})
    identity.notify_many([identity.NotificationDraft(
        recipient_id=pk, kind="risk.breaker", title=f"Automatic action {name} stopped",
        body=f"{hour} actions in the last hour against a baseline of {baseline:.1f} per hour.",
        topic="risk_breaker", topic_id=trip.pk)
        for pk in User.objects.filter(role__in=[Role.ADMIN, Role.INVESTIGATOR], is_active=True,
                                      vendor__isnull=True).values_list("pk", flat=True)])
    return False


@transaction.atomic
def reset_breaker(*, action: str, actor) -> BreakerTrip:
    trip = tripped(action)
    if trip is None:
        raise NotFound("no_trip", f"The breaker for {action!r} is not tripped.")
    trip.reset_at, trip.reset_by = clock.now(), actor
    trip.save(update_fields=["reset_at", "reset_by"])
    ledger.record("risk.breaker_reset", actor=actor, payload={"action": action})
    return trip
