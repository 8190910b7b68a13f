"""The transparency report (Implementing Regulation (EU) 2024/2835, Annex I, quantitative part) for a period,
counted from trustops' own records. Every figure names the rows it counts: `drill(figure_key)` lists their ids.

Figures are grouped counts computed in the database and medians of durations; the same filters that count a
figure select its rows for the drill-down. Decisions and restrictions carry their subject's data region, so a
year's counts read one table each; decisions on a notice are counted with one semi-join and those on the
provider's own initiative are the rest. On PostgreSQL each section's medians are one ordered-set aggregate
query; elsewhere they are taken in Python from the durations.
"""
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
)

from trustops.compliance.models import DecisionGround, DsaMapping, ProcessingSuspension, SuspensionKind
from trustops.compliance.statements import catalogue
from trustops.enforcement.models import ActionCause, EnforcementAction
from trustops.identity.roles import Role
from trustops.intake.models import Report
from trustops.kernel import ports
from trustops.kernel.database import is_postgres
from trustops.policies.models import Policy
from trustops.quality.models import Audit, ErrorType
from trustops.review.models import Appeal, AppealStatus, Decision, Verdict

NOTICE_SOURCES = ("user", "trusted_flagger", "authority")
RESTRICTION_TYPE = {**catalogue.VISIBILITY_ACTIONS, **catalogue.PROVISION_ACTIONS, **catalogue.ACCOUNT_ACTIONS,
                    **catalogue.MONETARY_ACTIONS}
SUSPENSIONS = ("suspend", "ban")


class ReviewersByLanguage(Protocol):
    """The workforce app's port `workforce.reviewers_by_language`: people reviewing, per language, at a time."""

    def reviewers_by_language(self, *, at: datetime) -> dict[str, int]: ...


@dataclass
class Figure:
    section: str
    name: str
    group: dict
    value: float | int | None
    key: str            # what `drill` takes to list the counted rows


@dataclass
class TransparencyReport:
    start: datetime
    end: datetime
    figures: list[Figure] = field(default_factory=list)

    def add(self, section, name, group, value, key=""):
        self.figures.append(Figure(section, name, group, value, key))

    def section(self, section: str) -> list[Figure]:
        return [f for f in self.figures if f.section == section]

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(f.section for f in self.figures))


def _illegal_codes() -> list[str]:
    """Policy codes stated on the illegal-content ground (a mapping covers a family's descendants)."""
    families = list(DsaMapping.objects.filter(decision_ground=DecisionGround.ILLEGAL).values_list("policy_code",
                                                                                                  flat=True))
    if not families:
        return []
    q = Q()
    for code in families:
        q |= Q(code=code) | Q(code__startswith=code + ".")
    return list(Policy.objects.filter(q).values_list("code", flat=True))


class _MedianSeconds(Aggregate):
    """PostgreSQL's median of `later - earlier` in seconds; rows where either is empty are skipped."""
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()

    def __init__(self, later: str, earlier: str, **extra):
        super().__init__(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()), **extra)


def _medians_in_database() -> bool:
    """Whether medians are aggregated by the database (PostgreSQL) or in Python; either gives the same figures."""
    return is_postgres()


def _one_pass(qs: QuerySet, counts: dict[str, Q], medians: dict[str, tuple[str, str, Q]]) -> dict:
    """Over the rows of `qs`: how many match each Q of `counts`, and for each `(later, earlier, Q)` of `medians`
    the median of (later - earlier) in seconds over the rows matching Q (None when there are none). One query
    with a FILTER per figure on PostgreSQL; elsewhere the counts in one query and each median from its rows'
    durations in Python."""
    counted = {name: Count("id", filter=q) for name, q in counts.items()}
    if _medians_in_database():
        found = qs.aggregate(**counted, **{name: _MedianSeconds(later, earlier, filter=q)
                                           for name, (later, earlier, q) in medians.items()})
        return {name: value if name in counts or value is None else round(float(value), 1)
                for name, value in found.items()}
    found = qs.aggregate(**counted) if counted else {}
    for name, (later, earlier, q) in medians.items():
        pairs = [(a - b).total_seconds() for a, b in qs.filter(q).exclude(**{f"{later}__isnull": True})
                 .values_list(later, earlier).iterator(chunk_size=5000)]
        found[name] = round(statistics.median(pairs), 1) if pairs else None
    return found


