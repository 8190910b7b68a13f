"""Reading cases and queues, always through the one function that decides who sees what."""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet, Sum

from trustops.enforcement.services.penalties import open_actions
from trustops.identity import access
from trustops.identity.models import User
from trustops.identity.roles import QUALITY_READER_ROLES, REVIEWER_ROLES
from trustops.kernel import clock, rows
from trustops.kernel.database import fetch_one_hot
from trustops.kernel.errors import Forbidden, NotFound
from trustops.kernel.inputs import INT64_MAX
from trustops.kernel.pagination import page_by_id
from trustops.ledger.selectors import case_timeline, subject_timeline
from trustops.policies.actions import ACTIONS
from trustops.review import hooks, sla
from trustops.review.models import (
    OPEN_STATUSES,
    Appeal,
    AppealStatus,
    Case,
    CaseSkip,
    CaseStatus,
    Decision,
    Exposure,
    Queue,
    RoutingRule,
)
from trustops.subjects.models import ACCOUNT_TYPES, Subject
from trustops.subjects.selectors import subjects_visible_to

# A case is at SLA risk once less than this share of its queue's SLA target is left.
SLA_RISK_SHARE = 0.25


def queues_visible_to(user) -> QuerySet[Queue]:
    return Queue.objects.filter(access.queue_filter(user))


def cases_visible_to(user) -> QuerySet[Case]:
    """The rules are identity/access.py's `case_filter`: vendors, regions, restricted queues."""
    return Case.objects.filter(access.case_filter(user))


def get_case(user, case_id: int) -> Case:
    """404, never 403: a case one may not see must not be confirmed to exist."""
    case = (cases_visible_to(user).select_related("subject", "subject__owner", "queue", "policy", "assignee")
            .filter(pk=case_id).first())
    if case is None:
        raise NotFound("case_not_found", f"No case {case_id}.")
    return case


def list_cases(user, *, queue: str | None = None, status: str | None = None, subject_type: str | None = None,
               subject_external_id: str | None = None, cursor: str | None = None, limit: int = 50):
    qs = cases_visible_to(user).select_related("subject", "queue", "policy", "assignee")
    if queue:
        qs = qs.filter(queue__key=queue)
    if status:
        qs = qs.filter(status=status)
    if subject_type:
        qs = qs.filter(subject__type=subject_type)
    if subject_external_id:
        qs = qs.filter(subject__external_id=subject_external_id)
    return page_by_id(qs, cursor=cursor, limit=limit)


def _recount_paused(queues, waiting, stats: dict, risk: dict, now: datetime) -> None:
    """Breached and at-risk counts of the queues whose SLA clocks an incident paused, from each case's moved due
    time (the stored due times know nothing of pauses; other queues keep their counts in SQL)."""
    pauses = hooks.sla_pauses.paused_intervals([q.key for q in queues])
    for q in queues:
        intervals = pauses.get(q.key)
        if not intervals:
            continue
        breached = at_risk = 0
        horizon = timedelta(seconds=q.sla_seconds * SLA_RISK_SHARE)
        for opened_at, due_at in waiting.filter(queue_id=q.id).values_list("opened_at", "sla_due_at").iterator():
            due = sla.effective_due(opened_at, due_at, intervals, now)
            if due.paused:
                continue
            if due.at < now:
                breached += 1
            elif due.at < now + horizon:
                at_risk += 1
        stats.setdefault(q.id, {})["breached"] = breached
        risk[q.id] = at_risk


