"""The transparency report as CSV and XLSX (openpyxl), one row per figure with the key of its drill-down."""
import csv
import io

from openpyxl import Workbook

from trustops.compliance.transparency.report import TransparencyReport

HEADINGS = ["section", "figure", "group", "value", "drill_down"]


def _group(group: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in group.items())


def as_csv(report: TransparencyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period_start", report.start.isoformat(), "period_end", report.end.isoformat()])
    writer.writerow(HEADINGS)
    for f in report.figures:
        writer.writerow([f.section, f.name, _group(f.group), "" if f.value is None else f.value, f.key])
    return out.getvalue()


def as_xlsx(report: TransparencyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for section in report.sections or ["empty"]:
        sheet = book.create_sheet(section[:31])
        sheet.append(HEADINGS)
        for f in report.section(section):
            sheet.append([f.section, f.name, _group(f.group), f.value, f.key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
