"""The Monthly Quality Report as CSV (tidy: one figure per row) and XLSX (one sheet per section).

Both are made from the report's figures alone, so a kept report downloads with exactly the numbers it was
generated with.
"""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from trustops.quality.reports.trends import ERROR_TYPES

CSV_HEADER = ["section", "group", "metric", "value"]
ACCURACY = ["audited", "correct", "accuracy", "wilson_low", "wilson_high"]
COMPARISON = ["label", *ACCURACY, "vs_rest", "vs_rest_low", "vs_rest_high", "flag", "stable"]
PARETO = ["errors", "share", "cumulative_share", "vital_few"]
RCA_ROW = ["title", "category", "owner", "due_date", "status", "overdue", "days_overdue", "audits_this_month"]
RCA_CATEGORY = ["active", "opened", "closed", "overdue", "audits_this_month"]
COEFFICIENTS = ["percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1"]
APPEALS = ["decided", "upheld", "overturned", "overturn_rate", "wilson_low", "wilson_high"]
PERCENT_COLUMNS = {"accuracy", "wilson_low", "wilson_high", "vs_rest", "vs_rest_low", "vs_rest_high", "share",
                   "cumulative_share", "overturn_rate", "audit_coverage", "percent_agreement", "estimate"}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Text a person typed (an RCA title, a name) must never run as a spreadsheet formula when the file is
    opened: such text gets a leading apostrophe, as spreadsheets themselves do."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text(value)
    return value


def tidy_rows(data: dict) -> list[tuple]:
    """Every figure of the report as (section, group, metric, value)."""
    rows: list[tuple] = []

    def add(section, group, record: dict, metrics):
        for metric in metrics:
            rows.append((section, group, metric, _value(record.get(metric))))

    rows += [("report", "all", "month", data["month"]), ("report", "all", "scope", data["scope"]["label"]),
             ("report", "all", "generated_at", data["generated_at"])]
    summary = data["summary"]
    add("summary", "all", summary, ["decisions", *ACCURACY, "audit_coverage", "open_rcas", "overdue_rcas",
                                    "warnings"])
    for error_type in ERROR_TYPES:
        rows.append(("summary", "all", f"errors_{error_type}", summary["errors"][error_type]))
    estimate = summary.get("population_estimate") or {}
    for metric in ("estimate", "low", "high", "standard_error", "population", "audited"):
        rows.append(("summary", "all", f"population_estimate_{metric}", _value(estimate.get(metric))))
    for week in data["weekly"]:
        add("weekly", week["week"], week, ["first_day", "last_day", *ACCURACY])
        for error_type in ERROR_TYPES:
            rows.append(("weekly", week["week"], f"errors_{error_type}", week["errors"][error_type]))
    for section, key in (("vendor", "vendors"), ("queue", "queues")):
        for row in data[key]:
            add(section, row["group"], row, COMPARISON)
            for error_type in ERROR_TYPES:
                rows.append((section, row["group"], f"errors_{error_type}", row["errors"][error_type]))
    for agent in data["agents_below_overall"]:
        add("reviewer_below_overall", agent["group"], agent, ACCURACY)
    for row in data["pareto"]["by_rca_category"]:
        add("pareto_rca_category", row["cause"], row, PARETO)
    for row in data["pareto"]["by_error_type_and_policy"]:
        group = f"{row['error_type']} | {row['policy']}" if row["error_type"] else "all others"
        add("pareto_error_type_policy", group, row, PARETO)
    for row in data["rcas"]["by_category"]:
        add("rca_category", row["category"], row, RCA_CATEGORY)
    for rca in data["rcas"]["open"]:
        add("rca_open", f"RCA-{rca['rca_id']}", rca, RCA_ROW)
    for session in data["calibrations"]:
        group = f"{session['name']} (#{session['calibration_id']})"
        add("calibration", group, session, ["closed_at", "units", "raters", *COEFFICIENTS, "ambiguous_items"])
        for metric, reason in (session.get("undefined") or {}).items():
            rows.append(("calibration", group, f"{metric}_undefined_because", reason))
    add("appeals", "all", data["appeals"], APPEALS)
    for warning in data["warnings"]:
        add("warning", warning["code"], warning, ["severity", "count", "message"])
        for example in warning["examples"]:
            rows.append(("warning", warning["code"], "example", example))
    return rows


