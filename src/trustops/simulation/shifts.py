"""A month of review work, hour by hour, through the real services while intake history is replayed.

Every hour the reviewers on shift claim the next case from their queues (`casework.claim_next`, whatever the
queue offers them) and decide it (`casework.decide`) against the hidden ground truth, with their own accuracy and
speed; owners appeal some decisions and appeals reviewers re-review them; QA places a few golden items and runs
one experiment. The work runs interleaved with intake, so a case is only ever claimed after it was opened.

Capacity follows the steady flow of new cases with a little to spare, so the queues are worked down day by day
and the burst of the last days is left waiting: the demo opens on a live backlog.
"""
import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from trustops.kernel import clock
from trustops.kernel.errors import DomainError
from trustops.policies.selectors import active_catalogue
from trustops.review import appeals, casework
from trustops.review.models import Case, CaseKind, CaseStatus, Queue
from trustops.review.selectors import may_work
from trustops.simulation import workforce
from trustops.simulation.world import DAY, HOUR, RECENT_SECONDS, World

# Reviewers together can decide this many times the steady inflow of cases.
SPARE_CAPACITY = 1.3
EXPERIMENT_NAME = "Guideline v2: worked examples for harassment and hate"
TREATMENT_ACCURACY_GAIN = 0.03    # the new guideline text helps a little…
TREATMENT_SLOWER = 1.08           # …and takes a little longer to read
GOLDEN_QUEUES = ("general-us", "general-intl", "integrity")
APPEAL_HOUR = 12
MIN_APPEALS = 2


@dataclass
class Outcome:
    """What the simulation knows about one decision it made (the ground truth is never in trustops)."""
    case_id: int
    subject_id: int
    reviewer: str
    verdict: str
    correct: bool
    decided_at: datetime
    golden: bool = False


@dataclass
class Plan:
    """When QA acts during the month, as ages (seconds before the anchor)."""
    golden_ages: list[int] = field(default_factory=list)
    golden_per_placement: int = 1
    experiment_start_age: int = 0
    experiment_end_age: int = 0


