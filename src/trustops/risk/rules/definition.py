"""A rule's definition as sent (the `POST /risk/rules` contract), checked into what the engine runs."""
import re
from dataclasses import dataclass

from django.conf import settings

from trustops.kernel.errors import Invalid
from trustops.policies import selectors as policies
from trustops.review.models import Queue
from trustops.risk.features import spec
from trustops.risk.rules.compiler import Compiled, compile_when
from trustops.risk.rules.engine import RuleRun

OUTCOMES = ("open_case", "label", "signal", "action")
LABEL = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")
MAX_TTL = 365 * 86400


def allowed_actions() -> tuple[str, ...]:
    """Automatic actions a rule may take without a reviewer (`TRUSTOPS["RISK_ACTIONS"]`)."""
    return tuple(settings.TRUSTOPS.get("RISK_ACTIONS", ("hold_payouts", "restrict_live", "require_verification",
                                                        "rate_limit")))


@dataclass
class Definition:
    on: list[str]
    features: list[spec.Feature]
    when: str
    outcome: dict
    compiled: Compiled

    def run(self, *, version_id=None, key="draft", version=0, mode="shadow", dedupe_seconds=86400) -> RuleRun:
        return RuleRun(version_id, key, version, mode, frozenset(self.on), self.features, self.compiled,
                       self.outcome, dedupe_seconds)


def _outcome(raw) -> dict:
    if not isinstance(raw, dict) or not raw:
        raise Invalid("invalid_outcome", f"outcome must hold one or more of {', '.join(OUTCOMES)}.", field="outcome")
    unknown = set(raw) - set(OUTCOMES)
    if unknown:
        raise Invalid("invalid_outcome", f"outcome: unknown {sorted(map(str, unknown))[0]!r}; one of "
                                         f"{', '.join(OUTCOMES)}.", field=f"outcome.{sorted(map(str, unknown))[0]}")
    out = {}
    catalogue = policies.active_catalogue()
    if "open_case" in raw:
        body = raw["open_case"]
        if not isinstance(body, dict):
            raise Invalid("invalid_outcome", "outcome.open_case must be an object.", field="outcome.open_case")
        queue, policy = body.get("queue"), body.get("policy")
        if not isinstance(queue, str) or not Queue.objects.filter(key=queue, active=True).exists():
            raise Invalid("unknown_queue", f"outcome.open_case.queue: no active queue {queue!r}.",
                          field="outcome.open_case.queue")
        if not isinstance(policy, str) or policy not in catalogue:
            raise Invalid("unknown_policy", f"outcome.open_case.policy: no active policy {policy!r}.",
                          field="outcome.open_case.policy")
        out["open_case"] = {"queue": queue, "policy": policy}
    if "label" in raw:
        body = raw["label"]
        name = body.get("name") if isinstance(body, dict) else None
        ttl = body.get("ttl_seconds") if isinstance(body, dict) else None
        if not isinstance(name, str) or not LABEL.match(name):
            raise Invalid("invalid_outcome", "outcome.label.name: lower case, at most 64 characters.",
                          field="outcome.label.name")
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= MAX_TTL:
            raise Invalid("invalid_outcome", f"outcome.label.ttl_seconds: 1 to {MAX_TTL}.",
                          field="outcome.label.ttl_seconds")
        out["label"] = {"name": name, "ttl_seconds": ttl}
    if "signal" in raw:
        body = raw["signal"]
        score = body.get("score") if isinstance(body, dict) else None
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise Invalid("invalid_outcome", "outcome.signal.score: a number from 0 to 1.",
                          field="outcome.signal.score")
        policy = body.get("policy")
        if policy is not None and policy not in catalogue:
            raise Invalid("unknown_policy", f"outcome.signal.policy: no active policy {policy!r}.",
                          field="outcome.signal.policy")
        out["signal"] = {"score": float(score), **({"policy": policy} if policy else {})}
    if "action" in raw:
        body = raw["action"]
        name = body.get("name") if isinstance(body, dict) else body
        if name not in allowed_actions():
            raise Invalid("action_not_allowed", f"outcome.action: {name!r} is not an automatic action; allowed: "
                                                f"{', '.join(allowed_actions())}.", field="outcome.action")
        out["action"] = {"name": name}
    return out


def parse(*, on, features, when, outcome) -> Definition:
    if not isinstance(on, list) or not 1 <= len(on) <= 20 or not all(
            isinstance(k, str) and spec.EVENT_KIND.match(k) for k in on):
        raise Invalid("invalid_field", "on: one to twenty event kinds.", field="on")
    parsed = spec.parse(features, default_event=on[0])
    compiled = compile_when(when, parsed)
    return Definition(list(dict.fromkeys(on)), parsed, when, _outcome(outcome), compiled)
