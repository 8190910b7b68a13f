"""The Monthly Quality Report: the figures for one calendar month (UTC), as one reader may see them.

Every figure is read through the viewer's quality scope (`decisions_in_quality_scope`, `rcas_visible_to`, …),
so a vendor manager's report holds their vendor's people only. Counting is done by the database: one GROUP BY
over the month's audited decisions gives every audit figure, and a few small queries add decisions, RCAs,
appeals and calibration; Python only combines the counts. The result is plain JSON (kept as it is), from which
the HTML, CSV and XLSX renderings are made.
"""
from datetime import date, datetime, timedelta, timezone

from trustops.identity import access
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.errors import Invalid, NotFound
from trustops.quality.calibration.selectors import calibration_agreement
from trustops.quality.models import ErrorType, RcaCategory, RcaStatus
from trustops.quality.rca.selectors import linked_audit_counts, rcas_active_between
from trustops.quality.reports import trends
from trustops.quality.selectors import calibrations_visible_to, reads_quality_reports
from trustops.quality.stats import comparisons

# Below this many audits, a group's accuracy is too uncertain to compare (the 95% Wilson interval around 90%
# is then wider than ±10 points).
MIN_STABLE_AUDITS = 30
EXAMPLES = 10
VERSION = 1
CUBE = ("week", "queue_id", "reviewer_id", "rca_category", "error_policy_id", "sample_id", "stratum",
        "inclusion_probability")


# The viewer of the kept report: the whole organisation's quality scope, every vendor, region and restricted queue.
# The schedule and the `mqr` command generate as this viewer; people read through their own scope.
ORGANISATION = access.Viewer(user_id=None, username="schedule", role=Role.ADMIN, vendor_id=None, team_id=None,
                             regions=None, clearances=frozenset(access.CLEARANCES))


