"""Delivery jobs: they take ids and call the outbox services."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.outbox import services as outbox


@db_task(retries=0)
def deliver_webhook(delivery_id: int):
    outbox.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks():
    outbox.deliver_due()