# ---- the rows each section counts (shared by counting and drilling down) ----------------------------------

def _in(regions, field: str) -> Q:
    return Q() if regions is None else Q(**{f"{field}__in": sorted(regions)})


def notices(start, end, regions=None) -> QuerySet:
    return Report.objects.filter(_in(regions, "subject__region"), received_at__gte=start, received_at__lt=end,
                                 source__in=NOTICE_SOURCES)


def _decided(start, end, regions, via: str = "") -> Q:
    """The period's decisions the report counts (violations, not an appeal's second decision) on subjects in
    `regions`, reached through `via` from a row that names one ("decision__" from an appeal or an audit)."""
    return _in(regions, f"{via}region") & Q(**{f"{via}decided_at__gte": start, f"{via}decided_at__lt": end,
                                               f"{via}verdict": Verdict.VIOLATION, f"{via}appeal_of__isnull": True})


def decisions(start, end, regions=None) -> QuerySet:
    return Decision.objects.filter(_decided(start, end, regions))


def _on_notice(qs: QuerySet, noticed: bool) -> QuerySet:
    """Decisions on a case a notice was filed on, or not (own initiative). A filter, not an annotation: the
    database joins (semi- or anti-join) instead of probing the reports once per decision."""
    notice = Exists(Report.objects.filter(case_id=OuterRef("case_id"), source__in=NOTICE_SOURCES))
    return qs.filter(notice if noticed else ~notice)


def actions(start, end, regions=None) -> QuerySet:
    """Restrictions a decision took, apart from an appeal's second decision: an anti-join against the few appeal
    decisions rather than a join with every decision."""
    on_appeal = Decision.objects.filter(pk=OuterRef("decision_id"), appeal_of__isnull=False)
    return EnforcementAction.objects.filter(_in(regions, "region"), ~Exists(on_appeal), starts_at__gte=start,
                                            starts_at__lt=end, action__in=list(RESTRICTION_TYPE),
                                            decision__isnull=False)


def automatic_actions(start, end, regions=None) -> QuerySet:
    """Interim measures a detector (a risk rule) took by itself, with no decision: own-initiative restrictions
    taken solely by automated means (DSA Art. 15(1)(c), 24(1)(c)), placed by their target's region."""
    return EnforcementAction.objects.filter(_in(regions, "region"), starts_at__gte=start, starts_at__lt=end,
                                            action__in=list(RESTRICTION_TYPE), cause=ActionCause.AUTOMATIC,
                                            decision__isnull=True)


def art23_suspensions(start, end) -> QuerySet:
    return ProcessingSuspension.objects.filter(suspended_at__gte=start, suspended_at__lt=end)


def _received(start, end, regions) -> Q:
    return _in(regions, "decision__region") & Q(received_at__gte=start, received_at__lt=end)


def complaints(start, end, regions=None) -> QuerySet:
    return Appeal.objects.filter(_received(start, end, regions))


def _means(automated: str, field: str = "reviewer__role") -> Q:
    return Q(**{field: Role.INTEGRATION}) if automated == "1" else ~Q(**{field: Role.INTEGRATION})


def _by_means(qs: QuerySet, automated: str, field: str = "reviewer__role") -> QuerySet:
    return qs.filter(_means(automated, field))


def _appeal_decided(start, end, regions) -> Q:
    return _decided(start, end, regions, "decision__") & Q(status__in=("upheld", "overturned"))


def appeals_decided(start, end, regions=None) -> QuerySet:
    """Appeals decided so far on the period's decisions: upheld confirms a decision, overturned corrects it."""
    return Appeal.objects.filter(_appeal_decided(start, end, regions))


def _appeal_figures(start, end, regions) -> dict:
    """The complaints received in the period by status and their median time to decide, and the appeals decided
    on the period's decisions by means and outcome: one pass over the appeals (with their decisions)."""
    received, decided = _received(start, end, regions), _appeal_decided(start, end, regions)
    counts = {f"complaints|{status}": received & Q(status=status) for status in AppealStatus.values}
    counts |= {f"{a}|{outcome}": decided & Q(status=outcome) & _means(a, "decision__reviewer__role")
               for a in ("1", "0") for outcome in ("upheld", "overturned")}
    return _one_pass(Appeal.objects.filter(received | decided), counts,
                     {"complaints-decided": ("decided_at", "received_at", received)})


