"""Account health, pure: a 0–100 score explained by its contributions, and the band with floors and a cooldown.

Each factor loses its whole weight at its limit and a share of it below (weight × min(1, value / limit)); the
score is 100 less the losses. Bands: healthy at or above `bands.healthy`, at risk at or above `bands.at_risk`,
critical below. A floor forces a band no better than the one it names while its trigger holds. A worse band
applies at once; a better one only after the raw band has stayed better for `cooldown_days`.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

ORDER = {"healthy": 0, "at_risk": 1, "critical": 2}


FACTORS = ("violations", "strike_points", "complaints", "refund_rate", "chargeback_rate", "no_show_rate",
           "response_minutes", "audits_failed")


@dataclass(frozen=True)
class Figures:
    violations: float = 0
    strike_points: float = 0
    complaints: float = 0
    refund_rate: float = 0
    chargeback_rate: float = 0
    no_show_rate: float = 0
    response_minutes: float = 0
    audits_failed: float = 0


def score(figures: Figures, rules: dict) -> tuple[int, list[dict]]:
    contributions = []
    lost = 0.0
    for name, factor in rules["factors"].items():
        value = float(getattr(figures, name, 0) or 0)
        points = factor["weight"] * min(1.0, max(0.0, value) / factor["limit"])
        lost += points
        contributions.append({"factor": name, "value": round(value, 4), "points": -round(points, 2),
                              "weight": factor["weight"], "limit": factor["limit"]})
    return max(0, min(100, round(100 - lost))), contributions


def raw_band(value: int, figures: Figures, rules: dict) -> str:
    bands = rules["bands"]
    band = "healthy" if value >= bands["healthy"] else "at_risk" if value >= bands["at_risk"] else "critical"
    for name, floor in (rules.get("floors") or {}).items():
        if float(getattr(figures, name, 0) or 0) >= floor["at"] and ORDER[floor["band"]] > ORDER[band]:
            band = floor["band"]
    return band


@dataclass(frozen=True)
class BandState:
    band: str
    band_since: datetime | None
    recovering_since: datetime | None


def next_band(current: BandState, raw: str, now: datetime, cooldown_days: int) -> BandState:
    if ORDER[raw] > ORDER[current.band] or current.band_since is None:
        return BandState(raw, now, None)
    if ORDER[raw] == ORDER[current.band]:
        return BandState(current.band, current.band_since, None)
    since = current.recovering_since or now
    if now - since >= timedelta(days=cooldown_days):
        return BandState(raw, now, None)
    return BandState(current.band, current.band_since, since)
