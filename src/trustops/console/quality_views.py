"""The console's quality pages: the dashboard and the Monthly Quality Report with its downloads.

Who sees what is the quality scope (vendor managers see their vendor only). People without a quality reading
role get "not found", as for anything else outside their scope, and the navigation does not offer the pages.
"""
from datetime import date

from django.shortcuts import redirect, render

from trustops.console.views import console_page
from trustops.insights import dashboard, monthly_quality, responses, selectors, wording
from trustops.kernel import clock
from trustops.kernel.errors import Invalid, NotFound
from trustops.quality.selectors import reads_quality_reports


def _month(value: str) -> date:
    try:
        return monthly_quality.parse_month(value)
    except Invalid:
        raise NotFound("report_not_found", "No report for that month.")


def _neighbour(month: date, step: int) -> date | None:
    index = month.year * 12 + month.month - 1 + step
    candidate = date(index // 12, index % 12 + 1, 1)
    return candidate if candidate <= clock.now().date().replace(day=1) else None


@console_page
def quality_dashboard(request):
    try:
        weeks = int(request.GET.get("weeks", dashboard.DEFAULT_WEEKS))
    except ValueError:
        weeks = dashboard.DEFAULT_WEEKS
    return render(request, "console/quality_dashboard.html", dashboard.build(request.user, weeks=weeks))


@console_page
def latest_report(request):
    if not reads_quality_reports(request.user):
        raise NotFound("report_not_found", "No report for you.")
    return redirect("console:quality_report", month=monthly_quality.previous_month(clock.now()).isoformat()[:7])


@console_page
def monthly_report(request, month: str):
    first = _month(month)
    report = selectors.monthly_quality_report(request.user, first, fresh=request.GET.get("fresh") == "1")
    previous, following = _neighbour(first, -1), _neighbour(first, 1)
    return render(request, "console/quality_report.html", {
        "report": report, "month": month, "title": wording.month_title(month),
        "generated": wording.when(report.generated_at), "partial": first == clock.now().date().replace(day=1),
        "previous": previous and {"key": previous.isoformat()[:7], "title": wording.month_title(previous.isoformat()[:7])},
        "following": following and {"key": following.isoformat()[:7],
                                    "title": wording.month_title(following.isoformat()[:7])},
    })


@console_page
def monthly_report_file(request, month: str, fmt: str):
    report = selectors.monthly_quality_report(request.user, _month(month), fresh=request.GET.get("fresh") == "1")
    return responses.report_file(report, fmt)
