"""What review needs from the apps above it, as small interfaces those apps register into at start-up.

Review sits below intake (which opens cases through review's services) and quality (which audits review's
decisions), so it may import neither. It names here what it needs of them; `intake.apps` and `quality.apps`
register their implementations in `ready()`. Until they do, the defaults describe a platform without them.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Protocol


@dataclass(frozen=True)
class Disguise:
    """How a golden case is shown in review: with the notices and intake story of the case it copies, moved in
    time onto its own opening (`casework.open_golden_case` spreads that over the same span, shortened to fit
    the queue's SLA), so it reads like any case that has just come in. Nothing is written: only shown."""
    source_case_id: int
    source_opened_at: datetime
    source_span: float
    opened_at: datetime
    span: float
    queue_key: str

    def moved(self, moment: datetime) -> datetime:
        if not self.source_span:
            return self.opened_at
        offset = min(max((moment - self.source_opened_at).total_seconds(), 0.0), self.source_span)
        return self.opened_at + timedelta(seconds=offset * self.span / self.source_span)


# What a reviewer sees of the case a golden item copies: how it came in, not how it ended.
# (Reroutes are left out: they would name queues the golden case never passed through.)
INTAKE_EVENTS = ("report.received", "signal.received", "case.opened")


class GoldenItems(Protocol):
    """Cases with a known answer that QA placed in live queues (quality/golden)."""

    def withholds_enforcement(self, case) -> bool:
        """True when deciding the case must change nothing outside quality data."""

    def withheld_case_ids(self) -> Iterable[int]:
        """Ids (or a subquery of ids) of the cases `withholds_enforcement` is true of."""

    def disguise_for(self, case) -> Disguise | None:
        """How to show a golden case so that it looks like any other; None for other cases."""

    def golden_case_ids(self) -> Iterable[int]:
        """Ids (or a subquery of ids) of every golden case."""


class CaseNotices(Protocol):
    """The reports and signals behind a case (intake)."""

    def reports_for_case(self, case, *, limit: int) -> list: ...

    def signals_for_case(self, case, *, limit: int) -> list: ...

    def resolve_reports(self, *, case_id: int, decision_id: int, violation: bool, actor) -> None:
        """Close the reports a decision answered, in the decision's transaction."""

    def case_ids_reported(self, *, reporter_external_id: str = "", idempotency_key: str = "") -> Iterable[int]:
        """Ids (or a subquery of ids) of the cases a reporter's reports, or the report with this idempotency
        key, were filed to (the console's search); unscoped: the caller filters by who may see the case."""


class QueueQualifications(Protocol):
    """Who is qualified to work a queue that requires certification (workforce training)."""

    def may_work(self, user_id: int, queue_id: int) -> bool:
        """True when the person holds a valid certification on the queue: one cheap query, asked only for
        queues with `requires_certification`."""


class NoGoldenItems:
    def withholds_enforcement(self, case) -> bool:
        return False

    def withheld_case_ids(self) -> Iterable[int]:
        return ()

    def disguise_for(self, case) -> Disguise | None:
        return None

    def golden_case_ids(self) -> Iterable[int]:
        return ()


class NoNotices:
    def reports_for_case(self, case, *, limit: int) -> list:
        return []

    def signals_for_case(self, case, *, limit: int) -> list:
        return []

    def resolve_reports(self, *, case_id: int, decision_id: int, violation: bool, actor) -> None:
        return None

    def case_ids_reported(self, *, reporter_external_id: str = "", idempotency_key: str = "") -> Iterable[int]:
        return ()


class DecisionListener(Protocol):
    """Told of every decision inside its transaction, after its enforcement (compliance's statements of reasons
    and legal clocks): what it writes commits or rolls back with the decision. A golden case's decision is told
    inside the rehearsal savepoint, so whatever the listener writes for it is rolled back too."""

    def decision_recorded(self, decision, *, case, actor) -> None: ...

    def appeal_decided(self, appeal, *, decision, actor) -> None:
        """An appeal was upheld or overturned (its enforcement already reversed when overturned)."""
class NoQualifications:
    """Without workforce, no one holds a certification: a queue that requires one cannot be claimed from."""

    def may_work(self, user_id: int, queue_id: int) -> bool:
        return False


golden: GoldenItems = NoGoldenItems()
notices: CaseNotices = NoNotices()
decision_listeners: list[DecisionListener] = []


def register_decision_listener(listener: DecisionListener) -> None:
    """Add a listener (once per kind: registering a second of the same class replaces the first)."""
    decision_listeners[:] = [known for known in decision_listeners if type(known) is not type(listener)]
    decision_listeners.append(listener)


@dataclass(frozen=True)
class QueueIncident:
    """A live incident that affects a queue (support), shown on the queue; `pauses_sla` when the incident is
    configured to pause the queue's SLA clocks."""
    incident_id: int
    title: str
    severity: str
    status: str
    pauses_sla: bool


class QueueIncidents(Protocol):
    """Live incidents per queue key (support's incidents)."""

    def for_queues(self, queue_keys: Iterable[str]) -> dict[str, list[QueueIncident]]: ...


class NoQueueIncidents:
    def for_queues(self, queue_keys: Iterable[str]) -> dict[str, list[QueueIncident]]:
        return {}


queue_incidents: QueueIncidents = NoQueueIncidents()


# An interval during which a queue's SLA clocks stand still: (start, end), end None while it lasts.
PauseInterval = tuple[datetime, datetime | None]


class QueueSlaPauses(Protocol):
    """When queues' SLA clocks stand still (support: an active incident configured to pause them)."""

    def paused_intervals(self, queue_keys: Iterable[str]) -> dict[str, list[PauseInterval]]: ...


class NoQueueSlaPauses:
    def paused_intervals(self, queue_keys: Iterable[str]) -> dict[str, list[PauseInterval]]:
        return {}


sla_pauses: QueueSlaPauses = NoQueueSlaPauses()
qualifications: QueueQualifications = NoQualifications()