def queue_overview(user) -> list[dict]:
    """Depth, oldest waiting age and SLA risk per visible queue, counting only cases the user may see."""
    now = clock.now()
    queues = list(queues_visible_to(user).order_by("tier", "key"))
    if not queues:
        return []
    waiting = cases_visible_to(user).filter(queue__in=queues, status__in=[CaseStatus.OPEN, CaseStatus.IN_REVIEW])
    stats = {row["queue_id"]: row for row in (
        waiting.values("queue_id")
        .annotate(depth=Count("id", filter=Q(status=CaseStatus.OPEN)),
                  in_review=Count("id", filter=Q(status=CaseStatus.IN_REVIEW)),
                  oldest=Min("opened_at", filter=Q(status=CaseStatus.OPEN)),
                  breached=Count("id", filter=Q(sla_due_at__lt=now)))
    )}
    # At risk: not yet breached but inside the last quarter of the queue's own SLA target.
    risk: dict[int, int] = {}
    for sla_seconds in {q.sla_seconds for q in queues}:
        horizon = now + timedelta(seconds=sla_seconds * SLA_RISK_SHARE)
        ids = [q.id for q in queues if q.sla_seconds == sla_seconds]
        for row in (waiting.filter(queue_id__in=ids, sla_due_at__gte=now, sla_due_at__lt=horizon)
                    .values("queue_id").annotate(n=Count("id"))):
            risk[row["queue_id"]] = row["n"]
    _recount_paused(queues, waiting, stats, risk, now)
    overview = []
    for q in queues:
        s = stats.get(q.id, {})
        oldest = s.get("oldest")
        overview.append({
            "key": q.key, "name": q.name, "tier": q.tier, "sla_seconds": q.sla_seconds,
            "depth": s.get("depth", 0), "in_review": s.get("in_review", 0),
            "oldest_age_seconds": int((now - oldest).total_seconds()) if oldest else None,
            "at_sla_risk": risk.get(q.id, 0), "breached": s.get("breached", 0),
        })
    # Live incidents that affect a queue (support), shown beside it.
    incidents = hooks.queue_incidents.for_queues([q.key for q in queues])
    for row in overview:
        row["incidents"] = incidents.get(row["key"], [])
        row["sla_paused_by_incident"] = any(i.pauses_sla for i in row["incidents"])
    return overview


def may_work(user, queue: Queue) -> bool:
    """Vendor agents work only their vendor's queues; in-house reviewers the queues open to their team."""
    contracted = user.vendor_id is not None and queue.vendors.filter(pk=user.vendor_id).exists()
    team_ids = set(queue.teams.values_list("id", flat=True))
    return (_may_work(user, queue, contracted=contracted, open_to_team=not team_ids or user.team_id in team_ids)
            and (not queue.requires_certification or hooks.qualifications.may_work(user.pk, queue.pk)))


def _may_work(user, queue: Queue, *, contracted: bool, open_to_team: bool) -> bool:
    return access.may_work_queue(user, active=queue.active, required_clearance=queue.required_clearance,
                                 contracted=contracted, open_to_team=open_to_team)


def get_queue_to_work(user, key: str) -> Queue:
    """The queue a reviewer is about to claim from: 404 if they cannot see it, 403 if they may not work it.

    Every claim starts here, so one statement reads the queue with the two facts `may_work` needs; the rules
    are `queues_visible_to` and `may_work`, applied to them.
    """
    viewer = access.viewer(user)
    if viewer.is_vendor_staff or viewer.reviews_in_house:
        row = fetch_one_hot(_QUEUE_TO_WORK_SQL, [user.vendor_id, user.team_id, key])
    else:
        row = None
    if row is not None:
        *columns, contracted, open_to_team = row
        queue = rows.instance(Queue, columns)
    # What `access.queue_filter` hides is a 404 here too: another vendor's queue, a restricted one uncleared.
    if row is None or (viewer.is_vendor_staff and not contracted) or not viewer.holds(queue.required_clearance):
        raise NotFound("queue_not_found", f"No queue {key!r}.")
    if not _may_work(user, queue, contracted=bool(contracted), open_to_team=bool(open_to_team)):
        raise Forbidden("not_allowed_to_work_queue", f"You are not assigned to work {key!r}.")
    if queue.requires_certification and not hooks.qualifications.may_work(user.pk, queue.pk):
        raise Forbidden("certification_required", f"Working {key!r} needs a valid certification on it; "
                                                  "pass the queue's quiz first.")
    return queue


_QUEUE_TO_WORK_SQL = (
    f"SELECT {rows.columns(Queue, 'q')}, "
    f"EXISTS (SELECT 1 FROM {Queue.vendors.through._meta.db_table} v WHERE v.queue_id = q.id AND v.vendor_id = %s), "
    f"(NOT EXISTS (SELECT 1 FROM {Queue.teams.through._meta.db_table} t WHERE t.queue_id = q.id) "
    f"OR EXISTS (SELECT 1 FROM {Queue.teams.through._meta.db_table} t WHERE t.queue_id = q.id AND t.team_id = %s)) "
    f"FROM {Queue._meta.db_table} q WHERE q.key = %s AND q.active")


