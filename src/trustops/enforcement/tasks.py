"""Background jobs: they take ids and call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.enforcement.services import penalties


@db_periodic_task(crontab(minute="*"))
def end_expired_enforcement():
    penalties.end_expired_actions()
