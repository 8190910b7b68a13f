"""Roles (DESIGN §5) and API scopes, and which scopes a role's token gets by default."""
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    POLICY_MANAGER = "policy_manager", "Policy manager"
    TEAM_LEAD = "team_lead", "Team lead"
    MODERATOR = "moderator", "Moderator"
    VENDOR_AGENT = "vendor_agent", "Vendor agent"
    VENDOR_MANAGER = "vendor_manager", "Vendor manager"
    QA_AUDITOR = "qa_auditor", "QA auditor"
    QA_LEAD = "qa_lead", "QA lead"
    ANALYST = "analyst", "Analyst"
    MERCHANT_SPECIALIST = "merchant_specialist", "Merchant specialist"
    SUPPORT_SPECIALIST = "support_specialist", "Support specialist"
    ENGINEER = "engineer", "Engineer"
    INVESTIGATOR = "investigator", "Governance / risk investigator"
    ESCALATIONS_SPECIALIST = "escalations_specialist", "Escalations specialist"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    INTEGRATION = "integration", "Integrating platform (machine)"


SCOPES = {
    "reports:write": "send reports",
    "signals:write": "send automated signals",
    "subjects:read": "read subjects",
    "cases:read": "read cases",
    "cases:write": "work cases",
    "queues:read": "read queues",
    "policies:read": "read the policy taxonomy",
    "ledger:read": "read ledger timelines",
    "quality:read": "read audits, accuracy and calibration results",
    "quality:write": "sample, audit, dispute and calibrate",
    "workforce:read": "read vendors, contracts, scorecards, forecasts and staffing",
    "workforce:write": "manage vendors, contracts, requirements, invoices and improvement plans",
    "events:write": "send platform events to the risk rules",
    "risk:read": "read risk rules, hits, labels and monitors",
    "risk:write": "write, backtest and publish risk rules and monitors",
    "merchants:read": "read merchants, their qualifications, health, benefits and funds",
    "merchants:write": "onboard and govern merchants",
    "tickets:read": "read support tickets and the knowledge base",
    "tickets:write": "file and work support tickets",
    "compliance:read": "read statements of reasons, transparency reports and legal clocks",
    "compliance:write": "run legal clocks, holds, retention and data subject requests",
    "config:write": "configure queues, routing rules and webhook endpoints",
    "admin": "administer trustops",
}

_REVIEWER = ["subjects:read", "cases:read", "cases:write", "queues:read", "policies:read", "ledger:read",
             "quality:read", "quality:write", "tickets:read", "tickets:write"]
_HELP = ["tickets:read", "tickets:write"]   # everyone may ask the support desk for help
DEFAULT_SCOPES = {
    Role.ADMIN: list(SCOPES),
    Role.INTEGRATION: ["reports:write", "signals:write", "subjects:read", "cases:read", "policies:read",
                       "ledger:read", "events:write", "merchants:read", "merchants:write", "tickets:write"],
    Role.POLICY_MANAGER: [*_REVIEWER, "config:write", "risk:read"],
    Role.SUPPORT_SPECIALIST: ["policies:read", *_HELP],
    Role.ENGINEER: ["policies:read", "queues:read", *_HELP],
    # A vendor's agents work merchant and listing cases, so they read those merchants (masked, through their
    # cases: identity.access.merchant_filter); a vendor's managers run staffing and read no cases by token.
    Role.VENDOR_AGENT: [*_REVIEWER, "merchants:read"],
    Role.VENDOR_MANAGER: ["queues:read", "policies:read", "quality:read", "quality:write", "workforce:read",
                          "workforce:write", *_HELP],
    Role.ANALYST: ["subjects:read", "cases:read", "queues:read", "policies:read", "ledger:read", "quality:read",
                   "workforce:read", "risk:read", "merchants:read", "compliance:read", *_HELP],
    Role.MERCHANT_SPECIALIST: [*_REVIEWER, "merchants:read", "merchants:write", "risk:read"],
    Role.INVESTIGATOR: [*_REVIEWER, "risk:read", "risk:write", "merchants:read"],
    Role.ESCALATIONS_SPECIALIST: [*_REVIEWER],
    # QA leads write SOPs and quizzes and open improvement plans; team leads file staffing requirements and (a
    # vendor's) read their queues' forecasts and plans: both read the workforce API.
    Role.QA_LEAD: [*_REVIEWER, "workforce:read"],
    Role.TEAM_LEAD: [*_REVIEWER, "workforce:read"],
    Role.COMPLIANCE_OFFICER: ["subjects:read", "cases:read", "policies:read", "ledger:read", "quality:read",
                              "compliance:read", "compliance:write", *_HELP],
}


def default_scopes(role: str) -> list[str]:
    return list(DEFAULT_SCOPES.get(role, _REVIEWER))


# Roles whose people review cases without a vendor: they see every queue in their cleared regions.
IN_HOUSE_CASE_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD, Role.MODERATOR, Role.QA_AUDITOR,
                       Role.QA_LEAD, Role.ANALYST, Role.MERCHANT_SPECIALIST, Role.INTEGRATION, Role.INVESTIGATOR,
                       Role.ESCALATIONS_SPECIALIST, Role.COMPLIANCE_OFFICER}
VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}

# Roles whose people take cases from queues (claim, decide, escalate).
REVIEWER_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD, Role.MODERATOR, Role.MERCHANT_SPECIALIST,
                  Role.VENDOR_AGENT, Role.INVESTIGATOR, Role.ESCALATIONS_SPECIALIST}
# Roles that may act on many cases at once (bulk decisions) and take over a colleague's case.
LEAD_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD}
# Quality: who audits, who arbitrates disputes and runs calibrations, who sees all quality data.
AUDITOR_ROLES = {Role.QA_AUDITOR, Role.QA_LEAD, Role.ADMIN}
QA_LEAD_ROLES = {Role.QA_LEAD, Role.ADMIN}
# Who configures the platform: queues, routing rules, webhook endpoints, the configuration file.
CONFIGURER_ROLES = {Role.ADMIN, Role.POLICY_MANAGER}
QUALITY_READER_ROLES = {Role.QA_AUDITOR, Role.QA_LEAD, Role.ADMIN, Role.ANALYST, Role.POLICY_MANAGER,
                        Role.TEAM_LEAD}