def next_claimable_sql(user, queue: Queue, *, lock: bool) -> tuple[str, list]:
    """The id of the first case this reviewer may claim from the queue, as one SQL subquery with its parameters:
    a waiting case in their regions, not one they skipped, not an appeal of their own decision; gravest first,
    then oldest (the `case_claim_order` index serves that order).

    Claiming is the hottest write of the console: written out, the query costs nothing to build, where the ORM
    spends more time compiling it than PostgreSQL spends running it (tests/test_claim_order.py states the same
    rules with the ORM and holds the two together). `lock` adds `FOR UPDATE SKIP LOCKED`, so
    concurrent claimers pass over each other's rows instead of queueing behind them (PostgreSQL only).
    The reviewer's skips are read once into a hash (`NOT IN`), not anti-joined per row.
    """
    condition, condition_params, needs_subject = access.claim_sql(user, case="c", subject="s")
    sql = ["SELECT c.id FROM review_case c"]
    params: list = []
    if needs_subject:
        sql.append("JOIN subjects_subject s ON s.id = c.subject_id")
    sql.append("WHERE c.queue_id = %s AND c.status = %s")
    params += [queue.pk, CaseStatus.OPEN]
    if condition != "TRUE":
        sql.append(f"AND {condition}")
        params += condition_params
    sql.append("AND c.id NOT IN (SELECT k.case_id FROM review_caseskip k WHERE k.reviewer_id = %s)"
               " AND (c.excluded_reviewer_id IS NULL OR c.excluded_reviewer_id <> %s)"
               " ORDER BY c.priority DESC, c.opened_at LIMIT 1")
    params += [user.pk, user.pk]
    if lock:
        sql.append("FOR UPDATE OF c SKIP LOCKED")
    return " ".join(sql), params


def exposure_seconds(user, *, since) -> int:
    return Exposure.objects.filter(reviewer=user, ended_at__gte=since).aggregate(s=Sum("seconds"))["s"] or 0


def workable_queue_keys(user) -> set[str]:
    """Keys of the queues open to the user that they may also take cases from (`may_work`)."""
    return {queue.key for queue in queues_visible_to(user) if may_work(user, queue)}


def escalation_targets(case: Case) -> QuerySet[Queue]:
    """Where `casework.escalate` accepts the case: another active queue of a higher tier, appeals aside."""
    return (Queue.objects.filter(active=True, tier__gte=max(2, case.queue.tier)).exclude(pk=case.queue_id)
            .exclude(key=settings.TRUSTOPS["APPEALS_QUEUE"]).order_by("tier", "key"))


def actions_open_to(case: Case, policy) -> list[str]:
    """The actions a violation of `policy` may take on this case, in catalogue order.

    The same rules `penalties.check_actions` enforces, so the form offers nothing the decision would refuse.
    """
    allowed = open_actions(case.subject, policy, case.queue.allowed_actions)
    return [action for action in ACTIONS if action in allowed]


def decisions_on_case(case: Case) -> list:
    """The case's decisions, oldest first. The caller has the case from `get_case`."""
    return list(Decision.objects.filter(case=case).select_related("policy", "policy_version", "reviewer")
                .order_by("id"))


def decision_ids_on_case(user, case: Case) -> list[int]:
    """Ids of the case's decisions, oldest first, as `POST /appeals` takes them. The caller has the case from
    `get_case`. A decided golden case shows its reviewer's decision like any decided case; to the platform, for
    which a golden decision never happened (nothing was enforced or told), it shows none, as if undecided."""
    v = access.viewer(user)
    if v.role not in REVIEWER_ROLES | QUALITY_READER_ROLES and hooks.golden.withholds_enforcement(case):
        return []
    return list(Decision.objects.filter(case=case).order_by("id").values_list("id", flat=True))


def _about_account(account) -> Q:
    return Q(subject=account) | Q(subject__owner=account)