def audits(start, end, regions=None) -> QuerySet:
    """Quality audits of the period's decisions (an audit judges a decision correct or names its error)."""
    return Audit.objects.filter(_decided(start, end, regions, "decision__"))


def _automated_means(report: TransparencyReport, start, end, regions, decided: dict[bool, int],
                     appealed: dict) -> None:
    """Measures taken solely by automated means vs by people, with their accuracy indicators: the share upheld
    among decided appeals and the share judged correct among quality audits (unweighted by the audit sample's
    inclusion probabilities)."""
    means = {"1": "solely automated", "0": "human review"}
    counts = {"1": decided.get(True, 0), "0": decided.get(False, 0)}
    appeals = {(a, o): appealed[f"{a}|{o}"] for a in means for o in ("upheld", "overturned")}
    found = {(a, c): 0 for a in means for c in ("correct", "incorrect")}
    for row in audits(start, end, regions).values("decision__reviewer__role", "error_type").annotate(n=Count("id")):
        finding = "correct" if row["error_type"] == ErrorType.CORRECT else "incorrect"
        found["1" if row["decision__reviewer__role"] == Role.INTEGRATION else "0", finding] += row["n"]
    for a, name in means.items():
        group = {"means": name}
        report.add("automated_means", "decisions", group, counts[a], f"automated|{a}")
        for outcome, shown in (("upheld", "upheld"), ("overturned", "reversed")):
            report.add("automated_means", f"appeals {shown}", group, appeals[a, outcome],
                       f"automated-appeals|{a}|{outcome}")
        decided = appeals[a, "upheld"] + appeals[a, "overturned"]
        report.add("automated_means", "share upheld on appeal", group,
                   round(appeals[a, "upheld"] / decided, 4) if decided else None, f"automated-appeals|{a}")
        for finding in ("correct", "incorrect"):
            report.add("automated_means", f"audits found {finding}", group, found[a, finding],
                       f"automated-audits|{a}|{finding}")
        audited = found[a, "correct"] + found[a, "incorrect"]
        report.add("automated_means", "share correct in quality audits", group,
                   round(found[a, "correct"] / audited, 4) if audited else None, f"automated-audits|{a}")


def _totals(counts: dict[tuple, int], key) -> dict[tuple, int]:
    """Counts summed over a coarser key: `key(*fine_key)` names the group each fine count adds to."""
    out: dict[tuple, int] = {}
    for fine, n in counts.items():
        out[key(*fine)] = out.get(key(*fine), 0) + n
    return out


def _nulls_last(key: tuple) -> tuple:
    """Sort order of a group key with empty parts (a notice without a policy version has no category) last."""
    return tuple((part is None, part or "") for part in key)


def _ground(code: str | None, illegal: set[str]) -> str:
    return "illegal content" if code in illegal else "terms and conditions"