def to_csv(data: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([_value(cell) for cell in row] for row in tidy_rows(data))
    return buffer.getvalue()


# ---- XLSX ----------------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="1D2330")
HEADER_FILL = PatternFill("solid", fgColor="EEF1F6")
TITLE_FONT = Font(bold=True, size=13)


def _sheet(workbook: Workbook, title: str, columns: list[str], records: list[dict], note: str = ""):
    sheet = workbook.create_sheet(title)
    start = 1
    if note:
        sheet.cell(row=1, column=1, value=note).font = Font(italic=True, color="5D6778")
        start = 3
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=start, column=index, value=column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="left")
    for offset, record in enumerate(records, 1):
        for index, column in enumerate(columns, 1):
            value = record.get(column)
            if isinstance(value, (list, dict)):
                value = "; ".join(map(str, value.values() if isinstance(value, dict) else value))
            cell = sheet.cell(row=start + offset, column=index, value=_text(value) if isinstance(value, str) else value)
            if column in PERCENT_COLUMNS and isinstance(value, (int, float)):
                cell.number_format = "0.0%"
    sheet.freeze_panes = sheet.cell(row=start + 1, column=2)
    for index, column in enumerate(columns, 1):
        longest = max([len(str(column))] + [len(str(r.get(column) or "")) for r in records[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
    return sheet


def _flat_errors(row: dict) -> dict:
    return {**row, **{f"errors_{e}": row["errors"][e] for e in ERROR_TYPES}}


def to_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    summary_sheet = workbook.active
    summary_sheet.title = "Summary"
    summary_sheet["A1"] = f"Monthly Quality Report — {data['month']}"
    summary_sheet["A1"].font = TITLE_FONT
    summary_sheet["A2"] = _text(f"{data['scope']['label']}; generated {data['generated_at']}")
    summary = data["summary"]
    estimate = summary.get("population_estimate") or {}
    facts = [("Decisions", summary["decisions"], None), ("Audited", summary["audited"], None),
             ("Audit coverage", summary["audit_coverage"], "0.00%"), ("Correct", summary["correct"], None),
             ("Accuracy", summary["accuracy"], "0.0%"), ("Accuracy 95% low", summary["wilson_low"], "0.0%"),
             ("Accuracy 95% high", summary["wilson_high"], "0.0%"),
             ("Population estimate", estimate.get("estimate"), "0.0%"),
             ("Population estimate low", estimate.get("low"), "0.0%"),
             ("Population estimate high", estimate.get("high"), "0.0%"),
             *[(f"Errors: {e.replace('_', ' ')}", summary["errors"][e], None) for e in ERROR_TYPES],
             ("Appeals decided", data["appeals"]["decided"], None),
             ("Appeal overturn rate", data["appeals"]["overturn_rate"], "0.0%"),
             ("Open RCAs", summary["open_rcas"], None), ("Overdue RCAs", summary["overdue_rcas"], None),
             ("Data-validation warnings", summary["warnings"], None)]
    for offset, (label, value, number_format) in enumerate(facts, 4):
        summary_sheet.cell(row=offset, column=1, value=label).font = HEADER_FONT
        cell = summary_sheet.cell(row=offset, column=2, value=value)
        if number_format and value is not None:
            cell.number_format = number_format
    summary_sheet.column_dimensions["A"].width = 28
    summary_sheet.column_dimensions["B"].width = 16

    errors = [f"errors_{e}" for e in ERROR_TYPES]
    _sheet(workbook, "Accuracy trend", ["week", "first_day", "last_day", *ACCURACY, *errors],
           [_flat_errors(w) for w in data["weekly"]], "Accuracy by ISO week of the decision, 95% Wilson intervals")
    comparison = ["group", *COMPARISON, *errors]
    _sheet(workbook, "Vendors", comparison, [_flat_errors(r) for r in data["vendors"]],
           "vs_rest: difference to everyone else, 95% Newcombe interval")
    _sheet(workbook, "Queues", comparison, [_flat_errors(r) for r in data["queues"]],
           "vs_rest: difference to everyone else, 95% Newcombe interval")
    _sheet(workbook, "Error Pareto", ["cause", *PARETO], data["pareto"]["by_rca_category"],
           "Audited errors by root-cause category")
    _sheet(workbook, "Errors by policy", ["error_type", "policy", *PARETO, "others"],
           data["pareto"]["by_error_type_and_policy"], "Audited errors by error type and policy")
    _sheet(workbook, "RCA by category", ["category", *RCA_CATEGORY], data["rcas"]["by_category"],
           f"Root-cause analyses open during the month, as of {data['rcas']['as_of']}")
    _sheet(workbook, "RCAs open", ["rca_id", *RCA_ROW], data["rcas"]["open"], "RCAs not done by the end of the month")
    _sheet(workbook, "Calibration", ["calibration_id", "name", "closed_at", "units", "raters", *COEFFICIENTS,
                                     "ambiguous_items", "undefined"], data["calibrations"],
           "Sessions closed in the month; empty coefficient = undefined (see the last column)")
    _sheet(workbook, "Appeals", APPEALS, [data["appeals"]], "Appeals decided in the month")
    _sheet(workbook, "Data validation", ["code", "severity", "count", "message", "examples"], data["warnings"])
    _sheet(workbook, "Reviewers below", ["group", *ACCURACY], data["agents_below_overall"],
           "Reviewers whose whole 95% interval lies below the overall accuracy")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
