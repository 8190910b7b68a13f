from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.review import casework, services


@db_periodic_task(crontab(minute="*"))
def expire_case_leases():
    casework.expire_leases()


@db_periodic_task(crontab(minute="*"))
def alert_sla():
    """Push SLA alerts for cases newly at risk or breached (once per case and state)."""
    services.raise_sla_alerts()
