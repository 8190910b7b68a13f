"""The Monthly Quality Report as HTML: a self-contained fragment (kept as generated) and a standalone document.

The fragment holds everything, charts included as inline SVG; the console places it in its page with the
report's stylesheet, and the standalone document inlines that stylesheet, so the file opens anywhere offline.
"""
import base64
import hashlib
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from trustops.insights import charts
from trustops.insights.wording import (
    CATEGORY_NAMES,
    COEFFICIENTS,
    ERROR_NAMES,
    STATUS_NAMES,
    coefficient,
    days,
    interval,
    month_title,
    pct,
    period,
    points,
    when,
)

STYLESHEET = Path(__file__).parent / "static" / "insights" / "monthly_quality.css"


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text()


def stylesheet_source() -> str:
    """The Content-Security-Policy source that admits the document's inlined stylesheet and nothing else: the
    file must stand alone when saved, so its styles cannot come from a separate file."""
    digest = base64.b64encode(hashlib.sha256(stylesheet().encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _comparison_rows(rows: list[dict]) -> list[dict]:
    return [{**row, "error_count": sum(row["errors"].values()), "accuracy_text": pct(row["accuracy"]),
             "interval_text": interval(row["wilson_low"], row["wilson_high"]),
             "vs_rest_text": points(row["vs_rest"]),
             "vs_rest_interval": f"{points(row['vs_rest_low'])} to {points(row['vs_rest_high'])}"
             if row["vs_rest_low"] is not None else "—"} for row in rows]


def _estimate_interval(estimate: dict | None) -> str:
    """The population estimate's 95% interval, or why it has none (the estimate alone would claim certainty)."""
    if not estimate:
        return "—"
    if estimate.get("low") is not None and estimate.get("high") is not None:
        return f"95% interval {interval(estimate['low'], estimate['high'])}"
    if estimate.get("standard_error") is None:
        return "no interval: a partly audited stratum has a single audit, so its variance is unknown"
    return ("no interval: every sampled stratum's audits were all correct or all wrong, so the normal "
            "approximation would claim false certainty (read the per-group Wilson intervals)")


def view(data: dict) -> dict:
    """The report's figures, worded for people, plus its charts."""
    summary = data["summary"]
    overall = {k: summary[k] for k in ("accuracy", "wilson_low", "wilson_high")}
    estimate = summary.get("population_estimate")
    weeks = [{**w, "days": days(w["first_day"], w["last_day"]), "accuracy_text": pct(w["accuracy"]),
              "interval_text": interval(w["wilson_low"], w["wilson_high"]),
              "error_count": sum(w["errors"].values())} for w in data["weekly"]]
    pareto = data["pareto"]
    categories = [{**row, "name": CATEGORY_NAMES.get(row["cause"], row["cause"]), "share_text": pct(row["share"]),
                   "cumulative_text": pct(row["cumulative_share"])} for row in pareto["by_rca_category"]]
    pairs = [{**row, "error_name": ERROR_NAMES.get(row["error_type"], "All others") if row["error_type"] else
              f"All others ({row.get('others', 0)} pairs)", "share_text": pct(row["share"]),
              "cumulative_text": pct(row["cumulative_share"])} for row in pareto["by_error_type_and_policy"]]
    rcas = data["rcas"]
    calibrations = [{**c, "closed_text": when(c["closed_at"]),
                     "coefficients": [{"name": name, "value": coefficient(c[key]),
                                       "reason": (c.get("undefined") or {}).get(key)} for key, name in COEFFICIENTS]}
                    for c in data["calibrations"]]
    appeals = data["appeals"]
    return {
        "data": data,
        "title": month_title(data["month"]),
        "period": period(data),
        "generated": when(data["generated_at"]),
        "summary": {**summary, "accuracy_text": pct(summary["accuracy"]),
                    "interval_text": interval(summary["wilson_low"], summary["wilson_high"]),
                    "coverage_text": pct(summary["audit_coverage"], 2),
                    "estimate_text": pct(estimate["estimate"]) if estimate else "—",
                    "estimate_interval": _estimate_interval(estimate),
                    "errors_total": sum(sum(w["errors"].values()) for w in data["weekly"])},
        "weeks": weeks,
        "vendors": _comparison_rows(data["vendors"]),
        "queues": _comparison_rows(data["queues"]),
        "agents_below": [{**a, "accuracy_text": pct(a["accuracy"]),
                          "interval_text": interval(a["wilson_low"], a["wilson_high"])}
                         for a in data["agents_below_overall"]],
        "categories": categories,
        "pairs": pairs,
        "rca_categories": [{**row, "name": CATEGORY_NAMES[row["category"]]} for row in rcas["by_category"]],
        "rcas_overdue": [{**r, "category_name": CATEGORY_NAMES[r["category"]], "status_name": STATUS_NAMES[r["status"]]}
                         for r in rcas["overdue"]],
        "rcas_open": [{**r, "category_name": CATEGORY_NAMES[r["category"]], "status_name": STATUS_NAMES[r["status"]]}
                      for r in rcas["open"]],
        "rcas_as_of": when(rcas["as_of"]),
        "calibrations": calibrations,
        "appeals": {**appeals, "rate_text": pct(appeals["overturn_rate"]),
                    "interval_text": interval(appeals["wilson_low"], appeals["wilson_high"])},
        "warnings": data["warnings"],
        "error_names": [ERROR_NAMES[e] for e in charts.ERROR_COLOURS],
        "coefficient_names": COEFFICIENTS,
        "charts": {
            "trend": mark_safe(charts.accuracy_trend(data["weekly"], overall)),
            "errors_by_week": mark_safe(charts.errors_by_week(data["weekly"])),
            "vendors": mark_safe(charts.group_comparison(data["vendors"], overall, noun="vendor")),
            "queues": mark_safe(charts.group_comparison(data["queues"], overall, noun="queue")),
            "pareto": mark_safe(charts.pareto(pareto["by_rca_category"], noun="cause",
                                              label_of=lambda r: CATEGORY_NAMES.get(r["cause"], r["cause"]))),
        },
    }


def fragment(data: dict) -> str:
    """The report body (an `<article>`), charts inline; this is what is kept."""
    return render_to_string("insights/monthly_quality_report.html", view(data))


def document(data: dict, body: str | None = None) -> str:
    """A standalone HTML file: the fragment (given, e.g. a kept one, or made now) with its stylesheet inlined."""
    return render_to_string("insights/monthly_quality_document.html", {
        "title": f"Monthly Quality Report — {month_title(data['month'])}", "css": mark_safe(stylesheet()),
        "body": mark_safe(body if body is not None else fragment(data))})
