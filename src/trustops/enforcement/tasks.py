"""Background jobs: they take ids and call services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.enforcement.services import outbox, penalties


@db_task(retries=0)
def deliver_webhook(delivery_id: int):
    outbox.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks():
    outbox.deliver_due()


@db_periodic_task(crontab(minute="*"))
def end_expired_enforcement():
    penalties.end_expired_actions()