def cases_about_account(user, account, *, limit: int = 50) -> list[Case]:
    """Cases on the account and on the items it owns, among those the user may see; newest first."""
    return list(cases_visible_to(user).filter(_about_account(account))
                .select_related("subject", "queue", "policy", "assignee").order_by("-opened_at", "-id")[:limit])


def decisions_about_account(user, account, *, exclude_case_ids=(), limit: int = 50) -> list:
    """Decisions on the account and its items, in cases the user may see; newest first.

    Decisions on golden cases that carried no real notice are left out: nothing came of them, so they are not
    part of what happened to the account (review/hooks.py).
    """
    qs = (Decision.objects.filter(case__in=cases_visible_to(user).filter(_about_account(account)))
          .exclude(case_id__in=hooks.golden.withheld_case_ids())
          .select_related("case__subject", "policy", "reviewer").order_by("-decided_at", "-id"))
    if exclude_case_ids:
        qs = qs.exclude(case_id__in=exclude_case_ids)
    return list(qs[:limit])


def exposure_today_seconds(user) -> int:
    """Exposure recorded since midnight UTC (wellbeing, severe queues)."""
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return exposure_seconds(user, since=start)


# ---- how a case is shown in review ----------------------------------------------------------------------
# Golden cases (review/hooks.py) must look like any other: these readers show them with the notices and the
# intake story of the case they copy, moved onto their own opening. For every other case they show what is.

def notices_shown_with(case, *, limit: int = 50) -> tuple[list, list]:
    """The reports and signals shown with a case, newest first."""
    notices = hooks.notices
    reports, signals = notices.reports_for_case(case, limit=limit), notices.signals_for_case(case, limit=limit)
    disguise = hooks.golden.disguise_for(case)
    if disguise is None:
        return reports, signals
    source = Case(pk=disguise.source_case_id)
    copied_reports = notices.reports_for_case(source, limit=limit)
    copied_signals = notices.signals_for_case(source, limit=limit)
    for notice in (*copied_reports, *copied_signals):
        notice.received_at = disguise.moved(notice.received_at)

    def newest_first(shown):
        return sorted(shown, key=lambda n: n.received_at, reverse=True)[:limit]
    return newest_first(reports + copied_reports), newest_first(signals + copied_signals)


def timeline_shown_for(case) -> list:
    """The case's ledger events as review shows them, oldest first."""
    events = case_timeline(case)
    disguise = hooks.golden.disguise_for(case)
    if disguise is None:
        return events
    copied = [event for event in case_timeline(Case(pk=disguise.source_case_id)) if event.kind in hooks.INTAKE_EVENTS]
    for event in copied:
        event.occurred_at = disguise.moved(event.occurred_at)
        if event.kind == "case.opened":
            event.payload = {**event.payload, "queue": disguise.queue_key, "priority": case.priority,
                             "sla_due_at": case.sla_due_at}
    own = [event for event in events if event.kind != "case.opened"]
    return sorted(copied, key=lambda e: e.occurred_at) + own


def subject_events_shown(user, subject, *, cursor: str | None, limit: int):
    """A subject's ledger timeline as the viewer may see it (`access.event_filter`), newest first.

    A golden case's own opening records that QA placed it; a reviewer must not learn that, so it is left out
    for anyone who does not read quality data (the case page shows the disguised opening instead).
    """
    hidden = None if access.reads_quality(user) else Q(kind="case.opened", case_id__in=hooks.golden.golden_case_ids())
    return subject_timeline(subject, visible=access.event_filter(user), cursor=cursor, limit=limit, exclude=hidden)


def account_history_shown_with(user, case, account) -> list:
    """Decisions on the account and its items, besides this case (for a golden case, besides the one it copies)."""
    disguise = hooks.golden.disguise_for(case)
    hidden = [case.pk] + ([disguise.source_case_id] if disguise else [])
    return decisions_about_account(user, account, exclude_case_ids=hidden)


def appeal_for_case(case):
    """The appeal behind an appeal case, with the decision under appeal. Callers have the case from get_case."""
    return (Appeal.objects.select_related("decision__policy", "decision__reviewer", "decision__case__queue",
                                          "outcome__reviewer").filter(case=case).first())


