from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from trustops.ledger import services


@db_periodic_task(crontab(minute="*"))
def seal_ledger():
    services.seal_all()
