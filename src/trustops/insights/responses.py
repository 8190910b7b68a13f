"""The Monthly Quality Report as a file download, for the API and the console alike."""
from django.http import HttpResponse

from trustops.insights import exports, rendering
from trustops.insights.selectors import MonthlyReport

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_name(month: str, fmt: str) -> str:
    return f"monthly-quality-report-{month}.{fmt}"


def report_file(report: MonthlyReport, fmt: str) -> HttpResponse:
    """The report in one of its file formats, saying whether it is the kept version or built just now."""
    month = report.data["month"]
    if fmt == "html":
        body = rendering.document(report.data, report.html)
    elif fmt == "csv":
        body = exports.to_csv(report.data)
    elif fmt == "xlsx":
        body = exports.to_xlsx(report.data)
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file_name(month, fmt)}"'
    if fmt == "html":
        # django-csp adds this to the policy of this one response (what its csp_update decorator sets).
        response._csp_update = {"style-src": [rendering.stylesheet_source()]}
    response["X-Report-Source"] = report.source
    response["X-Report-Generated-At"] = report.generated_at
    return response