def pending_appeals_visible_to(user, *, limit: int = 200):
    """Appeals waiting for their re-review, in appeal cases the user may see; oldest first."""
    return list(Appeal.objects.filter(status=AppealStatus.PENDING, case__in=cases_visible_to(user))
                .select_related("case__subject", "case__queue", "case__assignee", "decision__policy")
                .order_by("received_at", "id")[:limit])


# ---- finding cases: the console's search box and the per-queue case list --------------------------------

@dataclass(frozen=True)
class Found:
    """One thing the search box found: a case, or an account (opened on its own page)."""
    case: Case | None = None
    account: Subject | None = None
    matched: str = ""            # what the text matched, in words


def search(user, text: str, *, limit: int = 50) -> list[Found]:
    """Cases and accounts the user may see that the text names: a case id, a subject's or account's external id,
    a reporter's id or a report's idempotency key. What the user may not see is simply not found."""
    text = (text or "").strip()
    if not text or "\x00" in text:
        return []
    reported_by = hooks.notices.case_ids_reported(reporter_external_id=text)
    reported_as = hooks.notices.case_ids_reported(idempotency_key=text)
    named = (Q(subject__external_id=text) & ~Q(subject__type__in=ACCOUNT_TYPES)) | Q(pk__in=reported_by) \
        | Q(pk__in=reported_as)
    if text.isdigit() and int(text) <= INT64_MAX:
        named |= Q(pk=int(text))
    cases = list(cases_visible_to(user).filter(named).select_related("subject", "queue", "assignee")
                 .order_by("-opened_at", "-id")[:limit])
    accounts = list(subjects_visible_to(user).filter(type__in=ACCOUNT_TYPES, external_id=text)
                    .order_by("type")[:limit])
    found = [Found(account=account, matched="account id") for account in accounts]
    for case in cases:
        if str(case.pk) == text:
            matched = "case id"
        elif case.subject.external_id == text:
            matched = "subject id"
        else:
            matched = "report"
        found.append(Found(case=case, matched=matched))
    return found[:limit]


SLA_STATES = ("ok", "at_risk", "breached")
# name → order; every order ends on the id, so pages never overlap.
CASE_SORTS = {
    "priority": ("-priority", "opened_at", "id"),
    "oldest": ("opened_at", "id"),
    "newest": ("-opened_at", "-id"),
    "due": ("sla_due_at", "id"),
}


@dataclass(frozen=True)
class CaseFilters:
    """The per-queue case list's filters, as the console's URL carries them."""
    statuses: tuple[str, ...] = ()
    policy: str = ""                  # a policy code, or a prefix of codes (`harassment`)
    priority_min: int | None = None
    priority_max: int | None = None
    sla_state: str = ""               # of waiting cases: ok, at_risk, breached
    assignee: str = ""                # a username
    region: str = ""
    opened_from: date | None = None   # UTC days, both ends included
    opened_to: date | None = None
    sort: str = "priority"


def sla_state_filter(queue: Queue, state: str, now: datetime) -> Q:
    """Waiting cases of the queue in an SLA state: breached (past due), at risk (inside the last
    `SLA_RISK_SHARE` of the queue's target), or ok."""
    waiting = Q(status__in=OPEN_STATUSES)
    horizon = now + timedelta(seconds=queue.sla_seconds * SLA_RISK_SHARE)
    if state == "breached":
        return waiting & Q(sla_due_at__lt=now)
    if state == "at_risk":
        return waiting & Q(sla_due_at__gte=now, sla_due_at__lt=horizon)
    return waiting & Q(sla_due_at__gte=horizon)


def shown_due_times(cases) -> dict[int, datetime]:
    """The due time to show for each open case: the stored one moved by its queue's SLA pauses (an incident)."""
    open_cases = [case for case in cases if case.status in OPEN_STATUSES]
    return {pk: due.at for pk, due in sla.due_times(open_cases, clock.now()).items()} if open_cases else {}


def due_of(case: Case) -> "sla.Due | None":
    """An open case's due time with its queue's pauses, and whether its clock stands still now."""
    return sla.due_times([case], clock.now())[case.pk] if case.status in OPEN_STATUSES else None


