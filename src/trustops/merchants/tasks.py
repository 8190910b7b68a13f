"""Background jobs: the daily licence check and the nightly recomputation of health, benefits and funds."""
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from trustops.merchants import nightly
from trustops.merchants.models import Merchant
from trustops.merchants.services import decisions, qualifications, standing


@db_periodic_task(crontab(hour="3", minute="10"))
def check_licences():
    return qualifications.refresh_due()


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_standing():
    decisions.expire_decisions()
    return nightly.run()


def recompute_all(batch: int = 500) -> int:
    done = 0
    ids = list(Merchant.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        for merchant_id in ids[start:start + batch]:
            recompute(merchant_id)
            done += 1
    return done


def recompute(merchant_id: int) -> None:
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
        standing.refresh(merchant, actor="nightly")


@db_task()
def recompute_later(merchant_id: int):
    recompute(merchant_id)
