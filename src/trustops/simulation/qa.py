"""QA over the simulated month, through the real quality services.

A stratified sample of each week's decisions, audited by the QA auditors against the ground truth (with a root
cause category on every error); one audit slip that the reviewer disputes and the QA lead revises, one dispute
upheld; two calibration sessions, the earlier closed with one label missing; a root-cause analysis of the
training errors; and last month's Monthly Quality Report, kept as the schedule would keep it.
"""
import random
from collections import Counter
from datetime import datetime, timedelta

from trustops.kernel import clock
from trustops.kernel.errors import DomainError
from trustops.quality.audits import sampling
from trustops.quality.audits import services as audits
from trustops.quality.calibration import services as calibration
from trustops.review.models import Case, CaseStatus, Decision
from trustops.review.selectors import cases_visible_to
from trustops.simulation import workforce
from trustops.simulation.shifts import Month
from trustops.simulation.world import DAY, HOUR

AUDIT_SHARE = 0.25             # of each week's decisions
MIN_WEEKLY_SAMPLE = 4
OPEN_SHARE_LAST_WEEK = 0.35    # the newest sample is still being worked through
RCA_WEIGHTS = {"human_training": 5, "policy": 2.5, "process": 1.5, "product_tech": 1}
# Cleared for every region, so any case may be a calibration item.
CALIBRATION_PARTICIPANTS = ["moderator", "mod.amara", "northwind.lea", "agent.lumen", workforce.NEW_AGENT]


