"""The synthetic platform's operating setup: teams, BPO vendors, queues, routing rules and people.

Everything is written through the owning apps' services, exactly as an administrator would.
"""
from dataclasses import dataclass, field

from django.db import transaction

from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.policies import services as policies
from trustops.review import services as review
from trustops.review.models import Queue

HOUR = 3600
IN_HOUSE_TEAM = "Trust Ops In-house"
# Merchant specialists work the merchants queue only (onboarding flags and merchants' appeals).
MERCHANT_TEAM = "Merchant governance"
VENDOR_A = "Northwind BPO"
VENDOR_B = "Lumen Outsourcing"
REGIONS = ("US", "GB", "DE", "FR", "BR", "ID", "JP")

CHILD_SAFETY = "restricted:child_safety"
TERRORISM_NCII = "restricted:terrorism_ncii"
# Restricted content: only people holding the clearance see and work these queues' cases, admins included.
RESTRICTED = {"child-safety": CHILD_SAFETY, "severe-harms": TERRORISM_NCII}

# key, name, SLA, tier, severe, vendors
QUEUES = [
    ("child-safety", "Child safety", 1 * HOUR, 3, True, ()),
    ("severe-harms", "Violent extremism and NCII", 1 * HOUR, 3, True, ()),
    ("authority-orders", "Authority orders", 1 * HOUR, 2, False, ()),
    ("creator-escalations", "High-reach creators", 4 * HOUR, 2, False, ()),
    ("merchants", "Local Services merchants", 24 * HOUR, 1, False, (VENDOR_A,)),
    ("live", "LIVE", 2 * HOUR, 1, False, (VENDOR_B,)),
    ("integrity", "Spam, fake engagement and IP", 48 * HOUR, 1, False, (VENDOR_A, VENDOR_B)),
    ("general-us", "General review — US", 24 * HOUR, 1, False, (VENDOR_A,)),
    ("general-intl", "General review — international", 24 * HOUR, 1, False, (VENDOR_B,)),
    ("policy-specialists", "Policy specialists", 8 * HOUR, 2, False, ()),
    ("appeals", "Appeals", 72 * HOUR, 2, False, ()),
]
DEFAULT_QUEUE = "general-intl"

# position, name, queue, conditions — first match wins
ROUTING = [
    (10, "Child safety first", "child-safety", {"policy_prefixes": ["minor_safety"]}),
    (20, "Terrorism and NCII", "severe-harms", {"policy_prefixes": ["violent_extremism",
                                                                    "privacy.non_consensual_imagery"]}),
    (30, "Authority orders", "authority-orders", {"sources": ["authority"]}),
    (40, "Merchants, listings and POIs", "merchants", {"subject_types": ["merchant", "listing", "poi"]}),
    (45, "Merchant policies", "merchants", {"policy_prefixes": ["merchant"]}),
    (50, "Livestreams", "live", {"subject_types": ["livestream"]}),
    (55, "LIVE policies", "live", {"policy_prefixes": ["live"]}),
    (60, "High-reach creators", "creator-escalations", {"min_reach": 1_000_000, "min_severity": 3}),
    (70, "Spam and IP to the vendors", "integrity", {"policy_prefixes": ["integrity.spam", "integrity.fake_engagement",
                                                                         "ip"]}),
    (80, "US general", "general-us", {"regions": ["US"]}),
]


@dataclass
class Platform:
    queues: dict[str, Queue] = field(default_factory=dict)
    vendors: dict = field(default_factory=dict)
    team: object = None


@transaction.atomic
def install(*, actor="simulation") -> Platform:
    """Idempotent: a second run finds what is there."""
    policies.load_taxonomy_file(policies.DEFAULT_FILE, actor=actor)
    platform = Platform()
    platform.team = identity.ensure_team(name=IN_HOUSE_TEAM, actor=actor)
    merchant_team = identity.ensure_team(name=MERCHANT_TEAM, actor=actor)
    platform.vendors = {name: identity.ensure_vendor(name=name, actor=actor) for name in (VENDOR_A, VENDOR_B)}
    for name, vendor in platform.vendors.items():
        identity.ensure_team(name=f"{name} agents", vendor=vendor, actor=actor)
    for key, name, sla, tier, severe, vendors in QUEUES:
        platform.queues[key] = review.save_queue(
            key=key, name=name, sla_seconds=sla, tier=tier, severe_content=severe, is_default=key == DEFAULT_QUEUE,
            required_clearance=RESTRICTED.get(key, ""),
            teams=[platform.team, merchant_team] if key == "merchants" else [platform.team],
            vendors=[platform.vendors[v] for v in vendors], actor=actor)
    # A fresh install's catch-all `general` queue (trustops init) is not part of this platform, whose catch-all is
    # general-intl: while it holds no case it is retired rather than shown empty beside the others.
    leftover = Queue.objects.filter(key="general", active=True).exclude(key__in=[key for key, *_ in QUEUES]).first()
    if leftover is not None and not leftover.cases.exists():
        review.save_queue(key="general", active=False, is_default=False, actor=actor)
    if not platform.queues[DEFAULT_QUEUE].routing_rules.exists():
        for position, name, queue_key, conditions in ROUTING:
            review.add_routing_rule(position=position, name=name, queue=platform.queues[queue_key], actor=actor,
                                    **conditions)
    return platform


def person(username: str, role: str, *, vendor: str | None = None, team: str | None = None,
           regions=("*",), password: str | None = None, clearances=()) -> User:
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    return identity.create_user(username=username, role=role, vendor=vendor, team=team, regions=list(regions),
                                password=password, clearances=list(clearances), actor="simulation")
