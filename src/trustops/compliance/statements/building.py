"""Building a statement of reasons from what trustops recorded about a decision. Pure: facts in, statement out."""
from dataclasses import dataclass, field
from datetime import date, datetime

from trustops.compliance.statements import catalogue as c

MIN_CONTENT_DATE = date(2000, 1, 1)


@dataclass(frozen=True)
class Restriction:
    action: str
    ends_at: datetime | None        # None: until reversed


@dataclass(frozen=True)
class Mapping:
    """The policy's DSA mapping: the category its version carries, and the compliance mapping's ground."""
    category: str
    ground: str = c.GROUND_INCOMPATIBLE
    legal_ground: str = ""
    keywords: tuple[str, ...] = ()
    reference_url: str = ""


@dataclass(frozen=True)
class DecisionFacts:
    decision_id: int
    decided_at: datetime
    rationale: str
    policy_code: str
    policy_title: str
    policy_guidance: str
    mapping: Mapping | None
    subject_type: str
    region: str
    language: str
    content_first_seen: datetime
    owner_type: str | None
    restrictions: tuple[Restriction, ...]
    report_sources: frozenset[str] = field(default_factory=frozenset)
    automated_detection: bool = False
    fully_automated: bool = False


class Gap(Exception):
    """The decision cannot be stated as the database requires (e.g. its policy has no DSA mapping)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def puid_for(decision_id: int, *, correction: int = 0) -> str:
    return f"trustops-decision-{decision_id}" + (f"-correction-{correction}" if correction else "")


def restricts(actions) -> bool:
    return any(a in c.RESTRICTING_ACTIONS for a in actions)


def _clip(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _end(restrictions: list[Restriction]) -> str | None:
    """The latest end of the restrictions of one type; None (indefinite) when any of them has no end."""
    if not restrictions or any(r.ends_at is None for r in restrictions):
        return None
    return max(r.ends_at for r in restrictions).date().isoformat()


def source_type(report_sources) -> str:
    for source in c.SOURCE_ORDER:
        if any(c.SOURCE_OF_REPORT.get(s) == source for s in report_sources):
            return source
    return c.SOURCE_VOLUNTARY


def build(facts: DecisionFacts, *, correction: int = 0, ended_on: date | None = None) -> dict:
    """The statement for a restricting decision; `Gap` when it cannot be filled in. A correction (an overturned
    appeal) restates the decision with every restriction ended on `ended_on`."""
    mapping = facts.mapping
    if mapping is None or mapping.category not in c.CATEGORIES:
        raise Gap("no_dsa_mapping", f"Policy {facts.policy_code} has no DSA category mapping.")
    if mapping.ground == c.GROUND_ILLEGAL and not mapping.legal_ground.strip():
        raise Gap("no_legal_ground", f"Policy {facts.policy_code} is mapped to illegal content without the law "
                                     "it breaks.")
    if facts.region not in c.EEA_COUNTRIES:
        raise Gap("outside_eea", f"Region {facts.region} is outside the EU/EEA: nothing is stated.")
    by_type: dict[str, list[Restriction]] = {"visibility": [], "provision": [], "account": [], "monetary": []}
    for r in facts.restrictions:
        if r.action in c.VISIBILITY_ACTIONS:
            by_type["visibility"].append(r)
        elif r.action in c.PROVISION_ACTIONS:
            by_type["provision"].append(r)
        elif r.action in c.ACCOUNT_ACTIONS:
            by_type["account"].append(r)
        elif r.action in c.MONETARY_ACTIONS:
            by_type["monetary"].append(r)
    if not any(by_type.values()):
        raise Gap("no_restriction", "The decision restricts nothing.")

    s: dict = {"puid": puid_for(facts.decision_id, correction=correction)}
    if by_type["visibility"]:
        s["decision_visibility"] = sorted({c.VISIBILITY_ACTIONS[r.action] for r in by_type["visibility"]})
    if by_type["provision"]:
        s["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
    if by_type["account"]:
        actions = {r.action for r in by_type["account"]}
        s["decision_account"] = c.ACCOUNT_ACTIONS["ban" if "ban" in actions else "suspend"]
    if by_type["monetary"]:
        actions = {r.action for r in by_type["monetary"]}
        if "hold_payouts" in actions:
            s["decision_monetary"] = c.MONETARY_ACTIONS["hold_payouts"]
        else:
            s["decision_monetary"] = "DECISION_MONETARY_OTHER"
            s["decision_monetary_other"] = c.MONETARY_OTHER_TEXT
    if facts.owner_type or facts.subject_type in ("user", "creator", "merchant"):
        account_type = facts.owner_type or facts.subject_type
        s["account_type"] = "ACCOUNT_TYPE_BUSINESS" if account_type == "merchant" else "ACCOUNT_TYPE_PRIVATE"

    s["decision_ground"] = mapping.ground
    explanation = _clip(facts.rationale, c.EXPLANATION_LIMIT)
    if mapping.ground == c.GROUND_ILLEGAL:
        s["illegal_content_legal_ground"] = _clip(mapping.legal_ground, c.TEXT_LIMIT)
        s["illegal_content_explanation"] = explanation
    else:
        s["incompatible_content_ground"] = _clip(f"{facts.policy_title} ({facts.policy_code})", c.TEXT_LIMIT)
        s["incompatible_content_explanation"] = _clip(facts.policy_guidance or facts.rationale, c.EXPLANATION_LIMIT)
    if mapping.reference_url:
        s["decision_ground_reference_url"] = mapping.reference_url

    content_type = c.CONTENT_TYPE_OF.get(facts.subject_type, "CONTENT_TYPE_OTHER")
    s["content_type"] = [content_type]
    if content_type == "CONTENT_TYPE_OTHER":
        s["content_type_other"] = c.CONTENT_TYPE_OTHER_TEXT.get(facts.subject_type, facts.subject_type)
    s["category"] = mapping.category
    if mapping.keywords:
        s["category_specification"] = list(mapping.keywords)
    s["territorial_scope"] = [facts.region]
    language = (facts.language or "").split("-", 1)[0].upper()
    if len(language) == 2 and language.isalpha():
        s["content_language"] = language
    s["content_date"] = max(facts.content_first_seen.date(), MIN_CONTENT_DATE).isoformat()
    s["application_date"] = facts.decided_at.date().isoformat()
    ends = {"visibility": _end(by_type["visibility"]), "service": _end(by_type["provision"]),
            "account": _end(by_type["account"]), "monetary": _end(by_type["monetary"])}
    if ended_on is not None:
        ends = {kind: ended_on.isoformat() if by_type[{"service": "provision"}.get(kind, kind)] else None
                for kind in ends}
    for kind, end in ends.items():
        if end:
            s[f"end_date_{kind}_restriction"] = end
    facts_text = facts.rationale
    if ended_on is not None:
        facts_text = (f"Correction: on {ended_on.isoformat()} an internal complaint (appeal) reversed this decision "
                      f"and every restriction it imposed ended. Original decision: {facts.rationale}")
    s["decision_facts"] = _clip(facts_text, c.FACTS_LIMIT)
    s["source_type"] = source_type(facts.report_sources)
    s["automated_detection"] = "Yes" if facts.automated_detection else "No"
    s["automated_decision"] = ("AUTOMATED_DECISION_FULLY" if facts.fully_automated
                               else "AUTOMATED_DECISION_NOT_AUTOMATED")
    return s
