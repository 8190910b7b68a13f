"""The action catalogue: everything a decision can do to a subject or its owner."""
CONTENT_ACTIONS = {
    "remove": "Remove the item",
    "age_restrict": "Restrict the item to adults",
    "reduce_reach": "Keep the item out of recommendations",
    "label": "Label the item",
}
ACCOUNT_ACTIONS = {
    "warn": "Warn the owner",
    "strike": "Add a strike to the owner's standing",
    "restrict_live": "Restrict LIVE",
    "restrict_commenting": "Restrict commenting",
    "restrict_selling": "Restrict selling",
    "suspend": "Temporarily suspend the account",
    "ban": "Ban the account",
}
MERCHANT_ACTIONS = {
    "delist": "Delist the listing",
    "revoke_benefits": "Revoke merchant benefits",
    "hold_payouts": "Hold payouts",
}
ACTIONS = {**CONTENT_ACTIONS, **ACCOUNT_ACTIONS, **MERCHANT_ACTIONS}

DSA_CATEGORIES = {
    "STATEMENT_CATEGORY_" + name for name in (
        "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
        "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH", "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC",
        "PROTECTION_OF_MINORS", "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM",
        "UNSAFE_AND_PROHIBITED_PRODUCTS", "VIOLENCE")
}

SEVERITIES = {1: "low", 2: "moderate", 3: "high", 4: "severe", 5: "critical"}
