"""Workforce's periodic work: certifications whose policy moved on are marked expired; closed days rolled up."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.workforce.measurement import services as measurement
from trustops.workforce.training import services as training


@db_periodic_task(crontab(minute="*/15"))
def expire_stale_certifications():
    return training.expire_stale_certifications()


@db_periodic_task(crontab(minute="20"))
def roll_closed_days():
    """Each hour: the day that closed (an hour after midnight UTC, the first run after it) joins the rollups."""
    return measurement.roll_closed_days()
