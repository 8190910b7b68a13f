"""Compliance jobs: they take ids (or nothing) and call the services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.compliance.audit import services as audit
from trustops.compliance.clocks import services as clocks
from trustops.compliance.retention import services as retention
from trustops.compliance.statements import submission


@db_task(retries=0)
def submit_statements():
    submission.submit_due()


@db_periodic_task(crontab(minute="*"))
def submit_due_statements():
    """The sweep that makes submission survive restarts and retries: anything due is sent."""
    submission.submit_due()


@db_periodic_task(crontab(minute="*"))
def run_legal_clocks():
    """Open clocks for new NCII reports and authority orders; escalate and report breaches."""
    clocks.open_from_reports()
    clocks.tick()


@db_periodic_task(crontab(minute="15", hour="3"))
def purge_expired_data():
    retention.purge()


@db_periodic_task(crontab(minute="30", hour="*/6"))
def verify_ledger():
    """The scheduled `ledger verify`; a failure notifies compliance officers and admins."""
    audit.scheduled_verification()
