"""Hot statements (prepared on PostgreSQL) fail the way every other query does."""
import pytest
from django.db import IntegrityError, transaction

from trustops.kernel.database import fetch_one_hot


@pytest.mark.django_db
def test_a_hot_statement_returns_its_row_and_raises_djangos_errors(platform):
    from trustops.review.models import Queue

    queue = Queue.objects.get(key="general-us")
    assert fetch_one_hot("SELECT key FROM review_queue WHERE id = %s", [queue.pk]) == ("general-us",)
    assert fetch_one_hot("SELECT key FROM review_queue WHERE id = %s", [-1]) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        fetch_one_hot("UPDATE review_queue SET key = %s WHERE key = %s", ["general-intl", "general-us"])
    assert Queue.objects.filter(key="general-us").exists()
