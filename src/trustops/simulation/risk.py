"""The demo's event stream for risk: a week of logins, uploads, LIVE gifts, bookings, refunds and merchant edits,
in which three abuse patterns hide, and rules in both modes that find them (deterministic, seeded).

- Account takeover: a burst of failed logins on one account, then a payout change (enforce: case and label;
  then a shadow rule on the payout change that reads the label).
- Gift laundering: one account sending LIVE gifts to many creators within an hour (shadow).
- Refund abuse: one merchant's refunds jump in one hour (a monitor against its hour-of-week baseline).
"""
import random
from datetime import datetime, timedelta

from trustops.kernel import clock
from trustops.risk.events import services as events
from trustops.risk.monitors import services as monitors
from trustops.risk.rules import services as rules
from trustops.simulation import platform

INVESTIGATOR = "investigator"
SIZES = {"tiny": (15, 400), "default": (120, 4000), "large": (400, 15000)}   # accounts, background events a day

RULES = [
    dict(key="login-bruteforce", name="Burst of failed logins", on=["login_failed"], mode="enforce",
         features=[{"name": "fails_10m", "kind": "count", "event": "login_failed", "by": "actor",
                    "window_seconds": 600}],
         when="features.fails_10m >= 5",
         outcome={"open_case": {"queue": "integrity", "policy": "scams.phishing"},
                  "label": {"name": "suspected_takeover", "ttl_seconds": 7 * 86400}}),
    dict(key="payout-change-after-takeover", name="Payout change on a suspected takeover", on=["merchant_edit"],
         mode="shadow", features=[],
         when="event.attributes.field == 'payout_account' && 'suspected_takeover' in actor.labels",
         outcome={"signal": {"score": 0.9, "policy": "scams.phishing"}}),
    dict(key="gift-spray", name="Gifts to many creators in an hour", on=["gift"], mode="shadow",
         features=[{"name": "creators_1h", "kind": "distinct", "event": "gift", "by": "actor", "field": "to",
                    "window_seconds": 3600},
                   {"name": "gift_total_1h", "kind": "sum", "event": "gift", "by": "actor", "field": "amount",
                    "window_seconds": 3600}],
         when="features.creators_1h >= 12 && features.gift_total_1h >= 500",
         outcome={"label": {"name": "gift_laundering_suspect", "ttl_seconds": 3 * 86400}}),
    dict(key="large-refund", name="Large refunds on a new booking", on=["refund"], mode="shadow",
         features=[{"name": "refund_max_1d", "kind": "max", "event": "refund", "by": "actor", "field": "amount",
                    "window_seconds": 86400}],
         when="features.refund_max_1d > 450", outcome={"signal": {"score": 0.6}}),
]


def _event(n, kind, at, actor_type, actor, **attributes):
    return {"id": f"demo-{kind}-{n}", "kind": kind, "occurred_at": at.isoformat(),
            "actor": {"type": actor_type, "external_id": actor}, "attributes": attributes}


def stream(rng: random.Random, anchor: datetime, accounts: int, per_day: int) -> list[dict]:
    start = anchor - timedelta(days=7)
    users = [f"demo-user-{i}" for i in range(accounts)]
    merchants = [f"demo-merchant-{i}" for i in range(max(3, accounts // 5))]
    out, n = [], 0
    for _ in range(per_day * 7):
        n += 1
        at = start + timedelta(seconds=rng.uniform(0, 7 * 86400 - 3600))
        kind = rng.choices(["login", "login_failed", "upload", "gift", "booking", "refund", "merchant_edit"],
                           [40, 6, 15, 20, 10, 5, 4])[0]
        if kind in ("booking", "refund", "merchant_edit"):
            actor_type, actor = "merchant", rng.choice(merchants)
        else:
            actor_type, actor = "user", rng.choice(users)
        attributes = {"gift": {"amount": rng.choice([1, 5, 10, 20]), "to": f"creator-{rng.randrange(40)}"},
                      "refund": {"amount": rng.randrange(10, 300), "category": "cleaning"},
                      "booking": {"amount": rng.randrange(20, 400), "category": "cleaning"},
                      "merchant_edit": {"field": rng.choice(["hours", "description", "photos"])},
                      "upload": {"device": f"device-{rng.randrange(accounts)}"}}.get(kind, {})
        out.append(_event(n, kind, at, actor_type, actor, **attributes))
    # Account takeover of a merchant's login, two days ago: eight failures in four minutes, then a payout change.
    taken = merchants[0]
    burst = anchor - timedelta(days=2, hours=3)
    for i in range(8):
        n += 1
        out.append(_event(n, "login_failed", burst + timedelta(seconds=30 * i), "merchant", taken))
    n += 1
    out.append(_event(n, "merchant_edit", burst + timedelta(minutes=9), "merchant", taken, field="payout_account"))
    # Gift laundering yesterday: one account, fifteen creators, forty minutes.
    spray = anchor - timedelta(days=1, hours=5)
    for i in range(15):
        n += 1
        out.append(_event(n, "gift", spray + timedelta(minutes=i * 2.5), "user", users[-1], amount=60,
                          to=f"creator-launder-{i}"))
    # Refund spike five hours ago at one merchant.
    spike = (anchor - timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    for i in range(30):
        n += 1
        out.append(_event(n, "refund", spike + timedelta(minutes=i * 2), "merchant", merchants[1],
                          amount=rng.randrange(200, 500), category="cleaning"))
    return sorted(out, key=lambda e: e["occurred_at"])


def seed(*, anchor: datetime, seed: int = 7, size: str = "default", submitter=None) -> dict:
    rng = random.Random(seed * 7919 + 11)
    accounts, per_day = SIZES.get(size, SIZES["default"])
    author = platform.person(INVESTIGATOR, "investigator")
    with clock.frozen(anchor - timedelta(days=8)):
        for rule in RULES:
            rules.save_rule(actor=author, **rule)
        monitors.save_monitor(actor=author, key="refunds-cleaning", name="Refunds in cleaning services",
                              event_kind="refund", attribute="category", attribute_value="cleaning", min_volume=10,
                              queue_key="merchants", policy_code="merchant.fraud")
    sent = stream(rng, anchor, accounts, per_day)
    accepted = hits = 0
    for start in range(0, len(sent), 500):
        batch = sent[start:start + 500]
        with clock.frozen(datetime.fromisoformat(batch[-1]["occurred_at"]) + timedelta(seconds=1)):
            results = events.ingest(batch, submitter=submitter)
        accepted += sum(r.status == "accepted" for r in results)
        hits += sum(len(r.hits) for r in results)
    with clock.frozen(anchor):
        alerts = monitors.check_monitors(now=anchor - timedelta(hours=4))
    return {"risk_events": accepted, "risk_hits": hits, "risk_alerts": len(alerts)}
