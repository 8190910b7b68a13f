"""A fresh install's starting configuration: the policy catalogue, a default queue, the appeals queue and the
creator-escalations queue (support's high-priority escalations).

Runs once per database (`trustops init`; `trustops demo` runs it too). The run is recorded, so running it
again does nothing, and it never touches what is there already: an administrator's queues and policies stay.
"""
from django.conf import settings
from django.db import IntegrityError, transaction

from trustops.config.models import Initialisation
from trustops.kernel import clock
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies_read
from trustops.policies import services as policies
from trustops.review import configuration as review
from trustops.review import selectors as review_read
from trustops.support.escalations.services import QUEUE as CREATOR_ESCALATIONS

STEP = "defaults"
ACTOR = "init"
DEFAULT_QUEUE = {"key": "general", "name": "General review", "sla_seconds": 24 * 3600, "tier": 1}
APPEALS_QUEUE = {"name": "Appeals", "sla_seconds": 72 * 3600, "tier": 2,
                 "description": "Appeals are re-reviewed here by someone other than the first reviewer."}
# In-house only: no vendor is contracted to it, so vendor staff never see these cases.
# Merchants' onboarding flags and their appeals of payout, reserve, benefits and status decisions.
MERCHANT_REVIEW_QUEUE = {"name": "Merchant review", "sla_seconds": 24 * 3600, "tier": 1,
                         "description": "Merchants flagged at onboarding, and merchants' appeals of decisions."}
CREATOR_ESCALATIONS_QUEUE = {"name": "Creator and user escalations", "sla_seconds": 4 * 3600, "tier": 2,
                             "description": "High-priority escalations about creators and users, by reach tier."}


def has_run() -> bool:
    return Initialisation.objects.filter(step=STEP).exists()


def initialise() -> list[str]:
    """Create what is missing of the starting configuration; returns what it created (nothing on a re-run)."""
    try:
        with transaction.atomic():
            return _initialise()
    except IntegrityError:
        # Another process initialised the database at the same moment: its run is the one that counts.
        return []


def _initialise() -> list[str]:
    if has_run():
        return []
    created = []
    if not policies_read.active_catalogue():
        policies.load_taxonomy_file(policies.DEFAULT_FILE, actor=ACTOR)
        created.append("policies")
    queues = set(review_read.configurable_queue_keys())
    if review_read.default_queue_key() is None:
        if DEFAULT_QUEUE["key"] in queues:
            review.update_queue(key=DEFAULT_QUEUE["key"], is_default=True, active=True, actor=ACTOR)
        else:
            review.create_queue(**DEFAULT_QUEUE, is_default=True, actor=ACTOR)
        created.append(f"queue:{DEFAULT_QUEUE['key']}")
    appeals = settings.TRUSTOPS["APPEALS_QUEUE"]
    if appeals not in queues:
        review.create_queue(key=appeals, **APPEALS_QUEUE, is_default=False, actor=ACTOR)
        created.append(f"queue:{appeals}")
    merchants = settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"]
    if merchants not in queues:
        review.create_queue(key=merchants, **MERCHANT_REVIEW_QUEUE, is_default=False, actor=ACTOR)
        created.append(f"queue:{merchants}")
    if CREATOR_ESCALATIONS not in queues:
        review.create_queue(key=CREATOR_ESCALATIONS, **CREATOR_ESCALATIONS_QUEUE, is_default=False, actor=ACTOR)
        created.append(f"queue:{CREATOR_ESCALATIONS}")
    Initialisation.objects.create(step=STEP, ran_at=clock.now(), created=created)
    ledger.record("platform.initialised", actor=ACTOR, payload={"created": created})
    return created
