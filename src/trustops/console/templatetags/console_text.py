"""How the console words codes, times and ledger payloads for people."""
from datetime import datetime

from django import template

from trustops.identity import access
from trustops.kernel import clock
from trustops.policies.actions import ACTIONS
from trustops.subjects.masking import MASK, is_personal

register = template.Library()

# Ledger payload fields that only repeat what the timeline row already shows.
QUIET_KEYS = {"decision_id", "report_id", "signal_id", "appeal_id", "device_id", "case_created", "policy_version",
              "threshold", "kind"}


@register.filter
def words(code) -> str:
    """`no_violation` → "No violation", `case.lease_renewed` → "Case lease renewed"."""
    text = str(code or "").replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def action_label(code) -> str:
    return ACTIONS.get(code, words(code))


@register.filter
def seconds_until(moment: datetime | None):
    if moment is None:
        return None
    return int((moment - clock.now()).total_seconds())


@register.filter
def seconds_since(moment: datetime | None):
    if moment is None:
        return None
    return max(0, int((clock.now() - moment).total_seconds()))


@register.filter
def payload_summary(payload, viewer) -> str:
    """A ledger payload in one line; personal values are masked for vendor staff as everywhere else."""
    if not isinstance(payload, dict):
        return ""
    mask = viewer is None or access.viewer(viewer).is_vendor_staff
    parts = []
    for key, value in payload.items():
        if key in QUIET_KEYS or value in (None, "", [], {}):
            continue
        if mask and is_personal(key):
            value = MASK
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            if any(isinstance(v, (dict, list)) for v in value):
                continue
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            continue
        elif key.endswith("_at") and isinstance(value, str):
            value = _short_time(value)
        parts.append(f"{words(key).lower()}: {value}")
    return " · ".join(parts)


def _short_time(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def sees_delivery_log(user) -> bool:
    from trustops.outbox.selectors import may_see_deliveries

    return may_see_deliveries(user)


@register.filter
def second_factor_pending(user) -> bool:
    from trustops.console.middleware import second_factor_pending as pending

    return pending(user)


@register.filter
def number(value) -> str:
    """12345678 → "12,345,678"."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def clock_face(seconds) -> str:
    """Seconds left as m:ss, for the lease countdown."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


# What an applied action did, as a reviewer would say it.
DONE = {"remove": "Removed", "age_restrict": "Age-restricted", "reduce_reach": "Reach reduced",
        "label": "Labelled", "warn": "Warned", "strike": "Strike added", "restrict_live": "LIVE restricted",
        "restrict_commenting": "Commenting restricted", "restrict_selling": "Selling restricted",
        "suspend": "Suspended", "ban": "Banned", "delist": "Delisted", "revoke_benefits": "Benefits revoked",
        "hold_payouts": "Payouts held"}


@register.filter
def action_done(code) -> str:
    return DONE.get(code, words(code))
