"""A case's SLA due time with its queue's pauses (`hooks.sla_pauses`): the clock stands still during each
pause, so the due time moves by exactly the paused time that fell before it. Pure, apart from `due_times`."""
from dataclasses import dataclass
from datetime import datetime

from trustops.review import hooks


@dataclass(frozen=True)
class Due:
    at: datetime       # the due time, counting every pause up to now
    paused: bool       # the clock stands still right now


def effective_due(opened_at: datetime, due: datetime, intervals: list[hooks.PauseInterval], now: datetime) -> Due:
    """Walk the pauses in order: each one that starts before the (moving) due time pushes it back by the part
    of the pause after the case opened; a pause still running counts up to now."""
    paused = False
    for start, end in sorted(intervals, key=lambda iv: iv[0]):
        if start >= due or start > now:
            break
        stop = min(end, now) if end is not None else now
        begin = max(start, opened_at)
        if stop > begin:
            due += stop - begin
        if begin <= now and (end is None or end > now):
            paused = True
    return Due(due, paused)


def due_times(cases, now: datetime) -> dict[int, Due]:
    """Each case's due time with the pauses of its queue: one hook call for all the cases' queues."""
    cases = list(cases)
    pauses = hooks.sla_pauses.paused_intervals({case.queue.key for case in cases}) if cases else {}
    return {case.pk: effective_due(case.opened_at, case.sla_due_at, pauses.get(case.queue.key, []), now)
            for case in cases}


def paused_now(queue_keys, now: datetime) -> set[str]:
    """The queues whose clocks stand still at this moment."""
    return {key for key, intervals in hooks.sla_pauses.paused_intervals(queue_keys).items()
            if any(start <= now and (end is None or end > now) for start, end in intervals)}


