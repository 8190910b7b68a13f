"""Experiments: define the arms, start by assigning reviewers or items to them (reproducibly), finish.

Assignment is balanced and reproducible: the units are sorted, shuffled by a generator seeded with the
experiment's seed, and dealt to the arms in turn, so arm sizes differ by at most one and the same seed and units
give the same arms.
"""
import random
import re

from django.db import IntegrityError, transaction

from trustops.identity.models import User
from trustops.identity.roles import QA_LEAD_ROLES, REVIEWER_ROLES, Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.quality.experiments.selectors import get_experiment
from trustops.quality.models import Experiment, ExperimentAssignment, ExperimentStatus
from trustops.review.models import OPEN_STATUSES, CaseKind
from trustops.review.selectors import cases_visible_to, queues_visible_to

EXPERIMENT_ROLES = QA_LEAD_ROLES | {Role.POLICY_MANAGER}
UNITS = ("reviewer", "item")
MAX_ARMS = 6
MAX_UNITS = 5000
ARM_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _allowed(actor) -> None:
    if actor.role not in EXPERIMENT_ROLES:
        raise Forbidden("experiment_leads_only", "Only QA leads, policy managers and admins run experiments.")


def _arms(arms: list[dict]) -> list[dict]:
    if not 2 <= len(arms) <= MAX_ARMS:
        raise Invalid("invalid_arms", f"An experiment has 2 to {MAX_ARMS} arms; the first is the control.",
                      field="arms")
    cleaned = []
    for index, arm in enumerate(arms):
        key = str(arm.get("key", "")).strip()
        if not ARM_KEY.match(key):
            raise Invalid("invalid_arm_key", "Arm keys are short lowercase slugs, e.g. `control`.",
                          field=f"arms.{index}.key")
        cleaned.append({"key": key, "description": str(arm.get("description", "")).strip()})
    if len({arm["key"] for arm in cleaned}) != len(cleaned):
        raise Invalid("duplicate_arm", "Each arm needs its own key.", field="arms")
    return cleaned


def create_experiment(*, actor, name: str, unit: str, arms: list[dict], hypothesis: str = "", seed: int = 1,
                      queue_key: str | None = None) -> Experiment:
    try:
        with transaction.atomic():
            return _create(actor, name, unit, arms, hypothesis, seed, queue_key)
    except IntegrityError:
        raise Conflict("experiment_exists", f"An experiment named {name!r} already exists.", field="name")


def _create(actor, name, unit, arms, hypothesis, seed, queue_key) -> Experiment:
    _allowed(actor)
    if not name or not name.strip():
        raise Invalid("missing_name", "Name the experiment.", field="name")
    if unit not in UNITS:
        raise Invalid("invalid_unit", "unit is `reviewer` or `item`.", field="unit")
    arms = _arms(arms)
    queue = None
    if queue_key:
        queue = queues_visible_to(actor).filter(key=queue_key).first()
        if queue is None:
            raise NotFound("queue_not_found", f"No queue {queue_key!r}.", field="queue")
    if Experiment.objects.filter(name=name.strip()).exists():
        raise Conflict("experiment_exists", f"An experiment named {name.strip()!r} already exists.", field="name")
    experiment = Experiment.objects.create(name=name.strip(), hypothesis=hypothesis.strip(), unit=unit, arms=arms,
                                           seed=seed, queue=queue, created_by=actor, created_at=clock.now())
    ledger.record("qa.experiment_created", actor=actor, payload={
        "experiment_id": experiment.pk, "name": experiment.name, "unit": unit, "arms": [a["key"] for a in arms],
        "seed": seed, "queue": queue.key if queue else None})
    return experiment


def deal(units: list, arms: list[str], seed: int) -> dict:
    """Unit → arm: sorted, shuffled by the seed, dealt in turn (balanced to within one)."""
    ordered = sorted(units)
    random.Random(f"experiment:{seed}").shuffle(ordered)
    return {unit: arms[index % len(arms)] for index, unit in enumerate(ordered)}


