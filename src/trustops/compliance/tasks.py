"""Compliance jobs: they take ids (or nothing) and call the services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.compliance.statements import submission


@db_task(retries=0)
def submit_statements():
    submission.submit_due()


@db_periodic_task(crontab(minute="*"))
def submit_due_statements():
    """The sweep that makes submission survive restarts and retries: anything due is sent."""
    submission.submit_due()
