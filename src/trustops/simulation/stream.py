"""The live platform: a few reports and signals every few seconds, through the same intake services.

New items come from the same factory as the seeded world; half of the reports are about subjects the
platform already knows, so some land on open cases and some open new ones.
"""
import itertools
import logging
import os
import random
import threading
import time

from django.db import DatabaseError, close_old_connections
from django.db.models import Max, Min

from trustops.identity.models import User
from trustops.intake import services as intake
from trustops.intake.schemas import SignalIn
from trustops.kernel.errors import DomainError
from trustops.policies.selectors import active_catalogue
from trustops.simulation import services
from trustops.simulation.models import GroundTruth
from trustops.simulation.world import (
    DEFAULT_COUNTS,
    DETECTORS,
    OWNER_TYPES,
    SIGNAL_TRUE_SHARE,
    TRUE_REPORT_SHARE,
    Factory,
    SubjectPlan,
    weighted,
)

log = logging.getLogger(__name__)

ITEM_WEIGHTS = {kind: DEFAULT_COUNTS[kind] for kind in OWNER_TYPES}
KNOWN_SUBJECT_SHARE = 0.5


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def _plan_of(truth: GroundTruth) -> SubjectPlan:
    subject = truth.subject
    owner = subject.owner
    return SubjectPlan(subject.type, subject.external_id, subject.region, subject.reach,
                       dict(subject.attributes),
                       owner=SubjectPlan(owner.type, owner.external_id, owner.region, owner.reach,
                                         dict(owner.attributes)) if owner else None,
                       violation=truth.policy_code)


class PlatformStream:
    def __init__(self, *, submitter: User, seed: int | None = None, tag: str | None = None):
        self.submitter = submitter
        self.rng = random.Random(seed)
        self.factory = Factory(self.rng, {code: p.severity for code, p in active_catalogue().items()})
        # Every run gets its own ids and keys, so a restarted stream never replays an earlier one.
        self.tag = tag or f"s{_base36(int(time.time()))}-"
        self.numbers = itertools.count(1)

    # ---- one burst of platform activity ----

    def tick(self, *, reports: int | None = None, signals: int | None = None) -> dict:
        rng = self.rng
        reports = rng.randint(1, 3) if reports is None else reports
        signals = rng.randint(0, 2) if signals is None else signals
        totals = {"reports": 0, "cases_opened": 0, "signals": 0, "signals_above_threshold": 0}

        report_targets = [self._target(TRUE_REPORT_SHARE) for _ in range(reports)]
        bodies = [self.factory.report(self._key("r"), subject, 0, []).as_intake()
                  for subject in report_targets if self.factory.policy_mix.get(subject.type)]
        if bodies:
            for outcome in intake.submit_reports(submitter=self.submitter, items=bodies):
                if outcome.error is None:
                    totals["reports"] += 1
                    totals["cases_opened"] += outcome.body["case_created"]
        for _ in range(signals):
            subject = self._target(SIGNAL_TRUE_SHARE, scanned_only=True)
            if not self.factory.policy_mix.get(subject.type):
                continue
            plan = self.factory.signal(self._key("s"), subject, 0)
            outcome = intake.submit_signal(submitter=self.submitter,
                                           item=SignalIn.model_validate(plan.as_intake()))
            totals["signals"] += 1
            if outcome.body["case_id"] is not None:
                totals["signals_above_threshold"] += 1
                totals["cases_opened"] += outcome.body["case_created"]
        return totals

    def _key(self, kind: str) -> str:
        return f"stream-{self.tag}{kind}{next(self.numbers):06d}"

    def _target(self, true_share: float, *, scanned_only: bool = False) -> SubjectPlan:
        if self.rng.random() < KNOWN_SUBJECT_SHARE:
            known = self._known_subject(scanned_only)
            if known is not None:
                return known
        return self._new_item(violates=self.rng.random() < true_share, scanned_only=scanned_only)

    def _known_subject(self, scanned_only: bool) -> SubjectPlan | None:
        truths = GroundTruth.objects.select_related("subject__owner")
        if scanned_only:
            truths = truths.filter(subject__type__in=list(DETECTORS))
        return self._pick(truths)

    def _pick(self, truths) -> SubjectPlan | None:
        """A random row without counting or sorting the whole table: jump to a random id."""
        bounds = truths.aggregate(low=Min("id"), high=Max("id"))
        if bounds["low"] is None:
            return None
        truth = truths.filter(id__gte=self.rng.randint(bounds["low"], bounds["high"])).order_by("id").first()
        return _plan_of(truth) if truth else None

    def _new_item(self, *, violates: bool, scanned_only: bool) -> SubjectPlan:
        kinds = {k: w for k, w in ITEM_WEIGHTS.items() if not scanned_only or k in DETECTORS}
        kind = weighted(self.rng, kinds)
        owner_kind = weighted(self.rng, OWNER_TYPES[kind])
        owner = self._pick(GroundTruth.objects.select_related("subject__owner")
                           .filter(subject__type=owner_kind))
        plans = []
        if owner is None:
            owner = self.factory.account(owner_kind, next(self.numbers), tag=self.tag)
            plans.append(owner)
        item = self.factory.item(kind, next(self.numbers), owner, tag=self.tag, violates=violates)
        services.publish(plans=[*plans, item], actor=self.submitter)
        return item

    # ---- running ----

    def run(self, *, interval: float, stop: threading.Event, exit_with_parent: bool = False) -> None:
        parent = os.getppid()
        while not stop.wait(interval):
            if exit_with_parent and os.getppid() != parent:
                log.info("the demo that started this stream is gone; stopping")
                return
            try:
                totals = self.tick()
                log.debug("platform stream: %s", totals)
            except (DatabaseError, DomainError) as error:
                # A busy database or a policy retired meanwhile: skip this burst, the next one will do.
                log.warning("platform stream skipped a burst: %s", error)
            finally:
                close_old_connections()
