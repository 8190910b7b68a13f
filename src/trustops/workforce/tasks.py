"""Workforce's periodic work: certifications whose policy moved on are marked expired."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.workforce.training import services as training


@db_periodic_task(crontab(minute="*/15"))
def expire_stale_certifications():
    return training.expire_stale_certifications()