def sla_state_of(case: Case, now: datetime) -> str:
    """What `sla_state_filter` says of one case; "" for a resolved one."""
    if case.status not in OPEN_STATUSES:
        return ""
    due = sla.due_times([case], now)[case.pk]   # with the queue's pauses (an incident)
    if due.paused:
        return "paused"
    if due.at < now:
        return "breached"
    if due.at < now + timedelta(seconds=case.queue.sla_seconds * SLA_RISK_SHARE):
        return "at_risk"
    return "ok"


def get_queue(user, key: str) -> Queue:
    queue = queues_visible_to(user).filter(key=key).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {key!r}.")
    return queue


def configurable_queues(user) -> QuerySet[Queue]:
    """Queue settings: configurers see every queue, restricted and inactive ones too; readers what they see."""
    if access.configures_platform(user):
        return Queue.objects.all()
    return queues_visible_to(user)


def get_queue_settings(user, key: str) -> Queue:
    queue = configurable_queues(user).prefetch_related("teams", "vendors").filter(key=key).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {key!r}.")
    return queue


def queue_cases(user, queue: Queue, filters: CaseFilters) -> QuerySet[Case]:
    """The queue's cases the user may see, filtered and ordered. `queue` comes from `get_queue`."""
    qs = cases_visible_to(user).filter(queue=queue).select_related("subject", "policy", "assignee", "queue")
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.policy:
        qs = qs.filter(Q(policy__code=filters.policy) | Q(policy__code__startswith=filters.policy + "."))
    if filters.priority_min is not None:
        qs = qs.filter(priority__gte=filters.priority_min)
    if filters.priority_max is not None:
        qs = qs.filter(priority__lte=filters.priority_max)
    if filters.sla_state in SLA_STATES:
        qs = qs.filter(sla_state_filter(queue, filters.sla_state, clock.now()))
    if filters.assignee:
        qs = qs.filter(assignee__username=filters.assignee)
    if filters.region:
        qs = qs.filter(subject__region=filters.region)
    if filters.opened_from:
        qs = qs.filter(opened_at__gte=_utc_midnight(filters.opened_from))
    if filters.opened_to:
        qs = qs.filter(opened_at__lt=_utc_midnight(filters.opened_to + timedelta(days=1)))
    return qs.order_by(*CASE_SORTS.get(filters.sort, CASE_SORTS["priority"]))


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# ---- the floor: who holds what, today's work per reviewer, SLA burn ---------------------------------------

# "Due soon" on the floor: within the next hour.
SLA_BURN_SECONDS = 3600


@dataclass
class ReviewerDay:
    username: str
    holding: int = 0
    decided: int = 0
    handle_seconds_total: int = 0
    handle_seconds_counted: int = 0
    skipped: int = 0

    @property
    def average_handle_seconds(self) -> int | None:
        if not self.handle_seconds_counted:
            return None
        return round(self.handle_seconds_total / self.handle_seconds_counted)

    @property
    def skip_rate(self) -> float | None:
        """Skips among the cases the reviewer handed back or decided today."""
        seen = self.decided + self.skipped
        return self.skipped / seen if seen else None


@dataclass
class QueueFloor:
    queue: Queue
    holds: list[Case] = field(default_factory=list)
    reviewers: list[ReviewerDay] = field(default_factory=list)
    waiting: int = 0
    due_soon: int = 0
    breached: int = 0

    @property
    def decided(self) -> int:
        return sum(r.decided for r in self.reviewers)

    @property
    def skip_rate(self) -> float | None:
        skipped = sum(r.skipped for r in self.reviewers)
        seen = self.decided + skipped
        return skipped / seen if seen else None


def require_floor(user) -> None:
    if not access.runs_floor(user):
        raise Forbidden("floor_closed", "The floor view is open to team leads, policy managers, admins and "
                                        "vendor managers.")