def _reviewers(actor, usernames: list[str]) -> list[User]:
    people = list(User.objects.filter(username__in=usernames, is_active=True))
    unknown = sorted(set(usernames) - {p.username for p in people})
    if unknown:
        raise Invalid("unknown_reviewer", f"No user {unknown[0]!r}.", field="reviewers")
    not_reviewers = sorted(p.username for p in people if p.role not in REVIEWER_ROLES)
    if not_reviewers:
        raise Invalid("not_a_reviewer", f"{not_reviewers[0]!r} does not review cases.", field="reviewers")
    return people


def _items(actor, experiment: Experiment, case_ids: list[int]):
    cases = {c.pk: c for c in cases_visible_to(actor).filter(pk__in=case_ids)}
    missing = [c for c in case_ids if c not in cases]
    if missing:
        raise NotFound("case_not_found", f"No case {missing[0]}.", field="items")
    for case_id in case_ids:
        case = cases[case_id]
        if case.kind != CaseKind.REPORT_REVIEW or case.status not in OPEN_STATUSES:
            raise Invalid("case_not_open", f"Case {case_id} is not an open review case.", field="items")
        if experiment.queue_id and case.queue_id != experiment.queue_id:
            raise Invalid("case_outside_queue", f"Case {case_id} is not in the experiment's queue.", field="items")
    return cases


@transaction.atomic
def start_experiment(*, actor, experiment_id: int, reviewers: list[str] | None = None,
                     case_ids: list[int] | None = None) -> Experiment:
    _allowed(actor)
    experiment = get_experiment(actor, experiment_id)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != ExperimentStatus.DRAFT:
        raise Conflict("experiment_started", "The experiment has already started.")
    arms = [arm["key"] for arm in experiment.arms]
    field = "reviewers" if experiment.unit == "reviewer" else "items"
    units = reviewers if experiment.unit == "reviewer" else case_ids
    other = case_ids if experiment.unit == "reviewer" else reviewers
    if other:
        raise Invalid("wrong_unit", f"This experiment assigns {field}, not the other kind.", field=field)
    units = list(units or [])
    if len(set(units)) != len(units) or not len(arms) <= len(units) <= MAX_UNITS:
        raise Invalid("invalid_units", f"{len(arms)} to {MAX_UNITS} distinct {field}: at least one per arm.",
                      field=field)
    if experiment.unit == "reviewer":
        people = {p.username: p for p in _reviewers(actor, units)}
        dealt = deal(units, arms, experiment.seed)
        rows = [ExperimentAssignment(experiment=experiment, arm=arm, reviewer=people[username])
                for username, arm in dealt.items()]
    else:
        _items(actor, experiment, units)
        dealt = deal(units, arms, experiment.seed)
        rows = [ExperimentAssignment(experiment=experiment, arm=arm, case_id=case_id)
                for case_id, arm in dealt.items()]
    ExperimentAssignment.objects.bulk_create(rows)
    experiment.status, experiment.started_at = ExperimentStatus.RUNNING, clock.now()
    experiment.save(update_fields=["status", "started_at"])
    ledger.record("qa.experiment_started", actor=actor, payload={
        "experiment_id": experiment.pk, "unit": experiment.unit, "seed": experiment.seed,
        "arms": {arm: sorted(str(u) for u, a in dealt.items() if a == arm) for arm in arms}})
    return experiment


@transaction.atomic
def finish_experiment(*, actor, experiment_id: int) -> Experiment:
    _allowed(actor)
    experiment = get_experiment(actor, experiment_id)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != ExperimentStatus.RUNNING:
        raise Conflict("experiment_not_running", "Only a running experiment can be finished.")
    experiment.status, experiment.ended_at = ExperimentStatus.FINISHED, clock.now()
    experiment.save(update_fields=["status", "ended_at"])
    ledger.record("qa.experiment_finished", actor=actor, payload={"experiment_id": experiment.pk})
    return experiment
