"""The rules in force for health, benefits and funds: defaults, and the checks a change must pass."""
from copy import deepcopy

from trustops.kernel.errors import Invalid

MAX_RESERVE_DAYS = 180

DEFAULTS = {
    "health": {
        "window_days": 30,
        # factor: (weight in points, value at which the whole weight is lost)
        "factors": {
            "violations": {"weight": 20, "limit": 3},          # active strikes on the merchant's account
            "strike_points": {"weight": 10, "limit": 6},       # their points
            "complaints": {"weight": 10, "limit": 0.05},       # complaints per order
            "refund_rate": {"weight": 15, "limit": 0.20},
            "chargeback_rate": {"weight": 20, "limit": 0.02},
            "no_show_rate": {"weight": 10, "limit": 0.10},
            "response_minutes": {"weight": 10, "limit": 240},  # average first response
            "audits_failed": {"weight": 5, "limit": 3},
        },
        "bands": {"healthy": 70, "at_risk": 40},               # lowest score of each band; below: critical
        "cooldown_days": 14,                                   # a better band must hold this long first
        "floors": {"chargeback_rate": {"at": 0.01, "band": "at_risk"}},
    },
    "benefits": {
        "healthy": {"promotion_eligible": True, "ranking_boost": 1.0, "subsidies": True,
                    "badges": ["trusted_merchant"]},
        "at_risk": {"promotion_eligible": True, "ranking_boost": 0.0, "subsidies": False, "badges": []},
        "critical": {"promotion_eligible": False, "ranking_boost": 0.0, "subsidies": False, "badges": []},
    },
    "funds": {
        "window_days": 90,
        "payout": {"healthy": "normal", "at_risk": "normal", "critical": "delayed"},
        "reserve_threshold": 0.02,    # exposure above which a healthy merchant carries a reserve
        "reserve_multiplier": 1.5,    # reserve = exposure × multiplier, capped
        "reserve_cap_percent": 50,
        "reserve_days": {"healthy": 30, "at_risk": 90, "critical": 180},
    },
    "licences": {"notice_days": [30, 7], "delay_after_days": 7, "hold_after_days": 30},
    "listings": {"price_z_limit": 3.5, "price_min_peers": 8},
}
BANDS = ("healthy", "at_risk", "critical")
PAYOUTS = ("normal", "delayed", "held")


def _number(value, field, low=0, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or (
            high is not None and value > high):
        bound = f" and {high}" if high is not None else ""
        raise Invalid("invalid_field", f"{field} must be a number between {low}{bound}.", field=field)


def check_reserve(percent, days, field: str = "reserve") -> None:
    _number(percent, f"{field}.percent", 0, 100)
    _number(days, f"{field}.days", 0, MAX_RESERVE_DAYS)


def validated(body: dict) -> dict:
    """The rules with the defaults filled in, or Invalid naming the first bad field."""
    if not isinstance(body, dict):
        raise Invalid("invalid_field", "The rules are an object.", field="rules")
    merged = deepcopy(DEFAULTS)
    for section, values in body.items():
        if section not in merged or not isinstance(values, dict):
            raise Invalid("invalid_field", f"Unknown rules section {section!r}.", field=str(section))
        for key, value in values.items():
            if key not in merged[section]:
                raise Invalid("invalid_field", f"Unknown rule {section}.{key}.", field=f"{section}.{key}")
            merged[section][key] = value
    health = merged["health"]
    for name, factor in health["factors"].items():
        if name not in DEFAULTS["health"]["factors"] or not isinstance(factor, dict):
            raise Invalid("invalid_field", f"Unknown health factor {name!r}.", field=f"health.factors.{name}")
        _number(factor.get("weight"), f"health.factors.{name}.weight", 0, 100)
        _number(factor.get("limit"), f"health.factors.{name}.limit", 1e-9)
    bands = health["bands"]
    _number(bands.get("healthy"), "health.bands.healthy", 0, 100)
    _number(bands.get("at_risk"), "health.bands.at_risk", 0, bands["healthy"])
    _number(health["cooldown_days"], "health.cooldown_days", 0, 365)
    _number(health["window_days"], "health.window_days", 1, 365)
    funds = merged["funds"]
    _number(funds["window_days"], "funds.window_days", 1, 365)
    _number(funds["reserve_cap_percent"], "funds.reserve_cap_percent", 0, 100)
    _number(funds["reserve_multiplier"], "funds.reserve_multiplier", 0, 100)
    for band in BANDS:
        _number(funds["reserve_days"].get(band), f"funds.reserve_days.{band}", 0, MAX_RESERVE_DAYS)
        if funds["payout"].get(band) not in PAYOUTS:
            raise Invalid("invalid_field", f"funds.payout.{band} is one of {', '.join(PAYOUTS)}.",
                          field=f"funds.payout.{band}")
    return merged
