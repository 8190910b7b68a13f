"""The desk's periodic jobs: SLA warnings and breaches, engineering follow-ups, the daily report, handovers."""
from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.support.engineering import services as engineering
from trustops.support.escalations import services as escalations
from trustops.support.reports import services as reports
from trustops.support.sla import services as sla


@db_periodic_task(crontab(minute="*"))
def sweep_sla_clocks():
    sla.sweep()


@db_periodic_task(crontab(minute="7"))
def follow_up_fixes():
    engineering.follow_up()


@db_periodic_task(crontab(minute="5", hour=str(settings.TRUSTOPS["SUPPORT_DAILY_REPORT_HOUR"])))
def daily_report():
    reports.generate_daily_report()


@db_periodic_task(crontab(minute="0", hour=",".join(str(h) for h in settings.TRUSTOPS["SUPPORT_SHIFT_HOURS"])))
def shift_handover():
    reports.generate_handover()


@db_periodic_task(crontab(minute="15", hour="6", day_of_week="1"))
def weekly_insights():
    """Mondays: the creator-escalations insights of the week just ended."""
    escalations.generate_weekly_insights()
