"""Benefits and funds, pure: from the band, the licence state and the decisions in force.

Payout: the most severe of the band's (`funds.payout`), the licences' and a decision's; held while suspended
or off-boarding. The rolling reserve is
sized from the windowed exposure (refunded plus charged-back amount over gross, over `funds.window_days`):
exposure × `reserve_multiplier`, capped at `reserve_cap_percent`, held for the band's `reserve_days` (≤ 180);
a healthy merchant below `reserve_threshold` carries none. A decision may set the reserve instead.
Benefits follow the band (`benefits`), none while the merchant does not sell, none in a withdrawn category.

Relief (`relief_payout`, `relief_reserve`, `relief_benefits` among the decisions): an appeal overturned what the
rules set, so for a while the band's payout level counts as normal, the rules' reserve as none and the band's
benefits as a healthy merchant's. What a licence, a status or a person's decision sets still applies.
"""
import math

SEVERITY = {"normal": 0, "delayed": 1, "held": 2}
# A suspended merchant is paid nothing until it is reinstated (Adyen's `suspended` blocks payouts too); a leaving
# one is paid out through its final settlement.
HOLDING_STATUSES = ("suspended", "offboarding")


def exposure(gross: float, refunded: float, charged_back: float) -> float:
    return 0.0 if gross <= 0 else min(1.0, (refunded + charged_back) / gross)


def funds_for(*, band: str, status: str, licence_payout: str, exposure_rate: float, overrides: dict,
              rules: dict) -> tuple[dict, list[str]]:
    reasons = []
    relief = {what: overrides[f"relief_{what}"] for what in ("payout", "reserve") if overrides.get(f"relief_{what}")}
    payout = "normal" if "payout" in relief else rules["payout"][band]
    if "payout" in relief and rules["payout"][band] != "normal":
        reasons.append(f"appeal relief: band {band} payouts normal: {relief['payout']['reason']}")
    if payout != "normal":
        reasons.append(f"band {band}: payouts {payout}")
    if SEVERITY[licence_payout] > SEVERITY[payout]:
        payout = licence_payout
        reasons.append(f"licence: payouts {licence_payout}")
    decided = overrides.get("payout")
    if decided and SEVERITY[decided["value"]] > SEVERITY[payout]:
        payout = decided["value"]
        reasons.append(f"decision: {decided['reason']}")
    if status in HOLDING_STATUSES and payout != "held":
        payout = "held"
        reasons.append(f"{status}: payouts held")
    reserve = overrides.get("reserve")
    if reserve:
        percent, days = reserve["percent"], reserve["days"]
        reasons.append(f"decision: reserve {percent}% for {days} days: {reserve['reason']}")
    elif "reserve" in relief or (band == "healthy" and exposure_rate < rules["reserve_threshold"]):
        percent, days = 0, 0
        if "reserve" in relief:
            reasons.append(f"appeal relief: no rolling reserve: {relief['reserve']['reason']}")
    else:
        percent = min(rules["reserve_cap_percent"], math.ceil(exposure_rate * rules["reserve_multiplier"] * 100))
        days = rules["reserve_days"][band] if percent else 0
        if percent:
            reasons.append(f"exposure {exposure_rate:.1%} over {rules['window_days']} days: reserve {percent}%")
    return {"payout": payout, "reserve_percent": percent, "release_days": days,
            "exposure": round(exposure_rate, 4)}, reasons


def benefits_for(*, band: str, selling: bool, withdrawn_categories: list[str], overrides: dict,
                 rules: dict) -> dict:
    # Relief from an overturned appeal: the benefits of a healthy merchant, still none outside selling.
    band = "healthy" if overrides.get("relief_benefits") else band
    base = dict(rules[band]) if selling else {"promotion_eligible": False, "ranking_boost": 0.0,
                                              "subsidies": False, "badges": []}
    revoked = overrides.get("benefits", {}).get("revoked", [])
    for name in revoked:
        if name in base:
            base[name] = [] if name == "badges" else (0.0 if name == "ranking_boost" else False)
    base["withdrawn_categories"] = list(withdrawn_categories)
    return base