def build(start: datetime, end: datetime, regions=catalogue.EEA_COUNTRIES) -> TransparencyReport:
    """The report over subjects in `regions` (the EU/EEA by default: the service the DSA report is about)."""
    report = TransparencyReport(start, end)
    illegal = set(_illegal_codes())

    # Notices (Art. 16 and trusted flaggers; authority orders apart) by category and source, and the orders by
    # Member State: one grouped count; the three medians in one more pass.
    fields = ("policy_version__dsa_category", "source", "subject__region")
    received = {tuple(row[f] for f in fields): row["n"]
                for row in notices(start, end, regions).values(*fields).annotate(n=Count("id"))}
    by_source = _totals(received, lambda category, source, _: (category, source))
    for category, source in sorted(by_source, key=_nulls_last):
        report.add("notices", "received", {"category": category, "source": source}, by_source[category, source],
                   f"notices|{category}|{source}")
    medians = _one_pass(notices(start, end, regions), {}, {
        "resolved": ("resolved_at", "received_at", ~Q(source="authority")),
        "trusted_flagger": ("resolved_at", "received_at", Q(source="trusted_flagger")),
        "orders": ("resolved_at", "received_at", Q(source="authority"))})
    report.add("notices", "median seconds to action", {}, medians["resolved"], "notices-resolved")
    report.add("notices", "median seconds to action (trusted flaggers)", {"source": "trusted_flagger"},
               medians["trusted_flagger"], "notices-resolved|trusted_flagger")

    # Actions by ground and whether they followed a notice or were taken on the provider's own initiative: all
    # the period's decisions in one grouped count, those on a notice in another; own initiative is the rest.
    # Grouped by the policy's id, not its code: millions of rows need no join with the policies for that.
    codes = dict(Policy.objects.values_list("id", "code"))

    def by_policy_and_role(qs: QuerySet) -> dict[tuple, int]:
        return {(row["policy_id"], row["reviewer__role"]): row["n"]
                for row in qs.values("policy_id", "reviewer__role").annotate(n=Count("id"))}

    on_notice = by_policy_and_role(_on_notice(decisions(start, end, regions), True))
    totals: dict[tuple, int] = {}
    for (policy_id, role), n in by_policy_and_role(decisions(start, end, regions)).items():
        ground, automated = _ground(codes.get(policy_id), illegal), role == Role.INTEGRATION
        noticed = on_notice.get((policy_id, role), 0)
        for basis, count in (("notice", noticed), ("own initiative", n - noticed)):
            if count:
                totals[(basis, ground, automated)] = totals.get((basis, ground, automated), 0) + count
    for (basis, ground, automated), n in sorted(totals.items()):
        report.add("own_initiative" if basis == "own initiative" else "notice_actions",
                   "decisions solely by automated means" if automated else "decisions",
                   {"ground": ground}, n, f"decisions|{basis}|{ground}|{int(automated)}")

    # Restrictions by type (the statement of reasons' values): those decided and those a detector took by itself.
    by_action = {row["action"]: row["n"] for row in actions(start, end, regions).values("action")
                 .annotate(n=Count("id"))}
    automatic = {row["action"]: row["n"] for row in automatic_actions(start, end, regions).values("action")
                 .annotate(n=Count("id"))}
    automatic_by_type: dict[str, int] = {}
    for action, n in automatic.items():
        by_action[action] = by_action.get(action, 0) + n
        automatic_by_type[RESTRICTION_TYPE[action]] = automatic_by_type.get(RESTRICTION_TYPE[action], 0) + n
    for restriction, n in sorted(automatic_by_type.items()):
        report.add("own_initiative", "automatic measures solely by automated means", {"type": restriction}, n,
                   f"automatic|{restriction}")
    by_type: dict[str, int] = {}
    for action, n in by_action.items():
        by_type[RESTRICTION_TYPE[action]] = by_type.get(RESTRICTION_TYPE[action], 0) + n
    for restriction, n in sorted(by_type.items()):
        report.add("restrictions", "measures", {"type": restriction}, n, f"restrictions|{restriction}")

    # Orders from authorities by category and Member State (counted with the notices).
    orders = _totals({key: n for key, n in received.items() if key[1] == "authority"},
                     lambda category, _, member_state: (category, member_state))
    for category, member_state in sorted(orders, key=_nulls_last):
        report.add("orders", "received", {"category": category, "member_state": member_state},
                   orders[category, member_state], f"orders|{category}|{member_state}")
    report.add("orders", "median seconds to give effect", {}, medians["orders"], "orders-resolved")

    # Complaints (appeals) and their outcomes.
    appealed = _appeal_figures(start, end, regions)
    outcome_names = {"upheld": "upheld", "overturned": "reversed", "pending": "pending"}
    for status in sorted(outcome_names):
        if appealed[f"complaints|{status}"]:
            report.add("complaints", outcome_names[status], {}, appealed[f"complaints|{status}"],
                       f"complaints|{status}")
    report.add("complaints", "median seconds to decide", {}, appealed["complaints-decided"], "complaints-decided")

    for action in sorted(a for a in SUSPENSIONS if by_action.get(a)):    # counted with the restrictions
        report.add("suspensions", "account suspensions" if action == "suspend" else "account terminations",
                   {}, by_action[action], f"suspensions|{action}")

    # Art. 24(1)(b): suspensions under Art. 23 imposed in the period, apart by what was suspended. The party is
    # an external id with no region, so these count every suspension, not only EU/EEA ones.
    imposed = dict(art23_suspensions(start, end).values_list("kind").annotate(n=Count("id")))
    for kind in SuspensionKind.values:
        report.add("suspensions", f"Art. 23 suspensions for manifestly unfounded {kind}", {}, imposed.get(kind, 0),
                   f"art23|{kind}")

    by_means: dict[bool, int] = {}
    for (_, _, automated), n in totals.items():
        by_means[automated] = by_means.get(automated, 0) + n
    _automated_means(report, start, end, regions, by_means, appealed)
    report.add("automated_means", "automatic measures (no decision)", {"means": "solely automated"},
               sum(automatic.values()), "automatic")

    people = ports.get("workforce.reviewers_by_language")
    if people is not None:
        for language, count in sorted(people.reviewers_by_language(at=end).items()):
            report.add("human_resources", "reviewers", {"language": language}, count)
    return report


