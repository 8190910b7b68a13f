"""The contract editor's form: a version's terms as fields (pricing rows, SLA rows, the quality target, credits,
languages, skills, agent caps), turned back into the terms document the services check.

Every input is named by the terms' own field path (`sla.0.within_hours`), so a problem the services report at
`terms.sla.0.within_hours` lands next to the input that caused it. Blank rows are dropped; a section whose fields
are all blank is left out of the terms. Values stay text here: the terms' schema turns and bounds them, so what
a person typed is shown back as typed when something is wrong."""
from dataclasses import dataclass, field

EXTRA_ROWS = 2          # blank rows offered under the filled ones
MAX_ROWS = 200          # as many as the terms allow per list
MAX_VALUE_CHARS = 200

PRICE_FIELDS = ("queue", "tier", "price")
SLA_FIELDS = ("queue", "within_hours", "target_share", "credit_allocation")
CAP_FIELDS = ("queue", "agents")
FIXED_FIELDS = ("fee", "included_decisions", "marginal_price")
QUALITY_FIELDS = ("target_accuracy", "confidence", "min_audits", "malus_percent", "bonus_above", "bonus_percent")
CREDIT_FIELDS = ("at_risk_percent", "pool_percent", "monthly_cap_percent", "earn_back_months")
LABELS = {
    "queue": "queue", "tier": "complexity tier", "price": "price", "within_hours": "within hours",
    "target_share": "target share (0–1)", "credit_allocation": "credit allocation %", "agents": "most agents",
    "fee": "Fixed monthly fee", "included_decisions": "Decisions included", "marginal_price": "Price above them",
    "target_accuracy": "Target accuracy (0–1)", "confidence": "Confidence", "min_audits": "Fewest audits",
    "malus_percent": "Malus %", "bonus_above": "Bonus above accuracy", "bonus_percent": "Bonus %",
    "at_risk_percent": "Amount at risk %", "pool_percent": "Allocation pool %",
    "monthly_cap_percent": "Monthly credit cap %", "earn_back_months": "Earn-back months",
}


def _text(value) -> str:
    return "" if value is None else str(value)


@dataclass
class TermsForm:
    """What the page shows: one value per input name, the rows of each list, and the problems per input."""
    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, name: str, label: str) -> dict:
        return {"name": name, "label": label, "value": self.values.get(name, ""), "errors": self.errors.get(name, [])}

    def table(self, prefix: str, names: tuple[str, ...], row_label: str, caption: str) -> dict:
        rows = [{"number": i + 1, "errors": self.errors.get(f"{prefix}.{i}", []),
                 "cells": [self.cell(f"{prefix}.{i}.{name}", f"{row_label} {i + 1}: {LABELS[name]}")
                           for name in names]}
                for i in range(self.rows.get(prefix, 0))]
        return {"caption": caption, "headers": [LABELS[name].capitalize() for name in names], "rows": rows}

    def sections(self) -> dict:
        """The page's inputs, grouped as the template lays them out."""
        def cells(prefix, names):
            return [self.cell(f"{prefix}.{name}", LABELS[name]) for name in names]
        return {
            "currency": self.cell("currency", "Currency (ISO 4217)"),
            "prices": self.table("pricing.per_decision", PRICE_FIELDS, "Price", "Prices per decision"),
            "per_hour": self.cell("pricing.per_productive_hour", "Price per productive hour"),
            "fixed": cells("pricing.fixed_monthly", FIXED_FIELDS),
            "slas": self.table("sla", SLA_FIELDS, "SLA", "SLA terms"),
            "quality": cells("quality", QUALITY_FIELDS),
            "credits": cells("credits", CREDIT_FIELDS),
            "languages": self.cell("languages", "Languages (comma-separated)"),
            "skills": self.cell("skills", "Skills (comma-separated)"),
            "caps": self.table("max_agents", CAP_FIELDS, "Cap", "Most agents per queue"),
            "errors": sum(len(messages) for messages in self.errors.values()),
        }


