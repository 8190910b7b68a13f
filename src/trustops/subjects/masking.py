"""Personal data in subject attributes, masked for people who must not see it (vendor staff)."""
PERSONAL_KEYS = ("email", "phone", "payment", "card", "iban", "address", "ip", "birth", "legal_name",
                 "national_id", "tax_id")
MASK = "•••"


def is_personal(key: str) -> bool:
    lowered = key.lower()
    return any(marker in lowered for marker in PERSONAL_KEYS)


def mask_attributes(attributes: dict) -> dict:
    return {k: (MASK if is_personal(k) else v) for k, v in attributes.items()}
