"""Personal data in subject attributes, masked for people who must not see it (vendor staff), by a declared schema.

Attributes are whatever the integrating platform sends: nested objects, lists, keys we have never seen. So masking
walks every value, at any depth, and decides per path, in this order:

1. a path the platform declared personal is masked (with everything under it);
2. a path declared safe is shown (only that path: declaring `contact` safe does not reveal `contact.email`);
3. a key that names personal data (contact, e-mail, phone, names of people, addresses, government ids, payment,
   devices, IP addresses, dates of birth) is masked with everything under it, wherever it sits;
4. anything else that is text is masked: free text may hold anything, so it is shown only once declared safe;
   numbers, booleans and empty values are shown.

Paths are dotted keys; `[]` stands for the items of a list and `*` for any one key, e.g. `owners[].name`,
`contact.*`. Declarations apply to every subject type (`"*"`) or to one (`"poi"`). The defaults below declare the
content a reviewer must read (captions, titles, texts) safe; the platform adds its own in the configuration
(`TRUSTOPS["ATTRIBUTE_SCHEMA"]`).

The API and the console call `mask_attributes` and `mask_value`; nothing else decides.
"""
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

MASK = "•••"

# Key names (after splitting camelCase and separators into words) that are personal data wherever they appear.
PERSONAL_WORDS = frozenset({
    "email", "mail", "phone", "mobile", "telephone", "tel", "fax", "contact", "address", "street", "postcode",
    "postal", "zip", "passport", "ssn", "iban", "swift", "bic", "card", "pan", "cvv", "bank", "payment", "payout",
    "ip", "ipv4", "ipv6", "device", "imei", "idfa", "gaid", "udid", "fingerprint", "birth", "birthday", "dob",
    "password", "secret", "geolocation", "latitude", "longitude", "gps",
})
PERSONAL_KEYS = frozenset({
    "name", "first_name", "last_name", "full_name", "legal_name", "surname", "given_name", "family_name",
    "middle_name", "maiden_name", "real_name", "owner_name", "national_id", "tax_id", "government_id", "id_number",
    "driver_license", "licence_number", "license_number", "account_number", "routing_number", "date_of_birth",
})

DEFAULT_SCHEMA = {
    "*": {"safe": ["caption", "text", "title", "description", "bio", "handle", "display_name", "hashtags",
                   "business_name", "business_category", "category", "merchant_stage", "price", "currency",
                   "thread", "language"],
          "personal": []},
    "poi": {"safe": ["name"], "personal": []},
    # A merchant's business identity (merchants app): who runs it, where, and where its money goes. Owners are
    # walked like any nested value: their names, birth dates and ids are masked, their shares shown.
    "merchant": {"safe": ["status", "region", "category"],
                 "personal": ["legal_name", "registration_number", "address", "phone", "device_id",
                              "bank_account_fingerprint", "pois"]},
}

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key)]


def is_personal(key: str) -> bool:
    """Whether a key, on its own, names personal data (rule 3)."""
    words = _words(key)
    singular = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]   # devices, emails, phones
    return ("_".join(words) in PERSONAL_KEYS or "_".join(singular) in PERSONAL_KEYS
            or any(w in PERSONAL_WORDS for w in (*words, *singular)))


@dataclass(frozen=True)
class AttributeSchema:
    personal: dict[str, tuple[str, ...]] = field(default_factory=dict)   # subject type or "*" → path patterns
    safe: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_declaration(cls, declaration: dict) -> "AttributeSchema":
        personal, safe = {}, {}
        for subject_type, paths in (declaration or {}).items():
            personal[subject_type] = tuple(paths.get("personal", ()))
            safe[subject_type] = tuple(paths.get("safe", ()))
        return cls(personal, safe)

    def _matches(self, table: dict, subject_type: str, path: str) -> bool:
        patterns = (*table.get("*", ()), *table.get(subject_type, ()))
        return any(fnmatchcase(path, pattern) for pattern in patterns)

    def declared_personal(self, subject_type: str, path: str) -> bool:
        return self._matches(self.personal, subject_type, path)

    def declared_safe(self, subject_type: str, path: str) -> bool:
        return self._matches(self.safe, subject_type, path)


def _merged(*declarations: dict) -> dict:
    merged: dict = {}
    for declaration in declarations:
        for subject_type, paths in (declaration or {}).items():
            entry = merged.setdefault(subject_type, {"safe": [], "personal": []})
            entry["safe"] += list(paths.get("safe", []))
            entry["personal"] += list(paths.get("personal", []))
    return merged


def configured_schema() -> AttributeSchema:
    from django.conf import settings

    return AttributeSchema.from_declaration(_merged(DEFAULT_SCHEMA, settings.TRUSTOPS.get("ATTRIBUTE_SCHEMA")))


def mask_value(value, *, subject_type: str = "*", path: str = "", schema: AttributeSchema | None = None):
    """The value as vendor staff may see it; `path` is where it sits ("" for the top)."""
    schema = schema or configured_schema()
    return _walk(value, path, subject_type, schema)


def mask_attributes(attributes: dict, *, subject_type: str = "*", schema: AttributeSchema | None = None) -> dict:
    masked = mask_value(attributes if isinstance(attributes, dict) else {}, subject_type=subject_type,
                        schema=schema)
    return masked if isinstance(masked, dict) else {}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(value, path: str, subject_type: str, schema: AttributeSchema):
    if path and schema.declared_personal(subject_type, path):
        return MASK
    if path and schema.declared_safe(subject_type, path) and not isinstance(value, (dict, list)):
        return value
    last = path.rsplit(".", 1)[-1].removesuffix("[]") if path else ""
    if last and is_personal(last) and not (path and schema.declared_safe(subject_type, path)):
        return MASK
    if isinstance(value, dict):
        return {key: _walk(item, _join(path, str(key)), subject_type, schema) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, f"{path}[]", subject_type, schema) for item in value]
    if isinstance(value, str) and value:
        return MASK
    return value