class QualityMonth:
    def __init__(self, month: Month):
        self.month = month
        self.anchor = month.anchor
        self.people = month.people
        self.rng = random.Random(f"{month.world.seed}:qa")
        self.lead = self.people[workforce.QA_LEAD]
        self.totals: Counter = Counter()
        self.audit_ids: list[int] = []

    def run(self, *, monthly_report: bool = True) -> dict:
        # The disputed audits are chosen first, so the weekly samples cannot take their decisions; every step
        # sets its own clock, so the order of the calls is not the order of the events.
        self._disputes()
        start = self.anchor - timedelta(seconds=self.month.world.history_seconds)
        week, number = start, 0
        while week < self.anchor - timedelta(hours=6):
            end = min(week + timedelta(days=7), self.anchor - timedelta(hours=3))
            self._week(number, week, end, last=end >= self.anchor - timedelta(days=1))
            week, number = week + timedelta(days=7), number + 1
        self._calibrations()
        self._rca()
        if monthly_report:
            self._monthly_report()
        return dict(self.totals)

    # ---- weekly samples and their audits ----

    def _week(self, number: int, start: datetime, end: datetime, *, last: bool) -> None:
        decided = sum(1 for o in self.month.outcomes.values()
                      if o.verdict in ("violation", "no_violation") and start <= o.decided_at < end)
        if not decided:
            return
        drawn_at = min(end + timedelta(hours=18), self.anchor - timedelta(hours=2))
        request = sampling.SampleRequest(
            period_start=start, period_end=end, strata=["vendor"], seed=self.month.world.seed * 100 + number,
            size=max(MIN_WEEKLY_SAMPLE, round(decided * AUDIT_SHARE)), oversample_new_agents_days=14,
            auditors=workforce.QA_AUDITORS)
        with clock.frozen(drawn_at):
            sample = sampling.draw_sample(actor=self.lead, request=request)
        self.totals["samples"] += 1
        tasks = list(sample.tasks.select_related("assignee").order_by("id"))
        if last:
            tasks = tasks[:max(1, round(len(tasks) * (1 - OPEN_SHARE_LAST_WEEK)))]
        room = max(HOUR, int((self.anchor - drawn_at).total_seconds()) - 600)
        for task in tasks:
            at = drawn_at + timedelta(seconds=self.rng.randint(600, min(room, 3 * DAY)))
            auditor = task.assignee or self.people[workforce.QA_AUDITORS[0]]
            self._audit(auditor, task.decision_id, at)

    def _truth_of(self, decision_id: int) -> str | None:
        outcome = self.month.outcomes.get(decision_id)
        subject_id = outcome.subject_id if outcome else Decision.objects.values_list(
            "case__subject_id", flat=True).get(pk=decision_id)
        return self.month.truth.get(subject_id)

    def _audit(self, auditor, decision_id: int, at: datetime, *, slip: bool = False):
        truth = self._truth_of(decision_id)
        outcome = self.month.outcomes.get(decision_id)
        if slip and outcome is not None:
            # The auditor misreads a right decision: the opposite verdict.
            judgement = (audits.Judgement("no_violation") if outcome.verdict == "violation" else
                         audits.Judgement("violation", self.month.policy_code(
                             Case.objects.values_list("policy_id", flat=True).get(pk=outcome.case_id))))
        else:
            judgement = audits.Judgement("violation", truth) if truth else audits.Judgement("no_violation")
        wrong = outcome is not None and not outcome.correct
        category = None
        if wrong or slip:
            category = ("human_training" if outcome.reviewer == workforce.NEW_AGENT
                        else self.rng.choices(list(RCA_WEIGHTS), weights=list(RCA_WEIGHTS.values()))[0])
        try:
            with clock.frozen(at):
                audit = audits.submit_audit(actor=auditor, decision_id=decision_id, judgement=judgement,
                                            rca_category=category,
                                            notes="Checked against the policy guidance." if not wrong else
                                            "The decision does not match the guidance.")
        except DomainError:
            self.totals["audits_refused"] += 1
            return None
        self.audit_ids.append(audit.pk)
        self.totals["audits"] += 1
        return audit

    # ---- disputes ----

    def _vendor_decisions(self, *, correct: bool) -> list[int]:
        """Decisions by vendor agents, not yet audited, judged right or wrong by the simulation."""
        from trustops.quality.models import Audit, AuditTask

        vendor_agents = {r.username for r in workforce.REVIEWERS if r.vendor}
        candidates = sorted(d for d, o in self.month.outcomes.items()
                            if o.reviewer in vendor_agents and o.correct == correct and not o.golden
                            and o.verdict in ("violation", "no_violation")
                            and o.decided_at < self.anchor - timedelta(days=4))
        taken = set(Audit.objects.filter(decision_id__in=candidates).values_list("decision_id", flat=True))
        taken |= set(AuditTask.objects.filter(decision_id__in=candidates, status="open")
                     .values_list("decision_id", flat=True))
        return [d for d in candidates if d not in taken]

    def _disputes(self) -> None:
        """An audit slip the agent disputes and the QA lead revises; an agent's real error disputed and upheld."""
        auditor = self.people[workforce.QA_AUDITORS[1]]
        at = self.anchor - timedelta(days=4)
        for correct, outcome in ((True, "revised"), (False, "upheld")):
            candidates = self._vendor_decisions(correct=correct)
            if not candidates:
                continue
            decision_id = self.rng.choice(candidates)
            audit = self._audit(auditor, decision_id, at, slip=correct)
            if audit is None or audit.error_type == "correct":
                continue
            agent = self.people[self.month.outcomes[decision_id].reviewer]
            with clock.frozen(at + timedelta(hours=5)):
                dispute = audits.raise_dispute(actor=agent, audit_id=audit.pk,
                                               reason="I read the content differently; please look again.")
            truth = self._truth_of(decision_id)
            judgement = audits.Judgement("violation", truth) if truth else audits.Judgement("no_violation")
            with clock.frozen(at + timedelta(days=1)):
                audits.arbitrate(actor=self.lead, dispute_id=dispute.pk, outcome=outcome,
                                 judgement=judgement if outcome == "revised" else None,
                                 note="The agent was right; the audit is corrected." if outcome == "revised"
                                 else "The audit stands: the guidance covers this case.")
            self.totals[f"disputes_{outcome}"] += 1

    # ---- calibration ----

    def _calibrations(self) -> None:
        """One session late last month (a label missing when it closed), one this week with every label."""
        this_month = self.anchor.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        earlier = [p for p in CALIBRATION_PARTICIPANTS if p != workforce.NEW_AGENT]
        self._calibration("Calibration: month-end review of recent decisions",
                          this_month - timedelta(days=6) + timedelta(hours=10), earlier, missing=earlier[-1])
        self._calibration("Calibration: this week's decisions across queues",
                          self.anchor - timedelta(days=3) + timedelta(hours=10), CALIBRATION_PARTICIPANTS)

    def _calibration(self, name: str, opened_at: datetime, participants: list[str], *,
                     missing: str | None = None) -> None:
        start = self.anchor - timedelta(seconds=self.month.world.history_seconds)
        decided = sorted({o.case_id for o in self.month.outcomes.values()
                          if o.verdict in ("violation", "no_violation") and not o.golden
                          and start <= o.decided_at < opened_at})
        # Only cases the lead may open: restricted queues need a clearance the demo's QA lead does not hold.
        cases = list(cases_visible_to(self.lead).filter(pk__in=decided, status=CaseStatus.RESOLVED)
                     .order_by("id").values_list("id", "subject_id", "policy_id"))
        if len(cases) < 2 or opened_at <= start:
            return
        # The most recently opened of the cases decided before the session.
        chosen = sorted(cases[-(4 if self.month.world.size == "tiny" else 6):])
        with clock.frozen(opened_at):
            session = calibration.create_session(actor=self.lead, name=name, case_ids=[c[0] for c in chosen],
                                                 participants=participants)
        accuracy = {r.username: r.accuracy for r in workforce.REVIEWERS}
        for index, username in enumerate(participants):
            for position, (case_id, subject_id, policy_id) in enumerate(chosen):
                if username == missing and position == len(chosen) - 1:
                    continue   # ran out of time: the session closes with this label missing
                call = workforce.judge(self.rng, accuracy[username], truth=self.month.truth.get(subject_id),
                                       reported=self.month.policy_code(policy_id), siblings=self.month.siblings)
                with clock.frozen(opened_at + timedelta(minutes=20 * index + 3 * position + 5)):
                    calibration.submit_label(actor=self.people[username], session_id=session.pk, case_id=case_id,
                                             label=call.policy if call.verdict == "violation" else "no_violation")
                self.totals["calibration_labels"] += 1
        benchmarks = {case_id: self.month.truth.get(subject_id) or "no_violation"
                      for case_id, subject_id, _ in chosen}
        with clock.frozen(opened_at + timedelta(hours=20)):
            calibration.close_session(actor=self.lead, session_id=session.pk, benchmarks=benchmarks)
        self.totals["calibration_sessions"] += 1

    # ---- root-cause analysis and the monthly report ----

    def _rca(self) -> None:
        from trustops.quality.models import Audit
        from trustops.quality.rca import services as rca

        training = (Audit.objects.filter(pk__in=self.audit_ids, rca_category="human_training")
                    .exclude(error_type="correct"))
        errors = sorted(training.values_list("id", flat=True))
        if not errors:
            return
        with clock.frozen(self.anchor - timedelta(hours=20)):
            rca.create_rca(actor=self.lead, fields=rca.RcaFields(
                title="Errors on context-dependent content after onboarding", category="human_training",
                root_cause="Onboarding practised single videos; threads, replies and sibling policies were never "
                           "practised, so context-dependent calls go wrong.",
                corrective_action="Two sessions of paired review on comment queues, then a targeted audit sample.",
                owner=workforce.QA_LEAD, due_date=(self.anchor + timedelta(days=14)).date(), audit_ids=errors))
        self.totals["rcas"] += 1

    def _monthly_report(self) -> None:
        """Last month's Monthly Quality Report, kept as the schedule keeps it on the first of the month."""
        try:
            from trustops.insights import monthly_quality
            from trustops.insights import services as insights
        except ImportError:     # a build without the insights app: the report is generated on its schedule
            return
        with clock.frozen(self.anchor - timedelta(minutes=5)):
            insights.keep_monthly_quality_report(month=monthly_quality.previous_month(clock.now()))
        self.totals["monthly_reports"] += 1
