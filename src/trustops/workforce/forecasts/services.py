"""Running a forecast for a queue: read its intake history, fit, backtest, store the run."""
from datetime import datetime, timedelta

from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid
from trustops.ledger import services as ledger
from trustops.workforce.forecasts import engine, selectors
from trustops.workforce.forecasts.models import ForecastRun

MAX_HORIZON = 4 * engine.WEEK
MAX_HISTORY_WEEKS = 12
MAX_START_DAYS = 366


def require_planner(actor) -> None:
    if not access.acts_on_planning(actor):
        raise Forbidden("not_a_planner", "Only vendor managers and admins run forecasts and plans.")


def run_forecast(*, actor, queue_key: str, horizon_intervals: int = engine.WEEK, starts_at: datetime | None = None,
                 history_weeks: int = 6) -> ForecastRun:
    require_planner(actor)
    if not 1 <= horizon_intervals <= MAX_HORIZON:
        raise Invalid("invalid_field", f"horizon: 1 to {MAX_HORIZON} half-hours", field="horizon")
    if not 1 <= history_weeks <= MAX_HISTORY_WEEKS:
        raise Invalid("invalid_field", f"history_weeks: 1 to {MAX_HISTORY_WEEKS}", field="history_weeks")
    now = clock.now()
    if starts_at is not None and abs(starts_at - now) > timedelta(days=MAX_START_DAYS):
        raise Invalid("invalid_field", f"starts_at: within {MAX_START_DAYS} days of now", field="starts_at")
    queue = selectors.get_planning_queue(actor, queue_key)
    start = selectors.floor_interval(starts_at or now)
    first, history = selectors.intake_history(queue, until=start, since=start - timedelta(weeks=history_weeks))
    try:
        result = engine.forecast(history, horizon_intervals)
    except engine.HistoryTooShort as exc:
        raise Invalid("history_too_short", f"queue {queue_key!r}: {exc}", field="queue") from exc
    return _store(actor, queue, start, horizon_intervals, history, result)


def rounded(values) -> list[float]:
    return [round(float(x), 3) for x in values]


@transaction.atomic
def _store(actor, queue, start, horizon, history, result: engine.Forecast) -> ForecastRun:
    run = ForecastRun.objects.create(
        queue=queue, model=result.model, fallback_reason=result.reason[:300], starts_at=start,
        horizon_intervals=horizon, history_intervals=len(history), history_volume=int(history.sum()),
        wape=result.wape, mean=rounded(result.mean), lower=rounded(result.lower), upper=rounded(result.upper),
        upper_95=rounded(result.upper_95),
        backtest={"actual": rounded(result.backtest_actual), "forecast": rounded(result.backtest_forecast)},
        created_by=actor if getattr(actor, "pk", None) else None, created_at=clock.now())
    ledger.record("workforce.forecast_run", actor=actor, payload={
        "forecast": run.pk, "queue": queue.key, "model": run.model, "horizon": horizon, "wape": run.wape,
        "reason": run.fallback_reason})
    return run
