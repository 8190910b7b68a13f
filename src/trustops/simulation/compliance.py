"""The demo's compliance desk: DSA mappings for the policies that break the law, the legal
clocks of the world's NCII reports and authority orders, a legal hold, and retention periods.

Statements of reasons are written by the replayed decisions themselves (on the EU/EEA subjects); without a
Transparency Database endpoint they wait, and the workspace says submission is not configured.
"""
from datetime import datetime, timezone

from trustops.compliance.clocks import services as clocks
from trustops.compliance.models import DecisionGround, LegalHold
from trustops.compliance.retention import services as retention
from trustops.compliance.statements import services as statements
from trustops.subjects.models import Subject

ACTOR = "simulation"
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Policies whose violations are illegal content in the EU, with the law they break.
ILLEGAL = {
    "minor_safety.csam": ("Directive 2011/93/EU (child sexual abuse material)", ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]),
    "minor_safety.grooming": ("Directive 2011/93/EU, Art. 6 (solicitation of children)",
                              ["KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"]),
    "violent_extremism.terrorist_content": ("Regulation (EU) 2021/784 (terrorist content online)",
                                            ["KEYWORD_TERRORIST_CONTENT"]),
    "privacy.non_consensual_imagery": ("Directive (EU) 2024/1385, Art. 5 (non-consensual sharing of intimate "
                                       "material)", ["KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"]),
    "hate": ("Framework Decision 2008/913/JHA (racism and xenophobia)", ["KEYWORD_HATE_SPEECH"]),
}


def configure() -> None:
    """Before the world is replayed, so its decisions are stated on the right ground."""
    for code, (law, keywords) in ILLEGAL.items():
        statements.save_mapping(policy_code=code, decision_ground=DecisionGround.ILLEGAL, legal_ground=law,
                                keywords=keywords, actor=ACTOR)


def seed() -> dict:
    """After the replay: clocks for the legal requests in the world, a hold, the retention periods."""
    opened = clocks.open_from_reports(since=EPOCH)
    clocks.tick()
    account = Subject.objects.filter(type="creator", region="DE").order_by("pk").first()
    if account is not None and not LegalHold.objects.exists():
        retention.place_hold(subject_id=account.pk, reason="Preservation request from a German court (demo)",
                             actor=ACTOR)
    for data_class, days in retention.DEFAULT_DAYS.items():
        retention.set_retention(data_class=data_class, keep_days=days, actor=ACTOR)
    return {"legal_clocks": opened}
