"""Background jobs: outcomes of hits (precision, demotion) and monitors, every few minutes / every hour."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.risk.feedback import services as feedback
from trustops.risk.monitors import services as monitors


@db_periodic_task(crontab(minute="*/5"))
def sync_rule_outcomes():
    feedback.sync_outcomes()


@db_periodic_task(crontab(minute="2"))
def check_monitors():
    monitors.check_monitors()
