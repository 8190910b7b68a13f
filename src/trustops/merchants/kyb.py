"""KYB: verification through pluggable providers, and ban-evasion matching against merchants that left.

A provider answers checks, each `consistent`, `inconsistent` or `unavailable`, with its name; trustops stores the
answer as given and never turns it into a "verified" stamp. The local provider is deterministic and offline: it
checks what can be checked without an authority (the registration number's form and check digit, the owners'
shares), and says so in its answer.
"""
import hashlib
import re
import unicodedata
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Provider(Protocol):
    name: str

    def verify(self, identity: dict) -> dict: ...


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class LocalProvider:
    """Offline checks of form only; not an authority's confirmation."""
    name = "local"

    def verify(self, identity: dict) -> dict:
        checks = []
        number = re.sub(r"\D", "", identity.get("registration_number") or "")
        if not number:
            checks.append({"check": "registration_number", "outcome": "unavailable", "detail": "none given"})
        else:
            ok = len(number) >= 6 and _luhn_ok(number)
            checks.append({"check": "registration_number", "outcome": "consistent" if ok else "inconsistent",
                           "detail": "form and check digit" if ok else "fails the check digit"})
        owners = identity.get("owners") or []
        shares = sum(float(o.get("share_percent") or 0) for o in owners)
        checks.append({"check": "beneficial_owners",
                       "outcome": "consistent" if owners and shares <= 100 else "inconsistent",
                       "detail": f"{len(owners)} owners holding {shares:g}%"})
        outcome = ("inconsistent" if any(c["outcome"] == "inconsistent" for c in checks)
                   else "incomplete" if any(c["outcome"] == "unavailable" for c in checks) else "consistent")
        return {"provider": self.name, "outcome": outcome, "checks": checks,
                "note": "offline form checks; no authority was asked"}


def provider() -> Provider:
    path = settings.TRUSTOPS.get("MERCHANT_VERIFICATION_PROVIDER")
    return import_string(path)() if path else LocalProvider()


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def owner_key(owner: dict) -> str:
    """An owner as matched across merchants: name and date of birth, normalised, hashed."""
    raw = f"{normalised(owner.get('name', ''))}|{owner.get('date_of_birth', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def identity_keys(identity: dict) -> dict[str, set[str]]:
    keys = {"registration_number": {normalised(identity.get("registration_number", ""))},
            "bank_account_fingerprint": {identity.get("bank_account_fingerprint", "")},
            "phone": {re.sub(r"\D", "", identity.get("phone", ""))},
            "device_id": {identity.get("device_id", "")},
            "owner": {owner_key(o) for o in identity.get("owners") or [] if o.get("name")}}
    return {k: {v for v in values if v} for k, values in keys.items()}


def matches(newcomer: dict, gone: list[tuple[str, dict]]) -> list[dict]:
    """Merchants that left (external id, identity) sharing any key with the newcomer."""
    mine = identity_keys(newcomer)
    found = []
    for external_id, identity in gone:
        theirs = identity_keys(identity)
        shared = sorted(k for k in mine if mine[k] & theirs.get(k, set()))
        if shared:
            found.append({"merchant": external_id, "shared": shared})
    return found
