"""Scheduled reports. Jobs take values and call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.insights import monthly_quality, services
from trustops.kernel import clock


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def keep_last_months_quality_report():
    """02:00 UTC on the first of each month: the month just ended, kept for good."""
    month = monthly_quality.previous_month(clock.now())
    services.keep_monthly_quality_report(month=month, only_if_missing=True)


@db_task(retries=2, retry_delay=300)
def keep_monthly_quality_report(month: str):
    """On demand, for one month given as YYYY-MM."""
    services.keep_monthly_quality_report(month=monthly_quality.parse_month(month))
