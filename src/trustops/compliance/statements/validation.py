"""The Transparency Database's request validation, applied before a statement leaves: required and conditional
fields, allowed values, lengths, dates and the `puid` format. Pure: a dict in, the problems out."""
import re
from datetime import date

from trustops.compliance.statements import catalogue as c

PUID = re.compile(r"^[a-zA-Z0-9_-]{1,500}$")
LANGUAGE = re.compile(r"^[A-Z]{2}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://[^\s]+$")
CONTENT_DATES = (date(2000, 1, 1), date(2038, 1, 1))
APPLICATION_DATES = (date(2020, 1, 1), date(2038, 1, 1))

FIELDS = frozenset((
    "decision_visibility", "decision_visibility_other", "decision_monetary", "decision_monetary_other",
    "decision_provision", "decision_account", "account_type", "decision_ground", "decision_ground_reference_url",
    "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type", "content_type_other",
    "category", "category_addition", "category_specification", "category_specification_other",
    "territorial_scope", "content_language", "content_date", "application_date", "end_date_account_restriction",
    "end_date_monetary_restriction", "end_date_service_restriction", "end_date_visibility_restriction",
    "decision_facts", "source_type", "source_identity", "automated_detection", "automated_decision", "puid"))
ILLEGAL_FIELDS = ("illegal_content_legal_ground", "illegal_content_explanation")
INCOMPATIBLE_FIELDS = ("incompatible_content_ground", "incompatible_content_explanation",
                       "incompatible_content_illegal")


class Problems(list):
    def add(self, field: str, message: str) -> None:
        self.append({"field": field, "message": message})


def _text(problems, s, field, limit, *, required=False):
    value = s.get(field)
    if value is None or value == "":
        if required:
            problems.add(field, "is required")
        return
    if not isinstance(value, str):
        problems.add(field, "must be text")
    elif len(value) > limit:
        problems.add(field, f"is longer than {limit} characters")


def _one_of(problems, s, field, allowed, *, required=False):
    value = s.get(field)
    if value is None or value == "":
        if required:
            problems.add(field, "is required")
        return
    if value not in allowed:
        problems.add(field, f"{value!r} is not an allowed value")


def _list_of(problems, s, field, allowed, *, required=False):
    value = s.get(field)
    if value is None or value == []:
        if required:
            problems.add(field, "is required")
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(field, "must be a list")
        return
    bad = [v for v in value if v not in allowed]
    if bad:
        problems.add(field, f"{', '.join(map(repr, bad))} not allowed")


def _day(problems, s, field, bounds=None, *, required=False):
    value = s.get(field)
    if value is None or value == "":
        if required:
            problems.add(field, "is required")
        return
    if not isinstance(value, str) or not DAY.match(value):
        problems.add(field, "must be a date YYYY-MM-DD")
        return
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.add(field, "is not a calendar date")
        return
    if bounds and not bounds[0] <= day <= bounds[1]:
        problems.add(field, f"must be between {bounds[0]} and {bounds[1]}")


def validate(s: dict) -> list[dict]:
    """Every problem with the statement `s` (an empty list when the database would accept it)."""
    problems = Problems()
    for field in sorted(set(s) - FIELDS):
        problems.add(field, "is not a field of a statement of reasons")
    if not any(s.get(f) for f in ("decision_visibility", "decision_monetary", "decision_provision",
                                  "decision_account")):
        problems.add("decision_visibility", "at least one of the decision_* fields is required")
    _list_of(problems, s, "decision_visibility", c.VISIBILITY)
    if "DECISION_VISIBILITY_OTHER" in (s.get("decision_visibility") or []):
        _text(problems, s, "decision_visibility_other", c.TEXT_LIMIT, required=True)
    _one_of(problems, s, "decision_monetary", c.MONETARY)
    if s.get("decision_monetary") == "DECISION_MONETARY_OTHER":
        _text(problems, s, "decision_monetary_other", c.TEXT_LIMIT, required=True)
    _one_of(problems, s, "decision_provision", c.PROVISION)
    _one_of(problems, s, "decision_account", c.ACCOUNT)
    _one_of(problems, s, "account_type", c.ACCOUNT_TYPES)

    _one_of(problems, s, "decision_ground", c.GROUNDS, required=True)
    ground = s.get("decision_ground")
    if ground == c.GROUND_ILLEGAL:
        _text(problems, s, "illegal_content_legal_ground", c.TEXT_LIMIT, required=True)
        _text(problems, s, "illegal_content_explanation", c.EXPLANATION_LIMIT, required=True)
    else:
        for field in ILLEGAL_FIELDS:
            if s.get(field) not in (None, ""):
                problems.add(field, "only with the illegal-content ground")
    if ground == c.GROUND_INCOMPATIBLE:
        _text(problems, s, "incompatible_content_ground", c.TEXT_LIMIT, required=True)
        _text(problems, s, "incompatible_content_explanation", c.EXPLANATION_LIMIT, required=True)
        _one_of(problems, s, "incompatible_content_illegal", c.YES_NO)
    else:
        for field in INCOMPATIBLE_FIELDS:
            if s.get(field) not in (None, ""):
                problems.add(field, "only with the incompatible-content ground")
    _text(problems, s, "decision_ground_reference_url", c.TEXT_LIMIT)
    url = s.get("decision_ground_reference_url")
    if url and isinstance(url, str) and not URL.match(url):
        problems.add("decision_ground_reference_url", "must be a URL")

    _list_of(problems, s, "content_type", c.CONTENT_TYPES, required=True)
    if "CONTENT_TYPE_OTHER" in (s.get("content_type") or []):
        _text(problems, s, "content_type_other", c.TEXT_LIMIT, required=True)
    _one_of(problems, s, "category", c.CATEGORIES, required=True)
    _list_of(problems, s, "category_addition", c.CATEGORIES)
    _list_of(problems, s, "category_specification", c.KEYWORDS)
    if "KEYWORD_OTHER" in (s.get("category_specification") or []):
        _text(problems, s, "category_specification_other", c.TEXT_LIMIT, required=True)
    _list_of(problems, s, "territorial_scope", c.EEA_COUNTRIES, required=True)
    language = s.get("content_language")
    if language not in (None, "") and not (isinstance(language, str) and LANGUAGE.match(language)):
        problems.add("content_language", "must be an upper-case two-letter language code")

    _day(problems, s, "content_date", CONTENT_DATES, required=True)
    _day(problems, s, "application_date", APPLICATION_DATES, required=True)
    for field in ("end_date_account_restriction", "end_date_monetary_restriction", "end_date_service_restriction",
                  "end_date_visibility_restriction"):
        _day(problems, s, field, APPLICATION_DATES)
    _text(problems, s, "decision_facts", c.FACTS_LIMIT, required=True)

    _one_of(problems, s, "source_type", c.SOURCES, required=True)
    if s.get("source_type") == c.SOURCE_VOLUNTARY and s.get("source_identity") not in (None, ""):
        problems.add("source_identity", "is excluded for own-initiative (voluntary) decisions")
    _text(problems, s, "source_identity", c.TEXT_LIMIT)
    _one_of(problems, s, "automated_detection", c.YES_NO, required=True)
    _one_of(problems, s, "automated_decision", c.AUTOMATED_DECISIONS, required=True)
    puid = s.get("puid")
    if not puid:
        problems.add("puid", "is required")
    elif not isinstance(puid, str) or not PUID.match(puid):
        problems.add("puid", "at most 500 characters, only letters, digits, '-' and '_'")
    return list(problems)
