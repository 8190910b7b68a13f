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
    "workforce:read": "compute staffing (and, later, read vendors' contracts and forecasts)",
    "config:write": "configure queues, routing rules and webhook endpoints",
    "admin": "administer trustops",
}

_REVIEWER = ["subjects:read", "cases:read", "cases:write", "queues:read", "policies:read", "ledger:read",
             "quality:read", "quality:write"]
DEFAULT_SCOPES = {
    Role.ADMIN: list(SCOPES),
    Role.INTEGRATION: ["reports:write", "signals:write", "subjects:read", "cases:read", "policies:read",
                       "ledger:read"],
    Role.POLICY_MANAGER: [*_REVIEWER, "config:write"],
    Role.SUPPORT_SPECIALIST: ["policies:read"],
    Role.ENGINEER: ["policies:read", "queues:read"],
    Role.VENDOR_MANAGER: ["queues:read", "policies:read", "quality:read", "quality:write", "workforce:read"],
    Role.ANALYST: ["subjects:read", "cases:read", "queues:read", "policies:read", "ledger:read", "quality:read",
                   "workforce:read"],
}


def default_scopes(role: str) -> list[str]:
    return list(DEFAULT_SCOPES.get(role, _REVIEWER))


# Roles whose people review cases without a vendor: they see every queue in their cleared regions.
IN_HOUSE_CASE_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD, Role.MODERATOR, Role.QA_AUDITOR,
                       Role.QA_LEAD, Role.ANALYST, Role.MERCHANT_SPECIALIST, Role.INTEGRATION}
VENDOR_ROLES = {Role.VENDOR_AGENT, Role.VENDOR_MANAGER}

# Roles whose people take cases from queues (claim, decide, escalate).
REVIEWER_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD, Role.MODERATOR, Role.MERCHANT_SPECIALIST,
                  Role.VENDOR_AGENT}
# Roles that may act on many cases at once (bulk decisions) and take over a colleague's case.
LEAD_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.TEAM_LEAD}
# Quality: who audits, who arbitrates disputes and runs calibrations, who sees all quality data.
AUDITOR_ROLES = {Role.QA_AUDITOR, Role.QA_LEAD, Role.ADMIN}
QA_LEAD_ROLES = {Role.QA_LEAD, Role.ADMIN}
# Who configures the platform: queues, routing rules, webhook endpoints, the configuration file.
CONFIGURER_ROLES = {Role.ADMIN, Role.POLICY_MANAGER}
QUALITY_READER_ROLES = {Role.QA_AUDITOR, Role.QA_LEAD, Role.ADMIN, Role.ANALYST, Role.POLICY_MANAGER,
                        Role.TEAM_LEAD}