class Month:
    def __init__(self, *, world: World, anchor: datetime, people: dict, integration):
        self.world = world
        self.anchor = anchor
        self.people = people
        self.integration = integration
        self.rng = random.Random(f"{world.seed}:review")
        self.truth: dict[int, str | None] = {}          # subject id → the policy it truly violates
        self.accounts: set[int] = set()                  # subject ids of accounts (not items)
        self.outcomes: dict[int, Outcome] = {}           # decision id → what the simulation knows
        self.golden_cases: set[int] = set()
        self.golden_sources: set[int] = set()
        self.appealed: set[int] = set()
        self.treatment: set[str] = set()
        self.experiment_id: int | None = None
        self.open_estimate = 0
        self.totals: Counter = Counter()
        catalogue = active_catalogue()
        self.codes = {policy.policy_id: code for code, policy in catalogue.items()}
        family = {code: code.rsplit(".", 1)[0] for code in catalogue}
        self.siblings = {code: sorted(o for o in catalogue if o != code and family[o] == family[code])
                         for code in catalogue}
        self.queues = {q.key: q for q in Queue.objects.filter(active=True).prefetch_related("teams", "vendors")}
        self.worklists = {r.username: self._worklist(r) for r in workforce.REVIEWERS}
        self.rate = self._steady_rate()
        history_days = world.history_seconds / DAY
        self.plan = Plan(
            golden_ages=[int(world.history_seconds * share) // HOUR * HOUR + 10 * HOUR
                         for share in (0.6, 0.4, 0.2)],
            golden_per_placement=2 if world.size != "tiny" else 1,
            experiment_start_age=int(min(16, history_days * 0.5) * DAY) // HOUR * HOUR + 9 * HOUR,
            experiment_end_age=2 * DAY - 7 * HOUR)

    # ---- setup ----

    def _worklist(self, reviewer: workforce.Reviewer) -> list[str]:
        """The queues a reviewer works, most urgent first."""
        person = self.people[reviewer.username]
        appeals_queue = settings.TRUSTOPS["APPEALS_QUEUE"]
        if reviewer.appeals:
            return [appeals_queue]
        keys = [k for k, q in self.queues.items() if k != appeals_queue and may_work(person, q)]
        # In-house people take what only they may work first; everyone takes short SLAs first.
        return sorted(keys, key=lambda k: (bool(self.queues[k].vendors.all()), self.queues[k].sla_seconds, k))

    def _steady_rate(self) -> float:
        """Cases per hour the steady flow opens: subjects first noticed before the recent burst."""
        history = self.world.history_seconds - RECENT_SECONDS
        if history <= 0:
            return 1.0
        first_seen: dict[tuple, int] = {}
        for notice in [*self.world.reports, *self.world.signals]:
            key = notice.subject.key
            first_seen[key] = max(first_seen.get(key, 0), notice.age)
        steady = sum(1 for age in first_seen.values() if age >= RECENT_SECONDS)
        return max(0.02, steady / (history / HOUR))

    # ---- what the replay tells the month ----

    def published(self, plans, found: dict) -> None:
        for plan in plans:
            self.truth[found[plan.key].pk] = plan.violation
            if plan.owner is None:
                self.accounts.add(found[plan.key].pk)

    def opened(self, cases: int) -> None:
        self.open_estimate += cases

    # ---- one hour of work ----

    def hour(self, start: datetime) -> None:
        """The work of the hour beginning at `start`. Runs after intake up to `start`, before later intake."""
        age = int((self.anchor - start).total_seconds())
        with clock.frozen(start):
            if age in self.plan.golden_ages:
                self._place_golden()
            if age == self.plan.experiment_start_age:
                self._start_experiment()
            if age == self.plan.experiment_end_age and self.experiment_id:
                self._finish_experiment()
            if start.hour == APPEAL_HOUR:
                self._appeals(start, last_chance=RECENT_SECONDS - DAY < age <= RECENT_SECONDS)
        self._work(start)

    def _poisson(self, mean: float) -> int:
        """By inversion: exact for the small means here, and reproducible from the month's generator."""
        count, threshold, product = 0, math.exp(-mean), self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def _on_duty(self, start: datetime) -> list[workforce.Reviewer]:
        out = []
        for reviewer in workforce.REVIEWERS:
            if not reviewer.on_shift(start.hour):
                continue
            joined = reviewer.joined_days_ago
            if joined is not None and start < self.anchor - timedelta(days=joined):
                continue
            out.append(reviewer)
        return out

    def _work(self, start: datetime) -> None:
        """The hour's decisions go to the reviewers on shift who have something to claim, the faster ones
        taking more; appeals reviewers take one or two appeals an hour when there are some."""
        if self.open_estimate <= 0:
            return
        on_duty = self._on_duty(start)
        total = self._poisson(self.rate * SPARE_CAPACITY)
        appeal_quota = {r.username: self.rng.choice((0, 1, 1, 2)) for r in on_duty if r.appeals}
        if not total and not any(appeal_quota.values()):
            return
        waiting = dict(Case.objects.filter(status=CaseStatus.OPEN).values_list("queue__key")
                       .annotate(n=Count("id")))
        if not waiting:
            self.open_estimate = 0
            return
        frontline = [r for r in on_duty if not r.appeals
                     and any(waiting.get(key) for key in self.worklists[r.username])]
        quotas: Counter = Counter()
        if frontline and total:
            for reviewer in self.rng.choices(frontline, weights=[r.per_hour for r in frontline], k=total):
                quotas[reviewer.username] += 1
        if waiting.get(settings.TRUSTOPS["APPEALS_QUEUE"]):
            quotas.update(appeal_quota)
        by_name = {r.username: r for r in on_duty}
        events = [(start + timedelta(seconds=self.rng.randint(0, 900)), name) for name, n in sorted(quotas.items())
                  if n]
        heapq.heapify(events)
        end = start + timedelta(hours=1)
        tried: dict[str, set[str]] = {name: set() for name in quotas}
        while events:
            at, name = heapq.heappop(events)
            handle = self._review_one(by_name[name], at, waiting, tried[name])
            quotas[name] -= 1
            if handle is None or not quotas[name]:
                continue
            following = at + timedelta(seconds=handle + self.rng.randint(20, 180))
            if following < end:
                heapq.heappush(events, (following, name))

    def _review_one(self, reviewer: workforce.Reviewer, at: datetime, waiting: dict, tried: set) -> int | None:
        person = self.people[reviewer.username]
        for key in self.worklists[reviewer.username]:
            if key in tried or not waiting.get(key):
                continue
            with clock.frozen(at):
                case = casework.claim_next(actor=person, queue_key=key)
            if case is None:
                tried.add(key)
                continue
            waiting[key] -= 1
            return self._decide(reviewer, person, case, at)
        return None

    def _decide(self, reviewer: workforce.Reviewer, person, case: Case, at: datetime) -> int:
        rng = self.rng
        in_treatment = reviewer.username in self.treatment and self.experiment_id is not None
        handle = reviewer.handle_seconds(rng, slower=TREATMENT_SLOWER if in_treatment else 1.0)
        if case.kind == CaseKind.APPEAL:
            original = self.outcomes.get(case.appeal_of_id)
            wrong = original is not None and not original.correct
            overturn = rng.random() < (workforce.OVERTURN_IF_WRONG if wrong else workforce.OVERTURN_IF_RIGHT)
            verdict, policy, correct = ("overturned" if overturn else "upheld"), None, overturn == wrong
        else:
            accuracy = reviewer.accuracy + (TREATMENT_ACCURACY_GAIN if in_treatment else 0)
            reported = self.policy_code(case.policy_id)
            call = workforce.judge(rng, accuracy, truth=self.truth.get(case.subject_id), reported=reported,
                                   siblings=self.siblings)
            verdict, policy, correct = call.verdict, call.policy, call.correct
        on_account = verdict == "violation" and case.subject_id in self.accounts
        actions = self._account_actions(case, policy) if on_account else None
        decision = casework.DecisionInput(verdict=verdict, policy=policy, actions=actions, handle_seconds=handle,
                                          rationale=workforce.rationale(rng, verdict, policy))
        decided_at = at + timedelta(seconds=handle)
        try:
            with clock.frozen(decided_at):
                result = casework.decide(actor=person, case_id=case.pk, version=case.version, decision=decision)
        except DomainError as error:
            # Nothing the simulation should hit; if it does, the case goes back to its queue for someone else.
            self.totals["decisions_refused"] += 1
            with clock.frozen(decided_at):
                casework.release(actor=person, case_id=case.pk)
            self.totals[f"refused:{error.code}"] += 1
            return handle
        self.outcomes[result["decision_id"]] = Outcome(case.pk, case.subject_id, reviewer.username, verdict, correct,
                                                       decided_at, golden=case.pk in self.golden_cases)
        self.open_estimate -= 1
        self.totals["appeal_decisions" if case.kind == CaseKind.APPEAL else "decisions"] += 1
        return handle

    @staticmethod
    def _account_actions(case: Case, code: str) -> list[str]:
        """On an account, what the console offers for the policy: a strike, else a warning, else the first open
        action (the policy's defaults may name only content actions, which an account cannot take)."""
        from trustops.policies.selectors import get_active
        from trustops.review.selectors import actions_open_to

        offered = actions_open_to(case, get_active(code))
        for preferred in ("strike", "warn"):
            if preferred in offered:
                return [preferred]
        return offered[:1]

    def policy_code(self, policy_id: int | None) -> str | None:
        return None if policy_id is None else self.codes.get(policy_id)

    # ---- appeals ----

    def _appeals(self, now: datetime, *, last_chance: bool) -> None:
        """Owners appeal violation decisions made one to two days ago; wrong ones far more often."""
        appealable = sorted(decision_id for decision_id, o in self.outcomes.items()
                            if o.verdict == "violation" and not o.golden and decision_id not in self.appealed
                            and o.decided_at < now - timedelta(days=1))
        since = now - timedelta(days=2)
        candidates = [d for d in appealable if self.outcomes[d].decided_at >= since]
        chosen = [d for d in candidates if self.rng.random() < (
            workforce.APPEAL_SHARE_RIGHT if self.outcomes[d].correct else workforce.APPEAL_SHARE_WRONG)]
        if last_chance and len(self.appealed) + len(chosen) < MIN_APPEALS:
            # A small world could go a month without an appeal; the demo should show some: the latest ones.
            missing = MIN_APPEALS - len(self.appealed) - len(chosen)
            chosen = sorted(set(chosen) | set([d for d in appealable if d not in chosen][-missing:]))
        for decision_id in chosen:
            self.appealed.add(decision_id)
            try:
                appeals.submit_appeal(submitter=self.integration, decision_id=decision_id,
                                      statement="The owner says the content follows the rules (placeholder).",
                                      idempotency_key=f"world-{self.world.seed}-appeal-{decision_id}")
            except DomainError:
                self.totals["appeals_refused"] += 1
                continue
            self.open_estimate += 1
            self.totals["appeals"] += 1

    # ---- QA during the month: golden items and an experiment ----

    def _place_golden(self) -> None:
        from trustops.quality.golden import services as golden

        right = sorted({o.case_id for o in self.outcomes.values() if o.correct and not o.golden
                        and o.verdict in ("violation", "no_violation")} - self.golden_sources)
        sources = list(Case.objects.filter(pk__in=right, queue__key__in=GOLDEN_QUEUES,
                                           status=CaseStatus.RESOLVED)
                       .exclude(subject__cases__status__in=[CaseStatus.OPEN, CaseStatus.IN_REVIEW])
                       .select_related("queue").order_by("id").distinct())
        for source in self.rng.sample(sources, min(self.plan.golden_per_placement, len(sources))):
            truth = self.truth.get(source.subject_id)
            try:
                item = golden.create_golden_item(actor=self.people[workforce.QA_AUDITORS[0]],
                                                 source_case_id=source.pk, queue_key=source.queue.key,
                                                 expected_verdict="violation" if truth else "no_violation",
                                                 expected_policy=truth)
            except DomainError:
                self.totals["golden_refused"] += 1
                continue
            self.golden_sources.add(source.pk)
            self.golden_cases.add(item.case_id)
            self.open_estimate += 1
            self.totals["golden_items"] += 1

    def _start_experiment(self) -> None:
        from trustops.quality.experiments import services as experiments
        from trustops.quality.models import ExperimentAssignment

        lead = self.people[workforce.QA_LEAD]
        experiment = experiments.create_experiment(
            actor=lead, name=EXPERIMENT_NAME, unit="reviewer", seed=self.world.seed,
            hypothesis="Worked examples in the guideline text raise accuracy on harassment and hate without "
                       "slowing reviewers down by more than ten seconds.",
            arms=[{"key": "control", "description": "Current guideline text"},
                  {"key": "worked-examples", "description": "Guideline text with worked examples"}])
        frontline = [r.username for r in workforce.REVIEWERS if not r.appeals and r.joined_days_ago is None]
        experiments.start_experiment(actor=lead, experiment_id=experiment.pk, reviewers=frontline)
        self.experiment_id = experiment.pk
        self.treatment = set(ExperimentAssignment.objects.filter(experiment=experiment, arm="worked-examples")
                             .values_list("reviewer__username", flat=True))

    def _finish_experiment(self) -> None:
        from trustops.quality.experiments import services as experiments

        experiments.finish_experiment(actor=self.people[workforce.QA_LEAD], experiment_id=self.experiment_id)
        self.treatment = set()

    def summary(self) -> dict:
        decided = [o for o in self.outcomes.values() if o.verdict in ("violation", "no_violation")]
        by_reviewer = Counter(o.reviewer for o in decided)
        return {"decisions": self.totals["decisions"], "appeals": self.totals["appeals"],
                "appeal_decisions": self.totals["appeal_decisions"], "golden_items": self.totals["golden_items"],
                "reviewers_deciding": len(by_reviewer),
                "simulated_accuracy": round(sum(o.correct for o in decided) / len(decided), 3) if decided else None,
                **{k: v for k, v in self.totals.items() if k.startswith(("refused", "decisions_refused"))}}
