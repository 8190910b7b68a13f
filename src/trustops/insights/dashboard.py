"""The quality dashboard: the last weeks at a glance, as one reader may see them.

Accuracy by ISO week with intervals, the vendors side by side, the Pareto of error causes, the RCAs still open
(owners and due dates, overdue first) and the latest calibration results. Reads only, through the quality scope.
"""
from datetime import datetime, time, timedelta, timezone

from django.utils.safestring import mark_safe

from trustops.insights import charts, monthly_quality, wording
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.quality.calibration.selectors import calibration_agreement
from trustops.quality.models import RcaStatus
from trustops.quality.rca.selectors import is_overdue, linked_audit_ids, rcas_visible_to
from trustops.quality.reports import selectors as report_selectors
from trustops.quality.reports import trends
from trustops.quality.selectors import calibrations_visible_to, reads_quality_reports

WINDOWS = (4, 12, 26)
DEFAULT_WEEKS = 12
OPEN_RCAS = 25
CALIBRATIONS = 5
REPORT_MONTHS = 6
WIDE, HALF = 10.6, 5.1      # chart widths in inches for a full-width and a half-width card


def window(weeks: int) -> tuple[datetime, datetime]:
    """From the Monday `weeks - 1` weeks before this week's, to the end of today (UTC)."""
    today = clock.now().astimezone(timezone.utc).date()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return datetime.combine(monday, time.min, tzinfo=timezone.utc), end


def build(viewer, *, weeks: int = DEFAULT_WEEKS) -> dict:
    if not reads_quality_reports(viewer):
        raise NotFound("dashboard_not_found", "There is no quality dashboard for you.")
    weeks = weeks if weeks in WINDOWS else DEFAULT_WEEKS
    start, end = window(weeks)
    decisions = trends.decisions_between(viewer, start, end)
    cube = trends.tally(decisions, "week", "vendor", "vendor_name").counts
    per_week = trends.collapse(cube, 0)
    overall_counts = trends.merge(*per_week.values())
    overall = trends.accuracy_row(overall_counts)
    weekly = [{"week": trends.week_label(w), "starts": w.isoformat(), **trends.accuracy_row(per_week.get((w,), {}))}
              for w in trends.weeks_between(start, end)]
    labels = {key[1]: key[2] or "In-house" for key in cube}
    vendors = monthly_quality.comparison({k[0]: v for k, v in trends.collapse(cube, 1).items()}, overall_counts,
                                         labels)
    pareto = trends.pareto_from_tally(trends.tally(decisions, "rca_category", "error_policy", errors_only=True).counts)
    today = clock.now().date()
    open_rcas = list(rcas_visible_to(viewer).exclude(status=RcaStatus.DONE).select_related("owner")
                     .order_by("due_date", "pk")[:OPEN_RCAS])
    linked = linked_audit_ids(viewer, open_rcas)
    rcas = [{"rca": rca, "category_name": wording.CATEGORY_NAMES[rca.category],
             "status_name": wording.STATUS_NAMES[rca.status], "overdue": is_overdue(rca, today),
             "days_overdue": (today - rca.due_date).days, "audits": len(linked[rca.pk])} for rca in open_rcas]
    calibrations = []
    for session_id, name, closed_at in (calibrations_visible_to(viewer).filter(closed_at__isnull=False)
                                        .order_by("-closed_at", "-pk").values_list("pk", "name", "closed_at")
                                        [:CALIBRATIONS]):
        result = calibration_agreement(viewer, session_id)
        calibrations.append({"name": name, "closed_at": closed_at, "units": result["units"],
                             "raters": result["raters"],
                             "coefficients": [{"name": label, "value": wording.coefficient(result[key]),
                                               "reason": result["undefined"].get(key)}
                                              for key, label in wording.COEFFICIENTS]})
    this_month = today.replace(day=1)
    months = [this_month]
    for _ in range(REPORT_MONTHS - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    kept = set(report_selectors.kept_months(viewer))
    return {
        "weeks": weeks, "windows": WINDOWS, "start": start, "end": end - timedelta(days=1),
        "overall": {**overall, "accuracy_text": wording.pct(overall["accuracy"]),
                    "interval_text": wording.interval(overall["wilson_low"], overall["wilson_high"])},
        "errors": pareto["errors"],
        "rcas": rcas, "overdue": sum(1 for r in rcas if r["overdue"]),
        "calibrations": calibrations,
        "reports": [{"month": m, "key": m.isoformat()[:7], "title": wording.month_title(m.isoformat()[:7]),
                     "kept": m in kept, "partial": m == this_month} for m in months],
        "charts": {
            "trend": mark_safe(charts.accuracy_trend(weekly, overall, width=WIDE)),
            "vendors": mark_safe(charts.group_comparison(vendors, overall, noun="vendor", width=HALF)),
            "pareto": mark_safe(charts.pareto(pareto["by_rca_category"], noun="cause", width=HALF,
                                              label_of=lambda r: wording.CATEGORY_NAMES.get(r["cause"],
                                                                                               r["cause"]))),
        },
    }
