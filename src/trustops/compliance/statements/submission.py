"""Sending statements to the Transparency Database: batches of at most 100, driven from the `Statement` rows
(written with their decisions), so a worker that dies loses nothing and a replay sends nothing twice.

The database refuses a whole batch for one bad statement (422, errors keyed `statement_N`): the batch is split
in halves until the bad one stands alone; the others go through and it is listed for correction. A duplicate
`puid` (422 on a statement sent before, e.g. by a worker that died before recording its success) counts as
submitted. 5xx answers, timeouts and refused tokens leave the batch pending, retried with backoff.
"""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction

from trustops.compliance.models import Statement, StatementStatus, SubmissionBatch
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, NotFound
from trustops.ledger import services as ledger
from trustops.outbox.services import backoff

log = logging.getLogger(__name__)
BATCH = 100
LEASE_SECONDS = 120
MAX_DUE = 1000
DUPLICATE_PUID = "puid"


@dataclass
class Outcome:
    configured: bool = True
    submitted: int = 0
    refused: int = 0
    retrying: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)


def configured() -> bool:
    return bool(settings.TRUSTOPS["DSA_ENDPOINT"])


def _lease_due(limit: int) -> list[int]:
    """Take due statements for this worker: pushing their next attempt past the lease keeps others off them."""
    with transaction.atomic():
        now = clock.now()
        ids = list(Statement.objects.select_for_update(skip_locked=True)
                   .filter(status=StatementStatus.PENDING, next_attempt_at__lte=now)
                   .order_by("id").values_list("id", flat=True)[:limit])
        Statement.objects.filter(pk__in=ids).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
    return ids


def submit_due(*, client: httpx.Client | None = None, limit: int = MAX_DUE) -> Outcome:
    """Send every due statement. Without a configured endpoint nothing is sent (and nothing changes)."""
    outcome = Outcome()
    if not configured():
        outcome.configured = False
        return outcome
    own = client is None
    sender = client or httpx.Client(timeout=settings.TRUSTOPS["DSA_TIMEOUT_SECONDS"], follow_redirects=False)
    try:
        ids = _lease_due(limit)
        statements = list(Statement.objects.filter(pk__in=ids).order_by("id").only("id", "puid", "body", "attempts"))
        for start in range(0, len(statements), BATCH):
            _send(sender, statements[start:start + BATCH], outcome)
    finally:
        if own:
            sender.close()
    return outcome


def _post(sender: httpx.Client, batch: list[Statement]) -> tuple[int | None, dict, str]:
    endpoint = settings.TRUSTOPS["DSA_ENDPOINT"]
    headers = {"Authorization": f"Bearer {settings.TRUSTOPS['DSA_TOKEN']}", "Accept": "application/json",
               "User-Agent": "trustops-dsa/1"}
    try:
        response = sender.post(f"{endpoint}/statements", json={"statements": [s.body for s in batch]},
                               headers=headers)
    except httpx.HTTPError as error:
        return None, {}, f"{type(error).__name__}: {error}"[:1000]
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return response.status_code, answer, error


def _send(sender, batch: list[Statement], outcome: Outcome) -> None:
    status, answer, error = _post(sender, batch)
    outcome.calls += 1
    SubmissionBatch.objects.create(sent_at=clock.now(), size=len(batch), status_code=status, error=error,
                                   puids=[s.puid for s in batch])
    if not error:
        _mark_submitted(batch)
        outcome.submitted += len(batch)
    elif status == 422:
        if len(batch) > 1:
            middle = len(batch) // 2
            _send(sender, batch[:middle], outcome)
            _send(sender, batch[middle:], outcome)
            return
        problems = _problems_of(answer)
        if set(problems) == {DUPLICATE_PUID}:
            _mark_submitted(batch, already=True)      # sent before: the database has it
            outcome.submitted += 1
        else:
            _mark_refused(batch[0], problems)
            outcome.refused += 1
    else:
        _mark_retry(batch, error)
        outcome.retrying += len(batch)
        outcome.errors.append(error)


def _problems_of(answer: dict) -> dict:
    """The refused statement's field errors ({field: [messages]}), from `errors.statement_0` or `errors`."""
    errors = answer.get("errors")
    if not isinstance(errors, dict):
        return {"statement": [str(answer.get("message") or "refused")]}
    inner = errors.get("statement_0", errors)
    if not isinstance(inner, dict):
        return {"statement": [str(inner)]}
    return {str(k).removeprefix("statements.0."): v if isinstance(v, list) else [str(v)] for k, v in inner.items()}


@transaction.atomic
def _mark_submitted(batch: list[Statement], *, already: bool = False) -> None:
    now = clock.now()
    ids = [s.pk for s in batch]
    Statement.objects.filter(pk__in=ids).update(status=StatementStatus.SUBMITTED, submitted_at=now, updated_at=now,
                                                next_attempt_at=None, last_error="", problems=[])
    ledger.record("statements.submitted", payload={"puids": [s.puid for s in batch], "count": len(batch),
                                                   "already_present": already})


@transaction.atomic
def _mark_refused(statement: Statement, problems: dict) -> None:
    now = clock.now()
    listed = [{"field": f, "message": "; ".join(map(str, m))} for f, m in problems.items()]
    Statement.objects.filter(pk=statement.pk).update(
        status=StatementStatus.REFUSED, problems=listed, updated_at=now, next_attempt_at=None,
        attempts=statement.attempts + 1, last_error="; ".join(f"{p['field']}: {p['message']}" for p in listed)[:1000])
    ledger.record("statement.refused", payload={"puid": statement.puid, "problems": listed})


@transaction.atomic
def _mark_retry(batch: list[Statement], error: str) -> None:
    now = clock.now()
    for statement in batch:
        statement.attempts += 1
        Statement.objects.filter(pk=statement.pk).update(
            attempts=statement.attempts, next_attempt_at=now + backoff(statement.attempts), last_error=error,
            updated_at=now)
    log.warning("DSA submission of %s statements will be retried: %s", len(batch), error)


@transaction.atomic
def resubmit(*, statement_id: int, actor=None) -> Statement:
    """Send a refused statement again (after the refusal's cause was fixed, e.g. in the database's rules)."""
    statement = Statement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        raise NotFound("statement_not_found", f"No statement {statement_id}.")
    if statement.status != StatementStatus.REFUSED:
        raise Conflict("not_refused", "Only a refused statement is sent again.")
    statement.status, statement.next_attempt_at, statement.updated_at = StatementStatus.PENDING, clock.now(), clock.now()
    statement.save(update_fields=["status", "next_attempt_at", "updated_at"])
    ledger.record("statement.resubmitted", actor=actor, payload={"puid": statement.puid})
    return statement
