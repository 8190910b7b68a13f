"""Licence expiry, pure: from the merchant's qualifications and today, the state it should be in.

A licence is valid through its expiry date. For each category the merchant sells in, each kind of qualification
that category requires in the merchant's region is met by the approved one that runs longest. Then:
- 30 and 7 days before it lapses, a notice (once per qualification and threshold);
- once lapsed (or never held), the category's benefits are withdrawn and only its listings are hidden;
- `delay_after_days` after lapsing, payouts are delayed; after `hold_after_days`, held and off-boarding proposed.
An approved valid licence undoes every step at once. `services.licences.apply` writes the difference.
"""
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Held:
    id: int
    kind: str
    status: str
    issued_on: date
    expires_on: date


@dataclass
class Desired:
    withdrawn_categories: list[str] = field(default_factory=list)
    payout: str = "normal"
    offboarding_proposed: bool = False
    notices: list[str] = field(default_factory=list)     # "qualification id:days"
    reasons: dict[str, str] = field(default_factory=dict)  # category or step -> why

    def as_state(self) -> dict:
        return {"withdrawn_categories": self.withdrawn_categories, "payout": self.payout,
                "offboarding_proposed": self.offboarding_proposed, "notices": self.notices,
                "reasons": self.reasons}


def desired_state(required: dict[str, list[str]], held: list[Held], today: date, rules: dict) -> Desired:
    """`required`: category code -> kinds of qualification it needs (in the merchant's region)."""
    out = Desired()
    worst_over = -1
    lapsed_kinds = []
    for category, kinds in sorted(required.items()):
        missing = []
        for kind in kinds:
            valid = [q for q in held if q.kind == kind and q.status == "approved" and q.issued_on <= today]
            best = max(valid, key=lambda q: q.expires_on, default=None)
            if best is None:
                missing.append(f"{kind} missing")
                continue
            left = (best.expires_on - today).days
            if left < 0:
                missing.append(f"{kind} expired on {best.expires_on.isoformat()}")
                worst_over = max(worst_over, -left)
                lapsed_kinds.append(kind)
                continue
            for days in sorted(rules["notice_days"], reverse=True):
                if left <= days:
                    out.notices.append(f"{best.id}:{days}")
        if missing:
            out.withdrawn_categories.append(category)
            out.reasons[category] = "; ".join(missing)
    if worst_over >= rules["hold_after_days"]:
        out.payout = "held"
        out.offboarding_proposed = True
        out.reasons["payout"] = f"licence {', '.join(sorted(set(lapsed_kinds)))} lapsed {worst_over} days ago"
    elif worst_over >= rules["delay_after_days"]:
        out.payout = "delayed"
        out.reasons["payout"] = f"licence {', '.join(sorted(set(lapsed_kinds)))} lapsed {worst_over} days ago"
    out.notices = sorted(set(out.notices))
    return out