def _ids_of(*querysets, limit: int) -> list[int]:
    ids = sorted({pk for qs in querysets for pk in qs.order_by("pk").values_list("pk", flat=True)[:limit]})
    return ids[:limit]


def drill(key: str, start: datetime, end: datetime, regions=catalogue.EEA_COUNTRIES, *,
          limit: int = 1000) -> list[int]:
    """The ids of the rows a figure counts (reports, decisions, actions, appeals or audits, as the section says)."""
    kind, *parts = key.split("|")
    illegal = set(_illegal_codes())
    if kind == "notices":
        qs = notices(start, end, regions).filter(policy_version__dsa_category=parts[0], source=parts[1])
    elif kind == "notices-resolved":
        qs = notices(start, end, regions).exclude(source="authority").filter(resolved_at__isnull=False)
        if parts:
            qs = qs.filter(source=parts[0])
    elif kind == "decisions":
        basis, ground, automated = parts
        qs = _on_notice(decisions(start, end, regions), basis == "notice")
        qs = qs.filter(policy__code__in=illegal) if ground == "illegal content" else qs.exclude(
            policy__code__in=illegal)
        qs = _by_means(qs, automated)
    elif kind == "restrictions":
        kinds = [a for a, t in RESTRICTION_TYPE.items() if t == parts[0]]
        return _ids_of(actions(start, end, regions).filter(action__in=kinds),
                       automatic_actions(start, end, regions).filter(action__in=kinds), limit=limit)
    elif kind == "automatic":
        qs = automatic_actions(start, end, regions)
        if parts:
            qs = qs.filter(action__in=[a for a, t in RESTRICTION_TYPE.items() if t == parts[0]])
    elif kind == "orders":
        qs = notices(start, end, regions).filter(source="authority", policy_version__dsa_category=parts[0],
                                        subject__region=parts[1])
    elif kind == "orders-resolved":
        qs = notices(start, end, regions).filter(source="authority", resolved_at__isnull=False)
    elif kind == "complaints":
        qs = complaints(start, end, regions).filter(status=parts[0])
    elif kind == "complaints-decided":
        qs = complaints(start, end, regions).filter(decided_at__isnull=False)
    elif kind == "automated":
        qs = _by_means(decisions(start, end, regions), parts[0])
    elif kind == "automated-appeals":
        qs = _by_means(appeals_decided(start, end, regions), parts[0], "decision__reviewer__role")
        if len(parts) > 1:
            qs = qs.filter(status=parts[1])
    elif kind == "automated-audits":
        qs = _by_means(audits(start, end, regions), parts[0], "decision__reviewer__role")
        if len(parts) > 1:
            qs = qs.filter(error_type=ErrorType.CORRECT) if parts[1] == "correct" else qs.exclude(
                error_type=ErrorType.CORRECT)
    elif kind == "art23":
        qs = art23_suspensions(start, end).filter(kind=parts[0])
    elif kind == "suspensions":
        return _ids_of(actions(start, end, regions).filter(action=parts[0]),
                       automatic_actions(start, end, regions).filter(action=parts[0]), limit=limit)
    else:
        return []
    return list(qs.order_by("pk").values_list("pk", flat=True)[:limit])
