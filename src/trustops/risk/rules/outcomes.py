"""What an enforce-mode hit does: open or attach a case (deduplicated per rule and subject over a window), add
a label with a time to live, emit a signal, request an automatic action from the allow-list (behind the
circuit breaker). Shadow hits are recorded and do none of this. Runs inside the ingesting transaction."""
from datetime import timedelta

from trustops.kernel import clock
from trustops.outbox import services as outbox
from trustops.policies import selectors as policies
from trustops.review import services as review
from trustops.risk.models import Label, Mode, RuleHit
from trustops.risk.rules import breaker


def _subject_body(subject) -> dict:
    return {"type": subject.type, "external_id": subject.external_id}


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
            outbox.enqueue("risk.signal", {"rule": hit.rule_version.rule.key, "version": hit.rule_version.version,
                                           "score": outcome["signal"]["score"], "subject": _subject_body(subject),
                                           "event_id": hit.event.event_id, "policy": outcome["signal"].get("policy")})
            effects.append("signalled")
        if "action" in outcome:
            name = outcome["action"]["name"]
            if breaker.allows(name, now, pending=requested.get(name, 0)):
                requested[name] = requested.get(name, 0) + 1
                outbox.enqueue("risk.action", {"action": name, "rule": hit.rule_version.rule.key,
                                               "version": hit.rule_version.version,
                                               "subject": _subject_body(subject), "event_id": hit.event.event_id})
                effects.append("action_requested")
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
    RuleHit.objects.bulk_update(changed, ["acted", "effect", "case"], batch_size=500)