def from_terms(terms: dict) -> TermsForm:
    """The form filled from a version's terms (the draft starts as a copy of the latest version)."""
    form = TermsForm()
    values = form.values
    values["currency"] = _text(terms.get("currency", "USD"))
    pricing = terms.get("pricing") or {}
    prices = pricing.get("per_decision") or []
    for i, price in enumerate(prices):
        for name in PRICE_FIELDS:
            values[f"pricing.per_decision.{i}.{name}"] = _text(price.get(name))
    values["pricing.per_productive_hour"] = _text(pricing.get("per_productive_hour"))
    fixed = pricing.get("fixed_monthly") or {}
    for name in FIXED_FIELDS:
        values[f"pricing.fixed_monthly.{name}"] = _text(fixed.get(name))
    slas = terms.get("sla") or []
    for i, sla in enumerate(slas):
        for name in SLA_FIELDS:
            values[f"sla.{i}.{name}"] = _text(sla.get(name))
    quality = terms.get("quality") or {}
    for name in QUALITY_FIELDS:
        values[f"quality.{name}"] = _text(quality.get(name))
    credits = terms.get("credits") or {}
    for name in CREDIT_FIELDS:
        values[f"credits.{name}"] = _text(credits.get(name))
    values["languages"] = ", ".join(terms.get("languages") or [])
    values["skills"] = ", ".join(terms.get("skills") or [])
    caps = sorted((terms.get("max_agents") or {}).items())
    for i, (queue, agents) in enumerate(caps):
        values[f"max_agents.{i}.queue"], values[f"max_agents.{i}.agents"] = queue, _text(agents)
    form.rows = {"pricing.per_decision": len(prices) + EXTRA_ROWS, "sla": len(slas) + EXTRA_ROWS,
                 "max_agents": len(caps) + EXTRA_ROWS}
    return form


def _rows_posted(post, prefix: str) -> int:
    """How many rows of a list the page sent (the highest index of any of its inputs, plus one)."""
    highest = -1
    for key in post:
        if key.startswith(prefix + "."):
            index = key[len(prefix) + 1:].split(".", 1)[0]
            if index.isdigit() and int(index) < MAX_ROWS:
                highest = max(highest, int(index))
    return highest + 1


def _section(values: dict[str, str], prefix: str, names: tuple[str, ...]) -> dict | None:
    filled = {name: values[f"{prefix}.{name}"] for name in names if values.get(f"{prefix}.{name}", "").strip()}
    return filled or None


def _tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def from_post(post) -> tuple[TermsForm, dict, dict[str, str]]:
    """The form as typed, the terms document it makes, and how the document's list paths map back to inputs
    (a blank row dropped moves the rows under it up one)."""
    form = TermsForm()
    values = form.values
    for key, value in post.items():
        if key == "csrfmiddlewaretoken":
            continue
        values[key] = str(value)[:MAX_VALUE_CHARS].strip()
    where: dict[str, str] = {}
    terms: dict = {"currency": values.get("currency", "") or "USD"}

    def rows(prefix: str, names: tuple[str, ...]) -> list[dict]:
        count = _rows_posted(post, prefix)
        form.rows[prefix] = count
        kept = []
        for i in range(count):
            row = {name: values.get(f"{prefix}.{i}.{name}", "") for name in names}
            if not any(row.values()):
                continue
            where[f"{prefix}.{len(kept)}"] = f"{prefix}.{i}"
            kept.append({name: value for name, value in row.items() if value != ""})
        return kept

    pricing: dict = {"per_decision": rows("pricing.per_decision", PRICE_FIELDS)}
    if values.get("pricing.per_productive_hour"):
        pricing["per_productive_hour"] = values["pricing.per_productive_hour"]
    fixed = _section(values, "pricing.fixed_monthly", FIXED_FIELDS)
    if fixed is not None:
        pricing["fixed_monthly"] = fixed
    terms["pricing"] = pricing
    terms["sla"] = rows("sla", SLA_FIELDS)
    for name, names in (("quality", QUALITY_FIELDS), ("credits", CREDIT_FIELDS)):
        section = _section(values, name, names)
        if section is not None:
            terms[name] = section
    terms["languages"] = _tags(values.get("languages", ""))
    terms["skills"] = _tags(values.get("skills", ""))
    caps = rows("max_agents", CAP_FIELDS)
    terms["max_agents"] = {}
    for i, cap in enumerate(caps):
        queue = cap.get("queue", "")
        # The caps are a mapping in the terms; a problem about one names its queue, so map the queue to its row.
        where[f"max_agents.{queue}"] = f"{where.pop(f'max_agents.{i}')}.agents"
        terms["max_agents"][queue] = cap.get("agents", "")
    return form, terms, where


def input_for(path: str, where: dict[str, str]) -> str:
    """The input a problem's field path points at: `terms.sla.1.queue` → `sla.3.queue` when rows were dropped."""
    path = path.removeprefix("terms.")
    parts = path.split(".")
    for cut in (3, 2):
        head = ".".join(parts[:cut])
        if head in where:
            return ".".join([where[head], *parts[cut:]]).rstrip(".")
    return path


def attach(form: TermsForm, problems: list[dict], where: dict[str, str]) -> None:
    """Each problem under the input it is about (the list at the top of the page shows them all)."""
    for problem in problems:
        field_path = problem.get("field", "")
        if field_path.startswith("terms."):
            form.errors.setdefault(input_for(field_path, where), []).append(problem["message"])