def parse_month(value: str) -> date:
    """`YYYY-MM` → the first day of that month; a month not yet begun is refused."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        first = date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise Invalid("invalid_month", "month is YYYY-MM, e.g. 2026-10.", field="month")
    if first > clock.now().date().replace(day=1):
        raise Invalid("month_in_future", "That month has not begun.", field="month")
    if first.year < 2000:
        raise Invalid("invalid_month", "month is YYYY-MM, from 2000-01.", field="month")
    return first


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=timezone.utc)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=timezone.utc)


def previous_month(moment: datetime) -> date:
    first = moment.date().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _scope_label(viewer) -> dict:
    if viewer.role == Role.VENDOR_MANAGER and viewer.vendor_id:
        vendor = viewer.vendor
        return {"label": f"{vendor.name} only", "vendor": vendor.key, "regions": None}
    regions = access.viewer(viewer).regions
    return {"label": "All vendors and regions" if regions is None else f"Regions {', '.join(sorted(regions))}",
            "vendor": None, "regions": None if regions is None else sorted(regions)}


def comparison(groups: dict[str, dict[str, int]], overall: dict[str, int], labels: dict[str, str]) -> list[dict]:
    """Each group's accuracy with its interval, and the difference to everyone else in the report.

    Newcombe's interval needs two independent groups, and a group is part of the overall figure, so each group
    is compared with the rest (the overall without it). The difference is significant at 95% when its
    interval excludes 0.
    """
    total = sum(overall.values())
    total_correct = overall.get(ErrorType.CORRECT, 0)
    overall_accuracy = total_correct / total if total else None
    rows = []
    for name in sorted(groups, key=lambda g: (-sum(groups[g].values()), g)):
        row = {"group": name, "label": labels.get(name, name), **trends.accuracy_row(groups[name])}
        rest_n, rest_correct = total - row["audited"], total_correct - row["correct"]
        interval = (comparisons.newcombe_difference_interval(row["correct"], row["audited"], rest_correct, rest_n)
                    if row["audited"] and rest_n else None)
        difference = (row["correct"] / row["audited"] - rest_correct / rest_n) if interval else None
        row.update({"vs_rest": round(difference, 4) if difference is not None else None,
                    "vs_rest_low": round(interval.low, 4) if interval else None,
                    "vs_rest_high": round(interval.high, 4) if interval else None,
                    "stable": row["audited"] >= MIN_STABLE_AUDITS})
        row["flag"] = ("below" if interval and interval.high < 0 else "above" if interval and interval.low > 0
                       else None)
        row["interval_below_overall"] = (overall_accuracy is not None and row["wilson_high"] is not None
                                         and row["wilson_high"] < overall_accuracy)
        rows.append(row)
    return rows


def _agents_below(agent_tally: dict[tuple, dict[str, int]], overall: dict) -> list[dict]:
    """Reviewers whose whole 95% interval lies below the overall accuracy.

    Only reviewers whose own accuracy is below the overall can qualify (the interval holds the estimate), so
    the intervals of the others are never computed: a month has hundreds of reviewers.
    """
    if overall["accuracy"] is None:
        return []
    rows = []
    for (name,), by_type in sorted(agent_tally.items()):
        audited = sum(by_type.values())
        if by_type.get(ErrorType.CORRECT, 0) / audited >= overall["accuracy"]:
            continue
        row = {"group": name, **trends.accuracy_row(by_type)}
        if row["wilson_high"] < overall["accuracy"]:
            rows.append({**row, "interval_below_overall": True})
    return sorted(rows, key=lambda r: (r["wilson_high"], r["group"]))


def _weekly(per_week: dict[tuple, dict[str, int]], start: datetime, end: datetime) -> list[dict]:
    rows = []
    last_day = (end - timedelta(days=1)).date()
    for week in trends.weeks_between(start, end):
        first, last = max(week, start.date()), min(week + timedelta(days=6), last_day)
        by_type = per_week.get((week,), {})
        rows.append({"week": trends.week_label(week), "first_day": first.isoformat(), "last_day": last.isoformat(),
                     **trends.accuracy_row(by_type)})
    return rows


def _rcas(viewer, start: datetime, end: datetime, decisions) -> dict:
    as_of = min(clock.now(), end)
    rcas = rcas_active_between(viewer, start, end)
    linked = linked_audit_counts(viewer, rcas, decisions)
    by_category = {c.value: {"category": c.value, "active": 0, "opened": 0, "closed": 0, "overdue": 0,
                             "audits_this_month": 0} for c in RcaCategory}
    open_rows, overdue_rows = [], []
    for rca in rcas:
        done_by_then = rca.closed_at is not None and rca.closed_at < as_of
        overdue = not done_by_then and rca.due_date < as_of.date()
        tally = by_category[rca.category]
        tally["active"] += 1
        tally["opened"] += start <= rca.created_at < end
        tally["closed"] += rca.closed_at is not None and start <= rca.closed_at < end
        tally["overdue"] += overdue
        tally["audits_this_month"] += linked[rca.pk]
        row = {"rca_id": rca.pk, "title": rca.title, "category": rca.category, "owner": rca.owner.username,
               "due_date": rca.due_date.isoformat(), "status": RcaStatus.DONE if done_by_then else rca.status,
               "overdue": overdue, "days_overdue": (as_of.date() - rca.due_date).days if overdue else 0,
               "audits_this_month": linked[rca.pk]}
        if overdue:
            overdue_rows.append(row)
        if not done_by_then:
            open_rows.append(row)
    return {"as_of": as_of.isoformat(), "by_category": list(by_category.values()),
            "active": len(rcas), "open": open_rows, "overdue": overdue_rows}


def _calibrations(viewer, start: datetime, end: datetime) -> list[dict]:
    sessions = (calibrations_visible_to(viewer).filter(closed_at__gte=start, closed_at__lt=end)
                .order_by("closed_at", "pk").values_list("pk", "name", "closed_at"))
    rows = []
    for session_id, name, closed_at in sessions:
        result = calibration_agreement(viewer, session_id)
        rows.append({"calibration_id": session_id, "name": name, "closed_at": closed_at.isoformat(),
                     "units": result["units"], "raters": result["raters"],
                     **{k: result[k] for k in ("percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1")},
                     "undefined": result["undefined"],
                     "ambiguous_items": sum(1 for item in result["items"] if item["likely_policy_ambiguity"])})
    return rows


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _warnings(flags: dict, overall: dict, agents: list[dict], vendors: list[dict], queues: list[dict],
              weeks: list[dict], population_estimate) -> list[dict]:
    warnings = []
    uncategorised = flags["error_without_rca_category"]
    if uncategorised["count"]:
        warnings.append({"code": "errors_without_rca_category", "severity": "warning", "count": uncategorised["count"],
                         "message": f"{_count(uncategorised['count'], 'audited error')} without an RCA category: the "
                                    "Pareto of causes can only count them as “no category”.",
                         "examples": [f"audit {pk}" for pk in uncategorised["examples"]]})
    self_audits = flags["auditor_is_reviewer"]
    if self_audits["count"]:
        warnings.append({"code": "auditor_is_reviewer", "severity": "error", "count": self_audits["count"],
                         "message": f"{_count(self_audits['count'], 'audit')} made by the reviewer of the decision "
                                    "itself: not independent, to be redone by another auditor.",
                         "examples": [f"audit {pk}" for pk in self_audits["examples"]]})
    if agents:
        warnings.append({"code": "agent_below_overall", "severity": "warning", "count": len(agents),
                         "message": f"{_count(len(agents), 'reviewer')} whose whole 95% accuracy interval lies "
                                    f"below the overall {overall['accuracy']:.1%}.",
                         "examples": [f"{a['group']}: {a['correct']}/{a['audited']} correct "
                                      f"(interval {a['wilson_low']:.0%}–{a['wilson_high']:.0%})"
                                      for a in agents[:EXAMPLES]]})
    thin = ([("vendor", v) for v in vendors if not v["stable"]] + [("queue", q) for q in queues if not q["stable"]]
            + [("week", {"label": w["week"], "audited": w["audited"]}) for w in weeks
               if 0 < w["audited"] < MIN_STABLE_AUDITS])
    if thin:
        warnings.append({"code": "too_few_audits", "severity": "info", "count": len(thin),
                         "message": f"{_count(len(thin), 'group')} with fewer than {MIN_STABLE_AUDITS} audits: their "
                                    "accuracy has a wide interval and should not be ranked.",
                         "examples": [f"{kind} {row['label']}: {row['audited']} audits" for kind, row in thin[:EXAMPLES]]})
    disputed = flags["disputed"]["count"]
    if disputed:
        warnings.append({"code": "open_disputes", "severity": "info", "count": disputed,
                         "message": f"{_count(disputed, 'audit')} under dispute: the error type may still change.",
                         "examples": [f"audit {pk}" for pk in flags["disputed"]["examples"]]})
    if overall["audited"] and population_estimate is None:
        warnings.append({"code": "no_population_estimate", "severity": "info", "count": 1,
                         "message": "No weighted population estimate: the audits were not all drawn through samples "
                                    "with known inclusion probabilities, so only the raw audited accuracy is shown.",
                         "examples": []})
    return warnings


def build(viewer, month: date) -> dict:
    """The report's figures for `month` (its first day) as `viewer` may see them."""
    if not reads_quality_reports(viewer):
        raise NotFound("report_not_found", "There is no quality report for you to read.")
    start, end = month_bounds(month)
    decisions = trends.decisions_between(viewer, start, end)

    # One GROUP BY over the month's audited decisions gives every audit figure of the report: the weekly trend,
    # queues, reviewers (and through them vendors), the error Pareto, the sample strata for the population
    # estimate, and the audit-level warnings.
    cube = trends.tally(decisions, *CUBE, flags=tuple(trends.FLAGS))
    counts = cube.counts
    views = trends.rollups(counts, week=(0,), queue=(1,), reviewer=(2,), cause=(3, 4), stratum=(5, 6, 7))
    labels = trends.names(queues=[k for k, in views["queue"]], reviewers=[k for k, in views["reviewer"]],
                          policies=[policy for _, policy in views["cause"] if policy is not None])
    per_week = views["week"]
    overall_counts = trends.merge(*per_week.values())
    overall = trends.accuracy_row(overall_counts)

    by_vendor: dict[str, dict[str, int]] = {}
    vendor_labels = {}
    by_agent = {}
    for (reviewer,), by_type in views["reviewer"].items():
        username, vendor_key, vendor_name = labels["reviewers"].get(reviewer, (str(reviewer), None, None))
        key = vendor_key or trends.IN_HOUSE
        vendor_labels[key] = vendor_name or "In-house"
        by_vendor[key] = trends.merge(by_vendor.get(key, {}), by_type)
        by_agent[(username,)] = by_type
    vendors = comparison(by_vendor, overall_counts, vendor_labels)
    queue_counts = {labels["queues"][queue][0]: by_type for (queue,), by_type in views["queue"].items()}
    queues = comparison(queue_counts, overall_counts, {key: name for key, name in labels["queues"].values()})
    agents = _agents_below(by_agent, overall)

    errors = {(category, labels["policies"].get(policy, trends.NO_POLICY)): by_type
              for (category, policy), by_type in views["cause"].items() if policy is not None}
    pareto = trends.pareto_from_tally(errors)
    population_estimate = trends.population_estimate(views["stratum"])
    decided = decisions.filter(verdict__in=["violation", "no_violation"]).count()
    weeks = _weekly(per_week, start, end)
    rcas = _rcas(viewer, start, end, decisions)
    warnings = _warnings(cube.flags, overall, agents, vendors, queues, weeks, population_estimate)
    return {
        "kind": "monthly_quality", "version": VERSION, "month": month.isoformat()[:7],
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": clock.now().isoformat(), "scope": _scope_label(viewer),
        "summary": {"decisions": decided, **overall,
                    "audit_coverage": round(overall["audited"] / decided, 4) if decided else None,
                    "population_estimate": population_estimate,
                    "open_rcas": len(rcas["open"]), "overdue_rcas": len(rcas["overdue"]),
                    "warnings": len(warnings)},
        "weekly": weeks,
        "vendors": vendors,
        "queues": queues,
        "agents_below_overall": agents,
        "pareto": pareto,
        "rcas": rcas,
        "calibrations": _calibrations(viewer, start, end),
        "appeals": trends.appeal_outcomes(viewer, date_from=start, date_to=end),
        "warnings": warnings,
        "thresholds": {"min_stable_audits": MIN_STABLE_AUDITS, "vital_few_share": trends.VITAL_FEW_SHARE,
                       "confidence": 0.95},
    }
