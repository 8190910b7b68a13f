"""Backtests and dry runs: a rule replayed over stored events, every counter rebuilt as of each event.

The replay starts one longest window before the period, so counters are warm when it begins, and moves in the
order events occurred: a feature read at an event counts that event and those before it, never a later one
(no look-ahead). Entity facts are those of each event's time too (`Facts(as_of=True)`): labels active then,
cases open then, standing and strike points then. Known outcomes: the first decision on a case about the hit's subject that was open at the hit or opened
within a week after it.
"""
from collections import Counter
from datetime import datetime, timedelta

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid
from trustops.quality.stats.proportions import wilson_interval
from trustops.review.models import Case, Decision, Verdict
from trustops.risk.features import counters
from trustops.risk.features.facts import Facts
from trustops.risk.models import Event, RuleHit
from trustops.risk.rules import definition
from trustops.risk.rules.engine import Engine, EventIn
from trustops.subjects.models import Subject

MAX_EVENTS = 500_000
MAX_DAYS = 92
SAMPLES = 20
OUTCOME_HORIZON = timedelta(days=7)


def stored_events(kinds, start, end, *, last: int | None = None) -> list[EventIn]:
    rows = Event.objects.filter(kind__in=kinds)
    if last:
        rows = rows.order_by("-occurred_at", "-id")[:last]
    else:
        rows = rows.filter(occurred_at__gte=start, occurred_at__lt=end).order_by("occurred_at", "id")[:MAX_EVENTS]
    values = list(rows.values_list("pk", "event_id", "kind", "occurred_at", "actor__type", "actor__external_id",
                                   "target__type", "target__external_id", "attributes", "actor_id", "target_id"))
    return [EventIn(pk, eid, kind, at, f"{at_}:{ax}", f"{tt}:{tx}" if tt else None, attrs or {}, aid, tid)
            for pk, eid, kind, at, at_, ax, tt, tx, attrs, aid, tid in values]


def _replay(parsed, events: list[EventIn], hits_from):
    run = parsed.run()
    ids = {e.actor_id for e in events} | {e.target_id for e in events if e.target_id}
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=ids)}
    needed = run.compiled.facts["actor"] | run.compiled.facts["target"]
    engine = Engine([run], counters.MemoryCounters(), Facts(subjects, needed=needed, as_of=True))
    hits = engine.run(events, hits_from=hits_from)
    return hits, engine.stats, subjects


def _health(stats) -> dict:
    return {name: {"reads": n, "missing_rate": stats.missing.get((vid, name), 0) / n}
            for (vid, name), n in stats.reads.items()}


def _sample(hits, subjects) -> list[dict]:
    return [{"event_id": h.event.event_id, "kind": h.event.kind, "occurred_at": h.event.occurred_at,
             "subject": str(subjects.get(h.event.actor_id, h.event.actor_key)), "features": h.features}
            for h in hits[:SAMPLES]]


def dry_run(parsed, *, last: int = 1000) -> dict:
    kinds = set(parsed.on) | {f.event for f in parsed.features}
    events = sorted(stored_events(kinds, None, None, last=last), key=lambda e: e.ts)
    hits, stats, subjects = _replay(parsed, events, None)
    return {"events": len(events), "hits": len(hits), "errors": sum(stats.errors.values()),
            "evaluations": sum(stats.evaluations.values()), "feature_health": _health(stats),
            "samples": _sample(hits, subjects)}


def _known_outcomes(hits) -> dict[int, str]:
    """Hit index -> violation | no_violation, where a decided case about its subject tells."""
    subject_ids = {h.event.actor_id for h in hits}
    cases = list(Case.objects.filter(subject_id__in=subject_ids).values("id", "subject_id", "opened_at",
                                                                         "resolved_at"))
    first = {}
    for d in Decision.objects.filter(case_id__in=[c["id"] for c in cases], appeal_of__isnull=True).order_by(
            "decided_at", "id").values("case_id", "verdict"):
        first.setdefault(d["case_id"], d["verdict"])
    by_subject: dict[int, list] = {}
    for c in cases:
        if c["id"] in first:
            by_subject.setdefault(c["subject_id"], []).append(c)
    out = {}
    for i, h in enumerate(hits):
        at = h.event.occurred_at
        for c in by_subject.get(h.event.actor_id, ()):
            if c["opened_at"] <= at + OUTCOME_HORIZON and (c["resolved_at"] is None or c["resolved_at"] >= at):
                out[i] = "violation" if first[c["id"]] == Verdict.VIOLATION else "no_violation"
                break
    return out


def backtest(*, actor, on, features, when, outcome, start: datetime, end: datetime, exclude_rule: str = "") -> dict:
    if not access.reads_risk(actor):
        raise Forbidden("not_a_risk_reader", "Only risk readers run backtests.")
    if end <= start:
        raise Invalid("invalid_period", "end must come after start.", field="end")
    if end - start > timedelta(days=MAX_DAYS):
        raise Invalid("invalid_period", f"A backtest covers at most {MAX_DAYS} days.", field="end")
    parsed = definition.parse(on=on, features=features, when=when, outcome=outcome)
    warm = max((f.window_seconds for f in parsed.features), default=0)
    kinds = set(parsed.on) | {f.event for f in parsed.features}
    events = stored_events(kinds, start - timedelta(seconds=warm), min(end, clock.now() + timedelta(minutes=5)))
    hits, stats, subjects = _replay(parsed, events, start.timestamp())
    per_day = Counter(h.event.occurred_at.date().isoformat() for h in hits)
    event_pks = [h.event.pk for h in hits]
    overlap = Counter()
    for chunk in range(0, len(event_pks), 5000):
        for key in (RuleHit.objects.filter(event_id__in=event_pks[chunk:chunk + 5000], rule_version__status="published")
                    .exclude(rule_version__rule__key=exclude_rule)
                    .values_list("rule_version__rule__key", flat=True)):
            overlap[key] += 1
    known = _known_outcomes(hits)
    confirmed = sum(v == "violation" for v in known.values())
    interval = wilson_interval(confirmed, len(known)) if known else None
    return {"start": start, "end": end, "events": len(events), "hits": len(hits),
            "subjects": len({h.event.actor_id for h in hits}),
            "per_day": [{"day": d, "hits": n} for d, n in sorted(per_day.items())],
            "overlap": [{"rule": k, "shared_hits": n} for k, n in overlap.most_common()],
            "precision": {"outcomes": len(known), "confirmed": confirmed,
                          "precision": confirmed / len(known) if known else None,
                          "low": interval.low if interval else None, "high": interval.high if interval else None},
            "errors": sum(stats.errors.values()), "feature_health": _health(stats),
            "samples": _sample(hits, subjects)}
