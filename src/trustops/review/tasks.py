from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.review import casework


@db_periodic_task(crontab(minute="*"))
def expire_case_leases():
    casework.expire_leases()