def floor(user) -> list[QueueFloor]:
    """Per visible queue: the cases held now (by whom, since when), each reviewer's decisions, average handle
    time and skips since midnight UTC, and the SLA burn (due within the hour, breached). Vendor staff see
    their own vendor's people only (`access.floor_people_filter`)."""
    require_floor(user)
    now = clock.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    queues = list(queues_visible_to(user).order_by("tier", "key"))
    floors = {q.id: QueueFloor(queue=q) for q in queues}
    cases = cases_visible_to(user).filter(queue__in=queues)
    people = access.floor_people_filter(user, "assignee__")

    for case in (cases.filter(people, status=CaseStatus.IN_REVIEW).select_related("subject", "assignee", "queue")
                 .order_by("claimed_at", "id")):
        floors[case.queue_id].holds.append(case)
    for row in (cases.filter(status__in=OPEN_STATUSES).values("queue_id")
                .annotate(waiting=Count("id", filter=Q(status=CaseStatus.OPEN)),
                          due_soon=Count("id", filter=Q(sla_due_at__gte=now,
                                                        sla_due_at__lt=now + timedelta(seconds=SLA_BURN_SECONDS))),
                          breached=Count("id", filter=Q(sla_due_at__lt=now)))):
        floor_of = floors[row["queue_id"]]
        floor_of.waiting, floor_of.due_soon, floor_of.breached = row["waiting"], row["due_soon"], row["breached"]

    days: dict[tuple[int, str], ReviewerDay] = {}

    def day_of(queue_id: int, username: str) -> ReviewerDay:
        return days.setdefault((queue_id, username), ReviewerDay(username))

    for floor_of in floors.values():
        for case in floor_of.holds:
            day_of(floor_of.queue.id, case.assignee.username).holding += 1
    on_floor = access.case_filter(user, "case__") & access.floor_people_filter(user, "reviewer__")
    decided = (Decision.objects.filter(on_floor, queue_id__in=floors, decided_at__gte=midnight)
               .values("queue_id", "reviewer__username")
               .annotate(n=Count("id"), handle=Sum("handle_seconds"), counted=Count("handle_seconds")))
    for row in decided:
        day = day_of(row["queue_id"], row["reviewer__username"])
        day.decided, day.handle_seconds_counted = row["n"], row["counted"]
        day.handle_seconds_total = row["handle"] or 0
    skipped = (CaseSkip.objects.filter(on_floor, case__queue_id__in=floors, skipped_at__gte=midnight)
               .values("case__queue_id", "reviewer__username").annotate(n=Count("id")))
    for row in skipped:
        day_of(row["case__queue_id"], row["reviewer__username"]).skipped = row["n"]
    for (queue_id, _), day in sorted(days.items(), key=lambda item: item[0][1]):
        floors[queue_id].reviewers.append(day)
    return list(floors.values())


def held_case_on_floor(user, case_id: int) -> Case:
    """A case as its floor shows it, to release or reassign: 404 unless the user runs a floor that sees it."""
    require_floor(user)
    return get_case(user, case_id)


def reassign_candidates(user, case: Case) -> list:
    """People on the user's floor who may work the case's queue and see the case, the current holder aside."""
    queue = case.queue
    vendor_ids = set(queue.vendors.values_list("id", flat=True))
    team_ids = set(queue.teams.values_list("id", flat=True))
    people = (User.objects.filter(access.floor_people_filter(user), is_active=True, role__in=REVIEWER_ROLES)
              .exclude(pk__in=[pk for pk in (case.assignee_id, case.excluded_reviewer_id) if pk])
              .order_by("username"))
    workable = [person for person in people
                if _may_work(person, queue, contracted=person.vendor_id in vendor_ids,
                             open_to_team=not team_ids or person.team_id in team_ids)]
    return [person for person in workable if Case.objects.filter(access.case_filter(person), pk=case.pk).exists()]
def routing_rules(user):
    """The ordered routing rules: part of the platform's configuration."""
    if not access.configures_platform(user):
        raise Forbidden("not_a_configurer", "Routing rules are for admins and policy managers.")
    return RoutingRule.objects.select_related("queue").order_by("position", "id")


def configurable_queue_keys() -> list[str]:
    """Every queue's key, inactive ones too (for the platform's own set-up, not for a person)."""
    return list(Queue.objects.values_list("key", flat=True))


def default_queue_key() -> str | None:
    return Queue.objects.filter(is_default=True, active=True).values_list("key", flat=True).first()
